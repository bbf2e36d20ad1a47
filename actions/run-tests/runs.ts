/**
 * run-tests' processes, all through the context: the environments the suites run in, each
 * suite's pytest, the combined coverage, and the benchmark results with their baseline.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext, Selection } from '../../packages-shared/context.js'
import { withoutBuildLeftovers } from '../../packages-shared/build-leftovers.js'
import { displayCommand, mapLimit, processNotes, tail, type CommandResult } from '../../packages-shared/exec.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { findPython, toolVersion } from '../../packages-shared/python/interpreter.js'
import { installInto } from '../../packages-shared/python/venv.js'
import { provisionTools, type ToolRequirement, type Toolbox } from '../../packages-shared/python/toolbox.js'
import { assertRequiresPython } from '../../packages-shared/requires-python.js'
import { versionSource } from '../../packages-shared/tool-pins.js'
import { VENV_EXTRAS, environmentOf, planEnvironments, testExtras } from '../../packages-shared/python/project-env/plan.js'
import { provisionEnvironment, type ProjectEnvironment } from '../../packages-shared/python/project-env/provision.js'
import { packageOwner } from '../../packages-shared/package-owner.js'
import { toPosix } from '../../packages-shared/paths.js'
import {
  coverageByPackage,
  coverageCombineSteps,
  coverageStepVerdict,
  parseCoverageJson,
  type CoverageData,
  type PackageCoverage
} from '../../packages-shared/tools/coverage.js'
import {
  emptyCounts,
  failedTests,
  failureFindings,
  pytestVerdict,
  readJunitFile,
  type FailedTest,
  type JunitResult,
  type TestCounts
} from '../../packages-shared/tools/pytest.js'
import {
  benchmarkPluginProbe,
  mergeBenchmarkDocuments,
  parseBenchmarkJson,
  type BenchmarkStat
} from '../../packages-shared/tools/pytest-benchmark.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { loadBaseline, saveBaseline, shouldSave, type LoadedBaseline } from './baseline.js'
import type { TestsInputs } from './inputs.js'
import { combinedFiles, EARLIER_OUTPUT, outputDir, packagesToInstall, planSuiteRun, runOrder, type SuiteRun } from './plan.js'
import type { PlannedSuite } from './suites.js'

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

/** Where a suite's tests run, at which pytest, from where: one per environment (see python/project-env/). */
export interface SuiteRuntime {
  box: Toolbox
  pytestVersion?: string
  pytestSource?: string
  benchmarkPlugin: boolean
}

export interface Runtimes {
  /** The project environments (install auto and project), empty otherwise. */
  envs: ProjectEnvironment[]
  projectEnvs: boolean
  of: Map<PlannedSuite, SuiteRuntime>
  /** The first environment's toolbox, which combines the coverage. */
  box: Toolbox
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
  const uv = await box.uv()
  await ctx.io.group(`Installing the packages under test: ${packages.map((p) => p.name).join(', ')}`, () =>
    withoutBuildLeftovers(
      packages.map((p) => p.dir),
      [],
      () => installInto(ctx, box.venv!, [...pins, ...reqs], box.installEnv, ws.root, uv)
    )
  )
}

async function hasBenchmarkPlugin(ctx: ActionContext, box: Toolbox): Promise<boolean> {
  return (await ctx.exec({ argv: benchmarkPluginProbe(box.pythonPath), env: box.env })).exitCode === 0
}

/**
 * The environments the suites run in. auto and project: each package's suites in the
 * environment its project defines (its lock's dev groups, its test extras and groups);
 * isolated and none: one toolbox, with the project installed into the isolated venv.
 */
export async function prepareRuntimes(
  ctx: ActionContext,
  selection: Selection,
  suites: readonly PlannedSuite[],
  inputs: TestsInputs,
  requirements: ToolRequirement[]
): Promise<Runtimes> {
  const { io, common } = ctx
  const ws = ctx.workspace()
  const root = ws.root
  // Before anything is installed: a Python the packages refuse is one line, not a resolver's page.
  if (common.install !== 'none')
    assertRequiresPython(await findPython(common.python, io.env, ctx.exec), packagesToInstall(ws, selection.packages))
  const of = new Map<PlannedSuite, SuiteRuntime>()
  if (common.install === 'auto' || common.install === 'project') {
    const owner = packageOwner(selection.packages)
    const packageOf = (s: PlannedSuite): string | undefined => s.package ?? owner(toPosix(path.relative(root, s.path)) || '.')
    const plans = planEnvironments(
      ws,
      selection.packages,
      suites.some((s) => packageOf(s) === undefined)
    )
    const envs: ProjectEnvironment[] = []
    for (const plan of plans) {
      envs.push(
        await provisionEnvironment(ctx, {
          ws,
          plan,
          pythonCommand: common.python,
          tools: requirements,
          cacheRoot: ctx.cacheRoot,
          passEnv: inputs.passEnv
        })
      )
    }
    for (const env of envs) io.info(`Environment for ${env.plan.packages.join(', ') || 'the root'}: ${env.plan.why}`)
    const runtimeOf = new Map<ProjectEnvironment, SuiteRuntime>()
    for (const env of envs) {
      const pytest = env.tools.get('pytest')
      runtimeOf.set(env, {
        box: env.box,
        pytestVersion: pytest?.version,
        pytestSource: pytest?.source,
        benchmarkPlugin: await hasBenchmarkPlugin(ctx, env.box)
      })
    }
    for (const s of suites) {
      const plan = environmentOf(
        envs.map((e) => e.plan),
        packageOf(s)
      )
      of.set(s, runtimeOf.get(envs.find((e) => e.plan === plan) ?? envs[0]!)!)
    }
    return { envs, projectEnvs: true, of, box: envs[0]!.box }
  }
  const box = await provisionTools(ctx, {
    mode: common.install === 'isolated' ? 'isolated' : 'none',
    pythonCommand: common.python,
    tools: requirements,
    cacheRoot: ctx.cacheRoot,
    workspace: ws,
    // The project is installed into the venv too, so each repository gets its own.
    venvSalt: root,
    passEnv: inputs.passEnv
  })
  await installProject(
    ctx,
    box,
    ws,
    packagesToInstall(ws, selection.packages),
    requirements.map((r) => `${r.requirement}==${r.version}`)
  )
  const runtime: SuiteRuntime = {
    box,
    pytestVersion:
      box.mode === 'isolated' ? requirements[0]!.version : await toolVersion(box.which('pytest') ?? 'pytest', box.env, ctx.exec),
    pytestSource: versionSource(box.mode, requirements[0]),
    // Whether pytest-benchmark is importable decides if performance suites may pass --benchmark-disable.
    benchmarkPlugin: box.mode === 'isolated' ? suites.some((s) => s.benchmark) || inputs.benchmark : await hasBenchmarkPlugin(ctx, box)
  }
  for (const s of suites) of.set(s, runtime)
  return { envs: [], projectEnvs: false, of, box }
}

/** The action's folder in report-dir (stamped as its own); of an earlier run only its own files go. */
export async function prepareOutputDir(ctx: ActionContext): Promise<string> {
  const outDir = outputDir(ctx.common.reportDir)
  const guard = await ctx.outputs()
  guard.claim({ input: 'report-dir', value: ctx.common.reportDir }, outDir, 'clear')
  for (const f of fs.readdirSync(outDir)) {
    if (EARLIER_OUTPUT.test(f)) fs.rmSync(path.join(outDir, f), { recursive: true, force: true })
  }
  return outDir
}

function outputTail(r: CommandResult): string {
  return tail([r.stdout, r.stderr].filter((s) => s.trim()).join('\n'), 30)
}

async function runSuite(ctx: ActionContext, run: SuiteRun, inputs: TestsInputs, root: string): Promise<SuiteOutcome> {
  const { suite, files } = run
  const r = await ctx.exec({ argv: run.argv, cwd: run.cwd, env: run.env, timeoutMs: inputs.timeoutMs })
  const command = displayCommand(run.argv)
  const read = readJunitFile(files.junit)
  const junit = read.junit
  const failures = junit ? failedTests(junit, suite.name, { root, suiteDir: suite.path }) : []
  const findings = failureFindings(failures).map((f) => ({ ...f, package: suite.package }))
  const notes = processNotes(`pytest (suite ${suite.name})`, r)
  const verdict = pytestVerdict(r, read, { timeout: notes.timeout, output: outputTail(r) })
  let status: CheckResult['status']
  let message: string | undefined
  if (verdict.kind === 'no-tests') {
    status = inputs.allowEmpty ? 'skipped' : 'failed'
    message = `no tests collected in ${suite.relPath}${inputs.markers ? ` (markers: ${inputs.markers})` : ''}`
    if (!inputs.allowEmpty)
      findings.push({
        tool: 'pytest',
        package: suite.package,
        severity: 'error',
        rule: 'no-tests',
        message: `${message}; set allow-empty: true if that is expected`
      })
  } else {
    status = verdict.kind
    message = verdict.kind === 'error' ? verdict.message : undefined
  }
  // The suite's verdict is pytest's own; what its tests left running is said beside it.
  if (notes.orphans) {
    ctx.io.warning(notes.orphans)
    message = message ? `${message}\n${notes.orphans}` : notes.orphans
  }
  await ctx.io.group(
    `pytest ${suite.name} (${suite.relPath}): ${status}${junit ? `, ${junit.counts.tests} test(s)` : ''} (${r.durationMs} ms)`,
    async () => {
      ctx.io.info(`$ ${command}`)
      if (r.stdout.trim()) ctx.io.toolOutput(r.stdout.trimEnd())
      if (r.stderr.trim()) ctx.io.toolOutput(r.stderr.trimEnd())
    }
  )
  return {
    suite,
    exitCode: r.exitCode,
    status,
    counts: junit?.counts ?? emptyCounts(),
    junit,
    junitFile: read.xml ? files.junit : undefined,
    coverageXml: fs.existsSync(files.coverageXml) ? files.coverageXml : undefined,
    coverageData: fs.existsSync(files.coverageData) ? files.coverageData : undefined,
    benchmarkJson: run.runBenchmarks && fs.existsSync(files.benchmarkJson) ? files.benchmarkJson : undefined,
    measured: run.measure,
    failures,
    findings,
    message,
    command,
    durationMs: r.durationMs
  }
}

/** Every suite, the regular ones side by side (max-parallel), then the measured benchmarks one at a time. */
export async function runSuites(
  ctx: ActionContext,
  suites: readonly PlannedSuite[],
  runtimes: Runtimes,
  inputs: TestsInputs,
  outDir: string,
  covRoots: readonly string[]
): Promise<SuiteOutcome[]> {
  const root = ctx.workspace().root
  const order = runOrder(suites, inputs, ctx.common.maxParallel)
  const one = (s: PlannedSuite): Promise<SuiteOutcome> => {
    const { box, benchmarkPlugin } = runtimes.of.get(s)!
    return runSuite(
      ctx,
      planSuiteRun(s, { pytest: box.which('pytest') ?? 'pytest', env: box.env, benchmarkPlugin }, root, outDir, inputs, covRoots),
      inputs,
      root
    )
  }
  return [...(await mapLimit(order.regular, order.limit, one)), ...(await mapLimit(order.measured, 1, one))]
}

export interface CombinedCoverage {
  data: CoverageData
  byPackage: PackageCoverage[]
  xml: string
  json: string
  dataFile: string
}

/** `coverage combine` over the suites' data files, then XML and JSON of the whole. */
export async function combineCoverage(
  ctx: ActionContext,
  box: Toolbox,
  outDir: string,
  outcomes: readonly SuiteOutcome[]
): Promise<{ combined?: CombinedCoverage; error?: string }> {
  const ws = ctx.workspace()
  const root = ws.root
  const dataFiles = outcomes.map((o) => o.coverageData).filter((f): f is string => Boolean(f))
  if (dataFiles.length === 0) return {}
  const coverage = box.which('coverage') ?? 'coverage'
  const { dataFile, xml, json } = combinedFiles(outDir)
  fs.rmSync(dataFile, { force: true })
  for (const { argv, writes } of coverageCombineSteps(coverage, { dataFiles, dataFile, xml, json })) {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    const r = await ctx.exec({ argv, cwd: root, env: box.env, timeoutMs: 10 * 60_000 })
    const verdict = coverageStepVerdict(r.exitCode, r.stdout + r.stderr, fs.existsSync(writes))
    if (verdict === 'no-data') return {}
    if (verdict === 'failed') return { error: `coverage ${argv[1]} failed (exit ${r.exitCode}):\n${outputTail(r)}` }
  }
  const data = parseCoverageJson(fs.readFileSync(json, 'utf8'), root, root)
  return { combined: { data, byPackage: coverageByPackage(data, root, ws.packages), xml, json, dataFile } }
}

/** The benchmark suites' results merged into one file, the baseline they are compared with, and whether it was replaced. */
export interface BenchmarkRun {
  started: number
  /** The benchmark suites that ran. */
  ran: SuiteOutcome[]
  results?: { file: string; current: BenchmarkStat[]; baseline: LoadedBaseline; saved?: string }
}

export async function collectBenchmarks(
  ctx: ActionContext,
  inputs: TestsInputs,
  outDir: string,
  outcomes: readonly SuiteOutcome[]
): Promise<BenchmarkRun | undefined> {
  if (!inputs.benchmark) return undefined
  const started = Date.now()
  const ran = outcomes.filter((o) => o.suite.benchmark)
  const texts = ran
    .map((o) => o.benchmarkJson)
    .filter((f): f is string => Boolean(f))
    .map((f) => fs.readFileSync(f, 'utf8'))
  if (ran.length === 0 || texts.length === 0) return { started, ran }
  const merged = mergeBenchmarkDocuments(texts)
  const file = path.join(outDir, 'benchmarks.json')
  fs.writeFileSync(file, merged)
  const current = parseBenchmarkJson(merged)
  const baseline = await loadBaseline(ctx.io, inputs.baseline, ctx.tempDir, await ctx.outputs())
  let saved: string | undefined
  const decision = shouldSave(inputs.save, ctx.io.env)
  const suitesOk = ran.every((o) => o.status === 'passed')
  if (decision.save && inputs.baseline.kind !== 'none') {
    saved = suitesOk
      ? await saveBaseline(ctx.io, inputs.baseline, merged, ctx.tempDir, await ctx.outputs())
      : 'not saved: a benchmark suite did not pass'
  } else if (inputs.baseline.kind !== 'none') {
    saved = `not saved: ${decision.why}`
  }
  if (saved) ctx.io.info(`Benchmark baseline ${saved}.`)
  return { started, ran, results: { file, current, baseline, saved } }
}
