/**
 * The lean launcher: runs a Python console script as its own file would run (the same
 * interpreter, argv, sys.path[0] and exit code), with two changes that alter no result.
 *
 * - The cyclic garbage collector runs less often. pylint builds astroid trees of every module
 *   and everything they import; at Python's default thresholds the collector walks that graph
 *   again and again (1.0 s of pylint's 4.7 s on the example monorepo).
 * - Once the tool has returned and its output is flushed, the exit handlers run and the process
 *   ends without tearing its objects down one by one (1.5 s of the same 4.7 s).
 *
 * Only for tools that write their report to stdout or stderr and close what they open
 * (QualityTool.lean). A tool that leaves a thread running exits the ordinary way, so nothing
 * it still does is cut short.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommandResult } from '../exec.js'
import { scriptInterpreter } from './interpreter.js'
import { writeScriptFile } from './script-file.js'

export const LEAN_LAUNCHER_FILE = 'dk_actions_launch.py'
const PRELUDE_FILE = 'dk_actions_prelude.py'

/** The variable naming the file an observing prelude writes its listing to. */
export const LISTING_VARIABLE = 'DK_ACTIONS_LISTING'
/** The variable naming a file the prelude reads (ModuleCacheTool.observeModules: the further files). */
export const LISTING_INPUT_VARIABLE = 'DK_ACTIONS_LISTING_INPUT'

/**
 * `python dk_actions_launch.py [--prelude <file>] <script> <args…>`. A console script on POSIX
 * is a text script, which runpy.run_path runs as the file itself. On Windows it is an .exe (pip's
 * or uv's launcher): the entry point of that name in the interpreter's console_scripts is called
 * instead; an .exe no distribution names runs as a zip holding a __main__.py, as pip's does.
 * A prelude runs first, with the tool's argv and path in place: it may watch
 * the tool's run (QualityTool.fileLocal.observeFiles). One that fails is ignored, so the tool
 * runs as it would without it. Python 3.8 and later.
 */
export const LEAN_LAUNCHER = String.raw`
import atexit, gc, os, runpy, sys, threading

# Collections of the youngest generation every 50,000 allocations instead of 700, of the older
# ones more rarely: the same objects are freed, later.
gc.set_threshold(50000, 20, 100)

prelude = None
if sys.argv[1] == "--prelude":
    prelude = sys.argv[2]
    del sys.argv[1:3]
script = os.path.abspath(sys.argv[1])
del sys.argv[0]
sys.argv[0] = script
# What Python puts first on the path for a script: its folder (run_path adds a zip itself).
sys.path[0] = os.path.dirname(script)
if prelude:
    try:
        with open(prelude, encoding="utf-8") as source:
            exec(compile(source.read(), prelude, "exec"), {"__name__": "dk_actions_prelude"})
    except (Exception, SystemExit):
        pass


def entry_point():
    # A Windows console script is an .exe (pip's or uv's launcher): the entry point it names, as
    # its distribution's metadata declares it. Else the file itself runs.
    if not script.lower().endswith(".exe"):
        return None
    name = os.path.basename(script)[:-4]
    try:
        from importlib.metadata import entry_points

        found = entry_points()
        if hasattr(found, "select"):
            candidates = list(found.select(group="console_scripts", name=name))
        else:
            candidates = [e for e in found.get("console_scripts", []) if e.name == name]
    except Exception:
        return None
    return candidates[0] if candidates else None


def run():
    try:
        named = entry_point()
        if named is None:
            runpy.run_path(script, run_name="__main__")
        else:
            sys.exit(named.load()())
    except SystemExit as stop:
        code = stop.code
        if code is None or isinstance(code, int):
            return code or 0
        # sys.exit("message"): printed, exit status 1, as the interpreter does.
        print(code, file=sys.stderr)
        return 1
    return 0


code = run()
if threading.active_count() > 1:
    sys.exit(code)
for stream in (sys.stdout, sys.stderr):
    try:
        stream.flush()
    except Exception:
        pass
atexit._run_exitfuncs()
# The status the interpreter would give: the low byte on POSIX, the whole value on Windows.
os._exit(code if os.name == "nt" else code & 0xFF)
`

/** The launcher's folder under the cache root (written once per version of its source). */
export function writeLeanLauncher(cacheRoot: string): string {
  return writeScriptFile(cacheRoot, 'python-launcher', LEAN_LAUNCHER_FILE, LEAN_LAUNCHER)
}

/**
 * The command that runs `argv` (a console script and its arguments) under the launcher, or
 * undefined where the script's interpreter is unknown (then it runs as it is).
 */
export function leanArgv(cacheRoot: string, argv: readonly string[], prelude?: string): string[] | undefined {
  const python = argv[0] === undefined ? undefined : scriptInterpreter(argv[0])
  if (!python) return undefined
  const preludeArgs = prelude
    ? ['--prelude', path.join(writeScriptFile(cacheRoot, 'python-launcher', PRELUDE_FILE, prelude), PRELUDE_FILE)]
    : []
  return [python, path.join(writeLeanLauncher(cacheRoot), LEAN_LAUNCHER_FILE), ...preludeArgs, ...argv]
}

let listings = 0

/** A file in `tempDir` for the listing a prelude of `tool` writes (LISTING_VARIABLE names it); `.in` for what it reads. */
export function listingFile(tempDir: string, tool: string): string {
  return path.join(tempDir, `dk-actions-${tool}-listing-${process.pid}-${++listings}`)
}

/**
 * The listing a prelude wrote to `file`, as the output of the listing command it stands for
 * (so that command's parser reads it); undefined when it wrote none.
 */
export function readListing(file: string): CommandResult | undefined {
  let stdout: string
  try {
    stdout = fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  return { argv: [], exitCode: 0, timedOut: false, stdout, stderr: '', durationMs: 0 }
}
