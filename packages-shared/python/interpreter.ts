/**
 * The Python interpreter a run uses, and what a tool says its version is.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { childEnv } from '../child-env.js'
import { UserError } from '../errors.js'
import type { Exec } from '../exec.js'
import { venvPython } from '../paths.js'
import type { MarkerEnvironment } from '../pypa/markers.js'

export interface Interpreter {
  command: string
  path: string
  version: string
  /** The values PEP 508 markers name, for this interpreter and machine. */
  markers?: MarkerEnvironment
}

/**
 * Asks the interpreter where it is, its version, and the marker environment. os.uname()
 * rather than the platform module, which costs a start several milliseconds (on Windows,
 * which has no uname, platform.uname() gives the same fields in the same order). The two
 * version_info tuples are printed as they are and spelt here (fullVersion).
 */
const ASK_PYTHON = [
  'import sys',
  'print(sys.executable)',
  'print("%d.%d.%d" % sys.version_info[:3])',
  'import os',
  'u = os.uname() if hasattr(os, "uname") else __import__("platform").uname()',
  'info = lambda v: "%d %d %d %s %d" % tuple(v[:5])',
  'print("\\n".join([sys.implementation.name, info(sys.implementation.version), os.name, sys.platform, u[0], u[2], u[3], u[4], info(sys.version_info)]))'
].join('; ')

/** PEP 508's platform_python_implementation, from sys.implementation.name (as platform.python_implementation() names them). */
const IMPLEMENTATIONS: Record<string, string> = {
  cpython: 'CPython',
  pypy: 'PyPy',
  ironpython: 'IronPython',
  jython: 'Jython',
  graalpy: 'GraalVM'
}

/**
 * A version_info printed as `major minor micro releaselevel serial`, spelt as PEP 508 spells
 * it: implementation_version with the release level's first letter (`3.13.0c2`, packaging's
 * format_full_version), python_full_version as platform.python_version() does (`3.13.0rc2`).
 */
function fullVersion(info: string, spelling: 'initial' | 'python'): string {
  const [major, minor, micro, level, serial] = info.split(' ')
  const release = `${major}.${minor}.${micro}`
  if (level === 'final') return release
  const tag = spelling === 'python' ? ({ alpha: 'a', beta: 'b', candidate: 'rc' }[level!] ?? level!) : level!.charAt(0)
  return `${release}${tag}${serial}`
}

/** The marker environment from the lines after the version; undefined when they are not all there. */
export function readMarkerEnvironment(lines: readonly string[]): MarkerEnvironment | undefined {
  if (lines.length < 9) return undefined
  const [name, implInfo, osName, sysPlatform, system, release, version, machine, pythonInfo] = lines.map((l) => l.trim())
  const pythonFull = fullVersion(pythonInfo!, 'python')
  return {
    implementation_name: name!,
    implementation_version: fullVersion(implInfo!, 'initial'),
    os_name: osName!,
    sys_platform: sysPlatform!,
    platform_system: system!,
    platform_release: release!,
    platform_version: version!,
    platform_machine: machine!,
    platform_python_implementation: IMPLEMENTATIONS[name!] ?? name!,
    python_full_version: pythonFull,
    python_version: pythonFull.split('.').slice(0, 2).join('.')
  }
}

/** Each run's answers, by command and environment: the interpreter is asked once, not once per caller (a Python start each). */
const found = new WeakMap<Exec, Map<string, Promise<Interpreter>>>()

export function findPython(command: string, env: Readonly<Record<string, string | undefined>>, exec: Exec): Promise<Interpreter> {
  const answers = found.get(exec) ?? new Map<string, Promise<Interpreter>>()
  found.set(exec, answers)
  // Keyed by what the interpreter is given: callers that pass the step's environment and
  // callers that pass it already filtered start the same process, and share its answer.
  const key = JSON.stringify([command, Object.entries(childEnv(env)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))])
  let answer = answers.get(key)
  if (!answer) {
    answer = askPython(command, env, exec)
    answers.set(key, answer)
    // A failure is not kept: the next caller asks again, and reports it in its own place.
    answer.catch(() => answers.delete(key))
  }
  return answer
}

async function askPython(command: string, env: Readonly<Record<string, string | undefined>>, exec: Exec): Promise<Interpreter> {
  const candidates = command === 'python3' && process.platform === 'win32' ? ['python', 'py'] : [command]
  for (const candidate of candidates) {
    const r = await exec({
      argv: [candidate, '-c', ASK_PYTHON],
      env: childEnv(env)
    })
    if (r.exitCode === 0) {
      const [exe, version, ...rest] = r.stdout.trim().split(/\r?\n/)
      const markers = readMarkerEnvironment(rest)
      return { command: candidate, path: exe!.trim(), version: version!.trim(), ...(markers ? { markers } : {}) }
    }
  }
  throw new UserError(
    `Python interpreter '${command}' was not found or does not run. ` +
      "Install Python first (actions/setup-python) or set 'python' to the interpreter's path."
  )
}

/** The version a tool reports, from `<tool> --version` (first version-looking token). */
export async function toolVersion(
  executable: string,
  env: Record<string, string | undefined>,
  exec: Exec,
  args = ['--version']
): Promise<string | undefined> {
  const r = await exec({ argv: [executable, ...args], env, timeoutMs: 30_000 })
  const m = /(\d+\.\d+(?:\.\d+)?(?:[.\w+-]*)?)/.exec(r.stdout + '\n' + r.stderr)
  return m ? m[1] : undefined
}

/**
 * The interpreter a console script runs with: its `#!` line, when it is a Python one, else
 * (a Windows launcher, an .exe) the Python of the venv holding it.
 */
export function scriptInterpreter(executable: string): string | undefined {
  const fromShebang = shebangPython(executable)
  if (fromShebang) return fromShebang
  const prefix = path.dirname(path.dirname(executable))
  if (!path.isAbsolute(executable) || !fs.existsSync(path.join(prefix, 'pyvenv.cfg'))) return undefined
  const python = venvPython(prefix)
  return fs.existsSync(python) ? python : undefined
}

function shebangPython(executable: string): string | undefined {
  let head: string
  try {
    const fd = fs.openSync(executable, 'r')
    try {
      const buf = Buffer.alloc(512)
      head = buf.subarray(0, fs.readSync(fd, buf, 0, 512, 0)).toString('utf8')
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return undefined
  }
  const m = /^#!\s*(\S+)/.exec(head)
  return m && /python[\d.]*$/i.test(path.basename(m[1]!)) && fs.existsSync(m[1]!) ? m[1] : undefined
}
