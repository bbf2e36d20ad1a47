/**
 * pytest: the command line for one suite, the meaning of its exit codes, and its junit XML
 * (xunit2) read into test cases, counts and findings placed at the failing test's line.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Finding } from '../findings.js'
import { dirEntries, toPosix } from '../paths.js'
import type { ToolRequirement } from '../python/toolbox.js'
import type { ToolConfig } from './config-files.js'
import { child, descendants, parseXml } from './xml.js'

/** Where pytest reads its configuration (the run-tests cache key hashes it). */
export const PYTEST_CONFIG: ToolConfig = { table: ['tool', 'pytest'], files: ['pytest.ini', '.pytest.ini', 'tox.ini', 'setup.cfg'] }
export const PYTEST: ToolRequirement = { requirement: 'pytest', version: '9.2.0', executable: 'pytest' }
export const PYTEST_COV: ToolRequirement = { requirement: 'pytest-cov', version: '7.1.0', executable: 'pytest' }
export const COVERAGE: ToolRequirement = { requirement: 'coverage', version: '7.17.5', executable: 'coverage' }
export const PYTEST_XDIST: ToolRequirement = { requirement: 'pytest-xdist', version: '3.8.0', executable: 'pytest' }

export type Outcome = 'passed' | 'failed' | 'error' | 'skipped'

export interface TestCase {
  classname: string
  name: string
  /** Seconds. */
  time: number
  outcome: Outcome
  /** The failure's or skip's message attribute. */
  message?: string
  /** The traceback (failure/error body). */
  text?: string
}

export interface TestCounts {
  tests: number
  passed: number
  failed: number
  errors: number
  skipped: number
}

export interface JunitResult {
  cases: TestCase[]
  counts: TestCounts
  /** Wall time pytest reports for the session, seconds. */
  time: number
}

export function emptyCounts(): TestCounts {
  return { tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0 }
}

export function addCounts(a: TestCounts, b: TestCounts): TestCounts {
  return {
    tests: a.tests + b.tests,
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    errors: a.errors + b.errors,
    skipped: a.skipped + b.skipped
  }
}

export function parseJunit(xml: string): JunitResult {
  const root = parseXml(xml)
  const cases: TestCase[] = []
  let time = 0
  const suites = root.name === 'testsuite' ? [root] : descendants(root, 'testsuite')
  for (const suite of suites) {
    time += Number(suite.attributes.time ?? 0) || 0
    for (const tc of suite.children.filter((c) => c.name === 'testcase')) {
      const failure = child(tc, 'failure')
      const error = child(tc, 'error')
      const skipped = child(tc, 'skipped')
      // A test that failed and then errored in teardown carries both; the failure tells more.
      const bad = failure ?? error
      const outcome: Outcome = failure ? 'failed' : error ? 'error' : skipped ? 'skipped' : 'passed'
      const detail = bad ?? skipped
      cases.push({
        classname: tc.attributes.classname ?? '',
        name: tc.attributes.name ?? '',
        time: Number(tc.attributes.time ?? 0) || 0,
        outcome,
        message: detail?.attributes.message,
        text: bad ? bad.text : undefined
      })
    }
  }
  const counts = emptyCounts()
  for (const c of cases) {
    counts.tests++
    if (c.outcome === 'passed') counts.passed++
    else if (c.outcome === 'failed') counts.failed++
    else if (c.outcome === 'error') counts.errors++
    else counts.skipped++
  }
  return { cases, counts, time }
}

/** pytest's exit codes (`_pytest.config.ExitCode`). */
export type ExitMeaning = 'ok' | 'tests-failed' | 'interrupted' | 'internal-error' | 'usage-error' | 'no-tests' | 'crashed'

export function exitMeaning(code: number): ExitMeaning {
  switch (code) {
    case 0:
      return 'ok'
    case 1:
      return 'tests-failed'
    case 2:
      return 'interrupted'
    case 3:
      return 'internal-error'
    case 4:
      return 'usage-error'
    case 5:
      return 'no-tests'
    default:
      return 'crashed'
  }
}

/**
 * What a pytest exit that is neither a pass nor a plain result means, for the suite's
 * message. `crashed` (any other code, or no process at all) says the timeout when there was one.
 */
export function exitText(meaning: ExitMeaning, exitCode: number, why: { timeout?: string; spawnError?: string } = {}): string {
  switch (meaning) {
    case 'interrupted':
      return 'pytest was interrupted (exit 2: a collection error or KeyboardInterrupt)'
    case 'internal-error':
      return 'pytest hit an internal error (exit 3)'
    case 'usage-error':
      return 'pytest was called wrongly (exit 4: check pytest-args and markers)'
    case 'tests-failed':
      return 'pytest reported failures but wrote no junit file (exit 1)'
    case 'crashed':
      return why.timeout ?? `pytest exited with code ${exitCode}${why.spawnError ? ` (${why.spawnError})` : ''}`
    default:
      return `pytest exited with code ${exitCode}`
  }
}

/**
 * What one pytest run says, from its exit and its junit file: passed, failed (failures in
 * the junit), no tests collected, or an error with its reason (`output` is the run's tail).
 */
export type PytestVerdict = { kind: 'passed' } | { kind: 'failed' } | { kind: 'no-tests' } | { kind: 'error'; message: string }

export function pytestVerdict(
  r: { exitCode: number; timedOut: boolean; spawnError?: string },
  junit: JunitFile,
  why: { timeout?: string; output: string }
): PytestVerdict {
  if (junit.error) return { kind: 'error', message: junit.error }
  const meaning = r.timedOut ? 'crashed' : exitMeaning(r.exitCode)
  if (meaning === 'ok') return { kind: 'passed' }
  if (meaning === 'tests-failed' && junit.junit) return { kind: 'failed' }
  if (meaning === 'no-tests') return { kind: 'no-tests' }
  return { kind: 'error', message: `${exitText(meaning, r.exitCode, { timeout: why.timeout, spawnError: r.spawnError })}:\n${why.output}` }
}

export interface PytestArgs {
  /** The pytest executable. */
  executable: string
  /** Suite path relative to the repository root (pytest runs there, so its config applies). */
  suitePath: string
  junitFile: string
  cacheDir: string
  coverage?: { roots: string[]; xmlFile: string }
  markers?: string
  parallel: boolean
  benchmark: 'run' | 'disable' | 'absent'
  benchmarkJson?: string
  extraArgs: string[]
}

export function pytestArgv(a: PytestArgs): string[] {
  const argv = [a.executable, a.suitePath, '-o', 'junit_family=xunit2', `--junitxml=${a.junitFile}`, '-o', `cache_dir=${a.cacheDir}`]
  if (a.coverage) {
    // An empty --cov-report keeps the terminal table out of the log; the XML is what we read.
    argv.push(...a.coverage.roots.map((r) => `--cov=${r}`), '--cov-branch', `--cov-report=xml:${a.coverage.xmlFile}`)
  }
  if (a.markers) argv.push('-m', a.markers)
  if (a.parallel) argv.push('-n', 'auto')
  if (a.benchmark === 'run' && a.benchmarkJson) argv.push(`--benchmark-json=${a.benchmarkJson}`)
  if (a.benchmark === 'disable') argv.push('--benchmark-disable')
  // The project's own fail_under must not turn a measured run into a failure: the gate is coverage-min.
  if (a.coverage) argv.push('--cov-fail-under=0')
  argv.push(...a.extraArgs)
  return argv
}

/** A suite's junit file read back: absent (pytest wrote none), parsed, or unreadable (error says why). */
export interface JunitFile {
  xml?: string
  junit?: JunitResult
  error?: string
}

export function readJunitFile(file: string): JunitFile {
  const xml = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
  if (!xml) return { xml }
  try {
    return { xml, junit: parseJunit(xml) }
  } catch (error) {
    return { xml, error: `the junit file ${file} could not be read: ${error instanceof Error ? error.message : String(error)}` }
  }
}

export interface TestLocation {
  /** Repository-relative posix path. */
  file?: string
  line?: number
  nodeId: string
}

const TRACE_LINE = /^(.+?\.py):(\d+):/gm

/** `path:line:` entries of a pytest traceback, in order. */
export function tracebackEntries(text: string): { file: string; line: number }[] {
  return [...text.matchAll(TRACE_LINE)].map((m) => ({ file: m[1]!.trim(), line: Number(m[2]) }))
}

/** The line of `def <name>` (or `async def`) in a source text, 1-based. */
export function findDefLine(source: string, func: string): number | undefined {
  const re = new RegExp(`^\\s*(?:async\\s+)?def\\s+${func.replace(/[^\w]/g, '')}\\s*\\(`)
  const lines = source.split(/\r?\n/)
  const i = lines.findIndex((l) => re.test(l))
  return i >= 0 ? i + 1 : undefined
}

export interface LocateOptions {
  /** Repository root (pytest's working directory). */
  root: string
  /** The suite's directory, searched for `def <name>` when nothing else finds the test. */
  suiteDir?: string
  exists?: (file: string) => boolean
  read?: (file: string) => string | undefined
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function testFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    const entries = dirEntries(d)
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== '__pycache__' && e.name !== 'node_modules') walk(path.join(d, e.name))
      else if (e.isFile() && e.name.endsWith('.py')) out.push(path.join(d, e.name))
    }
  }
  walk(dir)
  return out.sort()
}

/**
 * Where a test lives: its file from the junit classname (dotted module path plus classes),
 * its line from the traceback entry in that file (the line that failed), else its `def`.
 */
export function locateTest(tc: TestCase, options: LocateOptions): TestLocation {
  const exists = options.exists ?? ((f: string) => fs.existsSync(f))
  const read = options.read ?? readText
  const funcName = tc.name.replace(/\[.*$/s, '')
  const rel = (f: string): string => toPosix(path.relative(options.root, path.resolve(options.root, f)))

  let file: string | undefined
  let classes: string[] = []
  // A collection error has no classname; its name is the module's dotted path.
  const dotted = tc.classname || tc.name
  const parts = dotted.split('.').filter(Boolean)
  for (let k = parts.length; k >= 1; k--) {
    const candidate = `${parts.slice(0, k).join('/')}.py`
    if (exists(path.join(options.root, candidate))) {
      file = candidate
      classes = tc.classname ? parts.slice(k) : []
      break
    }
  }
  const entries = tracebackEntries(tc.text ?? '')
  if (!file && entries.length) {
    // importlib mode may shorten classnames; a traceback entry defining the test names the file.
    const defining = entries.find((e) => {
      const src = read(path.resolve(options.root, e.file))
      return src !== undefined && findDefLine(src, funcName) !== undefined
    })
    if (defining) file = rel(defining.file)
  }
  if (!file && options.suiteDir) {
    for (const f of testFiles(options.suiteDir)) {
      const src = read(f)
      if (src && findDefLine(src, funcName)) {
        file = rel(f)
        break
      }
    }
  }
  let line: number | undefined
  if (file) {
    const inFile = entries.filter((e) => rel(e.file) === file)
    line = inFile[inFile.length - 1]?.line
    if (line === undefined && tc.classname) {
      const src = read(path.join(options.root, file))
      if (src) line = findDefLine(src, funcName)
    }
  }
  const isCollection = !tc.classname
  const nodeId = file ? (isCollection ? file : [file, ...classes, tc.name].join('::')) : [tc.classname, tc.name].filter(Boolean).join('::')
  return { file, line, nodeId }
}

/** The first line of a failure message that says something (pytest puts the assertion there). */
export function headline(message: string | undefined, fallback: string): string {
  const first = (message ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean)
  return first ?? fallback
}

export interface FailedTest extends TestLocation {
  outcome: 'failed' | 'error'
  message: string
  traceback?: string
  suite: string
}

export function failedTests(result: JunitResult, suite: string, options: LocateOptions): FailedTest[] {
  return result.cases
    .filter((c): c is TestCase & { outcome: 'failed' | 'error' } => c.outcome === 'failed' || c.outcome === 'error')
    .map((c) => {
      const loc = locateTest(c, options)
      const message = (c.message ?? '').trim() || (c.outcome === 'error' ? 'error' : 'failed')
      return { ...loc, outcome: c.outcome, message, traceback: c.text, suite }
    })
}

export function failureFindings(failures: readonly FailedTest[]): Finding[] {
  return failures.map((f) => ({
    tool: 'pytest',
    file: f.file,
    line: f.line,
    rule: f.outcome === 'error' ? 'error' : 'failed',
    severity: 'error',
    message: `${f.nodeId}: ${f.message}`,
    detail: f.traceback
  }))
}
