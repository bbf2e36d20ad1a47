/**
 * run-tests' bundle on the test-runner fixtures (__tests__/fixtures/tests, README inside)
 * and on the example monorepo, with the real pytest, pytest-cov, coverage and
 * pytest-benchmark the action installs itself. Figures are checked against pytest's and
 * coverage's own output, run here from the same venv.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, nodeBinaries, runBundle, type ActionRun } from './harness.js'

interface TestsData {
  totals: { tests: number; passed: number; failed: number; errors: number; skipped: number }
  suites: { name: string; status: string; counts: { tests: number } }[]
  failures: { nodeId: string; file?: string; line?: number; message: string }[]
  slowest: { nodeId: string }[]
}
interface CoverageReport {
  percent: number
  dataFile: string
  packages: { package: string; percent: number }[]
}

const tests = (run: ActionRun): TestsData => run.report!.tests as TestsData
const coverage = (run: ActionRun): CoverageReport => run.report!.coverage as CoverageReport
/** The venv's bin dir, from the pytest command the action ran. */
const venvBin = (run: ActionRun): string =>
  path.dirname(run.report!.checks.find((c) => c.tool.startsWith('pytest '))!.command!.split(' ')[0]!)
// Reports stay inside each copied workspace, so runs never share output files.
const base = { install: 'isolated', 'report-dir': '.dk-reports' }

// Set per test: a project-level testTimeout in jest.config.js does not reach these tests.
const TIMEOUT = 10 * 60_000

const [first, ...others] = nodeBinaries()

describe(`run-tests bundle on ${first!.label}`, () => {
  const node = first!.path

  test(
    'a failing test is reported with its node id, file, line and message, and the step fails',
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/failing')
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      expect(tests(run).failures).toEqual([
        expect.objectContaining({ nodeId: 'tests/unit/test_calc.py::test_add_is_broken', file: 'tests/unit/test_calc.py', line: 7 })
      ])
      expect(tests(run).failures[0]!.message).toContain('AssertionError: addition is broken')
      expect(tests(run).totals).toEqual({ tests: 6, passed: 4, failed: 1, errors: 0, skipped: 1 })
      expect(run.outputs.failures).toBe('1')
      const ann = run.annotations.find((a) => a.severity === 'error' && a.props.file)
      expect(ann?.props).toMatchObject({ file: 'tests/unit/test_calc.py', line: '7' })
      expect(ann?.message).toContain('tests/unit/test_calc.py::test_add_is_broken: AssertionError: addition is broken')
      expect(run.stdout).toContain('::error::run-tests failed: 1 test(s) failed: tests/unit/test_calc.py::test_add_is_broken')
      expect(run.summary).toContain('### Failures (1)')
      expect(run.summary).toContain('slowest test(s)')
    },
    TIMEOUT
  )

  test(
    "a passing project: counts match pytest's own, coverage matches coverage report, files and outputs are there",
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/passing')
      const run = await runBundle(
        'run-tests',
        { ...base, 'coverage-min': '50%', 'pytest-args': '-o "console_output_style=classic"' },
        { workspace: ws, node }
      )
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      const bin = venvBin(run)

      // pytest's own count, from the same venv in a fresh copy.
      const fresh = copyFixture('__tests__/fixtures/tests/passing')
      const own = spawnSync(path.join(bin, 'pytest'), ['-p', 'no:cacheprovider'], { cwd: fresh, encoding: 'utf8' })
      const summary = /=+ (.*) in [\d.]+s/.exec(own.stdout)![1]!
      const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0)
      expect(summary).toBe('5 passed, 1 skipped')
      expect(tests(run).totals).toMatchObject({ passed: count('passed'), skipped: count('skipped'), failed: count('failed'), tests: 6 })
      expect(run.outputs.tests).toBe('6')

      // coverage report's total over the combined data, to 0.1 percentage point.
      const reported = Number(
        execFileSync(path.join(bin, 'coverage'), ['report', `--data-file=${coverage(run).dataFile}`, '--format=total', '--precision=3'], {
          cwd: ws,
          encoding: 'utf8'
        }).trim()
      )
      expect(Math.abs(coverage(run).percent - reported)).toBeLessThanOrEqual(0.1)
      expect(Math.abs(Number(run.outputs.coverage) - reported)).toBeLessThanOrEqual(0.1)
      expect(coverage(run).packages).toEqual([expect.objectContaining({ package: 'calc' })])
      expect(run.summary).toContain('Coverage by package')

      expect(fs.existsSync(run.outputs['coverage-xml']!)).toBe(true)
      expect(fs.readFileSync(run.outputs['coverage-xml']!, 'utf8')).toContain('branch-rate')
      expect(run.outputs.junit!.split('\n').map((f) => path.basename(f))).toEqual(['junit-unit.xml'])
      expect(fs.readFileSync(run.outputs.junit!, 'utf8')).toContain('<testsuites')
    },
    TIMEOUT
  )

  test(
    'coverage below coverage-min fails with both figures',
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/passing')
      const run = await runBundle('run-tests', { ...base, 'coverage-min': '90' }, { workspace: ws, node })
      expect(run.exitCode).toBe(1)
      expect(run.report!.checks.find((c) => c.tool === 'coverage')!.status).toBe('failed')
      expect(run.report!.checks.find((c) => c.tool === 'coverage')!.findings[0]!.message).toBe('Coverage 59.5% is below coverage-min 90%')
      expect(run.summary).toContain('coverage-min 90%: **not met**')
    },
    TIMEOUT
  )

  test(
    'an empty test directory fails with a clear message, unless allow-empty is set',
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/empty')
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain('no tests collected in tests/unit')
      expect(run.report!.checks[0]!.status).toBe('failed')

      const allowed = await runBundle('run-tests', { ...base, 'allow-empty': 'true' }, { workspace: ws, node })
      expect(allowed.exitCode).toBe(0)
      expect(allowed.report!.checks[0]!.status).toBe('skipped')
    },
    TIMEOUT
  )

  test(
    "a usage error (exit 4) is an error with pytest's output tail",
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/empty')
      const run = await runBundle('run-tests', { ...base, 'pytest-args': '--no-such-option' }, { workspace: ws, node })
      expect(run.exitCode).toBe(1)
      const check = run.report!.checks[0]!
      expect(check.status).toBe('error')
      expect(check.message).toContain('exit 4')
      expect(check.message).toContain('--no-such-option')
    },
    TIMEOUT
  )

  test(
    'benchmarks: slower than the baseline beyond the threshold fails with both figures; within it passes',
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/bench')
      // The threshold is wide so scheduling noise on a busy machine cannot decide the outcome;
      // DK_BENCH_SLOWDOWN=10 makes test_workload about ten times slower; the tests get it through
      // pass-env only (a step's variables do not reach them otherwise).
      const inputs = { ...base, benchmark: 'true', 'benchmark-baseline': 'perf/baseline.json', 'benchmark-max-regression': '300%' }
      const saved = await runBundle('run-tests', { ...inputs, 'benchmark-save': 'true' }, { workspace: ws, node })
      expect(saved.exitCode).toBe(0)
      const baseline = JSON.parse(fs.readFileSync(path.join(ws, 'perf', 'baseline.json'), 'utf8')) as {
        benchmarks: { fullname: string; stats: { median: number } }[]
      }
      expect(baseline.benchmarks.map((b) => b.fullname)).toContain('tests/performance/test_perf.py::test_workload')

      const slow = await runBundle(
        'run-tests',
        { ...inputs, 'benchmark-save': 'false', 'pass-env': 'DK_BENCH_*' },
        { workspace: ws, node, env: { DK_BENCH_SLOWDOWN: '10' } }
      )
      expect(slow.exitCode).toBe(1)
      const finding = slow
        .report!.checks.find((c) => c.tool === 'pytest-benchmark')!
        .findings.find((f) => f.message.includes('::test_workload '))!
      expect(finding.message).toMatch(
        /test_workload is [\d.]+% slower than the baseline \(median [\d.]+ [µnm]?s → [\d.]+ [µnm]?s; allowed 300%\)/
      )
      expect(finding).toMatchObject({ file: 'tests/performance/test_perf.py', line: 12 })
      expect(slow.summary).toContain('❌ regressed')
      // The failed run did not replace the baseline.
      expect(fs.readFileSync(path.join(ws, 'perf', 'baseline.json'), 'utf8')).toBe(JSON.stringify(baseline, null, 2) + '\n')

      const same = await runBundle('run-tests', { ...inputs, 'benchmark-save': 'false' }, { workspace: ws, node })
      expect(same.exitCode).toBe(0)
      expect(same.report!.checks.find((c) => c.tool === 'pytest-benchmark')!.status).toBe('passed')
    },
    TIMEOUT
  )

  test(
    'the example monorepo passes: root and package suites, coverage per package',
    async () => {
      const ws = copyFixture('examples/monorepo')
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.exitCode).toBe(0)
      expect(tests(run).suites.map((s) => s.name)).toEqual([
        'unit',
        'integration',
        'performance',
        'dataknobs-common',
        'dataknobs-structures',
        'dataknobs-utils',
        'dataknobs-xization'
      ])
      for (const s of tests(run).suites) expect(s.counts.tests).toBeGreaterThan(0)
      expect(tests(run).totals.failed).toBe(0)
      expect(tests(run).slowest).toHaveLength(10)
      expect(coverage(run).packages.map((p) => p.package)).toEqual([
        'dataknobs-common',
        'dataknobs-structures',
        'dataknobs-utils',
        'dataknobs-xization'
      ])
    },
    TIMEOUT
  )
})

// The other Node versions (Node 24 when present) run the bundle once each.
for (const node of others)
  describe(`run-tests bundle on ${node.label}`, () => {
    test(
      "reports the failing fixture's test at its line and fails",
      async () => {
        const ws = copyFixture('__tests__/fixtures/tests/failing')
        const run = await runBundle('run-tests', base, { workspace: ws, node: node.path })
        expect(run.exitCode).toBe(1)
        expect(tests(run).failures[0]).toMatchObject({ nodeId: 'tests/unit/test_calc.py::test_add_is_broken', line: 7 })
      },
      TIMEOUT
    )
  })
