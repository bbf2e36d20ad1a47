/**
 * run-security's plan carried out through the context: every scanner runs through
 * `ctx.exec`, concurrently, with the tools provisioned once for all of them.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { childEnv } from '../../packages-shared/child-env.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { NoPythonPackagesError } from '../../packages-shared/errors.js'
import { displayCommand, processNotes, tail, type CommandResult } from '../../packages-shared/exec.js'
import { reachesThreshold, type CheckResult } from '../../packages-shared/findings.js'
import { DependencyGraph } from '../../packages-shared/graph.js'
import { toPosix } from '../../packages-shared/paths.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import { interpreterMarkers, type ToolRequirement, type Toolbox } from '../../packages-shared/python/toolbox.js'
import { pinToolVersions } from '../../packages-shared/tool-pins.js'
import { excludedUnder, screenCheck, screenFindings, screenSources } from '../../packages-shared/file-screen.js'
import { toolboxFor } from '../../packages-shared/python/project-env/for-tools.js'
import { BANDIT, banditArgv, parseBandit } from '../../packages-shared/tools/bandit.js'
import { PIP_AUDIT } from '../../packages-shared/tools/pip-audit.js'
import { SAFETY, parseSafety, safetyArgv, safetyMessage, safetyShownArgv } from '../../packages-shared/tools/safety.js'
import { SEMGREP, parseSemgrep, semgrepArgv, semgrepEnv, semgrepScanEnv } from '../../packages-shared/tools/semgrep.js'
import type { SecurityFinding } from '../../packages-shared/tools/security.js'
import { attributePackages } from '../../packages-shared/tools/tool.js'
import { parseTrivy, trivyArgv, trivyEnv } from '../../packages-shared/tools/trivy.js'
import { auditWorkflowFiles } from '../../packages-shared/tools/workflow-audit.js'
import { VERSION } from '../../packages-shared/version.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { auditSet, resolveDependencySets, writeRequirements, type DependencySet } from './dependencies.js'
import type { SecurityInputs } from './inputs.js'
import { loadOsvDatabase } from './osv-db.js'
import { startOsvServer } from './osv-server.js'
import { uploadSarif, waitForProcessing, type UploadOutcome } from './sarif-upload.js'
import { buildSarif } from '../../packages-shared/report/sarif.js'
import { banditRuns, needsNoPackages, sourceTargets, type SecurityPlan } from './plan.js'
import { withVersionSources } from './checks.js'

type Env = Record<string, string | undefined>

/** The repository and the selected packages; none when the checks need none and there is no Python package here. */
export async function securityScope(ctx: ActionContext, inputs: SecurityInputs): Promise<{ ws: Workspace; packages: PythonPackage[] }> {
  try {
    return { ws: ctx.workspace(), packages: (await ctx.selection()).packages }
  } catch (error) {
    if (!needsNoPackages(inputs) || !(error instanceof NoPythonPackagesError)) throw error
    return {
      ws: { root: ctx.common.workingDirectory, kind: 'single', packages: [], graph: new DependencyGraph([]), get: () => undefined },
      packages: []
    }
  }
}

/** A fresh folder of this run's own, so the venvs it clears inside are never anyone else's. */
export function scratchDir(ctx: ActionContext): string {
  fs.mkdirSync(path.join(ctx.tempDir, 'dk-actions-security'), { recursive: true })
  return fs.mkdtempSync(path.join(ctx.tempDir, 'dk-actions-security', 'run-'))
}

async function logRun(ctx: ActionContext, title: string, argv: readonly string[], r: CommandResult): Promise<void> {
  if (r.orphansKilled) ctx.io.warning(processNotes(title.split(':')[0]!, { timedOut: false, orphansKilled: true }).orphans!)
  await ctx.io.group(title, async () => {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    if (r.stderr.trim()) ctx.io.toolOutput(tail(r.stderr, 60))
  })
}

async function runBandit(
  ctx: ActionContext,
  box: Toolbox,
  ws: Workspace,
  packages: PythonPackage[],
  inputs: SecurityInputs
): Promise<CheckResult[]> {
  const runs = banditRuns(ws, packages)
  const exe = box.which(BANDIT.executable) ?? BANDIT.executable
  // Files too large or not readable as Python are one finding each and kept from bandit.
  const screenStart = Date.now()
  const screened = screenSources([...new Set(runs.flatMap((r) => r.targets.map((t) => path.resolve(r.cwd, t))))], inputs.maxFileSize)
  const screen = screened.length
    ? [
        screenCheck(attributePackages(screenFindings(ws.root, screened), ws.packages), Date.now() - screenStart, (f) =>
          reachesThreshold(f.severity, inputs.failOn)
        )
      ]
    : []
  const skip = new Set(screened.map((s) => s.path))
  const kept = runs
    .map((r) => ({
      ...r,
      targets: r.targets.filter((t) => !skip.has(path.resolve(r.cwd, t))),
      exclude: excludedUnder(screened, r.cwd, r.targets)
    }))
    .filter((r) => r.targets.length > 0)
  return [
    ...screen,
    ...(await Promise.all(
      kept.map(async (run) => {
        const inv = { root: ws.root, cwd: run.cwd, targets: run.targets, executable: exe, fix: false, exclude: run.exclude }
        const argv = banditArgv(inv, { severity: inputs.severityThreshold, confidence: inputs.confidenceThreshold })
        const r = await ctx.exec({ argv, cwd: run.cwd, env: box.env, timeoutMs: inputs.timeoutMs })
        const parsed = parseBandit(r, inv)
        await logRun(
          ctx,
          `bandit in ${toPosix(path.relative(ws.root, run.cwd)) || '.'}: ${parsed.error ? 'error' : `${parsed.findings.length} finding(s)`}`,
          argv,
          r
        )
        return {
          tool: 'bandit',
          package: run.pkg,
          status: parsed.error ? 'error' : 'passed',
          durationMs: r.durationMs,
          findings: attributePackages(parsed.findings, ws.packages),
          message: parsed.error,
          command: displayCommand(argv)
        } satisfies CheckResult
      })
    ))
  ]
}

async function runSafety(
  ctx: ActionContext,
  box: Toolbox,
  sets: DependencySet[],
  inputs: SecurityInputs,
  scratch: string
): Promise<CheckResult[]> {
  const exe = box.which(SAFETY.executable) ?? SAFETY.executable
  return Promise.all(
    sets
      .filter((s) => !s.error && s.dependencies.length)
      .map(async (set) => {
        const argv = safetyArgv(exe, writeRequirements(set, scratch), inputs.safetyApiKey)
        const r = await ctx.exec({ argv, env: box.env, cwd: scratch, timeoutMs: inputs.timeoutMs })
        await logRun(ctx, `safety on ${set.file}`, argv, r)
        const parsed = parseSafety(r)
        const owner = set.owners.length === 1 ? set.owners[0] : undefined
        const findings: SecurityFinding[] = parsed.vulns.map((v) => {
          const dep = set.dependencies.find((d) => d.id === v.name.toLowerCase().replace(/[-_.]+/g, '-'))
          return {
            tool: 'safety',
            file: set.file,
            line: dep?.line,
            package: owner,
            rule: v.id,
            severity: 'error',
            ids: [v.id, ...(v.cve ? [v.cve] : [])],
            message: safetyMessage(v)
          }
        })
        return {
          tool: 'safety',
          package: owner,
          status: parsed.error ? 'error' : 'passed',
          durationMs: r.durationMs,
          findings,
          message: parsed.error,
          command: displayCommand(safetyShownArgv(argv, inputs.safetyApiKey))
        } satisfies CheckResult
      })
  )
}

async function runSemgrep(
  ctx: ActionContext,
  exe: string,
  env: Env,
  ws: Workspace,
  packages: PythonPackage[],
  config: string,
  timeoutMs: number
): Promise<CheckResult> {
  const inv = { root: ws.root, cwd: ws.root, targets: packages.flatMap((p) => sourceTargets(p, ws.root)), executable: exe, fix: false }
  const argv = semgrepArgv(inv, config)
  const r = await ctx.exec({ argv, cwd: ws.root, env: semgrepScanEnv(env), timeoutMs })
  await logRun(ctx, 'semgrep', argv, r)
  const parsed = parseSemgrep(r, inv)
  return {
    tool: 'semgrep',
    status: parsed.error ? 'error' : 'passed',
    durationMs: r.durationMs,
    findings: attributePackages(parsed.findings, ws.packages),
    message: parsed.error,
    command: displayCommand(argv)
  }
}

async function runTrivy(ctx: ActionContext, exe: string, env: Env, ws: Workspace, image: string, timeoutMs: number): Promise<CheckResult> {
  const argv = trivyArgv(exe, { image: image || undefined, dir: ws.root }, path.join(ctx.cacheRoot, 'trivy'))
  const r = await ctx.exec({ argv, cwd: ws.root, env, timeoutMs })
  await logRun(ctx, `trivy ${image ? `image ${image}` : 'fs'}`, argv, r)
  const parsed = parseTrivy(r, (target) => (image ? undefined : toPosix(path.relative(ws.root, path.resolve(ws.root, target)))))
  return {
    tool: 'trivy',
    status: parsed.error ? 'error' : 'passed',
    durationMs: r.durationMs,
    findings: attributePackages(parsed.findings, ws.packages),
    message: parsed.error,
    command: displayCommand(argv)
  }
}

function auditWorkflows(ctx: ActionContext, ws: Workspace): CheckResult[] {
  const started = Date.now()
  const { files, findings } = auditWorkflowFiles(ws.root)
  ctx.io.info(`workflows: audited ${files.length} file(s): ${files.join(', ') || 'none'}`)
  return [
    {
      tool: 'workflows',
      toolVersion: `dk-actions ${VERSION}`,
      status: 'passed',
      durationMs: Date.now() - started,
      findings,
      message: files.length ? undefined : 'no workflow or action.yml found'
    }
  ]
}

export interface ScanScope {
  ws: Workspace
  packages: PythonPackage[]
  /** The packages bandit and semgrep may read (the link guard's). */
  scanned: PythonPackage[]
  scratch: string
}

/** Runs every check of the plan at once; the checks as the tools left them, before ignores and the gate. */
export async function runScanners(
  ctx: ActionContext,
  inputs: SecurityInputs,
  plan: SecurityPlan,
  scope: ScanScope
): Promise<CheckResult[]> {
  const { io } = ctx
  const { ws, packages, scanned, scratch } = scope
  const requirements = await pinToolVersions(io, ws, plan.tools, inputs.toolVersions, interpreterMarkers(ctx))
  const box: Toolbox | undefined = requirements.length ? await toolboxFor(ctx, ws, ws.packages, requirements) : undefined
  const version = async (t: ToolRequirement): Promise<string | undefined> => {
    const req = requirements.find((r) => r.executable === t.executable)
    if (!box || !req) return undefined
    if (box.mode === 'isolated') return req.version
    const exe = box.which(t.executable)
    return exe ? toolVersion(exe, box.env, ctx.exec) : undefined
  }

  const tasks: Promise<CheckResult[]>[] = []
  if (plan.bandit && box) {
    tasks.push(
      Promise.all([runBandit(ctx, box, ws, scanned, inputs), version(BANDIT)]).then(([checks, v]) =>
        checks.map((c) => (c.tool === 'bandit' ? { ...c, toolVersion: v } : c))
      )
    )
  }
  const sets =
    (plan.dependencies || plan.safety) && box
      ? resolveDependencySets(ctx, box, ws, packages, scratch, { timeoutMs: inputs.timeoutMs })
      : undefined
  const osvServer = plan.dependencies && inputs.advisoryDb ? await startOsvServer(loadOsvDatabase(inputs.advisoryDb)) : undefined
  if (osvServer) io.info(`Auditing against the local advisory database ${inputs.advisoryDb} (served to pip-audit at ${osvServer.url}).`)
  if (plan.dependencies && box && sets) {
    tasks.push(
      Promise.all([sets, version(PIP_AUDIT)]).then(([all, v]) =>
        Promise.all(
          all.map((s) =>
            auditSet(ctx, box, s, scratch, {
              osvUrl: osvServer?.url,
              retries: inputs.auditRetries,
              backoffMs: 2000,
              cacheDir: path.join(ctx.cacheRoot, 'pip-audit'),
              toolVersion: v,
              timeoutMs: inputs.timeoutMs
            })
          )
        )
      )
    )
  }
  if (plan.safety && box && sets) {
    tasks.push(
      Promise.all([sets, version(SAFETY)]).then(async ([all, v]) =>
        (await runSafety(ctx, box, all, inputs, scratch)).map((c) => ({ ...c, toolVersion: v }))
      )
    )
  }
  if (plan.workflows) tasks.push((async () => auditWorkflows(ctx, ws))())
  const semgrepExe = plan.semgrep === 'provisioned' ? box?.which(SEMGREP.executable) : plan.semgrep?.onPath
  if (semgrepExe && scanned.length) {
    // semgrep and trivy scan, they run nothing of the repository: their own settings reach them.
    const env = semgrepEnv(box?.env ?? childEnv(io.env), io.env)
    tasks.push(
      Promise.all([
        runSemgrep(ctx, semgrepExe, env, ws, scanned, inputs.semgrepConfig, inputs.timeoutMs),
        toolVersion(semgrepExe, env, ctx.exec)
      ]).then(([c, v]) => [{ ...c, toolVersion: v }])
    )
  }
  if (plan.trivy) {
    const env = trivyEnv(box?.env ?? childEnv(io.env), io.env)
    tasks.push(
      Promise.all([
        runTrivy(ctx, plan.trivy, env, ws, inputs.trivyImage, inputs.timeoutMs),
        toolVersion(plan.trivy, env, ctx.exec, ['--version'])
      ]).then(([c, v]) => [{ ...c, toolVersion: v }])
    )
  }
  try {
    return withVersionSources((await Promise.all(tasks)).flat(), box, requirements)
  } finally {
    await osvServer?.close()
  }
}

const SARIF_CATEGORY = 'dk-actions/run-security'

/** The checks' SARIF sent to code scanning (sarif-upload.ts), and the log says how it went. */
export async function uploadToCodeScanning(
  ctx: ActionContext,
  checks: CheckResult[],
  token: string,
  wait: boolean
): Promise<UploadOutcome> {
  let upload = await uploadSarif(JSON.stringify(buildSarif(checks, { category: SARIF_CATEGORY })), token, ctx.io.env, ctx.http)
  if (!upload.uploaded) {
    ctx.io.warning(`SARIF was not uploaded to code scanning: ${upload.reason}.`)
    return upload
  }
  ctx.io.info(`SARIF uploaded to code scanning${upload.id ? ` (id ${upload.id})` : ''}.`)
  if (!wait) return upload
  upload = await waitForProcessing(upload, token, ctx.io.env, ctx.http)
  if (upload.processing === 'complete') ctx.io.info('Code scanning has processed the SARIF.')
  else if (upload.processing === 'failed')
    ctx.io.warning(`Code scanning could not process the SARIF, so its findings show no alert: ${upload.processingErrors!.join('; ')}`)
  else if (upload.processing === 'pending')
    ctx.io.warning('Code scanning had not processed the SARIF within 2 minutes; its alerts appear once it has (see the Security tab).')
  else if (upload.processing === 'unknown')
    ctx.io.warning(`The SARIF's processing state is unknown: ${upload.processingErrors!.join('; ')}.`)
  return upload
}
