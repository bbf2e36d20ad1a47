/**
 * run-tests' run(ctx, inputs) over the test-runner fixtures (copied to a temp workspace),
 * with every process recorded: pytest's answer writes the junit XML and coverage data it
 * would write (captured from pytest 9.2.0 / coverage 7.17.5 on these fixtures, under
 * __tests__/fixtures/captured), and coverage's answers write the combined report.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runTestsAction } from '../../actions/run-tests/main.js'
import type { ActionResult } from '../../packages-shared/action.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import type { CacheService } from '../../packages-shared/cache.js'
import { fakeCache } from '../helpers/fake-cache.js'
import { recordedExec, testContext, type Answer, type ExecRule, type RecordedExec } from '../helpers/recorded.js'
import type { MemoryIO } from '../helpers/io-memory.js'
import { scratchDirs } from '../helpers/scratch.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const FIXTURES = path.join(HERE, '..', 'fixtures')
const captured = (rel: string): string => fs.readFileSync(path.join(FIXTURES, 'captured', rel), 'utf8')

const PYTHON = '/opt/python/bin/python3'

const scratch = scratchDirs()
const tempDir = scratch.tempDir

/** A workspace holding copies of test-runner fixtures: one at the root, or several under packages/. */
function workspaceOf(layout: string | Record<string, string>): string {
  if (typeof layout === 'string') return scratch.copy(path.join(FIXTURES, 'tests', layout), `dk-rt-main-${layout}-`)
  const ws = tempDir('dk-rt-main-')
  for (const [name, fixture] of Object.entries(layout)) {
    const dir = path.join(ws, 'packages', name)
    fs.cpSync(path.join(FIXTURES, 'tests', fixture), dir, { recursive: true })
    const pyproject = path.join(dir, 'pyproject.toml')
    fs.writeFileSync(pyproject, fs.readFileSync(pyproject, 'utf8').replace(/^name = ".*"$/m, `name = "${name}"`))
  }
  return ws
}

/**
 * install: none looks for pytest and coverage on PATH: empty placeholders are found there,
 * and never started (every command is answered by the recording).
 */
function toolsOnPath(): string {
  const bin = tempDir('dk-rt-bin-')
  for (const exe of ['pytest', 'coverage']) fs.writeFileSync(path.join(bin, exe), '', { mode: 0o755 })
  return bin
}

const flag = (spec: CommandSpec, prefix: string): string | undefined => spec.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length)

/**
 * pytest's answer: the junit XML (and, when measured, the coverage data and Cobertura XML)
 * written where the argv says; nothing at all when `junit` is undefined (pytest never ran).
 */
function pytestWrites(
  junit: string | undefined,
  answer: Answer,
  cobertura = captured('coverage/failing-cobertura.xml')
): (spec: CommandSpec) => Answer {
  return (spec) => {
    if (junit === undefined) return answer
    fs.writeFileSync(flag(spec, '--junitxml=')!, junit)
    const xml = flag(spec, '--cov-report=xml:')
    if (xml) {
      fs.writeFileSync(xml, cobertura)
      fs.writeFileSync(spec.env!.COVERAGE_FILE!, 'coverage data')
    }
    return answer
  }
}

/** coverage combine, xml and json: each writes its file; json writes the captured report. */
function coverageWrites(json = captured('coverage/passing-coverage.json')): ExecRule {
  return {
    match: (s) => path.basename(s.argv[0]!) === 'coverage',
    answer: (spec) => {
      const step = spec.argv[1]
      const out = step === 'combine' ? flag(spec, '--data-file=')! : spec.argv[spec.argv.indexOf('-o') + 1]!
      fs.writeFileSync(out, step === 'json' ? json : step === 'xml' ? '<coverage/>' : 'combined')
      return {}
    }
  }
}

function baseRules(pytest: ExecRule['answer'], extra: ExecRule[] = []): ExecRule[] {
  return [
    { match: /^python3 -c 'import sys;/, answer: { stdout: `${PYTHON}\n3.12.3\n` } },
    { match: /\/pytest --version$/, answer: { stdout: 'pytest 9.2.0\n' } },
    {
      match: /-c 'import pytest_benchmark'$/,
      answer: { exitCode: 1, stderr: "ModuleNotFoundError: No module named 'pytest_benchmark'\n" }
    },
    // Not a git checkout: the output guard walks the files instead.
    { match: /^git ls-files -z --cached$/, answer: { exitCode: 128, stderr: 'fatal: not a git repository\n' } },
    { match: (s) => path.basename(s.argv[0]!) === 'pytest' && s.argv.some((a) => a.startsWith('--junitxml=')), answer: pytest },
    ...extra
  ]
}

interface Run {
  result: ActionResult
  exec: RecordedExec
  io: MemoryIO
  ws: string
}

async function run(
  layout: string | Record<string, string>,
  rules: ExecRule[],
  inputs: Record<string, string> = {},
  cache?: CacheService
): Promise<Run> {
  const ws = workspaceOf(layout)
  const exec = recordedExec(rules)
  const { ctx, io } = testContext({
    inputs: { install: 'none', ...inputs },
    env: { GITHUB_WORKSPACE: ws, RUNNER_TEMP: tempDir('dk-rt-temp-'), PATH: toolsOnPath() },
    exec,
    cache,
    workspace: discoverWorkspace(ws)
  })
  const parsed = runTestsAction.parseInputs(new InputReader(io), ctx.common, io)
  const result = await runTestsAction.run(ctx, parsed)
  return { result, exec, io, ws }
}

const pytestCommands = (exec: RecordedExec): CommandSpec[] =>
  exec.calls.filter((c) => path.basename(c.argv[0]!) === 'pytest' && c.argv.length > 2)

describe('run-tests main over recorded pytest and coverage', () => {
  test('a failing test fails its suite with a finding at the failing line; coverage is combined and reported', async () => {
    const { result, exec, ws } = await run(
      'failing',
      baseRules(pytestWrites(captured('pytest/failing-junit.xml'), { exitCode: 1, stdout: '1 failed, 4 passed, 1 skipped in 0.31s\n' }), [
        coverageWrites()
      ])
    )
    const suite = result.checks.find((c) => c.tool === 'pytest unit')!
    expect(suite).toMatchObject({ status: 'failed', toolVersion: '9.2.0', package: undefined })
    expect(suite.findings).toEqual([
      expect.objectContaining({
        tool: 'pytest',
        package: 'calc',
        file: 'tests/unit/test_calc.py',
        line: 7,
        rule: 'failed',
        severity: 'error',
        message: 'tests/unit/test_calc.py::test_add_is_broken: AssertionError: addition is broken\nassert 4 == 5\n +  where 4 = add(2, 2)'
      })
    ])
    expect(result.checks.find((c) => c.tool === 'coverage')).toMatchObject({ status: 'passed', toolVersion: '7.17.5', findings: [] })
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe('run-tests failed: 1 test(s) failed: tests/unit/test_calc.py::test_add_is_broken.')
    const outDir = path.dirname(result.outputs!['coverage-xml']!)
    expect(result.outputs).toEqual({
      tests: '6',
      failures: '1',
      coverage: '59.5',
      junit: path.join(outDir, 'junit-unit.xml'),
      'coverage-xml': path.join(outDir, 'coverage.xml')
    })
    expect(path.basename(outDir)).toBe('run-tests')

    // The commands, in order: the interpreter (asked as soon as there is a suite to run), the output folder's guard (before the caches come back into it), pytest's version, the plugin probe, the suite, the three coverage steps.
    const shown = exec.commands().map((c) => c.replace(/^\S*\/(pytest|coverage) /, '$1 '))
    expect(shown.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'python3 -c',
      'git ls-files',
      'pytest --version',
      `${PYTHON} -c`,
      'pytest tests/unit',
      'coverage combine',
      'coverage xml',
      'coverage json'
    ])
    const [pytest] = pytestCommands(exec)
    expect(pytest!.cwd).toBe(ws)
    expect(pytest!.argv.slice(1)).toEqual([
      'tests/unit',
      '-o',
      'junit_family=xunit2',
      `--junitxml=${outDir}/junit-unit.xml`,
      '-o',
      `cache_dir=${outDir}/.pytest-cache/unit`,
      '--cov=calc',
      '--cov-branch',
      `--cov-report=xml:${outDir}/coverage-unit.xml`,
      '--cov-fail-under=0'
    ])
    expect(pytest!.env!.COVERAGE_FILE).toBe(path.join(outDir, '.coverage.unit'))
    const data = result.data as {
      tests: { totals: unknown; failures: { nodeId: string; line?: number }[] }
      coverage: { packages: { package: string }[] }
    }
    expect(data.tests.totals).toEqual({ tests: 6, passed: 4, failed: 1, errors: 0, skipped: 1 })
    expect(data.tests.failures).toEqual([expect.objectContaining({ nodeId: 'tests/unit/test_calc.py::test_add_is_broken', line: 7 })])
    expect(data.coverage.packages.map((p) => p.package)).toEqual(['calc'])
    expect(result.sections!.join('\n')).toContain('### Failures (1)')
  })

  test('coverage below coverage-min fails the coverage check, with the suite itself passing', async () => {
    const { result } = await run(
      'passing',
      baseRules(pytestWrites(captured('pytest/passing-junit.xml'), { stdout: '5 passed, 1 skipped\n' }), [coverageWrites()]),
      { 'coverage-min': '80' }
    )
    expect(result.checks.map((c) => [c.tool, c.status])).toEqual([
      ['pytest unit', 'passed'],
      ['coverage', 'failed']
    ])
    expect(result.checks[1]!.findings).toEqual([
      expect.objectContaining({ rule: 'coverage-min', message: 'Coverage 59.5% is below coverage-min 80%' })
    ])
    expect(result.failureMessage).toBe('run-tests failed: Coverage 59.5% is below coverage-min 80%.')
    expect(result.outputs).toMatchObject({ tests: '6', failures: '0', coverage: '59.5' })
  })

  test('a pytest that cannot start is an error with its reason, never a pass; no coverage is combined', async () => {
    const { result, exec } = await run(
      'passing',
      baseRules(pytestWrites(undefined, { exitCode: 127, spawnError: 'command not found: pytest' }))
    )
    const suite = result.checks.find((c) => c.tool === 'pytest unit')!
    expect(suite.status).toBe('error')
    expect(suite.message).toBe('pytest exited with code 127 (command not found: pytest):\n')
    expect(result.checks.find((c) => c.tool === 'coverage')).toMatchObject({
      status: 'skipped',
      message: 'no suite produced coverage data'
    })
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe('run-tests failed: suite unit: pytest exited with code 127 (command not found: pytest):.')
    expect(exec.commands().some((c) => /coverage (combine|xml|json)/.test(c))).toBe(false)
    expect(result.outputs).toMatchObject({ tests: '0', junit: '', coverage: '' })
  })

  test('a junit file pytest left unreadable is an error naming the file', async () => {
    const { result } = await run('passing', baseRules(pytestWrites('<testsuites><testsuite>', { exitCode: 1 }), [coverageWrites()]))
    const suite = result.checks.find((c) => c.tool === 'pytest unit')!
    expect(suite.status).toBe('error')
    expect(suite.message).toMatch(/^the junit file .*junit-unit\.xml could not be read: /)
  })

  test('no tests collected: a failed suite with a no-tests finding, or skipped with allow-empty', async () => {
    const empty = captured('pytest/empty-junit.xml')
    const failed = await run('empty', baseRules(pytestWrites(empty, { exitCode: 5 }), [coverageWrites()]))
    const suite = failed.result.checks.find((c) => c.tool === 'pytest unit')!
    expect(suite.status).toBe('failed')
    expect(suite.findings).toEqual([
      expect.objectContaining({
        rule: 'no-tests',
        package: undefined,
        message: 'no tests collected in tests/unit; set allow-empty: true if that is expected'
      })
    ])
    expect(failed.result.failureMessage).toContain('no tests collected in tests/unit')

    const allowed = await run('empty', baseRules(pytestWrites(empty, { exitCode: 5 }), [coverageWrites()]), { 'allow-empty': 'true' })
    expect(allowed.result.checks.find((c) => c.tool === 'pytest unit')).toMatchObject({
      status: 'skipped',
      findings: [],
      message: 'no tests collected in tests/unit'
    })
  })

  test('a timed-out suite says the limit and the input to raise', async () => {
    const { result } = await run(
      'passing',
      baseRules(
        pytestWrites(undefined, {
          exitCode: 143,
          timedOut: true,
          timeoutMs: 90_000,
          spawnError: 'timed out after 1m30s',
          stdout: 'tests/unit/test_calc.py ..'
        })
      ),
      { timeout: '90s' }
    )
    const suite = result.checks.find((c) => c.tool === 'pytest unit')!
    expect(suite.status).toBe('error')
    expect(suite.message).toBe(
      "pytest (suite unit) did not finish within 1m30s and was stopped with the processes it started; raise the 'timeout' input if it needs longer:\ntests/unit/test_calc.py .."
    )
  })

  test('a failing coverage combine is a coverage error with its output', async () => {
    const failing: ExecRule = {
      match: /coverage combine/,
      answer: { exitCode: 1, stderr: "Couldn't use data file: no such table: meta\n" }
    }
    const { result } = await run('passing', baseRules(pytestWrites(captured('pytest/passing-junit.xml'), {}), [failing]))
    expect(result.checks.find((c) => c.tool === 'coverage')).toMatchObject({
      status: 'error',
      message: "coverage combine failed (exit 1):\nCouldn't use data file: no such table: meta"
    })
    expect(result.passed).toBe(false)
  })

  test("a package selection runs only that package's suite, in its folder (its own pytest configuration)", async () => {
    const layout = { 'calc-a': 'passing', 'calc-b': 'failing' }
    const { result, exec, ws } = await run(layout, baseRules(pytestWrites(captured('pytest/passing-junit.xml'), {}), [coverageWrites()]), {
      packages: 'calc-a'
    })
    expect(result.packages).toEqual(['calc-a'])
    const runs = pytestCommands(exec)
    expect(runs).toHaveLength(1)
    expect(runs[0]!.cwd).toBe(path.join(ws, 'packages', 'calc-a'))
    expect(runs[0]!.argv[1]).toBe('tests')
    expect(result.checks.map((c) => [c.tool, c.package, c.status])).toEqual([
      ['pytest calc-a', 'calc-a', 'passed'],
      ['coverage', undefined, 'passed']
    ])
  })

  test('nothing to run: no suite is a failure with the fix, and starts no process', async () => {
    const exec = recordedExec([])
    const ws = tempDir('dk-rt-main-')
    fs.writeFileSync(path.join(ws, 'pyproject.toml'), '[project]\nname = "bare"\nversion = "1.0"\n')
    const { ctx, io } = testContext({
      inputs: { install: 'none' },
      env: { GITHUB_WORKSPACE: ws, RUNNER_TEMP: tempDir('dk-rt-temp-') },
      exec,
      workspace: discoverWorkspace(ws)
    })
    const result = await runTestsAction.run(ctx, runTestsAction.parseInputs(new InputReader(io), ctx.common, io))
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toMatch(/^run-tests: no test suite found: .*\. Set suites \(name=path pairs\), or allow-empty: true\.$/)
    expect(exec.calls).toEqual([])
  })
})

describe("run-tests keeps pytest's cache across workflow runs (a fake cache service)", () => {
  test('the second run finds the last failures the first one recorded, restored by the exact key; nothing is saved again', async () => {
    const cache = fakeCache()
    const before: boolean[] = []
    const pytest = (spec: CommandSpec): Answer => {
      // pytest's own files in its cache_dir, as the real one writes them.
      const cacheDir = spec.argv.find((a) => a.startsWith('cache_dir='))!.slice('cache_dir='.length)
      const lastfailed = path.join(cacheDir, 'v', 'cache', 'lastfailed')
      before.push(fs.existsSync(lastfailed))
      fs.mkdirSync(path.dirname(lastfailed), { recursive: true })
      fs.writeFileSync(lastfailed, '{"tests/unit/test_calc.py::test_add_is_broken": true}')
      return pytestWrites(captured('pytest/failing-junit.xml'), { exitCode: 1, stdout: '1 failed, 4 passed, 1 skipped in 0.31s\n' })(spec)
    }
    const first = await run('failing', baseRules(pytest, [coverageWrites()]), {}, cache)
    // The tools are on PATH: nothing is installed, so the uv cache is neither restored nor saved.
    expect(first.io.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^Caches restored: pytest \(miss\) in .*; uv when something is installed\.$/)
    )
    expect(first.io.logs.map((l) => l.message)).toContainEqual(expect.stringMatching(/^Caches saved: pytest; not saved: uv \(not needed\)/))
    expect(cache.keys()).toEqual([expect.stringMatching(new RegExp(`^dk-actions-pytest-${process.platform}-${process.arch}-`))])

    const second = await run('failing', baseRules(pytest, [coverageWrites()]), {}, cache)
    expect(before).toEqual([false, true])
    expect(second.io.logs.map((l) => l.message)).toContainEqual(expect.stringMatching(/^Caches restored: pytest \(exact\)/))
    expect(second.io.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^Caches saved: none; not saved: pytest \(exact hit\)/)
    )
    expect(cache.keys()).toHaveLength(1)
  })
})
