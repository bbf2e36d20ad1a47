/**
 * run-tests' outcomes as checks: one per suite, the coverage gate and the benchmark
 * comparison; then the action's result (outputs, the report's data, what failed and why).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionResult } from '../../packages-shared/action.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { versionSource } from '../../packages-shared/tool-pins.js'
import { environmentsData } from '../../packages-shared/python/project-env/provision.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { formatPercent, parseCobertura } from '../../packages-shared/tools/coverage.js'
import { addCounts, emptyCounts, findDefLine, locateTest, type Outcome } from '../../packages-shared/tools/pytest.js'
import {
  compareBenchmarks,
  formatSeconds as fmt,
  parseBenchmarkJson,
  PYTEST_BENCHMARK,
  type BenchmarkComparison
} from '../../packages-shared/tools/pytest-benchmark.js'
import { attributePackages } from '../../packages-shared/tools/tool.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import type { TestsInputs } from './inputs.js'
import type { BenchmarkRun, CombinedCoverage, Runtimes, SuiteOutcome } from './runs.js'

export interface SlowTest {
  suite: string
  nodeId: string
  seconds: number
  outcome: Outcome
}

export function slowest(outcomes: readonly SuiteOutcome[], root: string, n = 10): SlowTest[] {
  const all = outcomes.flatMap((o) => (o.junit?.cases ?? []).map((c) => ({ o, c })))
  return all
    .filter(({ c }) => c.classname)
    .sort((a, b) => b.c.time - a.c.time)
    .slice(0, n)
    .map(({ o, c }) => ({ suite: o.suite.name, nodeId: locateTest(c, { root }).nodeId, seconds: c.time, outcome: c.outcome }))
}

/** The result when no suite is planned: a pass when nothing changed or allow-empty is set. */
export function nothingRan(packages: string[], why: string, ok: boolean): ActionResult {
  return {
    passed: ok,
    packages,
    checks: [{ tool: 'pytest', status: ok ? 'skipped' : 'failed', durationMs: 0, findings: [], message: why }],
    sections: [`Nothing ran: ${why}.`],
    outputs: { tests: '0', failures: '0', coverage: '', junit: '', 'coverage-xml': '' },
    failureMessage: ok ? undefined : `run-tests: ${why}. Set suites (name=path pairs), or allow-empty: true.`
  }
}

export function suiteChecks(outcomes: readonly SuiteOutcome[], runtimes: Runtimes, ws: Workspace): CheckResult[] {
  return outcomes.map((o) => ({
    tool: `pytest ${o.suite.name}`,
    toolVersion: runtimes.of.get(o.suite)!.pytestVersion,
    toolVersionSource: runtimes.of.get(o.suite)!.pytestSource,
    package: o.suite.package,
    status: o.status,
    durationMs: o.durationMs,
    findings: attributePackages(o.findings, ws.packages),
    message: o.message,
    command: o.command
  }))
}

/** Coverage combined across suites, gated by coverage-min. */
export function coverageCheck(
  res: { combined?: CombinedCoverage; error?: string },
  outcomes: readonly SuiteOutcome[],
  runtimes: Runtimes,
  requirements: readonly ToolRequirement[],
  inputs: TestsInputs,
  started: number,
  debug: (message: string) => void,
  root: string
): CheckResult {
  const { combined } = res
  const coverageReq = requirements.find((r) => r.requirement === 'coverage')
  const coverageOrigin = runtimes.envs[0]?.tools.get('coverage')
  const check: CheckResult = {
    tool: 'coverage',
    toolVersion: coverageOrigin?.version ?? coverageReq?.version,
    toolVersionSource: coverageOrigin?.source ?? versionSource(runtimes.box.mode, coverageReq),
    status: 'passed',
    durationMs: 0,
    findings: []
  }
  if (res.error) {
    check.status = 'error'
    check.message = res.error
  } else if (!combined) {
    check.status = 'skipped'
    check.message = 'no suite produced coverage data'
    // Fall back to a suite's Cobertura file if one exists (e.g. a custom pytest-args setup).
    const xml = outcomes.find((o) => o.coverageXml)?.coverageXml
    if (xml)
      debug(`coverage: only Cobertura data at ${xml}: ${formatPercent(parseCobertura(fs.readFileSync(xml, 'utf8'), root).totals.percent)}%`)
  } else if (inputs.coverageMin > 0 && combined.data.totals.percent < inputs.coverageMin) {
    check.status = 'failed'
    check.findings.push({
      tool: 'coverage',
      severity: 'error',
      rule: 'coverage-min',
      message: `Coverage ${formatPercent(combined.data.totals.percent)}% is below coverage-min ${inputs.coverageMin}%`
    })
  }
  check.durationMs = Date.now() - started
  return check
}

export interface BenchmarkOutcome {
  check: CheckResult
  comparisons: BenchmarkComparison[]
  baselineSource: string
  saved?: string
  file?: string
}

/** The benchmark check: each benchmark more than benchmark-max-regression slower than its baseline is a finding at its def. */
export function benchmarkCheck(run: BenchmarkRun, inputs: TestsInputs, root: string): BenchmarkOutcome {
  const check: CheckResult = {
    tool: 'pytest-benchmark',
    toolVersion: PYTEST_BENCHMARK.version,
    status: 'passed',
    durationMs: 0,
    findings: []
  }
  const { ran, results } = run
  if (ran.length === 0) {
    check.status = inputs.allowEmpty ? 'skipped' : 'failed'
    check.message =
      'benchmark: true, but no suite is a benchmark suite (tests/performance, or a suite named performance, perf, bench or benchmarks)'
    if (!inputs.allowEmpty)
      check.findings.push({ tool: 'pytest-benchmark', severity: 'error', rule: 'no-benchmarks', message: check.message })
    return { check, comparisons: [], baselineSource: 'none' }
  }
  if (!results) {
    check.status = ran.some((o) => o.status === 'skipped') && inputs.allowEmpty ? 'skipped' : 'error'
    check.message = 'the benchmark suites wrote no --benchmark-json results (see the suites above)'
    return { check, comparisons: [], baselineSource: 'none' }
  }
  const { baseline, current } = results
  let comparisons: BenchmarkComparison[] = []
  if (baseline.text) {
    try {
      comparisons = compareBenchmarks(parseBenchmarkJson(baseline.text), current, inputs.maxRegression)
    } catch (error) {
      check.status = 'error'
      check.message = `The baseline (${baseline.source}) is not a pytest-benchmark JSON file: ${error instanceof Error ? error.message : String(error)}`
    }
  } else {
    comparisons = current.map((b) => ({ fullname: b.fullname, status: 'new' as const, new: b.median }))
  }
  for (const c of comparisons.filter((x) => x.status === 'regressed')) {
    const [file, ...rest] = c.fullname.split('::')
    const sourceFile = file ? path.join(root, file) : undefined
    const source = sourceFile && fs.existsSync(sourceFile) ? fs.readFileSync(sourceFile, 'utf8') : undefined
    check.findings.push({
      tool: 'pytest-benchmark',
      file,
      line: source ? findDefLine(source, (rest[rest.length - 1] ?? '').replace(/\[.*$/s, '')) : undefined,
      rule: 'regression',
      severity: 'error',
      message: `${c.fullname} is ${c.changePercent!.toFixed(1)}% slower than the baseline (median ${fmt(c.old!)} → ${fmt(c.new!)}; allowed ${inputs.maxRegression}%)`
    })
  }
  if (check.status !== 'error' && check.findings.length > 0) check.status = 'failed'
  check.durationMs = Date.now() - run.started
  return { check, comparisons, baselineSource: baseline.source, saved: results.saved, file: results.file }
}

/** Why the run failed, for the step's failure message. */
function failureReasons(outcomes: readonly SuiteOutcome[], checks: readonly CheckResult[]): string[] {
  const failures = outcomes.flatMap((o) => o.failures)
  const reasons: string[] = []
  if (failures.length)
    reasons.push(
      `${failures.length} test(s) failed: ${failures
        .slice(0, 3)
        .map((f) => f.nodeId)
        .join(', ')}${failures.length > 3 ? ', ...' : ''}`
    )
  for (const o of outcomes.filter((x) => x.status === 'failed' && x.failures.length === 0 && x.message)) reasons.push(o.message!)
  for (const o of outcomes.filter((x) => x.status === 'error')) reasons.push(`suite ${o.suite.name}: ${o.message!.split('\n')[0]}`)
  for (const c of checks.filter(
    (x) => (x.tool === 'coverage' || x.tool === 'pytest-benchmark') && x.status !== 'passed' && x.status !== 'skipped'
  )) {
    reasons.push(c.findings.map((f) => f.message).join('; ') || c.message?.split('\n')[0] || `${c.tool} ${c.status}`)
  }
  return reasons
}

export interface TestsRun {
  packages: string[]
  outDir: string
  runtimes: Runtimes
  outcomes: SuiteOutcome[]
  checks: CheckResult[]
  sections: string[]
  combined?: CombinedCoverage
  bench?: BenchmarkOutcome
  inputs: TestsInputs
  root: string
}

/** The action's result: outputs, the report's data, the artifacts and the failure message. */
export function testsResult(run: TestsRun): ActionResult {
  const { outcomes, checks, combined, bench, inputs, runtimes } = run
  const totals = outcomes.reduce((acc, o) => addCounts(acc, o.counts), emptyCounts())
  const failures = outcomes.flatMap((o) => o.failures)
  const slow = slowest(outcomes, run.root)
  const passed = checks.every((c) => c.status === 'passed' || c.status === 'skipped')
  const reasons = failureReasons(outcomes, checks)
  const junitFiles = outcomes.map((o) => o.junitFile).filter((f): f is string => Boolean(f))
  const artifactFiles = [
    ...junitFiles,
    ...outcomes.map((o) => o.coverageXml).filter((f): f is string => Boolean(f)),
    ...(combined ? [combined.xml, combined.json] : []),
    ...(bench?.file ? [bench.file] : [])
  ]
  return {
    passed,
    packages: run.packages,
    checks,
    sections: run.sections,
    outputs: {
      tests: String(totals.tests),
      failures: String(totals.failed + totals.errors),
      coverage: combined ? formatPercent(combined.data.totals.percent) : '',
      junit: junitFiles.join('\n'),
      'coverage-xml': combined?.xml ?? ''
    },
    data: {
      environments: runtimes.projectEnvs ? environmentsData(runtimes.envs) : undefined,
      tests: {
        totals,
        suites: outcomes.map((o) => ({
          name: o.suite.name,
          path: o.suite.relPath,
          package: o.suite.package,
          benchmark: o.suite.benchmark,
          status: o.status,
          exitCode: o.exitCode,
          counts: o.counts,
          durationMs: o.durationMs,
          junit: o.junitFile,
          coverageXml: o.coverageXml
        })),
        failures: failures.map((f) => ({
          suite: f.suite,
          nodeId: f.nodeId,
          file: f.file,
          line: f.line,
          outcome: f.outcome,
          message: f.message
        })),
        slowest: slow
      },
      coverage: combined
        ? {
            percent: combined.data.totals.percent,
            totals: combined.data.totals,
            packages: combined.byPackage,
            xml: combined.xml,
            json: combined.json,
            dataFile: combined.dataFile,
            min: inputs.coverageMin
          }
        : undefined,
      benchmarks: bench
        ? {
            baseline: bench.baselineSource,
            saved: bench.saved,
            maxRegression: inputs.maxRegression,
            comparisons: bench.comparisons,
            file: bench.file
          }
        : undefined
    },
    artifactFiles: artifactFiles.length ? [{ files: artifactFiles, root: run.outDir }] : undefined,
    failureMessage: passed ? undefined : `run-tests failed: ${reasons.join('; ') || 'see the step summary'}.`
  }
}
