import { displayCommand, mapLimit, runCommand, tail } from '../../packages-shared/exec.js'

const NODE = process.execPath

describe('runCommand', () => {
  test('captures stdout, stderr and the exit code', async () => {
    const r = await runCommand({
      argv: [
        NODE,
        '-e',
        'process.stdout.write("out-text"); process.stderr.write("err-text"); process.exit(3)'
      ]
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
      argv: [
        NODE,
        '-e',
        'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write(s.toUpperCase()))'
      ],
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
    expect(r.spawnError).toBe('timed out after 500 ms')
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

describe('mapLimit', () => {
  test.each([1, 2, 3, 8])(
    'never runs more than %d at once and keeps input order',
    async (limit) => {
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
    }
  )

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
