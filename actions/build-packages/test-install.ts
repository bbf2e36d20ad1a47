/**
 * The test install: one fresh venv, every built wheel installed in one command (so the
 * repository's own packages resolve to these wheels, never to the source tree or an
 * index; third-party dependencies still come from the index), then every top-level
 * module imported in one Python process, from a directory outside the repository.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { displayCommand, tail, withNotes, type Exec } from '../../packages-shared/exec.js'
import { findExecutable, venvBinDir, venvPython } from '../../packages-shared/paths.js'
import { toolEnv } from '../../packages-shared/python/toolbox.js'
import type { BuiltPackage } from './built.js'

export const IMPORT_MARKER = 'DK-IMPORTS '

/** Imports each module named on the command line; prints one JSON line of results. */
export const IMPORT_SCRIPT = [
  'import importlib, json, sys, traceback',
  'out = []',
  'for name in sys.argv[1:]:',
  '    try:',
  '        mod = importlib.import_module(name)',
  '        out.append({"module": name, "ok": True, "file": getattr(mod, "__file__", None)})',
  '    except BaseException:',
  '        out.append({"module": name, "ok": False, "error": traceback.format_exc()})',
  `print(${JSON.stringify(IMPORT_MARKER)} + json.dumps(out))`
].join('\n')

export interface ImportResult {
  module: string
  ok: boolean
  file?: string | null
  error?: string
}

export function parseImportOutput(stdout: string): ImportResult[] | undefined {
  const line = stdout.split(/\r?\n/).find((l) => l.startsWith(IMPORT_MARKER))
  if (!line) return undefined
  return JSON.parse(line.slice(IMPORT_MARKER.length)) as ImportResult[]
}

export interface StepOutcome {
  ok: boolean
  command: string
  durationMs: number
  output: string
}

export interface TestVenv {
  dir: string
  python: string
  /** For the code under test (imports, smoke): no installer settings. */
  env: Record<string, string | undefined>
  /** For installing the wheels: the user's pip/uv settings too. */
  installEnv: Record<string, string | undefined>
  timeoutMs: number
  /** An empty directory to run Python in, so nothing of the repository is importable. */
  cwd: string
}

export async function createTestVenv(
  exec: Exec,
  baseEnv: Readonly<Record<string, string | undefined>>,
  cacheRoot: string,
  scratch: string,
  interpreter: string,
  timeoutMs = 10 * 60_000
): Promise<{ venv?: TestVenv; step: StepOutcome }> {
  fs.mkdirSync(scratch, { recursive: true })
  const dir = fs.mkdtempSync(path.join(scratch, 'venv-'))
  fs.rmSync(dir, { recursive: true, force: true })
  const env = toolEnv(baseEnv, cacheRoot, undefined, process.platform, 'install')
  const uv = findExecutable('uv', { pathValue: env.PATH })
  const argv = uv ? [uv, 'venv', '--quiet', '--python', interpreter, dir] : [interpreter, '-m', 'venv', dir]
  const r = await exec({ argv, cwd: scratch, env, timeoutMs })
  const step = {
    ok: r.exitCode === 0,
    command: displayCommand(argv),
    durationMs: r.durationMs,
    output: withNotes('creating the test venv', r, tail(r.stderr || r.stdout, 25))
  }
  if (!step.ok) return { step }
  const cwd = fs.mkdtempSync(path.join(scratch, 'run-'))
  const bin = venvBinDir(dir)
  return {
    step,
    venv: {
      dir,
      python: venvPython(dir),
      env: toolEnv(baseEnv, cacheRoot, bin),
      installEnv: toolEnv(baseEnv, cacheRoot, bin, process.platform, 'install'),
      timeoutMs,
      cwd
    }
  }
}

export async function installWheels(
  exec: Exec,
  venv: TestVenv,
  wheels: readonly string[],
  indexUrl: string | undefined
): Promise<StepOutcome> {
  const uv = findExecutable('uv', { pathValue: venv.env.PATH })
  const index = indexUrl ? ['--index-url', indexUrl] : []
  // The wheels by path, all in one resolution: a dependency between them is satisfied by the file given.
  const argv = uv
    ? [uv, 'pip', 'install', '--python', venv.python, ...index, ...wheels]
    : [venv.python, '-m', 'pip', 'install', '--disable-pip-version-check', ...index, ...wheels]
  const r = await exec({ argv, cwd: venv.cwd, env: venv.installEnv, timeoutMs: venv.timeoutMs })
  return {
    ok: r.exitCode === 0,
    command: displayCommand(argv),
    durationMs: r.durationMs,
    output: withNotes('the wheel install', r, tail([r.stdout, r.stderr].filter((s) => s.trim()).join('\n'), 40))
  }
}

export async function importModules(
  exec: Exec,
  venv: TestVenv,
  modules: readonly string[]
): Promise<{ step: StepOutcome; results?: ImportResult[] }> {
  // -I: ignore PYTHONPATH and user site-packages, and do not put the current dir on sys.path.
  const argv = [venv.python, '-I', '-c', IMPORT_SCRIPT, ...modules]
  const r = await exec({ argv, cwd: venv.cwd, env: venv.env, timeoutMs: venv.timeoutMs })
  const results = parseImportOutput(r.stdout)
  const step = {
    ok: r.exitCode === 0 && results !== undefined && results.every((x) => x.ok),
    command: displayCommand([venv.python, '-I', '-c', '<import check>', ...modules]),
    durationMs: r.durationMs,
    output: withNotes('the import check', r, tail([r.stdout, r.stderr].filter((s) => s.trim()).join('\n'), 40))
  }
  return { step, results }
}

export type Smoke = { kind: 'script'; path: string } | { kind: 'code'; code: string }

export async function runSmoke(exec: Exec, venv: TestVenv, smoke: Smoke): Promise<StepOutcome> {
  const argv = smoke.kind === 'script' ? [venv.python, smoke.path] : [venv.python, '-c', smoke.code]
  const r = await exec({ argv, cwd: venv.cwd, env: venv.env, timeoutMs: venv.timeoutMs })
  return {
    ok: r.exitCode === 0,
    command: smoke.kind === 'script' ? displayCommand(argv) : `${venv.python} -c <smoke>`,
    durationMs: r.durationMs,
    output: withNotes('the smoke test', r, tail([r.stdout, r.stderr].filter((s) => s.trim()).join('\n'), 40))
  }
}

/**
 * Why the test install cannot run, or undefined when it can: the packages it needs (the
 * selection and their dependencies) that did not build, each with its reason. Findings of
 * the verification are no reason; they are reported beside the install's result.
 */
export function unbuiltForTestInstall(needed: readonly Pick<BuiltPackage, 'pkg' | 'ok' | 'skipped'>[]): string | undefined {
  const missing = needed.filter((b) => !b.ok)
  if (missing.length === 0) return undefined
  return missing.map((b) => `${b.pkg.name} (${b.skipped ? `skipped: its dependency ${b.skipped} failed` : 'failed'})`).join(', ')
}
