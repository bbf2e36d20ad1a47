/**
 * run-quality's whole flow through a recorded exec: each tool answers with what the real
 * tool printed for the same argv on the `defects` and `clean` quality fixtures
 * (__tests__/fixtures/captured/quality/README.md), and any other command fails the test.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runQualityAction } from '../../actions/run-quality/main.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import type { CacheService } from '../../packages-shared/cache.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { fakeCache } from '../helpers/fake-cache.js'
import { recordedExec, testContext, writeObservedListing, type Answer, type ExecRule } from '../helpers/recorded.js'
import { scratchDirs, writeSrcPackages } from '../helpers/scratch.js'

const CAPTURED = path.resolve('__tests__/fixtures/captured/quality')
const TOOLS = ['black', 'isort', 'flake8', 'mypy', 'pylint', 'ruff', 'ruff-format'] as const
type Tool = (typeof TOOLS)[number]
const ALL = TOOLS.join(',')

const scratch = scratchDirs()
const tempDir = scratch.tempDir

function fixture(name: 'defects' | 'clean'): string {
  return scratch.copy(path.resolve('__tests__/fixtures/quality', name), `dk-quality-main-${name}-`)
}

function read(file: string): string {
  const p = path.join(CAPTURED, file)
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : ''
}

/** What the real tool answered on the fixture (or, `touched`, on the one file the cache tests change), with the capture's root replaced by this workspace. */
function captured(tool: Tool, name: 'defects' | 'clean' | 'touched', root: string): Answer {
  return {
    exitCode: Number(read(`${tool}-${name}.exit`).trim()),
    stdout: read(`${tool}-${name}.stdout`).replaceAll('{{root}}', root),
    stderr: read(`${tool}-${name}.stderr`).replaceAll('{{root}}', root)
  }
}

/** Which tool a command runs: the executable's name, and ruff's subcommand. */
function toolOf(spec: CommandSpec): Tool | 'python3' | undefined {
  const exe = path.basename(spec.argv[0]!)
  if (exe === 'ruff') return spec.argv[1] === 'format' ? 'ruff-format' : 'ruff'
  return (TOOLS as readonly string[]).includes(exe) || exe === 'python3' ? (exe as Tool | 'python3') : undefined
}

const isVersion = (spec: CommandSpec): boolean => spec.argv.length === 2 && spec.argv[1] === '--version'

/** The tool whose files a command lists (for the findings cache): `--show-files`, or black's and flake8's own discovery run by their interpreter. */
function listingOf(spec: CommandSpec): 'black' | 'flake8' | 'isort' | 'ruff' | undefined {
  if (spec.argv.includes('--show-files')) return path.basename(spec.argv[0]!) === 'isort' ? 'isort' : 'ruff'
  if (spec.argv[1] !== '-c') return undefined
  return /^import black$/m.test(spec.argv[2]!) ? 'black' : /^import flake8/m.test(spec.argv[2]!) ? 'flake8' : undefined
}

/** What the real tool listed for the fixture (`<tool>-<fixture>.files`). */
function listingRule(name: 'defects' | 'clean', root: string): ExecRule {
  return {
    match: (spec) => listingOf(spec) !== undefined,
    answer: (spec) => ({ stdout: read(`${listingOf(spec)}-${name}.files`).replaceAll('{{root}}', root) })
  }
}

const PYTHON: ExecRule = { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.11.7\n' } }
const VERSIONS: ExecRule = {
  match: isVersion,
  answer: (spec) => ({ stdout: read(`${path.basename(spec.argv[0]!)}-version.stdout`) })
}

/** Every tool run answers with its captured output, except those `override` answers. */
function toolRules(
  name: 'defects' | 'clean',
  root: string,
  override: Partial<Record<Tool, Answer | ((spec: CommandSpec) => Answer)>> = {}
): ExecRule[] {
  return [
    PYTHON,
    VERSIONS,
    listingRule(name, root),
    {
      match: (spec) => toolOf(spec) !== undefined && toolOf(spec) !== 'python3',
      answer: (spec) => {
        const tool = toolOf(spec) as Tool
        // A cold run lists its files as it checks them (the lean launcher's prelude), as listingRule lists them.
        writeObservedListing(spec, read(`${tool}-${name}.files`).replaceAll('{{root}}', root))
        const o = override[tool]
        return o === undefined ? captured(tool, name, root) : typeof o === 'function' ? o(spec) : o
      }
    }
  ]
}

/** Stand-ins on PATH that the recorded exec answers for; console scripts of a Python there when `python` is set. */
function toolsOnPath(python = false): string {
  const bin = tempDir('dk-quality-bin-')
  const head = python ? `#!${path.join(bin, 'python3')}\n` : '#!/bin/sh\n'
  for (const n of ['black', 'isort', 'flake8', 'mypy', 'pylint', 'ruff', ...(python ? ['python3'] : [])])
    fs.writeFileSync(path.join(bin, n), `${head}exit 99\n`, { mode: 0o755 })
  return bin
}

async function run(
  ws: string,
  inputs: Record<string, string>,
  rules: ExecRule[],
  where: { bin?: string; temp?: string; cache?: CacheService; env?: Record<string, string> } = {}
) {
  const exec = recordedExec(rules)
  const env = {
    GITHUB_WORKSPACE: ws,
    PATH: where.bin ?? toolsOnPath(),
    RUNNER_TEMP: where.temp ?? tempDir('dk-quality-temp-'),
    ...where.env
  }
  const { ctx, io } = testContext({ inputs: { install: 'none', ...inputs }, env, exec, cache: where.cache })
  const result = await runQualityAction.run(ctx, runQualityAction.parseInputs(new InputReader(io), ctx.common, io))
  const check = (tool: string): CheckResult => {
    const found = result.checks.find((c) => c.tool === tool)
    if (!found) throw new Error(`no ${tool} check in ${result.checks.map((c) => c.tool).join(', ')}`)
    return found
  }
  const runs = (): { tool: string; cwd?: string; args: string[] }[] =>
    exec.calls
      .filter((c) => !isVersion(c) && !listingOf(c) && toolOf(c) !== 'python3')
      .map((c) => ({ tool: toolOf(c)!, cwd: c.cwd, args: c.argv.slice(1) }))
  return { result, check, exec, io, runs }
}

const at = (c: CheckResult): [string | undefined, number | undefined, string | undefined][] =>
  c.findings.map((f) => [f.file, f.line, f.rule])

describe('run-quality main through recorded tools', () => {
  test('the defects fixture: each tool fails with the findings the real tool printed, pylint reports below the gate', async () => {
    const ws = fixture('defects')
    const { result, check, runs } = await run(ws, { checks: ALL }, toolRules('defects', ws))
    const mod = 'packages/pkg_a/src/pkg_a'

    expect(result.checks.map((c) => c.tool)).toEqual([...TOOLS])
    expect(check('black')).toMatchObject({ status: 'failed', toolVersion: '26.10.1' })
    expect(check('black').findings.map((f) => f.file)).toEqual([`${mod}/unformatted.py`])
    expect(check('isort')).toMatchObject({ status: 'failed', toolVersion: '9.0.2' })
    expect(check('isort').findings.map((f) => f.file)).toEqual([`${mod}/unsorted_imports.py`])
    expect(at(check('flake8'))).toEqual([
      [`${mod}/lint_errors.py`, 3, 'F401'],
      [`${mod}/lint_errors.py`, 5, 'E501']
    ])
    expect(at(check('mypy'))).toEqual([
      [`${mod}/typing_errors.py`, 4, 'no-untyped-def'],
      [`${mod}/typing_errors.py`, 9, 'return-value']
    ])
    expect(check('mypy').status).toBe('failed')
    expect(at(check('ruff')).sort()).toEqual([
      [`${mod}/lint_errors.py`, 3, 'F401'],
      [`${mod}/lint_errors.py`, 5, 'E501'],
      [`${mod}/unsorted_imports.py`, 3, 'I001']
    ])
    expect(check('ruff-format').findings.map((f) => f.file)).toEqual([`${mod}/unformatted.py`])
    // pylint's warnings, conventions and refactors are findings, not failures at fail-on: error.
    expect(check('pylint').status).toBe('passed')
    expect(at(check('pylint')).sort()).toEqual([
      [`${mod}/lint_errors.py`, 3, 'W0611 unused-import'],
      [`${mod}/lint_errors.py`, 5, 'C0301 line-too-long'],
      [`${mod}/pylint_only.py`, 12, 'R1705 no-else-return'],
      [`${mod}/pylint_only.py`, 6, 'W0102 dangerous-default-value']
    ])
    expect(check('pylint').findings.some((f) => f.severity === 'error')).toBe(false)
    for (const c of result.checks) expect(c.findings.map((f) => f.package)).toEqual(c.findings.map(() => 'pkg-a'))

    expect(result.passed).toBe(false)
    expect(result.failureMessage).toMatch(
      /^run-quality found \d+ problem\(s\) at or above 'error': black, isort, flake8, mypy, ruff, ruff-format\. /
    )
    expect(result.sections!.join('\n')).toContain('### Findings by tool and package')
    // One run per tool from the root; the type checker and pylint over the package's src only.
    const byTool = Object.fromEntries(runs().map((r) => [r.tool, r]))
    expect(Object.keys(byTool).sort()).toEqual([...TOOLS].sort())
    expect(runs()).toHaveLength(TOOLS.length)
    for (const r of runs()) expect(r.cwd).toBe(ws)
    expect(byTool.mypy!.args.at(-1)).toBe('packages/pkg_a/src')
    expect(byTool.pylint!.args.at(-1)).toBe('packages/pkg_a/src')
    expect(byTool.flake8!.args.at(-1)).toBe('packages/pkg_a')
    expect(byTool.black!.args).toEqual(expect.arrayContaining(['--check', '--diff']))
  })

  test('the clean fixture passes every tool with no finding, and each version is the one the tool reports', async () => {
    const ws = fixture('clean')
    const { result } = await run(ws, { checks: ALL }, toolRules('clean', ws))
    expect(result.checks.map((c) => [c.tool, c.status, c.findings.length, c.toolVersion])).toEqual([
      ['black', 'passed', 0, '26.10.1'],
      ['isort', 'passed', 0, '9.0.2'],
      ['flake8', 'passed', 0, '7.5.0'],
      ['mypy', 'passed', 0, '2.4.1'],
      ['pylint', 'passed', 0, '4.1.4'],
      ['ruff', 'passed', 0, '0.17.5'],
      ['ruff-format', 'passed', 0, '0.17.5']
    ])
    expect(result.passed).toBe(true)
    expect(result.failureMessage).toBeUndefined()
  })

  test('a tool that cannot start and one that times out are errors, never passes; the others still report', async () => {
    const ws = fixture('defects')
    const { result, check } = await run(
      ws,
      { checks: 'flake8,mypy,pylint' },
      toolRules('defects', ws, {
        mypy: { exitCode: 127, spawnError: 'command not found: mypy' },
        // A stopped pylint's partial output is no verdict.
        pylint: { ...captured('pylint', 'defects', ws), timedOut: true, timeoutMs: 60_000, exitCode: 143 }
      })
    )
    expect(check('mypy')).toMatchObject({ status: 'error', findings: [] })
    expect(check('mypy').message).toContain('mypy could not run: command not found: mypy')
    expect(check('pylint')).toMatchObject({ status: 'error', findings: [] })
    expect(check('pylint').message).toContain('pylint (in .) did not finish within')
    expect(check('flake8').status).toBe('failed')
    expect(check('flake8').findings).toHaveLength(2)
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toMatch(/^run-quality: mypy, pylint failed to run: mypy could not run: command not found: mypy/)
  })

  test('a selection runs the tools over that package only; fail-on: never reports the failed check but passes the run', async () => {
    const ws = tempDir('dk-quality-main-two-')
    writeSrcPackages(ws, ['alpha', 'beta'], 'import json\n')
    const { result, check, runs } = await run(
      ws,
      { checks: 'flake8', packages: 'beta', 'fail-on': 'never' },
      toolRules('defects', ws, {
        flake8: { exitCode: 1, stdout: "␞packages/beta/src/beta/__init__.py␟1␟1␟F401␟'json' imported but unused\n" }
      })
    )
    expect(result.packages).toEqual(['beta'])
    expect(runs()).toEqual([{ tool: 'flake8', cwd: ws, args: expect.arrayContaining(['packages/beta']) as unknown as string[] }])
    expect(runs()[0]!.args.join(' ')).not.toContain('alpha')
    expect(check('flake8')).toMatchObject({ status: 'failed' })
    expect(check('flake8').findings).toEqual([
      expect.objectContaining({ file: 'packages/beta/src/beta/__init__.py', line: 1, rule: 'F401', package: 'beta' })
    ])
    expect(result.passed).toBe(true)
    expect(result.failureMessage).toBeUndefined()
  })

  test('fix runs the fixers one at a time, isort before black, before the checks, and lists the files they changed', async () => {
    const ws = fixture('defects')
    const file = path.join(ws, 'packages/pkg_a/src/pkg_a/unformatted.py')
    const order: string[] = []
    const { result, check, runs } = await run(
      ws,
      { checks: 'black,isort', fix: 'true' },
      toolRules('defects', ws, {
        black: (spec) => {
          order.push(`black${spec.argv.includes('--check') ? ' --check' : ''}`)
          if (spec.argv.includes('--check')) return captured('black', 'clean', ws)
          // What black 26.10.1 does to the file (see black-defects.stdout): double quotes.
          fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll("'", '"'))
          return {
            exitCode: 0,
            stderr:
              'reformatted packages/pkg_a/src/pkg_a/unformatted.py\n\nAll done! ✨ 🍰 ✨\n1 file reformatted, 5 files left unchanged.\n'
          }
        },
        isort: (spec) => {
          order.push(`isort${spec.argv.includes('--check-only') ? ' --check-only' : ''}`)
          return spec.argv.includes('--check-only') ? captured('isort', 'clean', ws) : { exitCode: 0 }
        }
      })
    )
    expect(order.slice(0, 2)).toEqual(['isort', 'black'])
    expect(order.slice(2).sort()).toEqual(['black --check', 'isort --check-only'])
    expect(runs()).toHaveLength(4)
    expect(result.sections![0]).toBe('### Files changed by fix\n\n- `packages/pkg_a/src/pkg_a/unformatted.py`\n')
    expect(check('black').status).toBe('passed')
    expect(result.passed).toBe(true)
  })
  test("a second run with the first one's caches gives each file-local tool the changed file only, and reports the same findings", async () => {
    const ws = fixture('defects')
    const where = { bin: toolsOnPath(true), temp: tempDir('dk-quality-temp-') }
    const checks = 'black,isort,flake8,ruff,ruff-format'
    const touched = 'packages/pkg_a/src/pkg_a/__init__.py'
    const onTouched =
      (tool: Tool) =>
      (spec: CommandSpec): Answer =>
        spec.argv.includes(touched) ? captured(tool, 'touched', ws) : captured(tool, 'defects', ws)
    const rules = (): ExecRule[] => toolRules('defects', ws, Object.fromEntries(checks.split(',').map((t) => [t, onTouched(t as Tool)])))
    const first = await run(ws, { checks }, rules(), where)
    expect(first.runs().map((r) => r.args.at(-1))).toEqual(checks.split(',').map(() => 'packages/pkg_a'))
    expect(first.result.data?.findingsCache).toMatchObject({
      black: { files: 6, fromCache: 0, checked: 6 },
      ruff: { files: 7, fromCache: 0, checked: 7 }
    })

    // What the pull request changes: a line that no tool objects to (the captures of `touched`).
    fs.writeFileSync(path.join(ws, touched), '"""A package with one seeded defect per quality tool."""\n\nVERSION = "1"\n')
    const second = await run(ws, { checks }, rules(), where)
    for (const r of second.runs()) {
      expect(r.args).toContain(touched)
      expect(r.args).not.toContain('packages/pkg_a')
    }
    expect(
      second
        .runs()
        .map((r) => r.tool)
        .sort()
    ).toEqual(checks.split(',').sort())
    // isort looks for its settings from the first path given: told the folder the targets led it to.
    expect(second.runs().find((r) => r.tool === 'isort')!.args).toEqual(
      expect.arrayContaining(['--settings-path', path.join(ws, 'packages/pkg_a')])
    )
    for (const tool of checks.split(',')) {
      expect(second.check(tool).findings).toEqual(first.check(tool).findings)
      expect(second.check(tool).status).toBe(first.check(tool).status)
    }
    expect(second.result.passed).toBe(first.result.passed)
    expect(second.result.failureMessage).toBe(first.result.failureMessage)
    expect(second.result.data?.findingsCache).toEqual({
      black: { files: 6, fromCache: 5, checked: 1 },
      isort: { files: 6, fromCache: 5, checked: 1 },
      flake8: { files: 6, fromCache: 5, checked: 1 },
      ruff: { files: 7, fromCache: 6, checked: 1 },
      'ruff-format': { files: 6, fromCache: 5, checked: 1 }
    })
    expect(second.io.logs.map((l) => l.message)).toContain('flake8 in .: 6 file(s), 5 answered from the findings cache, 1 checked.')
    expect(second.result.sections!.join('\n')).toContain('| flake8 | 6 | 5 | 1 |')

    // Nothing changed since: no tool runs at all, and the report is the same again.
    const third = await run(ws, { checks }, rules(), where)
    expect(third.runs()).toEqual([])
    for (const tool of checks.split(',')) expect(third.check(tool).findings).toEqual(first.check(tool).findings)
  })

  test('fix: true runs the fixers past the cache, and the checks after them see the fixed file as changed', async () => {
    const ws = fixture('defects')
    const where = { bin: toolsOnPath(true), temp: tempDir('dk-quality-temp-') }
    const file = path.join(ws, 'packages/pkg_a/src/pkg_a/unformatted.py')
    await run(ws, { checks: 'black' }, toolRules('defects', ws), where)
    const fixed = await run(
      ws,
      { checks: 'black', fix: 'true' },
      toolRules('defects', ws, {
        black: (spec) => {
          if (spec.argv.includes('--check')) return captured('black', 'touched', ws)
          fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll("'", '"'))
          return { exitCode: 0, stderr: 'reformatted packages/pkg_a/src/pkg_a/unformatted.py\n' }
        }
      }),
      where
    )
    const args = fixed.runs().map((r) => r.args)
    expect(args[0]).not.toContain('--check')
    expect(args[0]).toContain('packages/pkg_a')
    expect(args.slice(1)).toEqual([expect.arrayContaining(['--check', 'packages/pkg_a/src/pkg_a/unformatted.py'])])
    expect(fixed.check('black')).toMatchObject({ status: 'passed', findings: [] })
  })

  test('a tool that crashes on the changed file is an error, and nothing of that run is kept', async () => {
    const ws = fixture('defects')
    const where = { bin: toolsOnPath(true), temp: tempDir('dk-quality-temp-') }
    const touched = 'packages/pkg_a/src/pkg_a/__init__.py'
    await run(ws, { checks: 'flake8' }, toolRules('defects', ws), where)
    fs.appendFileSync(path.join(ws, touched), '\n')
    const crash = { exitCode: 1, stderr: 'Traceback (most recent call last):\nflake8.exceptions.PluginExecutionFailed\n' }
    const broken = await run(ws, { checks: 'flake8' }, toolRules('defects', ws, { flake8: crash }), where)
    expect(broken.check('flake8').status).toBe('error')
    expect(broken.result.passed).toBe(false)
    // The next run checks that file again rather than trusting the crashed run.
    const again = await run(
      ws,
      { checks: 'flake8' },
      toolRules('defects', ws, {
        flake8: (spec) => (spec.argv.includes(touched) ? captured('flake8', 'touched', ws) : captured('flake8', 'defects', ws))
      }),
      where
    )
    expect(again.runs().map((r) => r.args.at(-1))).toEqual([touched])
    expect(again.check('flake8').findings).toHaveLength(2)
  })
})

describe('the whole-run cache of mypy and pylint', () => {
  test('nothing changed: neither runs again and their findings stand; a crashed run is never kept; any edit runs them again', async () => {
    const ws = fixture('defects')
    const where = { bin: toolsOnPath(), temp: tempDir('dk-quality-temp-') }
    const wholeRuns = (r: { runs: () => { tool: string }[] }): string[] =>
      r
        .runs()
        .map((x) => x.tool)
        .filter((t) => t === 'mypy' || t === 'pylint')
        .sort()
    const first = await run(ws, { checks: 'mypy,pylint' }, toolRules('defects', ws), where)
    expect(wholeRuns(first)).toEqual(['mypy', 'pylint'])
    const second = await run(ws, { checks: 'mypy,pylint' }, toolRules('defects', ws), where)
    expect(wholeRuns(second)).toEqual([])
    for (const tool of ['mypy', 'pylint']) {
      expect(second.check(tool).status).toBe(first.check(tool).status)
      // Kept as JSON: the same findings, their unset fields absent rather than undefined.
      expect(second.check(tool).findings).toEqual(first.check(tool).findings)
      expect(second.check(tool).findings.length).toBeGreaterThan(0)
    }
    expect(second.result.passed).toBe(first.result.passed)
    const table = second.result.sections!.find((x) => x.startsWith('### Findings cache'))!
    expect(table).toContain('| mypy | whole run | all (nothing changed) | — |')
    expect(table).toContain('| pylint | whole run | all (nothing changed) | — |')
    expect(first.result.sections!.find((x) => x.startsWith('### Findings cache'))).toContain('| pylint | whole run | — | all |')

    fs.appendFileSync(path.join(ws, 'packages/pkg_a/src/pkg_a/__init__.py'), '\n')
    const crashed = await run(
      ws,
      { checks: 'mypy' },
      toolRules('defects', ws, { mypy: { exitCode: 2, stderr: 'Traceback (most recent call last):\nINTERNAL ERROR\n' } }),
      where
    )
    expect(crashed.check('mypy').status).toBe('error')
    const after = await run(ws, { checks: 'mypy' }, toolRules('defects', ws), where)
    expect(wholeRuns(after)).toEqual(['mypy'])
    expect(after.check('mypy').findings).toEqual(first.check('mypy').findings)
  })
})

describe('run-quality keeps the tools caches across workflow runs (a fake cache service)', () => {
  /** mypy as the real one behaves for the cache: it writes into --cache-dir, and the test sees what was there before. */
  function mypyWritingCache(ws: string, seen: string[][]) {
    return (spec: CommandSpec): Answer => {
      const dir = spec.argv.find((a) => a.startsWith('--cache-dir='))!.slice('--cache-dir='.length)
      seen.push(fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [])
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, `run-${seen.length}.json`), '{}')
      return captured('mypy', 'clean', ws)
    }
  }
  const line = (io: { logs: { level: string; message: string }[] }, start: string): string =>
    io.logs.find((l) => l.message.startsWith(start))?.message ?? `(no line starting ${start})`

  test('a second run on a fresh runner temp restores the caches by their exact keys, runs nothing and saves nothing; a changed source is a partial hit: mypy runs on its restored cache', async () => {
    const ws = fixture('clean')
    const cache = fakeCache()
    const seen: string[][] = []
    const rules = (): ExecRule[] => toolRules('clean', ws, { mypy: mypyWritingCache(ws, seen) })
    // The same tools (on hosted runners, the tool venv restored from the cache: the same fingerprint).
    const bin = toolsOnPath()
    const mypyKeys = (): string[] => cache.keys().filter((k) => k.startsWith('dk-actions-mypy-'))

    const first = await run(ws, { checks: 'mypy,flake8' }, rules(), { cache, bin })
    // The tools are on PATH: nothing is installed, so the uv cache is neither restored nor saved.
    expect(line(first.io, 'Caches restored:')).toMatch(
      /^Caches restored: mypy \(miss\), findings \(miss\) in .*; uv when something is installed\.$/
    )
    // mypy's own cache, and the findings folder with flake8's files and mypy's whole-run entry.
    expect(line(first.io, 'Caches saved:')).toMatch(/^Caches saved: mypy, findings; not saved: uv \(not needed\) in /)
    expect(cache.keys()).toHaveLength(2)
    const [mypyKey] = mypyKeys()
    expect(mypyKey).toMatch(new RegExp(`^dk-actions-mypy-${process.platform}-${process.arch}-[0-9a-f]{20}-[0-9a-f]{20}$`))

    // Another job, another runner temp, nothing changed: mypy's findings stand without a run.
    const second = await run(ws, { checks: 'mypy,flake8' }, rules(), { cache, bin })
    expect(line(second.io, 'Caches restored:')).toContain('mypy (exact)')
    expect(line(second.io, 'Caches restored:')).toContain('findings (exact)')
    expect(seen).toHaveLength(1)
    expect(line(second.io, 'mypy in .: nothing changed since its last run')).toContain('(whole-run cache)')
    expect(second.check('mypy').status).toBe(first.check('mypy').status)
    expect(second.check('mypy').findings).toEqual(first.check('mypy').findings)
    expect(line(second.io, 'Caches saved:')).toMatch(/^Caches saved: none; not saved: mypy \(exact hit\)/)
    expect(cache.keys()).toHaveLength(2)

    fs.appendFileSync(path.join(ws, 'packages/pkg_a/src/pkg_a/__init__.py'), '\nVALUE = 1\n')
    const third = await run(ws, { checks: 'mypy,flake8' }, rules(), { cache, bin })
    expect(seen[1]).toEqual(['run-1.json'])
    expect(line(third.io, 'Caches restored:')).toContain('mypy (partial)')
    expect(line(third.io, 'Caches saved:')).toMatch(/^Caches saved: mypy, findings;/)
    expect(mypyKeys()).toHaveLength(2)
    expect(mypyKeys()[1]!.split('-').slice(0, -1)).toEqual(mypyKey!.split('-').slice(0, -1))
    expect(mypyKeys()[1]).not.toBe(mypyKey)
  })

  test('cache: false, a tag push and pull_request_target restore and save nothing, and say why in one line', async () => {
    const ws = fixture('clean')
    for (const [inputs, env, why] of [
      [{ cache: 'false' }, {}, 'cache: false'],
      [{}, { GITHUB_REF: 'refs/tags/v1.0.0', GITHUB_EVENT_NAME: 'push' }, 'tag pushes'],
      [{}, { GITHUB_EVENT_NAME: 'pull_request_target' }, 'cache poisoning']
    ] as const) {
      const seen: string[][] = []
      // The runner's own service, as the action makes it: it must not be reached.
      const { io } = await run(ws, { checks: 'mypy', ...inputs }, toolRules('clean', ws, { mypy: mypyWritingCache(ws, seen) }), {
        env: { ...env, ACTIONS_RUNTIME_TOKEN: 'token', ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' }
      })
      expect(line(io, 'Caches off')).toContain(why)
      expect(line(io, 'Caches off')).toContain("the tools' caches start empty and are not saved")
      expect(io.logs.some((l) => l.message.startsWith('Caches restored') || l.message.startsWith('Caches saved'))).toBe(false)
      expect(io.logs.filter((l) => l.level === 'warning')).toEqual([])
    }
  })

  test("a cache service that fails is a warning, never the run's failure", async () => {
    const ws = fixture('clean')
    const cache = fakeCache()
    cache.failWith = 'cache service unavailable (503)'
    const { result, io } = await run(ws, { checks: 'mypy' }, toolRules('clean', ws, { mypy: mypyWritingCache(ws, []) }), { cache })
    expect(result.passed).toBe(true)
    const warnings = io.logs.filter((l) => l.level === 'warning').map((l) => l.message)
    expect(warnings).toContain('The mypy cache could not be restored (cache service unavailable (503)); it starts empty.')
    expect(warnings).toContain('The mypy cache was not saved: cache service unavailable (503)')
  })
})
