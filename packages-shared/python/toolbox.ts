/**
 * The pinned tools an action runs: installed into a cached venv (`isolated`), or taken
 * from PATH (`none`); `auto` takes PATH when every tool is there, else isolated. The
 * project's own environment is project-env/.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { restoreCache, saveCache } from '../cache.js'
import { compileVenv } from './bytecode.js'
import { childEnv, type EnvPurpose } from '../child-env.js'
import { UserError } from '../errors.js'
import type { Runtime } from '../exec.js'
import type { RunnerIO } from '../io.js'
import { normalizeName } from '../names.js'
import { findExecutable, prependPath, venvBinDir, venvPython, type Platform } from '../paths.js'
import type { Workspace } from '../workspace.js'
import { findPython, type Interpreter } from './interpreter.js'
import type { MarkerEnvironment } from '../pypa/markers.js'
import { resolveUv, type UvTool } from './uv.js'
import { createVenv, installInto, replaceVenv } from './venv.js'

export type InstallMode = 'auto' | 'project' | 'isolated' | 'none'
export const INSTALL_MODES: readonly InstallMode[] = ['auto', 'project', 'isolated', 'none']

export interface ToolRequirement {
  /** Distribution to install, e.g. `black` or `bandit[toml]`. */
  requirement: string
  version: string
  /** Executables the tool provides that we call. */
  executable: string
  /** Where the version came from (see tool-pins.ts); undefined means the dk-actions default. */
  source?: string
}

export interface Toolbox {
  mode: Exclude<InstallMode, 'auto'>
  python: Interpreter
  /** The venv the tools live in (isolated or project), undefined for `none`. */
  venv?: string
  /**
   * Environment to run tools and the code under test with (allow-listed, `run`): PATH led
   * by the venv, caches kept in our own dirs.
   */
  env: Record<string, string | undefined>
  /** The same for installers and builds (`install`): adds the user's pip/uv/poetry settings. */
  installEnv: Record<string, string | undefined>
  /** Full path of a tool's executable, or undefined when it is not installed. */
  which(executable: string): string | undefined
  /** The python that sees the tools (and, in project mode, the project). */
  pythonPath: string
  /**
   * The uv that installs into this toolbox's venv (resolveUv: the one on PATH, else the one
   * brought in, on first use); undefined means pip.
   */
  uv(): Promise<UvTool | undefined>
  /** What installed the tools in this run; undefined when nothing was installed (a cached venv, `none`). */
  installedWith?: Installer
  /** The isolated venv's key: its pins, interpreter and platform (ProvisionOptions.recorded is asked by it). */
  venvKey?: string
  /** An isolated venv whose restore waits for the first tool that runs (ProvisionOptions.recorded). */
  deferred?: DeferredVenv
}

/** A venv not restored yet: its paths are known, its files come with ready(). */
export interface DeferredVenv {
  /** Restores (or installs) the venv once; which() then finds the real files. */
  ready(): Promise<void>
  isReady(): boolean
}

/** A venv made by `make` on the first ready(), once, however many callers ask. */
export function deferredVenv(make: () => Promise<void>): DeferredVenv {
  let ready: Promise<void> | undefined
  let done = false
  return {
    isReady: () => done,
    ready: () =>
      (ready ??= make().then(() => {
        done = true
      }))
  }
}

/**
 * What to wait for before the toolbox's venv is on disk: undefined when it is there (every
 * toolbox not deferred), so a caller that starts several processes keeps their order.
 */
export function toolboxReady(box: Toolbox): Promise<void> | undefined {
  return box.deferred && !box.deferred.isReady() ? box.deferred.ready() : undefined
}

/** The executables of a venv, by name, relative to the venv (what `recorded` gives back). */
export function venvExecutables(venv: string, box: Pick<Toolbox, 'which'>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const n of names) {
    const exe = box.which(n)
    if (exe && path.isAbsolute(exe) && !path.relative(venv, exe).startsWith('..')) out[n] = path.relative(venv, exe)
  }
  return out
}

/** What installed a venv's contents, for the log and the report. */
export interface Installer {
  tool: 'uv' | 'pip'
  /** uv brought in by dk-actions, or the user's own (PATH). */
  origin?: UvTool['origin']
  version?: string
  path?: string
}

export function installerOf(uv: UvTool | undefined): Installer {
  return uv ? { tool: 'uv', origin: uv.origin, version: uv.version, path: uv.path } : { tool: 'pip' }
}

export function describeInstaller(i: Installer): string {
  if (i.tool === 'pip') return 'pip'
  return i.origin === 'dk-actions' ? `uv ${i.version} (brought in by dk-actions)` : 'uv (from PATH)'
}

/** The uv for installs into venvs made with `python` (uv.ts), under the cache root's settings. */
export function uvResolver(
  rt: Runtime,
  python: Interpreter,
  cacheRoot: string,
  baseEnv: Record<string, string | undefined>
): () => Promise<UvTool | undefined> {
  let found: Promise<UvTool | undefined> | undefined
  // Asked for only when something is about to be installed: the uv cache comes back then.
  return () =>
    (found ??= (async () => {
      await rt.beforeInstall?.()
      return resolveUv(rt, python, { env: toolEnv(baseEnv, cacheRoot, undefined, process.platform, 'install'), cacheRoot })
    })())
}

/**
 * Starts, while the action discovers and plans, what provisioning waits for first: the
 * interpreter's answer (a Python start, and with a pyenv or asdf shim several shell starts
 * before it), which every later findPython of the run with the same command and environment
 * gets, and uv, when the runner has none, so that it is there (or on its way) when the first
 * venv is made: every later uv() of the run gets this same answer (resolveUv keeps one per
 * folder). uv is not brought in for `install: none`, which installs nothing. Never throws: a
 * failure is met again, and reported, where the interpreter or uv is needed.
 */
export function startProvisioning(ctx: Runtime & { cacheRoot: string; common: { install: InstallMode; python: string } }): void {
  const baseEnv = { ...ctx.io.env }
  const python = findPython(ctx.common.python, childEnv(baseEnv), ctx.exec)
  python.catch(() => undefined)
  if (ctx.common.install === 'none') return
  if (findExecutable('uv', { pathValue: baseEnv.PATH ?? baseEnv.Path })) return
  python.then((found) => uvResolver(ctx, found, ctx.cacheRoot, baseEnv)()).catch(() => undefined)
}

/**
 * The marker environment of the interpreter tools are installed with, for pins under a PEP 508
 * marker (tool-pins.ts): the same answer startProvisioning asked for, so no second start.
 */
export function interpreterMarkers(rt: Runtime & { common: { python: string } }): () => Promise<MarkerEnvironment | undefined> {
  return async () => (await findPython(rt.common.python, childEnv({ ...rt.io.env }), rt.exec)).markers
}

/** Cache directories kept under the runner's temp dir, never in the user's home. */
export function toolCacheRoot(io: RunnerIO, fallbackTemp: string): string {
  return path.join(io.env.RUNNER_TEMP || fallbackTemp, 'dk-actions-cache')
}

/**
 * A child's environment: the allow-listed part of `base` (child-env.ts: never our inputs,
 * tokens or the runner's file commands) plus our cache and output settings.
 */
export function toolEnv(
  base: Readonly<Record<string, string | undefined>>,
  cacheRoot: string,
  binDir?: string,
  platform: Platform = process.platform,
  purpose: EnvPurpose = 'run',
  pass: readonly string[] = []
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = childEnv(base, { purpose, platform, pass })
  env.UV_CACHE_DIR = base.UV_CACHE_DIR || path.join(cacheRoot, 'uv')
  env.PIP_CACHE_DIR = base.PIP_CACHE_DIR || path.join(cacheRoot, 'pip')
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1'
  env.PYTHONDONTWRITEBYTECODE = base.PYTHONDONTWRITEBYTECODE ?? '1'
  // Bytecode a tool writes anyway (a project that turns PYTHONDONTWRITEBYTECODE off: an empty
  // value) goes to our cache, never into the sources' __pycache__. With writing off there is
  // no prefix: under one Python reads no __pycache__ at all, neither the interpreter's nor the
  // venv's, and compiles every module it imports (the standard library too) on every start.
  if (env.PYTHONDONTWRITEBYTECODE === '') env.PYTHONPYCACHEPREFIX = path.join(cacheRoot, 'pycache')
  else delete env.PYTHONPYCACHEPREFIX
  // Tools print colour only to terminals; keep output parseable.
  env.NO_COLOR = '1'
  if (binDir) {
    const key = platform === 'win32' ? (Object.keys(base).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH'
    env[key] = prependPath(binDir, base[key], platform)
    env.VIRTUAL_ENV = (platform === 'win32' ? path.win32 : path.posix).dirname(binDir)
  }
  return env
}

export function parseToolVersions(name: string, raw: string): Record<string, string> {
  const pins: Record<string, string> = {}
  for (const item of raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9.+!_-]+)$/.exec(item)
    if (!m) {
      throw new UserError(
        `Input '${name}' has an invalid entry ${JSON.stringify(item)}: expected name==version, e.g. black==26.10.1, mypy==2.4.1.`
      )
    }
    pins[normalizeName(m[1]!)] = m[2]!
  }
  return pins
}

export function applyPins(tools: ToolRequirement[], pins: Record<string, string>): ToolRequirement[] {
  return tools.map((t) => {
    const base = normalizeName(t.requirement.replace(/\[.*\]$/, ''))
    return pins[base] ? { ...t, version: pins[base]! } : t
  })
}

function requirementLine(t: ToolRequirement): string {
  return `${t.requirement}==${t.version}`
}

/**
 * What a venv of this suite holds besides its tools; a change makes every key new, so no venv
 * an older suite cached is used. `bytecode`: its site-packages compiled (bytecode.ts).
 */
const VENV_LAYOUT = 'bytecode'

export function venvKey(python: Interpreter, tools: ToolRequirement[], salt = ''): string {
  const h = createHash('sha256')
  h.update(
    [VENV_LAYOUT, process.platform, process.arch, python.version, ...tools.map(requirementLine).sort(), ...(salt ? [salt] : [])].join('\n')
  )
  return h.digest('hex').slice(0, 16)
}

const venvFolder = (cacheRoot: string, key: string): string => path.join(cacheRoot, 'venvs', key)

/** Written into a venv once every tool is installed: a venv without it is half-made. */
const READY_MARKER = '.dk-actions-ready'

/** A cached venv holding exactly `tools` (exported for the Poetry that project environments need). */
export async function isolatedToolbox(
  rt: Runtime,
  python: Interpreter,
  tools: ToolRequirement[],
  cacheRoot: string,
  baseEnv: Record<string, string | undefined>,
  cwd: string,
  salt?: string,
  uv: () => Promise<UvTool | undefined> = uvResolver(rt, python, cacheRoot, baseEnv)
): Promise<{ venv: string; installedWith?: Installer }> {
  const key = venvKey(python, tools, salt)
  const venv = venvFolder(cacheRoot, key)
  const marker = path.join(venv, READY_MARKER)
  if (fs.existsSync(marker)) return { venv }
  const cacheKey = `dk-actions-tools-${process.platform}-${process.arch}-py${python.version}-${key}`
  await restoreCache(rt.io, [venv], cacheKey, [], rt.cache)
  if (fs.existsSync(marker)) return { venv }
  // Only now, with something to install: a cached venv needs no uv.
  const installer = await uv()
  fs.mkdirSync(path.dirname(venv), { recursive: true })
  // A venv left half-made by an earlier run; only ever one the suite made (output-dirs.ts).
  replaceVenv(venv, cacheRoot)
  const env = toolEnv(baseEnv, cacheRoot, undefined, process.platform, 'install')
  // ruff and ruff-format share one requirement: each line once.
  const lines = [...new Set(tools.map(requirementLine))]
  const installedWith = installerOf(installer)
  await rt.io.group(`Installing tools with ${describeInstaller(installedWith)}: ${lines.join(', ')}`, async () => {
    await createVenv(rt, python, venv, env, installer)
    await installInto(rt, venv, lines, env, cwd, installer)
  })
  fs.writeFileSync(marker, tools.map(requirementLine).join('\n'))
  // The tools need no bytecode to start: it is compiled while they run, and the venv goes into
  // the cache with it, so every later run starts from compiled modules.
  const keep = async (): Promise<void> => {
    // pip compiles as it installs; uv does not.
    if (installer) await compileVenv(rt, venv, env)
    await saveCache(rt.io, [venv], cacheKey, rt.cache)
  }
  if (rt.later) rt.later(keep())
  else await keep()
  return { venv, installedWith }
}

/** `project` is not a toolbox: the actions make the project's environment (project-env/). */
export type ToolboxMode = Exclude<InstallMode, 'project'>

export interface ProvisionOptions {
  mode: ToolboxMode
  pythonCommand: string
  tools: ToolRequirement[]
  cacheRoot: string
  workspace: Workspace
  /**
   * Makes the isolated venv specific to this value (e.g. the repository's path) when the
   * action installs more than the pinned tools into it (run-tests installs the project).
   */
  venvSalt?: string
  /** Variables of the step the user passes to the tools (`pass-env`). */
  passEnv?: readonly string[]
  /**
   * The executables (venvExecutables) an earlier run recorded for the isolated venv of this
   * key, when the caller can answer without running them: the venv then stays where it is
   * (in the cache service) until `deferred.ready()`, and which() gives the recorded paths.
   */
  recorded?: (venvKey: string) => Readonly<Record<string, string>> | undefined
}

export async function provisionTools(rt: Runtime, options: ProvisionOptions): Promise<Toolbox> {
  const baseEnv = { ...rt.io.env }
  const python = await findPython(options.pythonCommand, childEnv(baseEnv), rt.exec)
  const onPath = (exe: string): string | undefined => findExecutable(exe, { pathValue: baseEnv.PATH })
  let mode = options.mode
  if (mode === 'auto') mode = options.tools.every((t) => onPath(t.executable)) ? 'none' : 'isolated'
  if (mode === 'none') {
    const missing = options.tools.filter((t) => !onPath(t.executable))
    if (missing.length > 0) {
      throw new UserError(
        `install: none expects the tools on PATH, but ${missing.map((t) => t.executable).join(', ')} ` +
          `${missing.length === 1 ? 'is' : 'are'} not there. Install them first, or use install: isolated (pinned tools in a cached venv).`
      )
    }
    const env = toolEnv(baseEnv, options.cacheRoot, undefined, process.platform, 'run', options.passEnv)
    const installEnv = toolEnv(baseEnv, options.cacheRoot, undefined, process.platform, 'install', options.passEnv)
    return { mode, python, env, installEnv, which: onPath, pythonPath: python.path, uv: uvResolver(rt, python, options.cacheRoot, baseEnv) }
  }
  const uv = uvResolver(rt, python, options.cacheRoot, baseEnv)
  const provision = (): ReturnType<typeof isolatedToolbox> =>
    isolatedToolbox(rt, python, options.tools, options.cacheRoot, baseEnv, options.workspace.root, options.venvSalt, uv)
  const key = venvKey(python, options.tools, options.venvSalt)
  // A venv already on disk is used as it is; a recorded one waits for the first tool that runs.
  const known = fs.existsSync(path.join(venvFolder(options.cacheRoot, key), READY_MARKER)) ? undefined : options.recorded?.(key)
  const made = known ? undefined : await provision()
  const venv = made?.venv ?? venvFolder(options.cacheRoot, key)
  const bin = venvBinDir(venv)
  const env = toolEnv(baseEnv, options.cacheRoot, bin, process.platform, 'run', options.passEnv)
  const onVenvPath = (exe: string): string | undefined => findExecutable(exe, { pathValue: env.PATH })
  const box: Toolbox = {
    mode,
    python,
    venv,
    venvKey: key,
    env,
    installEnv: toolEnv(baseEnv, options.cacheRoot, bin, process.platform, 'install', options.passEnv),
    which: onVenvPath,
    pythonPath: venvPython(venv),
    uv,
    installedWith: made?.installedWith
  }
  if (known) {
    const deferred = deferredVenv(async () => {
      box.installedWith = (await provision()).installedWith
    })
    box.which = (exe) => (deferred.isReady() ? onVenvPath(exe) : known[exe] !== undefined ? path.join(venv, known[exe]) : undefined)
    box.deferred = deferred
  }
  return box
}
