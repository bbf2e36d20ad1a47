/**
 * Bytecode for a venv the suite made. uv installs without it, and the tools run with
 * PYTHONDONTWRITEBYTECODE=1 (toolEnv: nothing is written beside the user's sources), so
 * without this every start of pylint, flake8 or isort compiles each module it imports from
 * source (pylint's run in a cold run-quality of the example: 4.4 s instead of 2.9 s). The
 * venv is compiled once, at low priority while the tools run, and kept in the cache with it.
 */
import { displayCommand, tail, type Runtime } from '../exec.js'
import { venvPython } from '../paths.js'

/** Compiles the venv's site-packages, every core's worth of processes at once; exits 1 when some file does not compile. */
const COMPILE = [
  'import compileall, sys, sysconfig',
  "dirs = sorted({sysconfig.get_path('purelib'), sysconfig.get_path('platlib')})",
  'sys.exit(0 if all([compileall.compile_dir(d, quiet=2, workers=0) for d in dirs]) else 1)'
].join('\n')

/**
 * Compiles what is installed in `venv`. Never throws: a file that does not compile (a
 * package that ships Python 2 examples) is one no tool imports, so it is said in the debug
 * log only, and the rest is compiled all the same.
 */
export async function compileVenv(rt: Runtime, venv: string, env: Record<string, string | undefined>): Promise<void> {
  const argv = [venvPython(venv), '-c', COMPILE]
  const r = await rt.exec({ argv, cwd: venv, env, lowPriority: true })
  if (r.exitCode === 0) rt.io.debug(`Compiled the bytecode of ${venv} in ${r.durationMs} ms.`)
  else
    rt.io.debug(
      `Compiling the bytecode of ${venv} left some files uncompiled (exit ${r.exitCode}): $ ${displayCommand(argv)}\n${tail(r.stderr || r.stdout)}`
    )
}
