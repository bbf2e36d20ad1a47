/**
 * run-tests: the pytest suites of a monorepo, each its own pytest process (concurrently,
 * bounded by max-parallel), each writing junit XML and branch coverage; coverage combined
 * across suites and reported per package; failures annotated at the test's line; and,
 * with `benchmark: true`, pytest-benchmark medians compared against a baseline.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { withoutBuildLeftovers } from '../../packages-shared/build-leftovers.js'
import { displayCommand, mapLimit, processNotes, runCommand, tail, type CommandResult } from '../../packages-shared/exec.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { findPython, installInto, provisionTools, toolVersion, type Toolbox } from '../../packages-shared/python.js'
import { assertRequiresPython } from '../../packages-shared/requires-python.js'
import { pinToolVersions, versionSource } from '../../packages-shared/tool-pins.js'
import { VENV_EXTRAS, environmentOf, planEnvironments, testExtras } from '../../packages-shared/environments/plan.js'
import { environmentsData, environmentsSection, provisionEnvironment, type ProjectEnvironment } from '../../packages-shared/environments/provision.js'
import { packageOwner } from '../../packages-shared/package-owner.js'
import { toPosix } from '../../packages-shared/paths.js'
import { importNames, isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
import { coverageByPackage, coverageCombineSteps, coverageStepVerdict, formatPercent, parseCobertura, parseCoverageJson, type CoverageData, type PackageCoverage } from '../../packages-shared/tools/coverage.js'
import {
  addCounts, COVERAGE, emptyCounts, exitMeaning, exitText, failedTests, failureFindings, findDefLine, locateTest, parseJunit, PYTEST, PYTEST_COV,
  PYTEST_XDIST, pytestArgv, type FailedTest, type JunitResult, type TestCounts
} from '../../packages-shared/tools/pytest.js'
import { compareBenchmarks, formatSeconds as fmt, mergeBenchmarkDocuments, parseBenchmarkJson, PYTEST_BENCHMARK, type BenchmarkComparison } from '../../packages-shared/tools/pytest-benchmark.js'
import { attributePackages } from '../../packages-shared/tools/tool.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { loadBaseline, saveBaseline, shouldSave } from './baseline.js'
import { parseTestsInputs, type TestsInputs } from './inputs.js'
import { benchmarkSection, coverageSection, failuresSection, slowestSection, suitesSection, type SlowTest } from './report.js'
import { planSuites, type PlannedSuite } from './suites.js'

export interface SuiteOutcome {
  suite: PlannedSuite
  exitCode: number
  status: CheckResult['status']
  counts: TestCounts
  junit?: JunitResult
  junitFile?: string
  coverageXml?: string
  coverageData?: string
  benchmarkJson?: string
  /** Whether this suite ran with coverage. */
  measured: boolean
  failures: FailedTest[]
  findings: Finding[]
  message?: string
  command: string
  durationMs: number
}

/** Selected packages and the repository packages they need, in dependency order. */
function packagesToInstall(ws: Workspace, selected: readonly PythonPackage[]): PythonPackage[] {
  const ids = new Set(selected.map((p) => p.id))
  for (const d of ws.graph.dependenciesOf(ids)) ids.add(d)
  return ws.packages.filter((p) => ids.has(p.id))
}


/** Where a suite's tests run, at which pytest, from where: one per environment (see environments/). */
interface SuiteRuntime {
  box: Toolbox
  pytestVersion?: string
  pytestSource?: string
  benchmarkPlugin: boolean
}

/**
 * The tests import the project's packages: in the isolated venv they are installed
 * editable (so coverage measures the sources in the repository), with their test extras,
 * next to the pinned tools restated so an extra cannot move a pin.
 */
async function installProject(ctx: ActionContext, box: Toolbox, ws: Workspace, packages: PythonPackage[], pins: string[]): Promise<void> {
  if (box.mode !== 'isolated' || !box.venv || packages.length === 0) return
  const reqs = packages.flatMap((p) => {
    const extras = testExtras(p, VENV_EXTRAS)
    return ['-e', `${p.dir}${extras.length ? `[${extras.join(',')}]` : ''}`]
  })
  // An editable install runs each backend in its source folder: setuptools writes build/ and
  // <name>.egg-info into src/ there. The venv needs neither (the editable finder and the
  // dist-info live in the venv), so both go once installed.
  await ctx.io.group(`Installing the packages under test: ${packages.map((p) => p.name).join(', ')}`, () =>
    withoutBuildLeftovers(packages.map((p) => p.dir), [], () => installInto(ctx, box.venv!, [...pins, ...reqs], box.installEnv, ws.root))
  )
}

/**
 * What `--cov` names for a package: its top-level modules, or below a PEP 420 namespace the
 * real packages (`acme.core`), since the bare namespace is shared with other distributions.
 */
function coverageModules(pkg: PythonPackage): string[] {
  const roots = packageImportRoots(pkg)
  return isNamespaced(roots) ? importNames(roots) : pkg.modules
}

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
}

function outputTail(r: CommandResult): string {
  return tail([r.stdout, r.stderr].filter((s) => s.trim()).join('\n'), 30)
}

async function runSuite(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  outDir: string,
  suite: PlannedSuite,
  inputs: TestsInputs,
  covRoots: string[],
  benchmarkPlugin: boolean
): Promise<SuiteOutcome> {
  const junitFile = path.join(outDir, `junit-${suite.name}.xml`)
  const coverageXml = path.join(outDir, `coverage-${suite.name}.xml`)
  const coverageData = path.join(outDir, `.coverage.${suite.name}`)
  const benchmarkJson = path.join(outDir, `benchmark-${suite.name}.json`)
  const runBenchmarks = inputs.benchmark && suite.benchmark
  // Coverage tracing distorts timings, so measured benchmark runs go without it.
  const measure = inputs.coverage && covRoots.length > 0 && !runBenchmarks
  const argv = pytestArgv({
    executable: box.which('pytest') ?? 'pytest',
    suitePath: suite.cwd ? toPosix(path.relative(suite.cwd, suite.path)) || '.' : suite.relPath,
    junitFile,
    cacheDir: path.join(outDir, '.pytest-cache', suite.name),
    coverage: measure ? { roots: covRoots, xmlFile: coverageXml } : undefined,
    markers: inputs.markers || undefined,
    // pytest-benchmark turns itself off under xdist; benchmark runs stay serial.
    parallel: inputs.parallel && !runBenchmarks,
    benchmark: runBenchmarks ? 'run' : suite.benchmark && benchmarkPlugin ? 'disable' : 'absent',
    benchmarkJson,
    extraArgs: inputs.pytestArgs
  })
  const env = { ...box.env, COVERAGE_FILE: coverageData }
  const r = await runCommand({ argv, cwd: suite.cwd ?? root, env, timeoutMs: inputs.timeoutMs })
  const command = displayCommand(argv)
  const xml = readIfExists(junitFile)
  let junit: JunitResult | undefined
  let parseError: string | undefined
  if (xml) {
    try {
      junit = parseJunit(xml)
    } catch (error) {
      parseError = `the junit file ${junitFile} could not be read: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  const failures = junit ? failedTests(junit, suite.name, { root, suiteDir: suite.path }) : []
  const findings = failureFindings(failures).map((f) => ({ ...f, package: suite.package }))
  const notes = processNotes(`pytest (suite ${suite.name})`, r)
  const meaning = r.timedOut ? 'crashed' : exitMeaning(r.exitCode)
  let status: CheckResult['status']
  let message: string | undefined
  if (parseError) {
    status = 'error'
    message = parseError
  } else if (meaning === 'ok') {
    status = 'passed'
  } else if (meaning === 'tests-failed' && junit) {
    status = 'failed'
  } else if (meaning === 'no-tests') {
    status = inputs.allowEmpty ? 'skipped' : 'failed'
    message = `no tests collected in ${suite.relPath}${inputs.markers ? ` (markers: ${inputs.markers})` : ''}`
    if (!inputs.allowEmpty) findings.push({ tool: 'pytest', package: suite.package, severity: 'error', rule: 'no-tests', message: `${message}; set allow-empty: true if that is expected` })
  } else {
    status = 'error'
    message = `${exitText(meaning, r.exitCode, { timeout: notes.timeout, spawnError: r.spawnError })}:\n${outputTail(r)}`
  }
  // The suite's verdict is pytest's own; what its tests left running is said beside it.
  if (notes.orphans) {
    ctx.io.warning(notes.orphans)
    message = message ? `${message}\n${notes.orphans}` : notes.orphans
  }
  await ctx.io.group(`pytest ${suite.name} (${suite.relPath}): ${status}${junit ? `, ${junit.counts.tests} test(s)` : ''} (${r.durationMs} ms)`, async () => {
    ctx.io.info(`$ ${command}`)
    if (r.stdout.trim()) ctx.io.toolOutput(r.stdout.trimEnd())
    if (r.stderr.trim()) ctx.io.toolOutput(r.stderr.trimEnd())
  })
  return {
    suite,
    exitCode: r.exitCode,
    status,
    counts: junit?.counts ?? emptyCounts(),
    junit,
    junitFile: xml ? junitFile : undefined,
    coverageXml: fs.existsSync(coverageXml) ? coverageXml : undefined,
    coverageData: fs.existsSync(coverageData) ? coverageData : undefined,
    benchmarkJson: runBenchmarks && fs.existsSync(benchmarkJson) ? benchmarkJson : undefined,
    measured: measure,
    failures,
    findings,
    message,
    command,
    durationMs: r.durationMs
  }
}

interface CombinedCoverage {
  data: CoverageData
  byPackage: PackageCoverage[]
  xml: string
  json: string
  dataFile: string
}

/** `coverage combine` over the suites' data files, then XML and JSON of the whole. */
async function combineCoverage(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  outDir: string,
  outcomes: SuiteOutcome[],
  packages: readonly PythonPackage[]
): Promise<{ combined?: CombinedCoverage; error?: string }> {
  const dataFiles = outcomes.map((o) => o.coverageData).filter((f): f is string => Boolean(f))
  if (dataFiles.length === 0) return {}
  const coverage = box.which('coverage') ?? 'coverage'
  const dataFile = path.join(outDir, '.coverage')
  const xml = path.join(outDir, 'coverage.xml')
  const json = path.join(outDir, 'coverage.json')
  fs.rmSync(dataFile, { force: true })
  for (const { argv, writes } of coverageCombineSteps(coverage, { dataFiles, dataFile, xml, json })) {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    const r = await runCommand({ argv, cwd: root, env: box.env, timeoutMs: 10 * 60_000 })
    const verdict = coverageStepVerdict(r.exitCode, r.stdout + r.stderr, fs.existsSync(writes))
    if (verdict === 'no-data') return {}
    if (verdict === 'failed') return { error: `coverage ${argv[1]} failed (exit ${r.exitCode}):\n${outputTail(r)}` }
  }
  const data = parseCoverageJson(fs.readFileSync(json, 'utf8'), root, root)
  return { combined: { data, byPackage: coverageByPackage(data, root, packages), xml, json, dataFile } }
}

interface BenchmarkOutcome {
  check: CheckResult
  comparisons: BenchmarkComparison[]
  baselineSource: string
  saved?: string
  file?: string
}

async function benchmarks(ctx: ActionContext, inputs: TestsInputs, outDir: string, outcomes: SuiteOutcome[]): Promise<BenchmarkOutcome | undefined> {
  if (!inputs.benchmark) return undefined
  const started = Date.now()
  const ran = outcomes.filter((o) => o.suite.benchmark)
  const check: CheckResult = { tool: 'pytest-benchmark', toolVersion: PYTEST_BENCHMARK.version, status: 'passed', durationMs: 0, findings: [] }
  if (ran.length === 0) {
    check.status = inputs.allowEmpty ? 'skipped' : 'failed'
    check.message = 'benchmark: true, but no suite is a benchmark suite (tests/performance, or a suite named performance, perf, bench or benchmarks)'
    if (!inputs.allowEmpty) check.findings.push({ tool: 'pytest-benchmark', severity: 'error', rule: 'no-benchmarks', message: check.message })
    return { check, comparisons: [], baselineSource: 'none' }
  }
  const texts = ran.map((o) => o.benchmarkJson).filter((f): f is string => Boolean(f)).map((f) => fs.readFileSync(f, 'utf8'))
  if (texts.length === 0) {
    check.status = ran.some((o) => o.status === 'skipped') && inputs.allowEmpty ? 'skipped' : 'error'
    check.message = 'the benchmark suites wrote no --benchmark-json results (see the suites above)'
    return { check, comparisons: [], baselineSource: 'none' }
  }
  const merged = mergeBenchmarkDocuments(texts)
  const file = path.join(outDir, 'benchmarks.json')
  fs.writeFileSync(file, merged)
  const current = parseBenchmarkJson(merged)
  const baseline = await loadBaseline(ctx.io, inputs.baseline, ctx.tempDir, await ctx.outputs())
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
    const source = file ? readIfExists(path.join(ctx.workspace().root, file)) : undefined
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
  let saved: string | undefined
  const decision = shouldSave(inputs.save, ctx.io.env)
  const suitesOk = ran.every((o) => o.status === 'passed')
  if (decision.save && inputs.baseline.kind !== 'none') {
    saved = suitesOk ? await saveBaseline(ctx.io, inputs.baseline, merged, ctx.tempDir, await ctx.outputs()) : 'not saved: a benchmark suite did not pass'
  } else if (inputs.baseline.kind !== 'none') {
    saved = `not saved: ${decision.why}`
  }
  if (saved) ctx.io.info(`Benchmark baseline ${saved}.`)
  check.durationMs = Date.now() - started
  return { check, comparisons, baselineSource: baseline.source, saved, file }
}

function slowest(outcomes: SuiteOutcome[], root: string, n = 10): SlowTest[] {
  const all = outcomes.flatMap((o) => (o.junit?.cases ?? []).map((c) => ({ o, c })))
  return all
    .filter(({ c }) => c.classname)
    .sort((a, b) => b.c.time - a.c.time)
    .slice(0, n)
    .map(({ o, c }) => ({ suite: o.suite.name, nodeId: locateTest(c, { root }).nodeId, seconds: c.time, outcome: c.outcome }))
}

export async function runTests(ctx: ActionContext, inputs: TestsInputs): Promise<ActionResult> {
  const { io, common } = ctx
  const ws = ctx.workspace()
  const root = ws.root
  const selection = await ctx.selection()
  const packageIds = selection.packages.map((p) => p.id)
  const includeRoot = common.packages.mode !== 'changed' || selection.packages.length > 0
  const suites = planSuites(root, inputs.suites, selection.packages, includeRoot)

  if (suites.length === 0) {
    const nothingChanged = common.packages.mode === 'changed' && selection.packages.length === 0
    const why = nothingChanged
      ? `no package changed since ${selection.changes?.base.slice(0, 12) ?? common.baseRef}`
      : `no test suite found: none of tests/unit, tests/integration, tests/e2e, tests/performance, tests/ or a selected package's tests/ exists under ${root}`
    const ok = nothingChanged || inputs.allowEmpty
    return {
      passed: ok,
      packages: packageIds,
      checks: [{ tool: 'pytest', status: ok ? 'skipped' : 'failed', durationMs: 0, findings: [], message: why }],
      sections: [`Nothing ran: ${why}.`],
      outputs: { tests: '0', failures: '0', coverage: '', junit: '', 'coverage-xml': '' },
      failureMessage: ok ? undefined : `run-tests: ${why}. Set suites (name=path pairs), or allow-empty: true.`
    }
  }

  const anyBenchmarkSuite = suites.some((s) => s.benchmark)
  const tools = [PYTEST, PYTEST_COV, COVERAGE, ...(anyBenchmarkSuite || inputs.benchmark ? [PYTEST_BENCHMARK] : []), ...(inputs.parallel ? [PYTEST_XDIST] : [])]
  const requirements = pinToolVersions(io, ws, tools, inputs.toolVersions)
  // Before anything is installed: a Python the packages refuse is one line, not a resolver's page.
  if (common.install !== 'none') assertRequiresPython(await findPython(common.python, io.env, ctx.exec), packagesToInstall(ws, selection.packages))
  // auto and project: each package's suites run in the environment its project defines
  // (its lock's dev groups, its test extras and groups); isolated and none as documented.
  const projectEnvs = common.install === 'auto' || common.install === 'project'
  const envs: ProjectEnvironment[] = []
  const runtimes = new Map<PlannedSuite, SuiteRuntime>()
  let box: Toolbox
  if (projectEnvs) {
    const owner = packageOwner(selection.packages)
    const packageOf = (s: PlannedSuite): string | undefined => s.package ?? owner(toPosix(path.relative(root, s.path)) || '.')
    const plans = planEnvironments(ws, selection.packages, suites.some((s) => packageOf(s) === undefined))
    for (const plan of plans) {
      envs.push(await provisionEnvironment(ctx, { ws, plan, pythonCommand: common.python, tools: requirements, cacheRoot: ctx.cacheRoot, passEnv: inputs.passEnv }))
    }
    for (const env of envs) io.info(`Environment for ${env.plan.packages.join(', ') || 'the root'}: ${env.plan.why}`)
    const runtimeOf = new Map<ProjectEnvironment, SuiteRuntime>()
    for (const env of envs) {
      const pytest = env.tools.get('pytest')
      runtimeOf.set(env, {
        box: env.box,
        pytestVersion: pytest?.version,
        pytestSource: pytest?.source,
        benchmarkPlugin: (await runCommand({ argv: [env.box.pythonPath, '-c', 'import pytest_benchmark'], env: env.box.env })).exitCode === 0
      })
    }
    for (const s of suites) {
      const plan = environmentOf(envs.map((e) => e.plan), packageOf(s))
      runtimes.set(s, runtimeOf.get(envs.find((e) => e.plan === plan) ?? envs[0]!)!)
    }
    box = envs[0]!.box
  } else {
    box = await provisionTools(ctx, {
      mode: common.install === 'isolated' ? 'isolated' : 'none',
      pythonCommand: common.python,
      tools: requirements,
      cacheRoot: ctx.cacheRoot,
      workspace: ws,
      // The project is installed into the venv too, so each repository gets its own.
      venvSalt: root,
      passEnv: inputs.passEnv
    })
    const toInstall = packagesToInstall(ws, selection.packages)
    await installProject(ctx, box, ws, toInstall, requirements.map((r) => `${r.requirement}==${r.version}`))
    const runtime: SuiteRuntime = {
      box,
      pytestVersion: box.mode === 'isolated' ? requirements[0]!.version : await toolVersion(box.which('pytest') ?? 'pytest', box.env, ctx.exec),
      pytestSource: versionSource(box.mode, requirements[0]),
      // Whether pytest-benchmark is importable decides if performance suites may pass --benchmark-disable.
      benchmarkPlugin: box.mode === 'isolated' ? anyBenchmarkSuite || inputs.benchmark
        : (await runCommand({ argv: [box.pythonPath, '-c', 'import pytest_benchmark'], env: box.env })).exitCode === 0
    }
    for (const s of suites) runtimes.set(s, runtime)
  }

  const outDir = path.join(common.reportDir, 'run-tests')
  // A folder of the suite's own (stamped); still, only its own files from an earlier run go.
  const guard = await ctx.outputs()
  guard.claim({ input: 'report-dir', value: common.reportDir }, outDir, 'clear')
  for (const f of fs.readdirSync(outDir)) {
    if (/^(junit-.*\.xml|coverage(-.*)?\.(xml|json)|\.coverage(\..*)?|benchmarks?(-.*)?\.json|\.pytest-cache)$/.test(f)) {
      fs.rmSync(path.join(outDir, f), { recursive: true, force: true })
    }
  }
  const covRoots = [...new Set(selection.packages.flatMap(coverageModules))]
  if (inputs.coverage && covRoots.length === 0) io.info('No importable module found in the selected packages; coverage is not measured.')

  // Suites are separate processes with their own output files, so they run side by side;
  // with xdist each already uses every core, and benchmarks need a quiet machine.
  const regular = suites.filter((s) => !(inputs.benchmark && s.benchmark))
  const measured = suites.filter((s) => inputs.benchmark && s.benchmark)
  const limit = inputs.parallel ? 1 : common.maxParallel
  const outcomes = [
    ...(await mapLimit(regular, limit, (s) => runSuite(ctx, runtimes.get(s)!.box, root, outDir, s, inputs, covRoots, runtimes.get(s)!.benchmarkPlugin))),
    ...(await mapLimit(measured, 1, (s) => runSuite(ctx, runtimes.get(s)!.box, root, outDir, s, inputs, covRoots, runtimes.get(s)!.benchmarkPlugin)))
  ]

  const checks: CheckResult[] = outcomes.map((o) => ({
    tool: `pytest ${o.suite.name}`,
    toolVersion: runtimes.get(o.suite)!.pytestVersion,
    toolVersionSource: runtimes.get(o.suite)!.pytestSource,
    package: o.suite.package,
    status: o.status,
    durationMs: o.durationMs,
    findings: attributePackages(o.findings, ws.packages),
    message: o.message,
    command: o.command
  }))

  // Coverage: combined across suites, gated by coverage-min.
  let combined: CombinedCoverage | undefined
  if (outcomes.some((o) => o.measured)) {
    const started = Date.now()
    const res = await combineCoverage(ctx, box, root, outDir, outcomes, ws.packages)
    combined = res.combined
    const coverageReq = requirements.find((r) => r.requirement === 'coverage')
    const coverageOrigin = envs[0]?.tools.get('coverage')
    const check: CheckResult = { tool: 'coverage', toolVersion: coverageOrigin?.version ?? coverageReq?.version, toolVersionSource: coverageOrigin?.source ?? versionSource(box.mode, coverageReq), status: 'passed', durationMs: 0, findings: [] }
    if (res.error) {
      check.status = 'error'
      check.message = res.error
    } else if (!combined) {
      check.status = 'skipped'
      check.message = 'no suite produced coverage data'
      // Fall back to a suite's Cobertura file if one exists (e.g. a custom pytest-args setup).
      const xml = outcomes.find((o) => o.coverageXml)?.coverageXml
      if (xml) io.debug(`coverage: only Cobertura data at ${xml}: ${formatPercent(parseCobertura(fs.readFileSync(xml, 'utf8'), root).totals.percent)}%`)
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
    checks.push(check)
  }

  const bench = await benchmarks(ctx, inputs, outDir, outcomes)
  if (bench) checks.push(bench.check)

  const totals = outcomes.reduce((acc, o) => addCounts(acc, o.counts), emptyCounts())
  const failures = outcomes.flatMap((o) => o.failures)
  const slow = slowest(outcomes, root)
  const sections = [
    environmentsSection(envs),
    suitesSection(outcomes, totals),
    failuresSection(failures),
    slowestSection(slow),
    combined ? coverageSection(combined.byPackage, combined.data.totals, inputs.coverageMin) : '',
    bench ? benchmarkSection(bench.comparisons, inputs.maxRegression, bench.baselineSource, bench.saved) : ''
  ].filter(Boolean)

  const passed = checks.every((c) => c.status === 'passed' || c.status === 'skipped')
  const reasons: string[] = []
  if (failures.length) reasons.push(`${failures.length} test(s) failed: ${failures.slice(0, 3).map((f) => f.nodeId).join(', ')}${failures.length > 3 ? ', ...' : ''}`)
  for (const o of outcomes.filter((x) => x.status === 'failed' && x.failures.length === 0 && x.message)) reasons.push(o.message!)
  for (const o of outcomes.filter((x) => x.status === 'error')) reasons.push(`suite ${o.suite.name}: ${o.message!.split('\n')[0]}`)
  for (const c of checks.filter((x) => (x.tool === 'coverage' || x.tool === 'pytest-benchmark') && x.status !== 'passed' && x.status !== 'skipped')) {
    reasons.push(c.findings.map((f) => f.message).join('; ') || c.message?.split('\n')[0] || `${c.tool} ${c.status}`)
  }

  const junitFiles = outcomes.map((o) => o.junitFile).filter((f): f is string => Boolean(f))
  const artifactFiles = [
    ...junitFiles,
    ...outcomes.map((o) => o.coverageXml).filter((f): f is string => Boolean(f)),
    ...(combined ? [combined.xml, combined.json] : []),
    ...(bench?.file ? [bench.file] : [])
  ]
  return {
    passed,
    packages: packageIds,
    checks,
    sections,
    outputs: {
      tests: String(totals.tests),
      failures: String(totals.failed + totals.errors),
      coverage: combined ? formatPercent(combined.data.totals.percent) : '',
      junit: junitFiles.join('\n'),
      'coverage-xml': combined?.xml ?? ''
    },
    data: {
      environments: projectEnvs ? environmentsData(envs) : undefined,
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
        failures: failures.map((f) => ({ suite: f.suite, nodeId: f.nodeId, file: f.file, line: f.line, outcome: f.outcome, message: f.message })),
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
      benchmarks: bench ? { baseline: bench.baselineSource, saved: bench.saved, maxRegression: inputs.maxRegression, comparisons: bench.comparisons, file: bench.file } : undefined
    },
    artifactFiles: artifactFiles.length ? [{ files: artifactFiles, root: outDir }] : undefined,
    failureMessage: passed ? undefined : `run-tests failed: ${reasons.join('; ') || 'see the step summary'}.`
  }
}

export const runTestsAction: ActionDefinition<TestsInputs> = {
  name: 'run-tests',
  title: 'Tests',
  parseInputs: (reader, common) => parseTestsInputs(reader, common),
  run: runTests
}
