/**
 * run-tests' parsers, fed with output captured from the real tools (pytest 9.2.0,
 * pytest-cov 7.1.0, coverage 7.17.5, pytest-benchmark 5.3.1) under
 * __tests__/fixtures/captured/, and its small pure helpers.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseXml, XmlError } from '../../packages-shared/tools/xml.js'
import {
  exitMeaning,
  failedTests,
  findDefLine,
  locateTest,
  parseJunit,
  pytestArgv,
  tracebackEntries
} from '../../packages-shared/tools/pytest.js'
import { coverageByPackage, formatPercent, parseCobertura, parseCoverageJson, totalsOf } from '../../packages-shared/tools/coverage.js'
import { compareBenchmarks, parseBenchmarkJson, BenchmarkFileError } from '../../packages-shared/tools/pytest-benchmark.js'
import { splitShellWords, ShellWordsError } from '../../packages-shared/shell-words.js'
import { isBenchmarkSuite, planSuites } from '../../actions/run-tests/suites.js'
import { parseBaseline, parseSuites } from '../../actions/run-tests/inputs.js'
import { shouldSave } from '../../actions/run-tests/baseline.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const CAPTURED = path.join(HERE, '..', 'fixtures', 'captured')
const read = (rel: string): string => fs.readFileSync(path.join(CAPTURED, rel), 'utf8')

describe('xml reader', () => {
  test('elements, attributes, entities, CDATA and comments', () => {
    const doc = parseXml('<?xml version="1.0"?><!-- c --><a x="1 &lt; 2" y=\'q\'><b/>t&amp;u<![CDATA[<raw>]]></a>')
    expect(doc.name).toBe('a')
    expect(doc.attributes).toEqual({ x: '1 < 2', y: 'q' })
    expect(doc.children.map((c) => c.name)).toEqual(['b'])
    expect(doc.text).toBe('t&u<raw>')
  })
  test('malformed documents are refused', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlError)
    expect(() => parseXml('<a>')).toThrow(XmlError)
    expect(() => parseXml('')).toThrow(XmlError)
  })
})

describe('pytest junit (xunit2)', () => {
  test('failing fixture: counts as pytest printed them (1 failed, 4 passed, 1 skipped)', () => {
    const r = parseJunit(read('pytest/failing-junit.xml'))
    expect(r.counts).toEqual({ tests: 6, passed: 4, failed: 1, errors: 0, skipped: 1 })
    const bad = r.cases.find((c) => c.outcome === 'failed')!
    expect(bad).toMatchObject({ classname: 'tests.unit.test_calc', name: 'test_add_is_broken' })
    expect(bad.message).toBe('AssertionError: addition is broken\nassert 4 == 5\n +  where 4 = add(2, 2)')
    expect(bad.text).toContain('tests/unit/test_calc.py:7: AssertionError')
  })

  test('the failing test is located by classname and traceback, with its node id', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-junit-'))
    fs.mkdirSync(path.join(root, 'tests', 'unit'), { recursive: true })
    fs.writeFileSync(path.join(root, 'tests', 'unit', 'test_calc.py'), 'x')
    const [f] = failedTests(parseJunit(read('pytest/failing-junit.xml')), 'unit', { root })
    expect(f).toMatchObject({
      nodeId: 'tests/unit/test_calc.py::test_add_is_broken',
      file: 'tests/unit/test_calc.py',
      line: 7,
      outcome: 'failed',
      suite: 'unit'
    })
  })

  test('classes, parametrized tests, failures raised in library code and fixture errors', () => {
    const source = read('pytest/mixed_test_mixed.py.txt')
    const file = path.join('/repo', 'tests', 'unit', 'test_mixed.py')
    const opts = { root: '/repo', exists: (f: string) => f === file, read: (f: string) => (f === file ? source : undefined) }
    const r = parseJunit(read('pytest/mixed-junit.xml'))
    expect(r.counts).toEqual({ tests: 6, passed: 2, failed: 3, errors: 1, skipped: 0 })
    const located = failedTests(r, 'unit', opts).map((f) => [f.nodeId, f.line, f.outcome])
    expect(located).toEqual([
      ['tests/unit/test_mixed.py::TestThing::test_method_fails', 8, 'failed'],
      // The assertion fired in src/mix/__init__.py; the annotation stays on the test's own line.
      ['tests/unit/test_mixed.py::TestThing::test_param[-1]', 12, 'failed'],
      ['tests/unit/test_mixed.py::test_uses_broken', 17, 'error'],
      ['tests/unit/test_mixed.py::test_raises', 25, 'failed']
    ])
  })

  test('without a usable classname, the def line of the test in the suite is found', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-junit-'))
    fs.mkdirSync(path.join(root, 'suite'))
    fs.writeFileSync(path.join(root, 'suite', 'test_x.py'), 'import os\n\n\nasync def test_one():\n    pass\n')
    const loc = locateTest(
      { classname: 'test_x', name: 'test_one', time: 0, outcome: 'failed', text: 'boom' },
      { root, suiteDir: path.join(root, 'suite') }
    )
    expect(loc).toMatchObject({ file: 'suite/test_x.py' })
    expect(findDefLine('a\n  async def test_one(x):\n', 'test_one')).toBe(2)
  })

  test('a collection error is an error case at the module', () => {
    const r = parseJunit(read('pytest/collect-error-junit.xml'))
    expect(r.counts.errors).toBe(1)
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-junit-'))
    fs.mkdirSync(path.join(root, 'tests', 'broken'), { recursive: true })
    fs.writeFileSync(path.join(root, 'tests', 'broken', 'test_broken.py'), 'import nonexistent_mod\n')
    const [f] = failedTests(r, 'broken', { root })
    expect(f).toMatchObject({
      nodeId: 'tests/broken/test_broken.py',
      file: 'tests/broken/test_broken.py',
      line: 1,
      message: 'collection failure'
    })
  })

  test('no tests: an empty suite element', () => {
    expect(parseJunit(read('pytest/empty-junit.xml')).counts.tests).toBe(0)
  })

  test('exit codes keep their meaning', () => {
    expect([0, 1, 2, 3, 4, 5, 137].map(exitMeaning)).toEqual([
      'ok',
      'tests-failed',
      'interrupted',
      'internal-error',
      'usage-error',
      'no-tests',
      'crashed'
    ])
  })

  test('traceback entries and argv', () => {
    expect(tracebackEntries('x\ntests/a.py:3: \nsrc/b.py:9: AssertionError')).toEqual([
      { file: 'tests/a.py', line: 3 },
      { file: 'src/b.py', line: 9 }
    ])
    const argv = pytestArgv({
      executable: 'pytest',
      suitePath: 'tests/unit',
      junitFile: '/o/j.xml',
      cacheDir: '/o/c',
      coverage: { roots: ['a', 'b'], xmlFile: '/o/c.xml' },
      markers: 'not slow',
      parallel: true,
      benchmark: 'disable',
      extraArgs: ['-k', 'x y']
    })
    expect(argv).toEqual([
      'pytest',
      'tests/unit',
      '-o',
      'junit_family=xunit2',
      '--junitxml=/o/j.xml',
      '-o',
      'cache_dir=/o/c',
      '--cov=a',
      '--cov=b',
      '--cov-branch',
      '--cov-report=xml:/o/c.xml',
      '-m',
      'not slow',
      '-n',
      'auto',
      '--benchmark-disable',
      '--cov-fail-under=0',
      '-k',
      'x y'
    ])
  })
})

const pkg = (id: string, dir: string, modules: string[], importDir = path.join(dir, 'src')): PythonPackage => ({
  name: id,
  id,
  dir,
  relDir: path.relative('/repo', dir) || '.',
  backend: 'hatchling',
  requires: [],
  internalDeps: [],
  internalDevDeps: [],
  importDir,
  modules,
  pyproject: {}
})

describe('coverage', () => {
  test("Cobertura from pytest-cov: the total is coverage.py's (lines + branches), 59.5% for the fixture", () => {
    const data = parseCobertura(read('coverage/failing-cobertura.xml'), '/tmp/rt-cap/failing')
    expect(data.files).toEqual([{ file: 'src/calc/__init__.py', statements: 23, coveredStatements: 15, branches: 14, coveredBranches: 7 }])
    expect(formatPercent(data.totals.percent)).toBe('59.5')
  })

  test('coverage json gives the same figure, grouped by package', () => {
    const data = parseCoverageJson(read('coverage/passing-coverage.json'), '/repo')
    expect(data.totals.percent).toBeCloseTo(59.459, 2)
    const by = coverageByPackage(data, '/repo', [pkg('calc', '/repo', ['calc'])])
    expect(by).toEqual([
      expect.objectContaining({ package: 'calc', files: 1, statements: 23, coveredStatements: 15, branches: 14, coveredBranches: 7 })
    ])
  })

  test('files map to packages by import dir, installed copies by module, the rest to other', () => {
    const a = pkg('a', '/repo/packages/a', ['pkg_a'])
    const b = pkg('b', '/repo/packages/b', ['pkg_b'])
    const f = (file: string) => ({ file, statements: 10, coveredStatements: 5, branches: 0, coveredBranches: 0 })
    const by = coverageByPackage(
      {
        files: [f('packages/a/src/pkg_a/x.py'), f('/venv/lib/python3.12/site-packages/pkg_b/y.py'), f('tools/z.py')],
        totals: totalsOf([])
      },
      '/repo',
      [a, b]
    )
    expect(by.map((p) => [p.package, p.files])).toEqual([
      ['a', 1],
      ['b', 1],
      ['other', 1]
    ])
    expect(totalsOf([]).percent).toBe(100)
  })
})

describe('pytest-benchmark', () => {
  const stats = parseBenchmarkJson(read('pytest-benchmark/bench.json'))
  test("reads each benchmark's median", () => {
    expect(stats.map((s) => s.fullname)).toEqual([
      'tests/performance/test_perf.py::test_workload',
      'tests/performance/test_perf.py::test_workload_fixed_size'
    ])
    for (const s of stats) expect(s.median).toBeGreaterThan(0)
  })
  test('regressions beyond the threshold, within it, improvements, new and missing', () => {
    const base = [
      { ...stats[0]!, median: 1 },
      { ...stats[1]!, median: 1 },
      { ...stats[1]!, fullname: 'gone', median: 1 }
    ]
    const now = [
      { ...stats[0]!, median: 1.2 },
      { ...stats[1]!, median: 1.05 },
      { ...stats[1]!, fullname: 'fresh', median: 2 }
    ]
    const c = compareBenchmarks(base, now, 10)
    expect(c.map((x) => [x.fullname.split('::').pop(), x.status])).toEqual([
      ['test_workload', 'regressed'],
      ['test_workload_fixed_size', 'ok'],
      ['fresh', 'new'],
      ['gone', 'missing']
    ])
    expect(c[0]).toMatchObject({ old: 1, new: 1.2 })
    expect(c[0]!.changePercent).toBeCloseTo(20)
    expect(compareBenchmarks(base, [{ ...stats[0]!, median: 0.5 }], 10)[0]!.status).toBe('improved')
  })
  test('a file that is not benchmark JSON is refused', () => {
    expect(() => parseBenchmarkJson('{}')).toThrow(BenchmarkFileError)
    expect(() => parseBenchmarkJson('nope')).toThrow(BenchmarkFileError)
  })
})

describe('shell words', () => {
  test('quotes and escapes as a POSIX shell splits them, nothing interpreted', () => {
    expect(splitShellWords(`-k "not slow and not flaky" --maxfail=2 -o 'addopts=' a\\ b "x\\"y" $HOME ;rm`)).toEqual([
      '-k',
      'not slow and not flaky',
      '--maxfail=2',
      '-o',
      'addopts=',
      'a b',
      'x"y',
      '$HOME',
      ';rm'
    ])
    expect(splitShellWords('  ')).toEqual([])
    expect(splitShellWords("''")).toEqual([''])
    expect(splitShellWords('a\\\nb')).toEqual(['ab'])
  })
  test('unterminated quotes are errors', () => {
    expect(() => splitShellWords('-k "oops')).toThrow(ShellWordsError)
    expect(() => splitShellWords("-k 'oops")).toThrow(ShellWordsError)
    expect(() => splitShellWords('x\\')).toThrow(ShellWordsError)
  })
})

describe('suites and inputs', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-suites-'))
  for (const d of ['tests/unit', 'tests/performance', 'packages/a/tests']) fs.mkdirSync(path.join(root, d), { recursive: true })
  const a = { ...pkg('a', path.join(root, 'packages/a'), ['pkg_a']), relDir: 'packages/a', testsDir: path.join(root, 'packages/a/tests') }

  test('default suites: those that exist, plus package tests named after the package', () => {
    expect(planSuites(root, [], [a], true).map((s) => [s.name, s.relPath, s.package, s.benchmark])).toEqual([
      ['unit', 'tests/unit', undefined, false],
      ['performance', 'tests/performance', undefined, true],
      ['a', 'packages/a/tests', 'a', false]
    ])
    expect(planSuites(root, [], [a], false).map((s) => s.name)).toEqual(['a'])
    expect(isBenchmarkSuite('bench', 'x/y')).toBe(true)
  })

  test('a package with its own pytest configuration runs its suite in its folder; the others from the root', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-suites-cwd-'))
    for (const d of ['libs/cli/tests/unit_tests', 'libs/core/tests']) fs.mkdirSync(path.join(dir, d), { recursive: true })
    const cli = {
      ...pkg('cli', path.join(dir, 'libs/cli'), ['cli']),
      relDir: 'libs/cli',
      testsDir: path.join(dir, 'libs/cli/tests'),
      pyproject: { tool: { pytest: { ini_options: { addopts: '-vv' } } } }
    }
    const core = { ...pkg('core', path.join(dir, 'libs/core'), ['core']), relDir: 'libs/core', testsDir: path.join(dir, 'libs/core/tests') }
    expect(planSuites(dir, [], [cli, core], true).map((s) => [s.name, s.cwd && path.relative(dir, s.cwd)])).toEqual([
      ['cli', 'libs/cli'],
      ['core', undefined]
    ])
    // A suite given by path runs where the innermost package holding it would.
    const explicit = planSuites(dir, [{ name: 'unit', path: path.join(dir, 'libs/cli/tests/unit_tests') }], [cli, core], true)
    expect(explicit.map((s) => [s.relPath, s.cwd && path.relative(dir, s.cwd)])).toEqual([['libs/cli/tests/unit_tests', 'libs/cli']])
    fs.writeFileSync(path.join(dir, 'libs/core/setup.cfg'), '[metadata]\nname = core\n\n[tool:pytest]\naddopts = -q\n')
    expect(planSuites(dir, [], [core], true)[0]!.cwd).toBe(path.join(dir, 'libs/core'))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  test('suites input: name=path pairs inside the workspace', () => {
    expect(parseSuites('unit=tests/unit\nperf = tests/performance', root, root).map((s) => s.name)).toEqual(['unit', 'perf'])
    expect(() => parseSuites('x=tests/nope', root, root)).toThrow(/Input 'suites'.*does not exist/)
    expect(() => parseSuites('x=../..', root, root)).toThrow(/Input 'suites'.*inside the workspace/)
    expect(() => parseSuites('u=tests/unit,u=tests/unit', root, root)).toThrow(/used twice/)
    expect(() => parseSuites('bad name=tests/unit', root, root)).toThrow(/name=path/)
  })

  test('baseline: a workspace file or cache:<key>', () => {
    expect(parseBaseline('cache:bench-linux', root, root)).toEqual({ kind: 'cache', key: 'bench-linux' })
    expect(parseBaseline('b.json', root, root)).toEqual({ kind: 'file', path: path.join(root, 'b.json') })
    expect(() => parseBaseline('/etc/passwd', root, root)).toThrow(/benchmark-baseline/)
    expect(parseBaseline('', root, root)).toEqual({ kind: 'none' })
  })

  test('the baseline is replaced on the default branch only (auto)', () => {
    const event = path.join(root, 'event.json')
    fs.writeFileSync(event, JSON.stringify({ repository: { default_branch: 'trunk' } }))
    expect(shouldSave('auto', { GITHUB_EVENT_PATH: event, GITHUB_REF: 'refs/heads/trunk', GITHUB_EVENT_NAME: 'push' }).save).toBe(true)
    expect(shouldSave('auto', { GITHUB_EVENT_PATH: event, GITHUB_REF: 'refs/heads/feature', GITHUB_EVENT_NAME: 'push' }).save).toBe(false)
    expect(shouldSave('auto', {}).save).toBe(false)
    expect(shouldSave('true', {}).save).toBe(true)
    expect(shouldSave('false', { GITHUB_EVENT_PATH: event, GITHUB_REF: 'refs/heads/trunk' }).save).toBe(false)
  })
})
