/**
 * What run-tests runs, where and how, decided without touching anything: the tools to
 * provision, the packages to install, the modules to measure, and each suite's pytest
 * command with the files it writes.
 */
import * as path from 'node:path'
import type { CommonInputs, Selection } from '../../packages-shared/context.js'
import { toPosix } from '../../packages-shared/paths.js'
import { importNames, isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { coverageDataEnv } from '../../packages-shared/tools/coverage.js'
import { COVERAGE, PYTEST, PYTEST_COV, PYTEST_XDIST, pytestArgv } from '../../packages-shared/tools/pytest.js'
import { PYTEST_BENCHMARK } from '../../packages-shared/tools/pytest-benchmark.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import type { TestsInputs } from './inputs.js'
import type { PlannedSuite } from './suites.js'

/** Why nothing runs when no suite was planned. */
export function nothingToRun(
  common: CommonInputs,
  selection: Selection,
  root: string
): { why: string; nothingChanged: boolean; emptyShard?: boolean } {
  const nothingChanged = common.packages.mode === 'changed' && selection.packages.length === 0
  // A shard past the first has only its packages' own suites (the root ones run in shard 1): none is no failure.
  const emptyShard = selection.shard !== undefined && (selection.packages.length === 0 || selection.repositoryTargets === false)
  if (!nothingChanged && emptyShard) {
    return {
      why: `shard ${selection.shard!.index}/${selection.shard!.total} has no test suite: none of its ${selection.packages.length} package(s) has a tests/ folder, and the root suites run in shard 1`,
      nothingChanged: false,
      emptyShard: true
    }
  }
  const why = nothingChanged
    ? `no package changed since ${selection.changes?.base.slice(0, 12) ?? common.baseRef}`
    : `no test suite found: none of tests/unit, tests/integration, tests/e2e, tests/performance, tests/ or a selected package's tests/ exists under ${root}`
  return { why, nothingChanged }
}

/** The pinned tools: pytest with coverage always, pytest-benchmark and xdist when they are used. */
export function requiredTools(suites: readonly PlannedSuite[], inputs: TestsInputs): ToolRequirement[] {
  const anyBenchmarkSuite = suites.some((s) => s.benchmark)
  return [
    PYTEST,
    PYTEST_COV,
    COVERAGE,
    ...(anyBenchmarkSuite || inputs.benchmark ? [PYTEST_BENCHMARK] : []),
    ...(inputs.parallel ? [PYTEST_XDIST] : [])
  ]
}

/** Selected packages and the repository packages they need, in dependency order. */
export function packagesToInstall(ws: Workspace, selected: readonly PythonPackage[]): PythonPackage[] {
  const ids = new Set(selected.map((p) => p.id))
  for (const d of ws.graph.dependenciesOf(ids)) ids.add(d)
  return ws.packages.filter((p) => ids.has(p.id))
}

/**
 * What `--cov` names for a package: its top-level modules, or below a PEP 420 namespace the
 * real packages (`acme.core`), since the bare namespace is shared with other distributions.
 */
export function coverageModules(pkg: PythonPackage): string[] {
  const roots = packageImportRoots(pkg)
  return isNamespaced(roots) ? importNames(roots) : pkg.modules
}

export function coverageRoots(packages: readonly PythonPackage[]): string[] {
  return [...new Set(packages.flatMap(coverageModules))]
}

/** The action's own folder in report-dir. */
export function outputDir(reportDir: string): string {
  return path.join(reportDir, 'run-tests')
}

/** pytest's cache folder in that folder (one subfolder per suite), kept across runs by caches.ts. */
export const PYTEST_CACHE = '.pytest-cache'

/** The files of an earlier run in that folder, the only ones cleared before this run. */
export const EARLIER_OUTPUT = /^(junit-.*\.xml|coverage(-.*)?\.(xml|json)|\.coverage(\..*)?|benchmarks?(-.*)?\.json|\.pytest-cache)$/

export interface SuiteFiles {
  junit: string
  coverageXml: string
  coverageData: string
  benchmarkJson: string
}

export function suiteFiles(outDir: string, name: string): SuiteFiles {
  return {
    junit: path.join(outDir, `junit-${name}.xml`),
    coverageXml: path.join(outDir, `coverage-${name}.xml`),
    coverageData: path.join(outDir, `.coverage.${name}`),
    benchmarkJson: path.join(outDir, `benchmark-${name}.json`)
  }
}

/** The combined coverage of all suites. */
export function combinedFiles(outDir: string): { dataFile: string; xml: string; json: string } {
  return { dataFile: path.join(outDir, '.coverage'), xml: path.join(outDir, 'coverage.xml'), json: path.join(outDir, 'coverage.json') }
}

/** One suite's pytest process. */
export interface SuiteRun {
  suite: PlannedSuite
  argv: string[]
  cwd: string
  env: Record<string, string | undefined>
  files: SuiteFiles
  /** Whether it runs with coverage. */
  measure: boolean
  /** Whether it records benchmarks (benchmark: true and a benchmark suite). */
  runBenchmarks: boolean
}

export interface SuiteTarget {
  /** The pytest executable of the suite's environment. */
  pytest: string
  env: Record<string, string | undefined>
  /** Whether pytest-benchmark is importable there (then a performance suite passes --benchmark-disable). */
  benchmarkPlugin: boolean
}

export function planSuiteRun(
  suite: PlannedSuite,
  target: SuiteTarget,
  root: string,
  outDir: string,
  inputs: TestsInputs,
  covRoots: readonly string[]
): SuiteRun {
  const files = suiteFiles(outDir, suite.name)
  const runBenchmarks = inputs.benchmark && suite.benchmark
  // Coverage tracing distorts timings, so measured benchmark runs go without it.
  const measure = inputs.coverage && covRoots.length > 0 && !runBenchmarks
  const argv = pytestArgv({
    executable: target.pytest,
    suitePath: suite.cwd ? toPosix(path.relative(suite.cwd, suite.path)) || '.' : suite.relPath,
    junitFile: files.junit,
    cacheDir: path.join(outDir, PYTEST_CACHE, suite.name),
    coverage: measure ? { roots: [...covRoots], xmlFile: files.coverageXml } : undefined,
    markers: inputs.markers || undefined,
    // pytest-benchmark turns itself off under xdist; benchmark runs stay serial.
    parallel: inputs.parallel && !runBenchmarks,
    benchmark: runBenchmarks ? 'run' : suite.benchmark && target.benchmarkPlugin ? 'disable' : 'absent',
    benchmarkJson: files.benchmarkJson,
    extraArgs: inputs.pytestArgs
  })
  return {
    suite,
    argv,
    cwd: suite.cwd ?? root,
    env: { ...target.env, ...coverageDataEnv(files.coverageData) },
    files,
    measure,
    runBenchmarks
  }
}

/**
 * Suites are separate processes with their own output files, so they run side by side;
 * with xdist each already uses every core, and benchmarks need a quiet machine.
 */
export function runOrder(
  suites: readonly PlannedSuite[],
  inputs: TestsInputs,
  maxParallel: number
): { regular: PlannedSuite[]; measured: PlannedSuite[]; limit: number } {
  return {
    regular: suites.filter((s) => !(inputs.benchmark && s.benchmark)),
    measured: suites.filter((s) => inputs.benchmark && s.benchmark),
    limit: inputs.parallel ? 1 : maxParallel
  }
}
