/**
 * Metadata that only the build backend knows (a setup.py-only package, dynamic versions and
 * dependencies), read through its PEP 517 hook `prepare_metadata_for_build_wheel` with
 * `pyproject-hooks`, as pip and build do. The backend runs in a cached venv holding its
 * `[build-system] requires` (setuptools' legacy backend when there is none), the metadata is
 * written to a temp dir, and results are cached by a hash of the files that define them.
 *
 * Discovery is synchronous (every action asks for the workspace where it needs it), so this
 * runs as one blocking step: a single Python helper calls the hooks of every package that
 * needs them in parallel threads (each hook is its own subprocess), once per set of build
 * requirements. Packages whose metadata is static never come here.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UserError } from '../errors.js'
import { listTree, removeNewLeftovers } from '../build-leftovers.js'
import { childEnv } from '../child-env.js'
import { dirEntries, findExecutable, venvPython } from '../paths.js'

/** The pyproject-hooks release the helper is written against. */
export const PYPROJECT_HOOKS = 'pyproject-hooks==1.2.0'

export interface HookRequest {
  /** Absolute package directory. */
  dir: string
  backend: string
  backendPath?: string[]
  /** `[build-system] requires`. */
  requires: string[]
}

export interface HookResult {
  /** The METADATA text, when the hook ran. */
  metadata?: string
  /** Last lines of the backend's output when it failed. */
  error?: string
}

export interface HookOptions {
  /** Interpreter to build the backend's venv with. */
  python: string
  /** Where the venvs and the metadata cache live. */
  cacheDir: string
  env?: Readonly<Record<string, string | undefined>>
}

const HELPER = String.raw`
import json, os, sys, tempfile, traceback
from concurrent.futures import ThreadPoolExecutor
from pyproject_hooks import BuildBackendHookCaller, quiet_subprocess_runner

def read(req):
    try:
        caller = BuildBackendHookCaller(req["dir"], req["backend"], backend_path=req.get("backendPath"),
                                        runner=quiet_subprocess_runner, python_executable=sys.executable)
        with tempfile.TemporaryDirectory(prefix="dk-pep517-") as out:
            name = caller.prepare_metadata_for_build_wheel(out)
            with open(os.path.join(out, name, "METADATA"), encoding="utf-8") as f:
                return {"metadata": f.read()}
    except Exception as error:
        text = getattr(error, "stderr", None) or getattr(error, "output", None) or b""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        lines = [l for l in (str(text) + "\n" + traceback.format_exception_only(type(error), error)[-1]).splitlines() if l.strip()]
        return {"error": "\n".join(lines[-8:])}

requests = json.load(sys.stdin)
with ThreadPoolExecutor(max_workers=max(1, min(8, len(requests)))) as pool:
    results = list(pool.map(read, requests))
json.dump(results, sys.stdout)
`

/** Files whose content decides a package's metadata: the cache key. */
function keyFiles(dir: string): string[] {
  const files = ['pyproject.toml', 'setup.py', 'setup.cfg'].map((f) => path.join(dir, f))
  // Versions are often kept next to the code (certbot's `__init__.py`, `version.py`): one
  // level of `src/` and the top-level packages is cheap and catches a version bump.
  for (const base of [dir, path.join(dir, 'src')]) {
    const entries = dirEntries(base)
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'tests') continue
      for (const f of ['__init__.py', 'version.py', '_version.py', '__about__.py', '__version__.py']) files.push(path.join(base, e.name, f))
    }
  }
  return files
}

function cacheKey(req: HookRequest, pythonVersion: string): string {
  const h = createHash('sha256')
  h.update([pythonVersion, req.backend, ...(req.backendPath ?? []), ...req.requires].join('\n'))
  for (const file of keyFiles(req.dir)) {
    try {
      const data = fs.readFileSync(file)
      h.update(`\0${path.relative(req.dir, file)}\0`)
      h.update(data)
    } catch {
      // Absent files are part of the key by their absence.
    }
  }
  return h.digest('hex').slice(0, 24)
}

/** A backend that hangs (a setup.py waiting on the network) must not hang discovery. */
const HOOK_TIMEOUT_MS = 10 * 60_000

function run(argv: string[], env: NodeJS.ProcessEnv, input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    env,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: HOOK_TIMEOUT_MS,
    killSignal: 'SIGKILL'
  })
  return { status: r.error ? -1 : (r.status ?? -1), stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` }
}

function lastLines(text: string, n = 6): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join('\n')
}

/** A venv with pyproject-hooks and the backend's requirements, created once per set. */
function backendVenv(requires: string[], options: HookOptions, env: NodeJS.ProcessEnv, pythonVersion: string): string {
  const reqs = [PYPROJECT_HOOKS, ...requires].sort()
  const key = createHash('sha256')
    .update([process.platform, process.arch, pythonVersion, ...reqs].join('\n'))
    .digest('hex')
    .slice(0, 16)
  const venv = path.join(options.cacheDir, 'venvs', `pep517-${key}`)
  const marker = path.join(venv, '.dk-actions-ready')
  if (fs.existsSync(marker)) return venv
  // Built under a name of its own and renamed into place, so two runs sharing the cache
  // (parallel jobs, test workers) never delete or use each other's half-made venv.
  fs.mkdirSync(path.dirname(venv), { recursive: true })
  const building = `${venv}.${process.pid}.${Date.now()}`
  const uv = findExecutable('uv', { pathValue: env.PATH })
  const steps = uv
    ? [
        [uv, 'venv', '--quiet', '--python', options.python, building],
        [uv, 'pip', 'install', '--quiet', '--python', venvPython(building), ...reqs]
      ]
    : [
        [options.python, '-m', 'venv', building],
        [venvPython(building), '-m', 'pip', 'install', '--quiet', ...reqs]
      ]
  for (const argv of steps) {
    const r = run(argv, env)
    if (r.status !== 0) {
      throw new UserError(
        `Installing the build backend (${requires.join(', ')}) to read package metadata failed: ${lastLines(r.stderr || r.stdout, 3).replace(/\n/g, ' | ')}. ` +
          "Check the packages' [build-system] requires, the network, or set 'python' to a working interpreter."
      )
    }
  }
  fs.writeFileSync(path.join(building, '.dk-actions-ready'), reqs.join('\n'))
  try {
    fs.renameSync(building, venv)
  } catch {
    // Another run finished first: use its venv.
    fs.rmSync(building, { recursive: true, force: true })
    if (!fs.existsSync(marker))
      throw new UserError(`Could not put the build backend's venv in place at ${venv}; remove the folder and run again.`)
  }
  return venv
}

/** Reads the metadata of every request; results in the order of the requests. */
export function readHookMetadata(requests: HookRequest[], options: HookOptions): HookResult[] {
  if (requests.length === 0) return []
  // The backend runs the repository's setup.py: an installer's allow-listed environment,
  // never the step's inputs, tokens or file commands (child-env.ts).
  const env: NodeJS.ProcessEnv = childEnv({ ...process.env, ...(options.env ?? {}) }, { purpose: 'install' })
  // The backend sees only its own venv, as in pip's and build's isolated builds.
  for (const k of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV']) delete env[k]
  env.PYTHONNOUSERSITE = '1'
  env.PYTHONDONTWRITEBYTECODE = '1'
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1'
  env.UV_CACHE_DIR ||= path.join(options.cacheDir, 'uv')
  const probe = run([options.python, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], env)
  if (probe.status !== 0) {
    throw new UserError(
      `Python interpreter '${options.python}' was not found or does not run, and it is needed to read the metadata of ` +
        `${requests.map((r) => r.dir).join(', ')} through the build backend. Install Python first (actions/setup-python) or set 'python'.`
    )
  }
  const pythonVersion = probe.stdout.trim()
  const cacheDir = path.join(options.cacheDir, 'pep517-metadata')
  fs.mkdirSync(cacheDir, { recursive: true })
  const results: HookResult[] = new Array<HookResult>(requests.length)
  const pending = new Map<string, number[]>()
  requests.forEach((req, i) => {
    const file = path.join(cacheDir, `${cacheKey(req, pythonVersion)}.METADATA`)
    if (fs.existsSync(file)) {
      results[i] = { metadata: fs.readFileSync(file, 'utf8') }
      return
    }
    const group = JSON.stringify([...req.requires].sort())
    pending.set(group, [...(pending.get(group) ?? []), i])
  })
  for (const [group, indexes] of pending) {
    const venv = backendVenv(JSON.parse(group) as string[], options, env, pythonVersion)
    const helper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pep517-')), 'read_metadata.py')
    fs.writeFileSync(helper, HELPER)
    const input = JSON.stringify(indexes.map((i) => requests[i]!))
    // Older setuptools write <name>.egg-info (and build/) into the package folder while they
    // prepare metadata: removed again, so discovery leaves the checkout as it was.
    const before = listTree(indexes.map((i) => requests[i]!.dir))
    const r = run([venvPython(venv), helper], env, input)
    removeNewLeftovers(before)
    fs.rmSync(path.dirname(helper), { recursive: true, force: true })
    let parsed: HookResult[] | undefined
    try {
      parsed = r.status === 0 ? (JSON.parse(r.stdout) as HookResult[]) : undefined
    } catch {
      parsed = undefined
    }
    indexes.forEach((i, n) => {
      const result = parsed?.[n] ?? { error: lastLines(r.stderr || r.stdout) || `the metadata helper exited with ${r.status}` }
      results[i] = result
      if (result.metadata !== undefined) {
        fs.writeFileSync(path.join(cacheDir, `${cacheKey(requests[i]!, pythonVersion)}.METADATA`), result.metadata)
      }
    })
  }
  return results
}
