/**
 * The inputs every action shares (DESIGN.md's contract) and the context built from them:
 * the workspace, the selected packages, the runner's directories.
 */
import * as os from 'node:os'
import * as path from 'node:path'
import { actionsCacheService, cachePolicy, type CacheService } from './cache.js'
import { defaultBaseRef, detectChanges, type ChangeSelection } from './changes.js'
import { errorMessage, UserError } from './errors.js'
import { runCommand, type Exec, type Runtime } from './exec.js'
import { createHttp, type Http } from './github/http.js'
import { githubContext, pushBefore } from './github/event.js'
import { InputReader, parseList, workspaceOrTempPath } from './inputs.js'
import type { RunnerIO } from './io.js'
import { normalizeName } from './names.js'
import { parseNotifyInputs, type NotifyConfig } from './notify/inputs.js'
import { INSTALL_MODES, toolCacheRoot, type InstallMode } from './python/toolbox.js'
import { OutputDirs } from './output-dirs.js'
import { toPosix } from './paths.js'
import { parseFanOut, parseShard, shardOf, type FanOut, type ShardRef } from './shards.js'
import { discoverWorkspace, type PythonPackage, type Workspace } from './workspace.js'

export type PackageSpec = { mode: 'all' } | { mode: 'changed' } | { mode: 'list'; items: string[] }

export interface CommonInputs {
  /** The runner's workspace; nothing is read or written outside it and the temp dir. */
  workspace: string
  workingDirectory: string
  packages: PackageSpec
  baseRef: string
  python: string
  install: InstallMode
  reportDir: string
  artifactName: string
  maxParallel: number
  /** `shard`: this job runs one shard of a fan-out (shards.ts); undefined runs every selected package. */
  shard?: ShardRef
  /** `shards` or `shard-size`: this step plans a fan-out (sets `matrix`) and runs nothing. */
  fanOut?: FanOut
  /** Restore and save caches with the runner's cache service (off on releases, tags and pull_request_target anyway: cache.ts). */
  cache: boolean
  /** `notify`, `slack-webhook`, `webhook-url` (notify/): undefined when notify is never and no webhook is given. */
  notify?: NotifyConfig
}

export function parsePackageSpec(raw: string): PackageSpec {
  const value = raw.trim()
  if (value === '' || value.toLowerCase() === 'all') return { mode: 'all' }
  if (value.toLowerCase() === 'changed') return { mode: 'changed' }
  return { mode: 'list', items: parseList(value) }
}

export function parseCommonInputs(reader: InputReader, io: RunnerIO, cwd = process.cwd()): CommonInputs {
  const workspace = path.resolve(io.env.GITHUB_WORKSPACE || cwd)
  const temp = path.resolve(io.env.RUNNER_TEMP || os.tmpdir())
  const workingDirectory = reader.raw('working-directory').trim() ? reader.insidePath('working-directory', workspace) : workspace
  const reportRaw = reader.raw('report-dir').trim()
  const reportDir = reportRaw
    ? workspaceOrTempPath('report-dir', reportRaw, workspace, { workspace, temp }, 'the report directory')
    : path.join(temp, 'dk-actions')
  const shard = parseShard(reader.raw('shard'))
  const fanOut = parseFanOut(reader.raw('shards'), reader.raw('shard-size'), shard)
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
  const notify = parseNotifyInputs(reader)
  return {
    workspace,
    workingDirectory,
    packages: parsePackageSpec(reader.raw('packages')),
    baseRef: reader.string('base-ref') || defaultBaseRef(io.env, pushBefore(githubContext(io.env))),
    python: reader.string('python', 'python3'),
    install: reader.enumeration('install', INSTALL_MODES, 'auto'),
    reportDir,
    artifactName: reader.string('artifact-name'),
    maxParallel: reader.raw('max-parallel').trim() ? reader.integer('max-parallel', { min: 1, max: 64 }) : Math.max(1, cpus),
    ...(shard ? { shard } : {}),
    ...(fanOut ? { fanOut } : {}),
    cache: reader.boolean('cache', true),
    ...(notify ? { notify } : {})
  }
}

export interface Selection {
  packages: PythonPackage[]
  changes?: ChangeSelection
  /** Set when `shard` kept one shard: which, and how many packages were selected before. */
  shard?: ShardRef & { of: number }
  /**
   * Whether the repository-level targets (the root `tests/`) are this run's: false for every
   * shard but the first, so that across a fan-out they run once.
   */
  repositoryTargets?: boolean
}

/** The selection cut to one shard (shards.ts); unchanged without one. */
export function applyShard(selection: Selection, shard: ShardRef | undefined): Selection {
  if (!shard) return selection
  return {
    ...selection,
    packages: shardOf(selection.packages, shard),
    shard: { ...shard, of: selection.packages.length },
    repositoryTargets: shard.index === 1
  }
}

/**
 * The common dash-separated prefix of every package name (`dataknobs-` for
 * dataknobs-common, dataknobs-utils), or '' when there is none or only one package.
 */
export function commonNamePrefix(ids: readonly string[]): string {
  if (ids.length < 2) return ''
  const parts = ids.map((id) => id.split('-'))
  const shortest = Math.min(...parts.map((p) => p.length))
  let n = 0
  // The prefix must leave something of every name: `certbot` and `certbot-nginx` share none.
  while (n < shortest - 1 && parts.every((p) => p[n] === parts[0]![n])) n++
  return n === 0 ? '' : parts[0]!.slice(0, n).join('-') + '-'
}

/**
 * One item of a `packages` list: a name (any spelling, PEP 503), a path, or a short name
 * (the folder's name, or the name without the repository's common prefix) when exactly
 * one package answers to it.
 */
export function resolvePackageName(ws: Workspace, item: string): PythonPackage {
  const byName = ws.get(normalizeName(item))
  if (byName) return byName
  const rel = toPosix(path.relative(ws.root, path.resolve(ws.root, item))) || '.'
  const byPath = ws.packages.find((p) => p.relDir === rel)
  if (byPath) return byPath
  const short = normalizeName(item)
  const prefix = commonNamePrefix(ws.packages.map((p) => p.id))
  const matches = ws.packages.filter(
    (p) => normalizeName(path.posix.basename(p.relDir)) === short || (prefix !== '' && p.id === prefix + short)
  )
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new UserError(
      `Input 'packages' names ${JSON.stringify(item)}, which is ambiguous: it is the short name of ${matches.map((p) => `${p.name} (${p.relDir})`).join(', ')}. ` +
        'Use the full name or the path of the one you mean.'
    )
  }
  throw new UserError(
    `Input 'packages' names ${JSON.stringify(item)}, which is not a package of this repository. ` +
      `Known packages: ${ws.packages.map((p) => `${p.name} (${p.relDir})`).join(', ')}. ` +
      'Use all, changed, or names, short names or paths from that list.'
  )
}

/** Resolves `packages` against the workspace: all, changed (plus dependents), or a list. */
export async function selectPackages(ws: Workspace, spec: PackageSpec, baseRef: string, exec: Exec): Promise<Selection> {
  if (spec.mode === 'all') return { packages: ws.packages }
  if (spec.mode === 'changed') {
    const changes = await detectChanges(ws, baseRef, exec)
    const ids = new Set(changes.selected)
    return { packages: ws.packages.filter((p) => ids.has(p.id)), changes }
  }
  const wanted = new Set<string>()
  for (const item of spec.items) wanted.add(resolvePackageName(ws, item).id)
  return { packages: ws.packages.filter((p) => wanted.has(p.id)) }
}

/**
 * Everything an action touches the world through: the runner (io), processes (exec) and
 * HTTP (http). Unit tests give recorded ones; a run gets the real ones.
 */
export interface ActionContext extends Runtime {
  io: RunnerIO
  exec: Exec
  /**
   * The run's HTTP client, honouring the runner's HTTPS_PROXY, HTTP_PROXY and NO_PROXY. It is
   * made on the first request, so a bad proxy variable fails only an action that goes online.
   */
  http: Http
  /** The runner's cache service, off (with the reason) where cachePolicy or the runner says so. */
  cache: CacheService
  common: CommonInputs
  /** The runner's temp dir (RUNNER_TEMP), where caches and scratch files go. */
  tempDir: string
  cacheRoot: string
  /** Discovered lazily: some actions (health-check with explicit versions) need no repository. */
  workspace(): Workspace
  /** The workspace if it was discovered during the run (for the report), else undefined. */
  discovered(): Workspace | undefined
  selection(): Promise<Selection>
  /** The guard for every folder the action writes into or clears (built once, on first use). */
  outputs(): Promise<OutputDirs>
  later: (work: Promise<void>) => void
  /** Awaits what later() was given (runAction, before it reports); a context sharing its parent's later() has none of its own. */
  settle(): Promise<void>
}

/** The repository's packages for the output guard; none when there is no Python repository here. */
function packagesForGuard(workspace: () => Workspace): PythonPackage[] | undefined {
  try {
    return workspace().packages
  } catch {
    // The action reports a broken or absent repository itself; tracked files are still protected.
    return undefined
  }
}

export interface ContextOptions {
  /** A parent context (the pipeline's) whose workspace, exec and http the new one uses, so the repository is discovered, and what it does not follow reported, once per run. */
  shared?: ActionContext
  exec?: Exec
  http?: Http
  /** The cache service (unit tests give a fake one). */
  cache?: CacheService
  /** Where work that may end after the action's own goes (Runtime.later): the run's, for a context made anew within it. */
  later?: (work: Promise<void>) => void
  /** The repository, already read (unit tests of an action give a fixture's). */
  workspace?: Workspace
}

export function createContext(io: RunnerIO, common: CommonInputs, options: ContextOptions = {}): ActionContext {
  const { shared } = options
  const exec = options.exec ?? shared?.exec ?? runCommand
  let client: Http | undefined
  const http: Http = options.http ?? shared?.http ?? (async (url, init) => (client ??= createHttp(io.env))(url, init))
  const cache = options.cache ?? shared?.cache ?? actionsCacheService(io.env, cachePolicy(io.env, common))
  const tempDir = path.resolve(io.env.RUNNER_TEMP || os.tmpdir())
  let ws: Workspace | undefined = options.workspace
  let sel: Promise<Selection> | undefined
  let guard: Promise<OutputDirs> | undefined
  const cacheRoot = toolCacheRoot(io, tempDir)
  const pending: Promise<void>[] = []
  const later =
    options.later ??
    shared?.later ??
    ((work: Promise<void>): void => {
      pending.push(work.catch((error: unknown) => io.debug(`Work after the run failed: ${errorMessage(error)}`)))
    })
  const discover = (): Workspace => {
    // The interpreter and cache are for PEP 517 metadata hooks, run only for packages whose
    // name, version or requirements the files do not state (setup.py, dynamic fields).
    const found = discoverWorkspace(common.workingDirectory, { python: common.python, cacheDir: cacheRoot, env: io.env })
    // Folders discovery refused to follow are said where the user looks first, the log.
    for (const skipped of found.skipped ?? []) io.warning(skipped.message)
    for (const warning of found.warnings ?? []) io.warning(warning)
    return found
  }
  const workspace = (): Workspace => (ws ??= shared ? shared.workspace() : discover())
  return {
    io,
    exec,
    http,
    cache,
    common,
    tempDir,
    cacheRoot,
    workspace,
    discovered: () => ws ?? shared?.discovered(),
    selection: () => (sel ??= selectPackages(workspace(), common.packages, common.baseRef, exec).then((s) => applyShard(s, common.shard))),
    outputs: () =>
      (guard ??= OutputDirs.create({
        workspace: common.workspace,
        workingDirectory: common.workingDirectory,
        tempDir,
        exec,
        packages: packagesForGuard(workspace)
      })),
    later,
    settle: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0))
    }
  }
}
