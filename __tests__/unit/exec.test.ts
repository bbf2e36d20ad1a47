import * as fs from 'node:fs'
import {
  displayCommand,
  formatLimit,
  killPlan,
  mapLimit,
  processNotes,
  runCommand,
  runsThroughCmd,
  tail
} from '../../packages-shared/exec.js'

const NODE = process.execPath

describe('runCommand', () => {
  test('captures stdout, stderr and the exit code', async () => {
    const r = await runCommand({
      argv: [NODE, '-e', 'process.stdout.write("out-text"); process.stderr.write("err-text"); process.exit(3)']
    })
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('out-text')
    expect(r.stderr).toBe('err-text')
    expect(r.timedOut).toBe(false)
    expect(r.spawnError).toBeUndefined()
    expect(r.argv[0]).toBe(NODE)
    expect(r.durationMs).toBeGreaterThanOrEqual(0)
  })

  test('exit code 0 on success', async () => {
    const r = await runCommand({ argv: [NODE, '-e', 'console.log("hello")'] })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('hello\n')
    expect(r.stderr).toBe('')
  })

  test('passes arguments without a shell', async () => {
    const tricky = ['a b', '$(echo no)', '"quoted"', "it's", '; rm -rf /']
    const r = await runCommand({
      argv: [NODE, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...tricky]
    })
    expect(JSON.parse(r.stdout)).toEqual(tricky)
  })

  test('feeds stdin', async () => {
    const r = await runCommand({
      argv: [NODE, '-e', 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write(s.toUpperCase()))'],
      stdin: 'from stdin\n'
    })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('FROM STDIN\n')
  })

  test('uses cwd and env', async () => {
    const dir = process.platform === 'win32' ? process.env.TEMP! : '/'
    const r = await runCommand({
      argv: [NODE, '-e', 'console.log(process.cwd() + "|" + process.env.DK_TEST_VAR)'],
      cwd: dir,
      env: { ...process.env, DK_TEST_VAR: 'marker-42' }
    })
    expect(r.stdout.trim()).toBe(`${dir}|marker-42`)
  })

  test('a timeout kills the command and says so', async () => {
    const started = Date.now()
    const r = await runCommand({
      argv: [NODE, '-e', 'console.log("started"); setTimeout(() => {}, 60000)'],
      timeoutMs: 500
    })
    expect(r.timedOut).toBe(true)
    expect(r.exitCode).not.toBe(0)
    expect(r.spawnError).toBe('timed out after 500ms')
    expect(r.timeoutMs).toBe(500)
    expect(Date.now() - started).toBeLessThan(20_000)
  }, 30_000)

  test('a missing command gives exit code 127 and "command not found"', async () => {
    const r = await runCommand({ argv: ['dk-actions-no-such-command-xyz', '--version'] })
    expect(r.exitCode).toBe(127)
    expect(r.spawnError).toContain('command not found')
    expect(r.spawnError).toContain('dk-actions-no-such-command-xyz')
    expect(r.timedOut).toBe(false)
  })

  test('keeps the tail of output beyond maxBuffer', async () => {
    const r = await runCommand({
      argv: [NODE, '-e', 'for (let i = 0; i < 2000; i++) console.log("line " + i)'],
      maxBuffer: 1024
    })
    expect(r.exitCode).toBe(0)
    expect(r.stdout.endsWith('line 1999\n')).toBe(true)
    expect(r.stdout).not.toContain('line 0\n')
  })
})

/**
 * Whether a process still runs. A killed process whose parent is gone stays a zombie
 * until something reaps it (not every container's init does): a zombie runs nothing.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return process.platform === 'linux' ? false : true
  }
}

/** Waits (bounded) for a killed process to be gone; the kill is asynchronous. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && running(pid); i++) await new Promise((r) => setTimeout(r, 50))
  return !running(pid)
}

function pids(text: string): number[] {
  return [...text.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]))
}

describe('runCommand: process groups (POSIX, real processes)', () => {
  test('a background process still holding stdout after the tool exits is killed and reported', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'sleep 100 & echo "pid=$!"; echo hi'], orphanGraceMs: 300 })
    expect(r.exitCode).toBe(0)
    expect(r.timedOut).toBe(false)
    expect(r.orphansKilled).toBe(true)
    expect(r.stdout).toContain('hi')
    const [bg] = pids(r.stdout)
    expect(bg).toBeGreaterThan(0)
    expect(await gone(bg!)).toBe(true)
  })

  test('one holding only stderr counts too', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'sleep 100 >/dev/null & echo "pid=$!" >&2; echo done'], orphanGraceMs: 300 })
    expect(r.exitCode).toBe(0)
    expect(r.orphansKilled).toBe(true)
    expect(await gone(pids(r.stderr)[0]!)).toBe(true)
  })

  test('a holder that left the group (its own session) is no longer waited for, and is reported', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'setsid sleep 100 & echo "pid=$!"; echo hi'], orphanGraceMs: 200 })
    const [escaped] = pids(r.stdout)
    try {
      expect(r.exitCode).toBe(0)
      expect(r.orphansKilled).toBe(true)
      expect(r.stdout).toContain('hi')
    } finally {
      // Out of the group, so out of reach of runCommand: this test ends it itself.
      if (escaped) process.kill(escaped, 'SIGKILL')
    }
  })

  test('everything a tool writes just before it exits is kept', async () => {
    const r = await runCommand({ argv: [NODE, '-e', 'process.stdout.write("x".repeat(5_000_000)); process.stderr.write("end")'] })
    expect(r.exitCode).toBe(0)
    expect(r.stdout.length).toBe(5_000_000)
    expect(r.stderr).toBe('end')
    expect(r.orphansKilled).toBeUndefined()
  })

  test('a tool whose output closes with it is not reported', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'sh -c "echo inner" ; echo outer'] })
    expect(r.exitCode).toBe(0)
    expect(r.orphansKilled).toBeUndefined()
    expect(r.stdout).toBe('inner\nouter\n')
  })

  test('the exit code of a tool that leaves orphans is its own', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'sleep 100 & exit 3'], orphanGraceMs: 200 })
    expect(r.exitCode).toBe(3)
    expect(r.orphansKilled).toBe(true)
  })

  test('a timeout stops the whole group, children included', async () => {
    const r = await runCommand({
      argv: ['sh', '-c', 'sleep 100 & echo "pid=$!"; echo "pid=$$"; sleep 100'],
      timeoutMs: 300,
      killGraceMs: 300
    })
    expect(r.timedOut).toBe(true)
    expect(r.exitCode).not.toBe(0)
    const found = pids(r.stdout)
    expect(found).toHaveLength(2)
    for (const pid of found) expect(await gone(pid)).toBe(true)
  })

  test('a tool that ignores SIGTERM is killed after the grace period', async () => {
    const r = await runCommand({ argv: ['sh', '-c', 'trap "" TERM; sleep 100 & echo "pid=$!"; wait'], timeoutMs: 300, killGraceMs: 300 })
    expect(r.timedOut).toBe(true)
    expect(r.spawnError).toBe('timed out after 300ms')
    expect(await gone(pids(r.stdout)[0]!)).toBe(true)
  })
})

describe('killPlan', () => {
  test.each(['linux', 'darwin'] as const)('%s signals the process group the command leads', (platform) => {
    expect(killPlan(4321, platform)).toEqual({ kind: 'group', pgid: 4321 })
  })

  test('win32 has no process groups: taskkill ends the tree, forcibly', () => {
    expect(killPlan(4321, 'win32')).toEqual({ kind: 'tree', argv: ['taskkill', '/PID', '4321', '/T', '/F'] })
  })
})

describe('runCommand environment', () => {
  test('without an env the command gets the allow-listed base, never our inputs or tokens', async () => {
    const names = ['INPUT_DK-TEST-TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_TOKEN']
    for (const n of names) process.env[n] = `value-of-${n}`
    try {
      const r = await runCommand({ argv: [NODE, '-e', 'console.log(JSON.stringify(process.env))'] })
      const env = JSON.parse(r.stdout) as Record<string, string>
      for (const n of names) expect(env[n]).toBeUndefined()
      expect(r.stdout).not.toContain('value-of-')
      expect(env.PATH).toBe(process.env.PATH)
    } finally {
      for (const n of names) delete process.env[n]
    }
  })
})

describe('formatLimit and processNotes', () => {
  test.each([
    [500, '500ms'],
    [1000, '1s'],
    [90_000, '1m30s'],
    [15 * 60_000, '15m'],
    [3_600_000 + 60_000, '1h1m']
  ])('%d ms → %s', (ms, text) => {
    expect(formatLimit(ms)).toBe(text)
  })

  test('a timeout names the tool, the limit and the input that raises it', () => {
    const notes = processNotes('pylint', { timedOut: true, timeoutMs: 15 * 60_000 })
    expect(notes.timeout).toBe(
      "pylint did not finish within 15m and was stopped with the processes it started; raise the 'timeout' input if it needs longer"
    )
    expect(notes.orphans).toBeUndefined()
  })

  test('killed orphans are said so', () => {
    expect(processNotes('pytest', { timedOut: false, orphansKilled: true })).toEqual({
      timeout: undefined,
      orphans: 'pytest left background processes holding its output after it exited; they were killed'
    })
  })
})

describe('mapLimit', () => {
  test.each([1, 2, 3, 8])('never runs more than %d at once and keeps input order', async (limit) => {
    let running = 0
    let peak = 0
    const items = Array.from({ length: 12 }, (_, i) => i)
    const results = await mapLimit(items, limit, async (item, index) => {
      running++
      peak = Math.max(peak, running)
      // Later items finish sooner, so completion order differs from input order.
      await new Promise((r) => setTimeout(r, (12 - item) * 2))
      running--
      return `${item}:${index}`
    })
    expect(peak).toBeLessThanOrEqual(limit)
    expect(peak).toBe(Math.min(limit, items.length))
    expect(results).toEqual(items.map((i) => `${i}:${i}`))
  })

  test('an empty list gives an empty result', async () => {
    let calls = 0
    expect(
      await mapLimit([], 4, async () => {
        calls++
      })
    ).toEqual([])
    expect(calls).toBe(0)
  })

  test('a limit below 1 still runs everything, one at a time', async () => {
    let running = 0
    let peak = 0
    const results = await mapLimit([1, 2, 3], 0, async (x) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 1))
      running--
      return x * 2
    })
    expect(results).toEqual([2, 4, 6])
    expect(peak).toBe(1)
  })

  test('a rejection propagates', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (x) => {
        if (x === 2) throw new Error('boom')
        return x
      })
    ).rejects.toThrow('boom')
  })
})

describe('tail', () => {
  test.each([
    ['a\nb\nc\nd', 2, 'c\nd'],
    ['a\nb\nc\n\n\n', 2, 'b\nc'],
    ['one', 5, 'one'],
    ['', 3, '']
  ])('%j, %d lines → %j', (text, lines, expected) => {
    expect(tail(text, lines)).toBe(expected)
  })

  test('defaults to 20 lines', () => {
    const text = Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n')
    expect(tail(text).split('\n')).toEqual(Array.from({ length: 20 }, (_, i) => `l${i + 10}`))
  })
})

describe('displayCommand', () => {
  test.each([
    [['black', '--check', 'src/'], 'black --check src/'],
    [['python', '-m', 'pip', 'install', 'black==26.1.0'], 'python -m pip install black==26.1.0'],
    [['echo', 'hello world'], "echo 'hello world'"],
    [['echo', "it's"], "echo 'it'\\''s'"],
    [['echo', ''], "echo ''"],
    [['echo', '$HOME'], "echo '$HOME'"]
  ])('%j → %s', (argv, expected) => {
    expect(displayCommand(argv)).toBe(expected)
  })
})

describe('Windows batch files', () => {
  test('a .cmd or .bat runs through cmd.exe (cross-spawn) on Windows only; everything else is spawned directly', () => {
    expect(runsThroughCmd('C:\\tools\\poetry.cmd', 'win32')).toBe(true)
    expect(runsThroughCmd('C:\\tools\\SETUP.BAT', 'win32')).toBe(true)
    expect(runsThroughCmd('C:\\venv\\Scripts\\black.exe', 'win32')).toBe(false)
    expect(runsThroughCmd('C:\\venv\\Scripts\\python', 'win32')).toBe(false)
    expect(runsThroughCmd('/usr/local/bin/tool.cmd', 'linux')).toBe(false)
    expect(runsThroughCmd('/usr/local/bin/tool.bat', 'darwin')).toBe(false)
  })

  test('what cmd.exe is given: every metacharacter of an argument escaped, so a file name cannot start a second command', async () => {
    // cross-spawn's own escaping, which runCommand relies on for batch files (its win32 branch cannot run here).
    const internal = 'cross-spawn/lib/util/escape.js'
    const escape = (await import(internal)) as unknown as { default: { argument: (a: string, double?: boolean) => string } }
    expect(escape.default.argument('x&calc.exe')).toBe('^"x^&calc.exe^"')
    expect(escape.default.argument('%PATH%|more')).toBe('^"^%PATH^%^|more^"')
    expect(escape.default.argument('say "hi"')).toBe('^"say^ \\^"hi\\^"^"')
  })
})
