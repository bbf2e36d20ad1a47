/**
 * The lean launcher with a real Python: a console script runs under it as it runs on its own
 * (output, exit status, its folder first on the path, exit handlers, threads left running),
 * its garbage collector runs less often, and a prelude that fails changes nothing.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { LEAN_LAUNCHER_FILE, LISTING_VARIABLE, leanArgv, writeLeanLauncher } from '../../packages-shared/python/lean-launch.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()

const PYTHON = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim()

/** A console script as pip writes one: a `#!` line naming the interpreter, then the entry point's call. */
function consoleScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, `#!${PYTHON}\n${body}\n`, { mode: 0o755 })
  return file
}

function run(argv: string[], env: Record<string, string> = {}) {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...env } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('the lean launcher', () => {
  test('a script runs as on its own: the same output and exit status, its folder first on the path', () => {
    const bin = scratch.tempDir('dk-lean-bin-')
    fs.writeFileSync(path.join(bin, 'beside.py'), 'WHERE = "beside the script"\n')
    const tool = consoleScript(
      bin,
      'tool',
      [
        'import sys, gc, atexit',
        'import beside',
        'atexit.register(lambda: print("exit handler ran"))',
        'print(beside.WHERE, sys.argv[1:], sys.argv[0].endswith("tool"))',
        'print("to stderr", file=sys.stderr)',
        'print("threshold", gc.get_threshold()[0])',
        'sys.exit(int(sys.argv[1]))'
      ].join('\n')
    )
    const alone = run([tool, '3', '--flag'])
    const launched = leanArgv(scratch.tempDir('dk-lean-cache-'), [tool, '3', '--flag'])!
    expect(launched.slice(0, 1)).toEqual([PYTHON])
    expect(path.basename(launched[1]!)).toBe(LEAN_LAUNCHER_FILE)
    const lean = run(launched)
    expect(alone.status).toBe(3)
    expect(lean.status).toBe(3)
    expect(lean.stderr).toBe(alone.stderr)
    expect(alone.stdout).toBe("beside the script ['3', '--flag'] True\nthreshold 700\nexit handler ran\n")
    expect(lean.stdout).toBe("beside the script ['3', '--flag'] True\nthreshold 50000\nexit handler ran\n")
  })

  test('sys.exit with a message, with None, and an exception: the statuses and output the interpreter gives', () => {
    const bin = scratch.tempDir('dk-lean-bin-')
    const cache = scratch.tempDir('dk-lean-cache-')
    for (const [body, status] of [
      ['import sys; sys.exit("stopped: bad input")', 1],
      ['import sys; sys.exit(None)', 0],
      ['import sys; sys.exit(256 + 4)', 4],
      ['raise ValueError("broken")', 1]
    ] as const) {
      const tool = consoleScript(bin, `tool${status}`, body)
      const alone = run([tool])
      const lean = run(leanArgv(cache, [tool])!)
      expect([lean.status, alone.status]).toEqual([status, status])
      expect(lean.stderr.split('\n').at(-2)).toBe(alone.stderr.split('\n').at(-2))
    }
  })

  test('a thread still running when the tool returns: the ordinary exit waits for it', () => {
    const bin = scratch.tempDir('dk-lean-bin-')
    const tool = consoleScript(
      bin,
      'tool',
      [
        'import threading, time',
        'def late():',
        '    time.sleep(0.3)',
        '    print("the thread finished", flush=True)',
        'threading.Thread(target=late).start()'
      ].join('\n')
    )
    const lean = run(leanArgv(scratch.tempDir('dk-lean-cache-'), [tool])!)
    expect(lean.status).toBe(0)
    expect(lean.stdout).toBe('the thread finished\n')
  })

  test('a prelude runs first with the tool argv; one that fails is ignored', () => {
    const bin = scratch.tempDir('dk-lean-bin-')
    const cache = scratch.tempDir('dk-lean-cache-')
    const listing = path.join(scratch.tempDir('dk-lean-out-'), 'listing')
    const tool = consoleScript(bin, 'tool', 'import sys; print("checked", sys.argv[1:])')
    const observing = [
      'import os, sys',
      `with open(os.environ["${LISTING_VARIABLE}"], "w") as out:`,
      '    out.write("listed " + " ".join(sys.argv[1:]))'
    ].join('\n')
    const lean = run(leanArgv(cache, [tool, 'a.py', 'b.py'], observing)!, { [LISTING_VARIABLE]: listing })
    expect(lean).toMatchObject({ status: 0, stdout: "checked ['a.py', 'b.py']\n" })
    expect(fs.readFileSync(listing, 'utf8')).toBe('listed a.py b.py')

    for (const failing of ['raise AttributeError("internals differ")', 'import sys; sys.exit(2)']) {
      const r = run(leanArgv(cache, [tool, 'a.py'], failing)!)
      expect(r).toMatchObject({ status: 0, stdout: "checked ['a.py']\n", stderr: '' })
    }
  })

  test('a Windows console script (a launcher with a zip holding __main__.py appended) runs as the file itself', () => {
    const dir = scratch.tempDir('dk-lean-exe-')
    const exe = path.join(dir, 'tool.exe')
    const zipped = spawnSync(
      PYTHON,
      [
        '-c',
        [
          'import io, sys, zipfile',
          'buf = io.BytesIO()',
          'with zipfile.ZipFile(buf, "w") as z:',
          '    z.writestr("__main__.py", "import sys\\nprint(\'from the zip\', sys.argv[1:])\\nsys.exit(5)\\n")',
          'open(sys.argv[1], "wb").write(b"MZ launcher stub " * 64 + buf.getvalue())'
        ].join('\n'),
        exe
      ],
      { encoding: 'utf8' }
    )
    expect(zipped.status).toBe(0)
    const launcher = path.join(writeLeanLauncher(scratch.tempDir('dk-lean-cache-')), LEAN_LAUNCHER_FILE)
    const lean = run([PYTHON, launcher, exe, 'x'])
    expect(lean).toMatchObject({ status: 5, stdout: "from the zip ['x']\n" })
  })

  test('a Windows console script named by a distribution (pip or uv made it): its entry point is called', () => {
    const dir = scratch.tempDir('dk-lean-exe-')
    const site = path.join(dir, 'site')
    fs.mkdirSync(path.join(site, 'fake_tool-1.0.dist-info'), { recursive: true })
    fs.writeFileSync(path.join(site, 'fake_tool.py'), 'import sys\ndef main():\n    print("entry point", sys.argv[1:])\n    return 7\n')
    fs.writeFileSync(path.join(site, 'fake_tool-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: fake-tool\nVersion: 1.0\n')
    fs.writeFileSync(path.join(site, 'fake_tool-1.0.dist-info', 'entry_points.txt'), '[console_scripts]\nfake-tool = fake_tool:main\n')
    // A trampoline no zip reader could open: only the entry point can run it.
    const exe = path.join(dir, 'fake-tool.exe')
    fs.writeFileSync(exe, 'MZ not a zip')
    const launcher = path.join(writeLeanLauncher(scratch.tempDir('dk-lean-cache-')), LEAN_LAUNCHER_FILE)
    expect(run([PYTHON, launcher, exe, 'y'], { PYTHONPATH: site })).toMatchObject({ status: 7, stdout: "entry point ['y']\n" })
  })

  test('no interpreter known for the executable: it runs as it is', () => {
    const bin = scratch.tempDir('dk-lean-bin-')
    const sh = path.join(bin, 'tool')
    fs.writeFileSync(sh, '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    expect(leanArgv(scratch.tempDir('dk-lean-cache-'), [sh])).toBeUndefined()
    expect(leanArgv(scratch.tempDir('dk-lean-cache-'), [])).toBeUndefined()
  })
})
