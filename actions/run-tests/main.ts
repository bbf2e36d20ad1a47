/**
 * run-tests: the pytest suites of a monorepo, each its own pytest process (concurrently,
 * bounded by max-parallel), each writing junit XML and branch coverage; coverage combined
 * across suites and reported per package; failures annotated at the test's line; and,
 * with `benchmark: true`, pytest-benchmark medians compared against a baseline.
 *
 * inputs.ts parses, suites.ts and plan.ts decide, runs.ts runs, checks.ts judges,
 * summary.ts writes the step summary.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { pinToolVersions } from '../../packages-shared/tool-pins.js'
import { interpreterMarkers, startProvisioning } from '../../packages-shared/python/toolbox.js'
import { KeptCaches } from '../../packages-shared/tool-caches.js'
import { testsCaches } from './caches.js'
import { benchmarkCheck, coverageCheck, nothingRan, suiteChecks, testsResult } from './checks.js'
import { parseTestsInputs, type TestsInputs } from './inputs.js'
import { coverageRoots, nothingToRun, requiredTools } from './plan.js'
import { collectBenchmarks, combineCoverage, prepareOutputDir, prepareRuntimes, runSuites, type CombinedCoverage } from './runs.js'
import { planSuites } from './suites.js'
import { testsSections } from './summary.js'

export async function runTests(ctx: ActionContext, inputs: TestsInputs): Promise<ActionResult> {
  const { io, common } = ctx
  const ws = ctx.workspace()
  const root = ws.root
  const selection = await ctx.selection()
  const packages = selection.packages.map((p) => p.id)
  const includeRoot = (common.packages.mode !== 'changed' || selection.packages.length > 0) && selection.repositoryTargets !== false
  const suites = planSuites(root, inputs.suites, selection.packages, includeRoot)
  if (suites.length === 0) {
    const { why, nothingChanged, emptyShard } = nothingToRun(common, selection, root)
    return nothingRan(packages, why, nothingChanged || emptyShard === true || inputs.allowEmpty)
  }
  // The interpreter asked, and uv brought in, while the pins are read and the caches come back.
  startProvisioning(ctx)

  const requirements = await pinToolVersions(io, ws, requiredTools(suites, inputs), inputs.toolVersions, interpreterMarkers(ctx))
  // The folder first: an earlier run's files go, then pytest's cache comes back into it.
  const outDir = await prepareOutputDir(ctx)
  const caches = await KeptCaches.restore(ctx, () => testsCaches(ctx, selection, suites, requirements, outDir))
  // The uv cache comes back with the first install (KeptCaches.forInstalls).
  const runtimes = await prepareRuntimes(caches.forInstalls(ctx), selection, suites, inputs, requirements)
  const covRoots = coverageRoots(selection.packages)
  if (inputs.coverage && covRoots.length === 0) io.info('No importable module found in the selected packages; coverage is not measured.')
  const outcomes = await runSuites(ctx, suites, runtimes, inputs, outDir, covRoots)
  const checks = suiteChecks(outcomes, runtimes, ws)

  let combined: CombinedCoverage | undefined
  if (outcomes.some((o) => o.measured)) {
    const started = Date.now()
    const res = await combineCoverage(ctx, runtimes.box, outDir, outcomes)
    combined = res.combined
    checks.push(coverageCheck(res, outcomes, runtimes, requirements, inputs, started, (m) => io.debug(m), root))
  }
  const benchRun = await collectBenchmarks(ctx, inputs, outDir, outcomes)
  const bench = benchRun ? benchmarkCheck(benchRun, inputs, root) : undefined
  if (bench) checks.push(bench.check)

  await caches.save()

  const sections = testsSections(runtimes, outcomes, combined, bench, inputs, root)
  return testsResult({ packages, outDir, runtimes, outcomes, checks, sections, combined, bench, inputs, root })
}

export const runTestsAction: ActionDefinition<TestsInputs> = {
  name: 'run-tests',
  title: 'Tests',
  parseInputs: (reader, common) => parseTestsInputs(reader, common),
  run: runTests
}
