/**
 * publish-pypi: pre-flight every dist, then upload them in the repository's dependency
 * order with uv, resumably (files already on the index with the same hash are skipped),
 * holding back only the dependents of a package that fails.
 */
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { isUserError } from '../../packages-shared/errors.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { DependencyGraph } from '../../packages-shared/graph.js'
import { toPosix } from '../../packages-shared/paths.js'
import { provisionTools } from '../../packages-shared/python/toolbox.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import { table } from '../../packages-shared/report/markdown.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { IndexClient, projectFilesWithRetry } from './index-client.js'
import { parsePublishInputs, type PublishInputs } from './inputs.js'
import { mintUploadToken, missingCredentialsMessage, oidcAvailable } from './oidc.js'
import { orderPackages, type FileState, type PlannedPackage } from './plan.js'
import { chooseDistSource } from './dist-source.js'
import { checkIndex, collectCandidates, inspectCandidates, type Problem } from './preflight.js'
import { publishAll, type PackageResult } from './publisher.js'
import { UV_VERSION, uvPublishEnv, type UploadAuth } from '../../packages-shared/tools/uv-publish.js'
import { uvUploader } from './uploader.js'

const TOOL = 'publish-pypi'

function toFinding(p: Problem): Finding {
  return { tool: 'preflight', severity: p.severity, message: p.message, file: p.file, package: p.package }
}

function planSection(plan: readonly PlannedPackage[], states: Map<string, FileState>, dryRun: boolean): string {
  const rows = plan.flatMap((pkg, i) =>
    pkg.files.map((f, j) => {
      const state = states.get(f.filename)
      const action = state === 'same' ? 'skip (already on the index)' : state === 'different' ? 'conflict (different file on the index)' : state === 'absent' ? 'upload' : 'unknown'
      return [j === 0 ? String(i + 1) : '', j === 0 ? `${pkg.name} ${pkg.version}` : '', f.filename, f.sha256.slice(0, 12), action]
    })
  )
  return `### ${dryRun ? 'Plan (dry run: nothing uploaded)' : 'Plan'}\n\n${table(['#', 'package', 'file', 'sha256', 'action'], rows)}`
}

/** Why a package was skipped as a whole: its files were there before, or another publisher won every race. */
function skipDetail(r: PackageResult): string {
  return r.files.every((f) => f.skipped === 'concurrent') ? 'uploaded concurrently by another publisher' : 'already on the index'
}

function resultSection(results: readonly PackageResult[]): string {
  const rows = results.map((r) => {
    const counts = ['uploaded', 'skipped', 'failed', 'not-attempted']
      .map((s) => [s, r.files.filter((f) => f.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')
    const detail = r.status === 'blocked' ? `blocked by ${r.blockedBy?.join(', ')}` : r.status === 'skipped' ? skipDetail(r) : (r.reason ?? '')
    return [r.name, r.version, r.status, counts, detail]
  })
  return `### Packages\n\n${table(['package', 'version', 'status', 'files', 'detail'], rows)}`
}

/** Every file this run did not upload because the index already held it, and why. */
function skippedSection(results: readonly PackageResult[]): string[] {
  const rows = results.flatMap((r) =>
    r.files.filter((f) => f.status === 'skipped').map((f) => [f.filename, `${r.name} ${r.version}`, f.skipped === 'concurrent' ? 'uploaded concurrently by another publisher (same sha256)' : 'already on the index (same sha256)'])
  )
  return rows.length ? [`### Skipped files\n\n${table(['file', 'package', 'why'], rows)}`] : []
}

function emptyWorkspace(root: string): Workspace {
  return { root, kind: 'single', packages: [], graph: new DependencyGraph([]), get: () => undefined }
}

export async function runPublish(ctx: ActionContext, inputs: PublishInputs): Promise<ActionResult> {
  const { io, common } = ctx
  const started = Date.now()
  const explicit = inputs.dists !== undefined || inputs.distDir !== undefined
  let ws: Workspace | undefined
  try {
    ws = ctx.workspace()
  } catch (error) {
    // Dists given explicitly can be published without a repository to order them by.
    if (!explicit || !isUserError(error)) throw error
    io.info(`No Python packages found in ${common.workingDirectory}; publishing the given dists in name order.`)
  }
  let selected: PythonPackage[] | undefined
  if (ws) selected = (await ctx.selection()).packages
  const root = ws?.root ?? common.workingDirectory
  const rel = (p: string): string => toPosix(path.relative(root, p)) || '.'

  // --- pre-flight
  const source = await chooseDistSource(ctx, ctx.tempDir, inputs, ws?.root, selected, rel)
  io.info(`Dists: ${source.description}`)
  const collected = collectCandidates(source.given, source.distDir, selected, rel, source.givenFrom)
  const inspected = inspectCandidates(collected.candidates, rel, inputs.strictMetadata)
  let files = inspected.files
  if ((explicit || source.kind === 'record') && ws && common.packages.mode !== 'all' && selected) {
    const keep = new Set(selected.map((p) => p.id))
    const dropped = files.filter((f) => !keep.has(f.id))
    if (dropped.length) io.info(`Not selected by 'packages', so not published: ${dropped.map((f) => f.filename).join(', ')}`)
    files = files.filter((f) => keep.has(f.id))
  }
  const problems: Problem[] = [...source.problems, ...collected.problems, ...inspected.problems]

  let auth: UploadAuth | undefined
  const useOidc = inputs.credentials.kind === 'none' && oidcAvailable(io.env)
  if (inputs.credentials.kind === 'token') auth = { kind: 'token', token: inputs.credentials.token }
  else if (inputs.credentials.kind === 'password') auth = { kind: 'password', username: inputs.credentials.username, password: inputs.credentials.password }
  else if (!useOidc) {
    // A dry run (say, on a pull request) checks the dists; missing credentials only warn there.
    const message = missingCredentialsMessage(io.env)
    problems.push(inputs.dryRun ? { severity: 'warning', message: `A real run would fail: ${message}` } : { severity: 'error', message })
  }

  const client = new IndexClient(inputs.repository, {
    http: ctx.http,
    auth: inputs.credentials.kind === 'password' ? { username: inputs.credentials.username, password: inputs.credentials.password } : undefined
  })
  let states = new Map<string, FileState>()
  if (files.length > 0) {
    const checked = await checkIndex(io, client, files, inputs.skipExisting, inputs.retries, inputs.retryDelayMs)
    states = checked.states
    problems.push(...checked.problems)
  }
  if (useOidc && !inputs.dryRun && !problems.some((p) => p.severity === 'error')) {
    try {
      auth = { kind: 'token', token: await mintUploadToken(io, inputs.repository.oidcBase, ctx.http) }
      io.info(`Trusted publishing: minted a short-lived upload token at ${inputs.repository.oidcBase}.`)
    } catch (error) {
      if (!isUserError(error)) throw error
      problems.push({ severity: 'error', message: error.message })
    }
  }

  const plan = orderPackages(files, ws?.graph)
  const packageIds = plan.map((p) => p.id)
  const errors = problems.filter((p) => p.severity === 'error')
  const preflight: CheckResult = {
    tool: 'preflight',
    status: errors.length ? 'failed' : 'passed',
    durationMs: Date.now() - started,
    findings: problems.map(toFinding),
    message: `${files.length} file(s) of ${plan.length} package(s) for ${inputs.repository.label} (${inputs.repository.uploadUrl})`
  }
  const sourceLine = `**Dists:** ${source.description}\n`
  const sections = [sourceLine, ...(plan.length ? [planSection(plan, states, inputs.dryRun)] : [])]
  const data = {
    distSource: { kind: source.kind, description: source.description },
    repository: { uploadUrl: inputs.repository.uploadUrl, indexUrl: inputs.repository.indexUrl },
    authentication: auth ? (useOidc ? 'trusted-publishing' : auth.kind) : useOidc ? 'trusted-publishing' : 'none',
    dryRun: inputs.dryRun,
    plan: plan.map((p) => ({ package: p.id, version: p.version, dependsOn: p.dependsOn, files: p.files.map((f) => ({ filename: f.filename, sha256: f.sha256, size: f.size, state: states.get(f.filename) })) }))
  }
  io.info(`Plan (${inputs.repository.uploadUrl}):`)
  for (const [i, p] of plan.entries()) {
    io.info(`  ${i + 1}. ${p.name} ${p.version}: ${p.files.map((f) => `${f.filename} [${({ same: 'skip', different: 'conflict', absent: 'upload' } as const)[states.get(f.filename) ?? 'absent']}]`).join(', ')}`)
  }
  const emptyOutputs = { uploaded: '[]', skipped: '[]', failed: '[]' }
  // Findings without a file are not annotated; warnings still belong in the log.
  for (const p of problems) if (p.severity === 'warning' && !p.file) io.warning(p.message)

  if (errors.length > 0) {
    for (const p of errors) io.info(`pre-flight error: ${p.message}`)
    return {
      passed: false,
      packages: packageIds,
      checks: [preflight],
      sections,
      data,
      outputs: emptyOutputs,
      failureMessage: `publish-pypi pre-flight failed, nothing was uploaded: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem(s); see the step summary)` : ''}`
    }
  }
  if (inputs.dryRun) {
    io.notice(`Dry run: pre-flight passed for ${files.length} file(s); nothing was uploaded.`)
    return { passed: true, packages: packageIds, checks: [preflight], sections, data, outputs: emptyOutputs }
  }

  // --- upload
  const box = await provisionTools(ctx, {
    mode: common.install === 'project' ? 'auto' : common.install,
    pythonCommand: common.python,
    tools: [{ requirement: 'uv', version: UV_VERSION, executable: 'uv' }],
    cacheRoot: ctx.cacheRoot,
    workspace: ws ?? emptyWorkspace(root)
  })
  const uv = box.which('uv') ?? 'uv'
  const uvVersion = await toolVersion(uv, box.env, ctx.exec)
  // uv publish is a network client like an installer: the user's UV_* settings (timeouts, TLS,
  // proxies) reach it; UV_PUBLISH_* never do, the token is set for this one process only.
  const uploader = uvUploader(uv, inputs.repository, uvPublishEnv(box.installEnv, auth!), root, inputs.timeoutMs)
  const results = await publishAll(io, plan, client, uploader, {
    retries: inputs.retries,
    retryDelayMs: inputs.retryDelayMs,
    skipExisting: inputs.skipExisting,
    graph: ws?.graph
  })

  // Read the index back: every file we count as published must be there with our hash.
  const checks: CheckResult[] = [preflight]
  for (const r of results) {
    const pkg = plan.find((p) => p.id === r.id)!
    const findings: Finding[] = []
    if (r.status === 'uploaded' || r.status === 'skipped') {
      try {
        const listed = await projectFilesWithRetry(client, r.id, inputs.retries, inputs.retryDelayMs)
        for (const f of pkg.files) {
          const hit = listed.get(f.filename)
          if (!hit) findings.push({ tool: 'upload', package: r.id, severity: 'warning', message: `${f.filename} was uploaded but the index does not list it yet (a CDN may serve a stale page for a while).` })
          else if (hit.sha256 && hit.sha256 !== f.sha256) findings.push({ tool: 'upload', package: r.id, severity: 'error', message: `${f.filename} is on the index with a different sha256 than the local file.` })
        }
      } catch (error) {
        findings.push({ tool: 'upload', package: r.id, severity: 'warning', message: `Could not read the index back: ${error instanceof Error ? error.message : String(error)}` })
      }
    }
    if (r.status === 'failed') findings.push({ tool: 'upload', package: r.id, severity: 'error', message: `${r.name} ${r.version} failed to publish: ${r.reason}` })
    if (r.status === 'blocked') findings.push({ tool: 'upload', package: r.id, severity: 'error', message: `${r.name} ${r.version} was not published: ${r.reason}` })
    checks.push({
      tool: 'upload',
      toolVersion: uvVersion,
      package: r.id,
      status: r.status === 'failed' || findings.some((f) => f.severity === 'error') ? 'failed' : r.status === 'blocked' ? 'skipped' : 'passed',
      durationMs: r.durationMs ?? 0,
      findings,
      message: r.status === 'blocked' ? `blocked by ${r.blockedBy?.join(', ')}` : r.status === 'skipped' ? skipDetail(r) : r.reason
    })
  }
  const fileNames = (status: string): string => JSON.stringify(results.flatMap((r) => r.files.filter((f) => f.status === status).map((f) => f.filename)))
  const failedPkgs = results.filter((r) => r.status === 'failed')
  const blockedPkgs = results.filter((r) => r.status === 'blocked')
  const passed = failedPkgs.length === 0 && blockedPkgs.length === 0 && !checks.some((c) => c.status === 'failed')
  return {
    passed,
    packages: packageIds,
    checks,
    sections: [sourceLine, resultSection(results), ...skippedSection(results), ...sections.slice(1)],
    data: { ...data, results },
    outputs: { uploaded: fileNames('uploaded'), skipped: fileNames('skipped'), failed: JSON.stringify(results.flatMap((r) => r.files.filter((f) => f.status === 'failed' || f.status === 'not-attempted').map((f) => f.filename))) },
    failureMessage: passed
      ? undefined
      : `publish-pypi: ${failedPkgs.map((r) => `${r.name} failed (${r.reason})`).join('; ')}${blockedPkgs.length ? `; held back: ${blockedPkgs.map((r) => r.name).join(', ')}` : ''}.`
  }
}

export const publishPypiAction: ActionDefinition<PublishInputs> = {
  name: TOOL,
  title: 'Publish to PyPI',
  secretInputs: [
    { name: 'token', kind: 'token' },
    { name: 'password', kind: 'password', username: 'username' },
    { name: 'repository-url', kind: 'urls' },
    { name: 'index-url', kind: 'urls' }
  ],
  parseInputs: (reader, common, io) => parsePublishInputs(reader, common, io),
  run: runPublish
}
