/**
 * Venvs: made with uv when the caller has one (resolveUv in uv.ts: much faster), else with
 * the interpreter's venv module; stamped as the suite's own so a later step may replace
 * them, and nothing else.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UserError } from '../errors.js'
import { displayCommand, tail, type Runtime } from '../exec.js'
import { removeOwned, stampOwned } from '../output-dirs.js'
import { findExecutable, venvBinDir, venvPython } from '../paths.js'
import type { Interpreter } from './interpreter.js'
import { uvInstallEnv, type UvTool } from './uv.js'

async function mustRun(rt: Runtime, argv: string[], cwd: string, env: Record<string, string | undefined>, what: string): Promise<void> {
  rt.io.info(`$ ${displayCommand(argv)}`)
  const r = await rt.exec({ argv, cwd, env })
  if (r.exitCode !== 0) {
    throw new UserError(`${what} failed (exit ${r.exitCode}${r.spawnError ? `, ${r.spawnError}` : ''}):\n${tail(r.stderr || r.stdout)}`)
  }
}

/** Makes a venv at `dir` with `uv` when given (undefined: `python -m venv`). */
export async function createVenv(
  rt: Runtime,
  python: Interpreter,
  dir: string,
  env: Record<string, string | undefined>,
  uv: UvTool | undefined
): Promise<void> {
  const argv = uv ? [uv.path, 'venv', '--quiet', '--python', python.path, dir] : [python.path, '-m', 'venv', dir]
  await mustRun(rt, argv, path.dirname(dir), uv ? uvInstallEnv(uv, env) : env, `Creating a venv at ${dir}`)
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

/** Installs requirements into a venv with `uv pip install` when given a uv (much faster), else the venv's pip. */
/** uv records itself in the venv's pyvenv.cfg (`uv = 0.13.8`); `python -m venv` does not. */
function madeByUv(venv: string): boolean {
  try {
    return /^uv\s*=/m.test(fs.readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8'))
  } catch {
    return false
  }
}

export async function installInto(
  rt: Runtime,
  venv: string,
  requirements: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  uv: UvTool | undefined
): Promise<void> {
  if (requirements.length === 0) return
  const py = venvPython(venv)
  // A venv uv made has no pip; one restored from the cache may meet a run where uv could not
  // be brought in, so pip is put into it before pip installs.
  if (!uv && madeByUv(venv) && !findExecutable('pip', { pathValue: venvBinDir(venv) }))
    await mustRun(rt, [py, '-m', 'ensurepip', '--default-pip'], cwd, env, `Adding pip to ${venv}`)
  const argv = uv
    ? [uv.path, 'pip', 'install', '--quiet', '--python', py, ...requirements]
    : [py, '-m', 'pip', 'install', '--quiet', ...requirements]
  await mustRun(rt, argv, cwd, uv ? uvInstallEnv(uv, env) : env, `Installing ${requirements.join(' ')}`)
}
