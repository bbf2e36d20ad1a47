/**
 * publish-pypi's runs: the pre-flight (where the dists come from, their metadata, the
 * credentials, what the index already holds) and the upload (uv provisioned, every package
 * published in order, the index read back). Every process goes through ctx.exec, every
 * request through ctx.http; checks.ts judges what they return.
 */
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import { isUserError } from '../../packages-shared/errors.js'
import { DependencyGraph } from '../../packages-shared/graph.js'
import { toPosix } from '../../packages-shared/paths.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import { provisionTools, type Toolbox, type ToolboxMode, type ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { UV_VERSION, uvPublishEnv, type UploadAuth } from '../../packages-shared/tools/uv-publish.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { makeAttestations, whyNoAttestations, type Attested } from './attestations.js'
import { chooseDistSource, type DistSource } from './dist-source.js'
import { IndexClient, projectFilesWithRetry, type ProjectFiles } from './index-client.js'
import type { PublishInputs } from './inputs.js'
import { mintUploadToken, missingCredentialsMessage, oidcAvailable } from './oidc.js'
import { orderPackages, type DistFile, type FileState, type PlannedPackage } from './plan.js'
import { checkIndex, collectCandidates, inspectCandidates, type Problem } from './preflight.js'
import { publishAll, type PackageResult } from './publisher.js'
import { uvUploader } from './uploader.js'

/** Everything known before the first upload. */
export interface Preflight {
  ws?: Workspace
  /** The repository root, or the working directory when there is no repository. */
  root: string
  source: DistSource
  files: DistFile[]
  problems: Problem[]
  /** Undefined with trusted publishing before the token is minted (and when there are no credentials). */
  auth?: UploadAuth
  useOidc: boolean
  client: IndexClient
  states: Map<string, FileState>
  plan: PlannedPackage[]
  /** The attestations made for the files to upload, or why there are none. */
  attestations: Attested
}

/** The dists, their checks, the credentials and the index's answers; `problems` says what stops the upload. */
export async function runPreflight(ctx: ActionContext, inputs: PublishInputs): Promise<Preflight> {
  const { io, common } = ctx
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
  else if (inputs.credentials.kind === 'password')
    auth = { kind: 'password', username: inputs.credentials.username, password: inputs.credentials.password }
  else if (!useOidc) {
    // A dry run (say, on a pull request) checks the dists; missing credentials only warn there.
    const message = missingCredentialsMessage(io.env)
    problems.push(inputs.dryRun ? { severity: 'warning', message: `A real run would fail: ${message}` } : { severity: 'error', message })
  }

  const client = new IndexClient(inputs.repository, {
    http: ctx.http,
    auth:
      inputs.credentials.kind === 'password' ? { username: inputs.credentials.username, password: inputs.credentials.password } : undefined
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
  const attestations = await attestIfWanted(ctx, inputs, useOidc, files, states, problems)
  return { ws, root, source, files, problems, auth, useOidc, client, states, plan: orderPackages(files, ws?.graph), attestations }
}

/**
 * The attestations of the files the index does not hold yet, made once the upload token
 * is minted (so a publisher the index does not know fails before anything is logged
 * publicly) and before any upload (so a Sigstore failure uploads nothing).
 */
async function attestIfWanted(
  ctx: ActionContext,
  inputs: PublishInputs,
  useOidc: boolean,
  files: readonly DistFile[],
  states: ReadonlyMap<string, FileState>,
  problems: Problem[]
): Promise<Attested> {
  const toAttest = files.filter((f) => (states.get(f.filename) ?? 'absent') === 'absent')
  const none = (reason: string): Attested => ({ report: { made: false, reason }, files: new Map() })
  const why = whyNoAttestations(inputs, useOidc, toAttest.length)
  if (why) {
    ctx.io.info(`Attestations: none made: ${why}.`)
    return none(why)
  }
  if (problems.some((p) => p.severity === 'error')) return none('the pre-flight failed')
  try {
    return await makeAttestations(ctx, inputs, toAttest)
  } catch (error) {
    if (!isUserError(error)) throw error
    problems.push({ severity: 'error', message: error.message })
    return none(error.message)
  }
}

/** What the index lists for a package after the upload, or why it could not be read. */
export type ReadBack = { ok: true; listed: ProjectFiles } | { ok: false; error: string }

export interface UploadRuns {
  uvVersion?: string
  results: PackageResult[]
  /** By package id, for the packages counted as published (uploaded or skipped). */
  readBack: Map<string, ReadBack>
}

function emptyWorkspace(root: string): Workspace {
  return { root, kind: 'single', packages: [], graph: new DependencyGraph([]), get: () => undefined }
}

/** uv provisioned, every package of the plan published in order, then the index read back. */
export async function runUploads(ctx: ActionContext, inputs: PublishInputs, pre: Preflight): Promise<UploadRuns> {
  const { io, common } = ctx
  const provision = (mode: ToolboxMode, tools: ToolRequirement[]): Promise<Toolbox> =>
    provisionTools(ctx, {
      mode,
      pythonCommand: common.python,
      tools,
      cacheRoot: ctx.cacheRoot,
      workspace: pre.ws ?? emptyWorkspace(pre.root)
    })
  const uvPin: ToolRequirement = { requirement: 'uv', version: UV_VERSION, executable: 'uv' }
  // uv itself is the tool: the one on PATH, else the one dk-actions brings in for every action
  // (python/uv.ts), else (install: isolated, or bringing it in failed) a venv holding it.
  let box =
    common.install === 'none' || common.install === 'isolated' ? await provision(common.install, [uvPin]) : await provision('none', [])
  let uv = box.which('uv')
  if (!uv && box.mode === 'none' && common.install !== 'none') {
    uv = (await box.uv())?.path
    if (!uv) {
      box = await provision('isolated', [uvPin])
      uv = box.which('uv')
    }
  }
  uv ??= 'uv'
  const uvVersion = await toolVersion(uv, box.env, ctx.exec)
  // uv publish is a network client like an installer: the user's UV_* settings (timeouts, TLS,
  // proxies) reach it; UV_PUBLISH_* never do, the token is set for this one process only.
  const uploader = uvUploader(ctx.exec, uv, inputs.repository, uvPublishEnv(box.installEnv, pre.auth!), pre.root, {
    timeoutMs: inputs.timeoutMs,
    attestations: pre.attestations.files
  })
  const results = await publishAll(io, pre.plan, pre.client, uploader, {
    retries: inputs.retries,
    retryDelayMs: inputs.retryDelayMs,
    skipExisting: inputs.skipExisting,
    graph: pre.ws?.graph
  })
  // Read the index back: every file we count as published must be there with our hash.
  const readBack = new Map<string, ReadBack>()
  for (const r of results) {
    if (r.status !== 'uploaded' && r.status !== 'skipped') continue
    try {
      readBack.set(r.id, { ok: true, listed: await projectFilesWithRetry(pre.client, r.id, inputs.retries, inputs.retryDelayMs) })
    } catch (error) {
      readBack.set(r.id, { ok: false, error: error instanceof Error ? error.message : String(error) })
    }
  }
  return { uvVersion, results, readBack }
}
