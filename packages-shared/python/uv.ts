/**
 * The uv that makes venvs and installs tools. uv on PATH is used as it is. Without one,
 * uv is brought in once into a dk-actions folder of the runner's tool cache, and kept with
 * @actions/cache across workflow runs: the `uv` wheel at our pin downloaded from the index
 * the user's pip reads and checked against its sha256 (uv-fetch.ts), else installed with the
 * interpreter's pip when a pip setting asks for pip or the download fails. When both fail, or
 * when the user's pip configuration says something uv would not read, installs stay with pip;
 * each step aside is said in one line of the log.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { restoreCache, saveCache } from '../cache.js'
import { createHttp, type Http } from '../github/http.js'
import { errorMessage } from '../errors.js'
import { displayCommand, type Runtime } from '../exec.js'
import type { RunnerIO } from '../io.js'
import { dirEntries, findExecutable, venvBinDir, type Platform } from '../paths.js'
import { hostPlatform, type HostPlatform } from '../pypa/wheel-tags.js'
import { UV_VERSION } from '../tools/uv-publish.js'
import type { Interpreter } from './interpreter.js'
import { pipConfigFiles, pipSourceOptions, readText } from './pip-config.js'
import { caBundle, directFetchBlocker, downloadUv } from './uv-fetch.js'

export interface UvTool {
  /** Full path of the executable. */
  path: string
  /** `path`: the user's own, used as it is; `dk-actions`: the one brought in at our pin. */
  origin: 'path' | 'dk-actions'
  /** Known for the one brought in. */
  version?: string
  /**
   * Variables uv reads instead of the pip settings the user gave (PIP_INDEX_URL and the
   * like), added to the environment of every install it runs; empty for the user's own uv.
   */
  env: Record<string, string>
}

/** Where the uv wheel is installed: `<tool cache>/dk-actions/uv/<version>/<arch>` (the tool cache's own layout), else under our cache root. */
export function uvToolDir(
  env: Readonly<Record<string, string | undefined>>,
  cacheRoot: string,
  platform: Platform = process.platform,
  arch: string = process.arch,
  version: string = UV_VERSION
): string {
  const join = platform === 'win32' ? path.win32.join : path.posix.join
  return env.RUNNER_TOOL_CACHE
    ? join(env.RUNNER_TOOL_CACHE, 'dk-actions', 'uv', version, arch)
    : join(cacheRoot, 'tools', 'uv', version, arch)
}

/**
 * The uv executable in a `--target` folder. pip puts scripts there by the `posix_home`
 * scheme on every platform (sysconfig's preferred `home` scheme, Windows included):
 * `bin/uv`, `bin\uv.exe`. A venv-style `Scripts\uv.exe` is taken too on Windows, for a
 * pip or a Python that lays `--target` out as a venv.
 */
export function uvInToolDir(dir: string, platform: Platform = process.platform, exists: (file: string) => boolean = fs.existsSync): string {
  const p = platform === 'win32' ? path.win32 : path.posix
  const exe = platform === 'win32' ? 'uv.exe' : 'uv'
  const candidates = [p.join(dir, 'bin', exe), ...(platform === 'win32' ? [p.join(venvBinDir(dir, platform), exe)] : [])]
  return candidates.find((c) => exists(c)) ?? candidates[0]!
}

/** The @actions/cache key of the folder: uv's version, the OS and the architecture. */
export function uvCacheKey(platform: Platform = process.platform, arch: string = process.arch, version: string = UV_VERSION): string {
  return `dk-actions-uv-${version}-${platform}-${arch}`
}

/** The cache service seam: the runner's @actions/cache in a run, a folder copy in tests. */
export interface DirCache {
  restore(io: RunnerIO, paths: string[], key: string): Promise<string | undefined>
  save(io: RunnerIO, paths: string[], key: string): Promise<boolean>
}

const RUNNER_CACHE: DirCache = { restore: (io, paths, key) => restoreCache(io, paths, key), save: saveCache }
/** What a run whose caching is off (cache: false, a release, a tag, pull_request_target: cache.ts) keeps: nothing. */
const NO_CACHE: DirCache = { restore: async () => undefined, save: async () => false }

type Env = Readonly<Record<string, string | undefined>>

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim())
}

/**
 * The user's pip settings said the way uv reads them, or why uv cannot honour them (then
 * pip installs). Variables the user set for uv win over the ones carried over.
 */
export function uvSettingsFromPip(
  env: Env,
  platform: Platform = process.platform,
  read: (file: string) => string | undefined = readText
): { env: Record<string, string> } | { blocker: string } {
  if (truthy(env.PIP_NO_INDEX)) return { blocker: 'PIP_NO_INDEX is set, which uv has no variable for' }
  const certFromEnv = Boolean(env.PIP_CERT || env.SSL_CERT_FILE)
  for (const file of pipConfigFiles(env, platform)) {
    const text = read(file)
    if (text === undefined) continue
    // A CA bundle pip is given by variable outranks the file's, and reaches uv as SSL_CERT_FILE.
    const options = pipSourceOptions(text).filter((o) => !(o === 'cert' && certFromEnv))
    if (options.length) return { blocker: `${file} sets ${options.join(', ')}, which uv does not read` }
  }
  const out: Record<string, string> = {}
  const carry = (from: string, to: string, convert: (v: string) => string = (v) => v, unless: string[] = []): void => {
    const value = env[from]?.trim()
    if (value && !env[to] && !unless.some((u) => env[u])) out[to] = convert(value)
  }
  const words = (v: string): string[] => v.split(/\s+/).filter(Boolean)
  carry('PIP_INDEX_URL', 'UV_INDEX_URL', undefined, ['UV_DEFAULT_INDEX'])
  carry('PIP_EXTRA_INDEX_URL', 'UV_EXTRA_INDEX_URL', (v) => words(v).join(' '), ['UV_INDEX'])
  carry('PIP_FIND_LINKS', 'UV_FIND_LINKS', (v) => words(v).join(','))
  carry('PIP_TRUSTED_HOST', 'UV_INSECURE_HOST', (v) => words(v).join(' '))
  carry('PIP_CERT', 'SSL_CERT_FILE')
  carry('PIP_CLIENT_CERT', 'SSL_CLIENT_CERT')
  carry('PIP_DEFAULT_TIMEOUT', 'UV_HTTP_TIMEOUT')
  carry('PIP_TIMEOUT', 'UV_HTTP_TIMEOUT')
  return { env: out }
}

const READY = '.dk-actions-ready'
const pending = new Map<string, Promise<UvTool | undefined>>()

export interface ResolveUvOptions {
  /** The install environment (toolEnv, purpose `install`): PATH, the user's pip settings, our pip cache. */
  env: Env
  cacheRoot: string
  platform?: Platform
  arch?: string
  cache?: DirCache
  /** The machine the wheel is picked for; this one when absent. */
  host?: HostPlatform
  /**
   * The client the wheel is downloaded with, given the CA bundle pip would verify with (caBundle);
   * when absent, the run's (rt.http), or one made from `env` with that bundle.
   */
  http?: (ca: string | undefined) => Http
}

/**
 * uv on PATH, else the one brought in (once per folder and process: every later call gets
 * the same answer, failures included), else undefined: install with pip.
 */
export async function resolveUv(rt: Runtime, python: Interpreter, options: ResolveUvOptions): Promise<UvTool | undefined> {
  const platform = options.platform ?? process.platform
  const onPath = findExecutable('uv', { pathValue: options.env.PATH ?? options.env.Path, platform })
  if (onPath) return { path: onPath, origin: 'path', env: {} }
  const dir = uvToolDir(options.env, options.cacheRoot, platform, options.arch)
  let found = pending.get(dir)
  if (!found) {
    found = bringIn(rt, python, dir, options, platform)
    pending.set(dir, found)
  }
  return found
}

/** The version `uv --version` reports, when it runs. */
async function runningVersion(rt: Runtime, exe: string, env: Env): Promise<string | undefined> {
  const r = await rt.exec({ argv: [exe, '--version'], env: { ...env }, timeoutMs: 60_000 })
  return r.exitCode === 0 ? /^uv (\S+)/.exec(r.stdout.trim())?.[1] : undefined
}

/** The last line pip printed that says what went wrong. */
function pipReason(stdout: string, stderr: string): string {
  const lines = `${stderr}\n${stdout}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.filter((l) => /^error:/i.test(l)).pop() ?? lines.pop() ?? 'no output'
}

/** Whether a process of this id runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Staging folders of processes that ended before moving theirs in (a cancelled job, a step
 * that failed while uv was still on its way): a tool cache a runner keeps would gather them.
 * A staging folder whose process still runs may be another job's, and stays.
 */
function removeAbandoned(dir: string): void {
  const prefix = `${path.basename(dir)}.partial-`
  for (const name of dirEntries(path.dirname(dir)).map((e) => e.name)) {
    const pid = Number(name.slice(prefix.length))
    if (name.startsWith(prefix) && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !running(pid)) {
      fs.rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true })
    }
  }
}

/** Where staging happens and what an install is checked with, for the two ways of bringing uv in. */
interface Staging {
  rt: Runtime
  python: Interpreter
  options: ResolveUvOptions
  platform: Platform
  /** The folder beside the tool folder that is filled, checked, then moved in whole. */
  dir: string
}

/** The uv in the staging folder runs as our pin; else the reason, and the folder is emptied. */
async function checkStaged(s: Staging, what: string): Promise<string | undefined> {
  const staged = uvInToolDir(s.dir, s.platform)
  const installed = fs.existsSync(staged)
  const version = installed ? await runningVersion(s.rt, staged, s.options.env) : undefined
  if (version === UV_VERSION) return undefined
  fs.rmSync(s.dir, { recursive: true, force: true })
  return installed
    ? `${what} ${staged} does not run as uv ${UV_VERSION}`
    : `pip installed no ${path.basename(staged)} into ${path.dirname(staged)}`
}

/** The wheel downloaded from the user's index without pip (uv-fetch.ts); the reason when that cannot be or fails. */
async function stageDownload(s: Staging): Promise<{ url: string } | { reason: string }> {
  const { env } = s.options
  const blocker = directFetchBlocker(env, UV_VERSION, s.platform)
  if (blocker) return { reason: blocker }
  const ca = caBundle(env)
  if ('blocker' in ca) return { reason: ca.blocker }
  let http: Http
  try {
    http = s.options.http ? s.options.http(ca.pem) : ca.pem === undefined && s.rt.http ? s.rt.http : createHttp(env, { ca: ca.pem })
  } catch (error) {
    return { reason: errorMessage(error) }
  }
  const host = s.options.host ?? hostPlatform(s.platform, s.options.arch)
  const got = await downloadUv({ http, env, host, version: UV_VERSION, into: s.dir })
  if (!got.ok) {
    fs.rmSync(s.dir, { recursive: true, force: true })
    return { reason: got.reason }
  }
  const why = await checkStaged(s, 'the downloaded')
  return why ? { reason: why } : { url: got.url }
}

/** The wheel installed with the interpreter's pip into the staging folder; the reason when that fails. */
async function stagePip(s: Staging): Promise<string | undefined> {
  // --only-binary: a platform without a uv wheel fails fast, instead of compiling uv from its
  // sources. The folder is what is kept: the wheel is not cached again, nor its few modules compiled.
  const argv = [
    s.python.path,
    '-m',
    'pip',
    'install',
    '--quiet',
    '--no-input',
    '--disable-pip-version-check',
    '--no-deps',
    '--only-binary',
    ':all:',
    '--no-cache-dir',
    '--no-compile',
    '--target',
    s.dir,
    `uv==${UV_VERSION}`
  ]
  s.rt.io.info(`$ ${displayCommand(argv)}`)
  const r = await s.rt.exec({ argv, env: { ...s.options.env }, timeoutMs: 10 * 60_000 })
  if (r.exitCode !== 0) {
    fs.rmSync(s.dir, { recursive: true, force: true })
    return `pip install uv==${UV_VERSION} failed with exit ${r.exitCode}${r.spawnError ? `, ${r.spawnError}` : ''}: ${pipReason(r.stdout, r.stderr)}`
  }
  return checkStaged(s, 'the installed')
}

async function bringIn(
  rt: Runtime,
  python: Interpreter,
  dir: string,
  options: ResolveUvOptions,
  platform: Platform
): Promise<UvTool | undefined> {
  const { io } = rt
  const fallback = (why: string): undefined => {
    io.info(`uv is not on PATH and could not be brought in (${why}): venvs are made and tools installed with pip.`)
    return undefined
  }
  const settings = uvSettingsFromPip(options.env, platform)
  if ('blocker' in settings) {
    io.info(`uv is not on PATH, and ${settings.blocker}: venvs are made and tools installed with pip.`)
    return undefined
  }
  const tool = (exe: string): UvTool => ({ path: exe, origin: 'dk-actions', version: UV_VERSION, env: settings.env })
  const ready = async (): Promise<boolean> => {
    const exe = uvInToolDir(dir, platform)
    return fs.existsSync(path.join(dir, READY)) && fs.existsSync(exe) && (await runningVersion(rt, exe, options.env)) === UV_VERSION
  }
  try {
    if (await ready()) {
      io.info(`uv is not on PATH: using uv ${UV_VERSION} from ${dir}.`)
      return tool(uvInToolDir(dir, platform))
    }
    // Off by policy (offNotice; "no service here" is not a policy, and the runner seam finds none anyway).
    const cache = rt.cache?.off && rt.cache.offNotice ? NO_CACHE : (options.cache ?? RUNNER_CACHE)
    const key = uvCacheKey(platform, options.arch)
    if ((await cache.restore(io, [dir], key)) && (await ready())) {
      io.info(`uv is not on PATH: using uv ${UV_VERSION} restored from the cache into ${dir}.`)
      return tool(uvInToolDir(dir, platform))
    }
    // Filled beside the folder, then moved in: an interrupted download or install never looks ready.
    const staging: Staging = { rt, python, options, platform, dir: `${dir}.partial-${process.pid}` }
    fs.rmSync(staging.dir, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(dir), { recursive: true })
    removeAbandoned(dir)
    const downloaded = await stageDownload(staging)
    if ('url' in downloaded) io.info(`uv is not on PATH: uv ${UV_VERSION} downloaded from ${downloaded.url} (sha256 checked) into ${dir}.`)
    else {
      io.info(`uv is not on PATH and was not downloaded directly (${downloaded.reason}): installing uv ${UV_VERSION} with pip into ${dir}.`)
      const why = await stagePip(staging)
      if (why) return fallback(why)
    }
    // Another job sharing the tool cache (a self-hosted runner) may have finished first: its
    // copy stays (it may be running), ours goes. Only a copy never marked ready is replaced.
    if (fs.existsSync(path.join(dir, READY))) {
      fs.rmSync(staging.dir, { recursive: true, force: true })
      return tool(uvInToolDir(dir, platform))
    }
    fs.rmSync(dir, { recursive: true, force: true })
    fs.renameSync(staging.dir, dir)
    fs.writeFileSync(path.join(dir, READY), `uv==${UV_VERSION}\n`)
    await cache.save(io, [dir], key)
    return tool(uvInToolDir(dir, platform))
  } catch (error) {
    return fallback(errorMessage(error))
  }
}

/** The environment an install by `uv` runs with: the caller's, plus the pip settings carried over. */
export function uvInstallEnv(uv: UvTool, env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return { ...env, ...uv.env }
}
