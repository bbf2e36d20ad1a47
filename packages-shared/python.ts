/**
 * Python provisioning: find the interpreter, create venvs, install pinned tools into a
 * cached venv (`isolated`), or use what is on PATH (`none`); `auto` takes PATH when every
 * tool is there, else isolated. The project's own environment is environments/'.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { restoreCache, saveCache } from './cache.js'
import { childEnv, type EnvPurpose } from './child-env.js'
import { UserError } from './errors.js'
import { displayCommand, tail, type Exec, type Runtime } from './exec.js'
import type { RunnerIO } from './io.js'
import { findExecutable, prependPath, venvBinDir, venvPython, type Platform } from './paths.js'
import { normalizeName } from './names.js'
import { readToml, type Workspace } from './workspace.js'
import { removeOwned, stampOwned } from './output-dirs.js'

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

export interface Interpreter {
  command: string
  path: string
  version: string
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
  // Bytecode a tool writes anyway (a project that turns PYTHONDONTWRITEBYTECODE off) goes to our cache, never into the sources' __pycache__.
  env.PYTHONPYCACHEPREFIX = path.join(cacheRoot, 'pycache')
  // Tools print colour only to terminals; keep output parseable.
  env.NO_COLOR = '1'
  if (binDir) {
    const key = platform === 'win32' ? (Object.keys(base).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH'
    env[key] = prependPath(binDir, base[key], platform)
    env.VIRTUAL_ENV = (platform === 'win32' ? path.win32 : path.posix).dirname(binDir)
  }
  return env
}

export async function findPython(command: string, env: Readonly<Record<string, string | undefined>>, exec: Exec): Promise<Interpreter> {
  const candidates = command === 'python3' && process.platform === 'win32' ? ['python', 'py'] : [command]
  for (const candidate of candidates) {
    const r = await exec({
      argv: [candidate, '-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])'],
      env: childEnv(env)
    })
    if (r.exitCode === 0) {
      const [exe, version] = r.stdout.trim().split(/\r?\n/)
      return { command: candidate, path: exe!.trim(), version: version!.trim() }
    }
  }
  throw new UserError(
    `Python interpreter '${command}' was not found or does not run. ` +
      "Install Python first (actions/setup-python) or set 'python' to the interpreter's path."
  )
}

export function parseToolVersions(name: string, raw: string): Record<string, string> {
  const pins: Record<string, string> = {}
  for (const item of raw.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)) {
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

async function mustRun(rt: Runtime, argv: string[], cwd: string, env: Record<string, string | undefined>, what: string): Promise<void> {
  rt.io.info(`$ ${displayCommand(argv)}`)
  const r = await rt.exec({ argv, cwd, env })
  if (r.exitCode !== 0) {
    throw new UserError(`${what} failed (exit ${r.exitCode}${r.spawnError ? `, ${r.spawnError}` : ''}):\n${tail(r.stderr || r.stdout)}`)
  }
}

export async function createVenv(
  rt: Runtime,
  python: Interpreter,
  dir: string,
  env: Record<string, string | undefined>
): Promise<void> {
  const uv = findExecutable('uv', { pathValue: env.PATH })
  const argv = uv ? [uv, 'venv', '--quiet', '--python', python.path, dir] : [python.path, '-m', 'venv', dir]
  await mustRun(rt, argv, path.dirname(dir), env, `Creating a venv at ${dir}`)
  // The suite's own: a later step may replace it whether or not the cache root is stamped
  // (a RUNNER_TEMP that held a dk-actions-cache from before, or one discovery wrote first).
  stampOwned(dir)
}

/**
 * Deletes a venv under the cache root before it is made again: one the suite stamped, or
 * any venv (it holds `pyvenv.cfg`) at the suite's own venv path, which is what an older
 * dk-actions left there unstamped. Anything else there is refused, as removeOwned does.
 */
export function replaceVenv(venv: string, cacheRoot: string): void {
  removeOwned(venv, cacheRoot, { owned: (dir) => fs.existsSync(path.join(dir, 'pyvenv.cfg')) })
}

/** Installs requirements into a venv, with uv when it is on PATH (much faster), else pip. */
export async function installInto(
  rt: Runtime,
  venv: string,
  requirements: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  extraArgs: string[] = []
): Promise<void> {
  if (requirements.length === 0) return
  const uv = findExecutable('uv', { pathValue: env.PATH })
  const py = venvPython(venv)
  const argv = uv
    ? [uv, 'pip', 'install', '--quiet', '--python', py, ...extraArgs, ...requirements]
    : [py, '-m', 'pip', 'install', '--quiet', ...extraArgs, ...requirements]
  await mustRun(rt, argv, cwd, env, `Installing ${requirements.join(' ')}`)
}

function venvKey(python: Interpreter, tools: ToolRequirement[], salt = ''): string {
  const h = createHash('sha256')
  h.update([process.platform, process.arch, python.version, ...tools.map(requirementLine).sort(), ...(salt ? [salt] : [])].join('\n'))
  return h.digest('hex').slice(0, 16)
}

/** A cached venv holding exactly `tools` (exported for the Poetry that project environments need). */
export async function isolatedToolbox(
  rt: Runtime,
  python: Interpreter,
  tools: ToolRequirement[],
  cacheRoot: string,
  baseEnv: Record<string, string | undefined>,
  cwd: string,
  salt?: string
): Promise<{ venv: string }> {
  const key = venvKey(python, tools, salt)
  const venv = path.join(cacheRoot, 'venvs', key)
  const marker = path.join(venv, '.dk-actions-ready')
  if (fs.existsSync(marker)) return { venv }
  const cacheKey = `dk-actions-tools-${process.platform}-${process.arch}-py${python.version}-${key}`
  await restoreCache(rt.io, [venv], cacheKey)
  if (fs.existsSync(marker)) return { venv }
  fs.mkdirSync(path.dirname(venv), { recursive: true })
  // A venv left half-made by an earlier run; only ever one the suite made (output-dirs.ts).
  replaceVenv(venv, cacheRoot)
  const env = toolEnv(baseEnv, cacheRoot, undefined, process.platform, 'install')
  // ruff and ruff-format share one requirement: each line once.
  const lines = [...new Set(tools.map(requirementLine))]
  await rt.io.group(`Installing tools: ${lines.join(', ')}`, async () => {
    await createVenv(rt, python, venv, env)
    await installInto(rt, venv, lines, env, cwd)
  })
  fs.writeFileSync(marker, tools.map(requirementLine).join('\n'))
  await saveCache(rt.io, [venv], cacheKey)
  return { venv }
}

/** `project` is not a toolbox: the actions make the project's environment (environments/). */
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
    return { mode, python, env, installEnv, which: onPath, pythonPath: python.path }
  }
  const { venv } = await isolatedToolbox(rt, python, options.tools, options.cacheRoot, baseEnv, options.workspace.root, options.venvSalt)
  const bin = venvBinDir(venv)
  const env = toolEnv(baseEnv, options.cacheRoot, bin, process.platform, 'run', options.passEnv)
  return {
    mode,
    python,
    venv,
    env,
    installEnv: toolEnv(baseEnv, options.cacheRoot, bin, process.platform, 'install', options.passEnv),
    which: (exe) => findExecutable(exe, { pathValue: env.PATH }),
    pythonPath: venvPython(venv)
  }
}

/** The version a tool reports, from `<tool> --version` (first version-looking token). */
export async function toolVersion(executable: string, env: Record<string, string | undefined>, exec: Exec, args = ['--version']): Promise<string | undefined> {
  const r = await exec({ argv: [executable, ...args], env, timeoutMs: 30_000 })
  const m = /(\d+\.\d+(?:\.\d+)?(?:[.\w+-]*)?)/.exec(r.stdout + '\n' + r.stderr)
  return m ? m[1] : undefined
}

export { readToml }
