/**
 * The pipeline's metrics, after the stages ran: this run's record (each stage's duration,
 * counts and status, the result), kept in a history (packages-shared/metrics/), compared with
 * the earlier runs; a summary section with the trend and the flags, the `metrics` data of the
 * report, the `metrics-flags` output. A flag is a warning, never a failure, and nothing the
 * metrics do can fail the pipeline.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { errorMessage } from '../../packages-shared/errors.js'
import { allFindings } from '../../packages-shared/findings.js'
import type { RunRecord, StageRecord } from '../../packages-shared/metrics/history.js'
import { METRICS_SCHEMA_VERSION } from '../../packages-shared/metrics/history.js'
import type { MetricsOptions } from '../../packages-shared/metrics/options.js'
import { chooseStore, keepMetrics, metricsWanted, type MetricsOutcome } from '../../packages-shared/metrics/record.js'
import { runIdentity, seriesInfo } from '../../packages-shared/metrics/series.js'
import { formatShard } from '../../packages-shared/shards.js'
import type { StageOutcome } from './stages.js'
import { metricsSection } from './summary.js'

export function stageRecord(o: StageOutcome): StageRecord {
  const checks = o.result?.checks ?? []
  const findings = allFindings(checks)
  return {
    name: o.stage.name,
    status: o.status,
    durationMs: Math.round(o.durationMs),
    checks: checks.length,
    findings: findings.length,
    errors: findings.filter((f) => f.severity === 'error').length
  }
}

export function runRecord(
  env: Readonly<Record<string, string | undefined>>,
  outcomes: readonly StageOutcome[],
  result: ActionResult,
  startedAt: number,
  now = Date.now()
): RunRecord {
  const sha = (env.GITHUB_SHA ?? '').toLowerCase()
  const event = env.GITHUB_EVENT_NAME ?? ''
  return {
    ...runIdentity(env, startedAt),
    ...(/^[0-9a-f]{7,64}$/.test(sha) ? { sha } : {}),
    ...(/^[a-z_]{1,40}$/.test(event) ? { event } : {}),
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Math.max(0, Math.round(now - startedAt)),
    result: result.passed ? 'passed' : 'failed',
    packages: result.packages.length,
    findings: allFindings(result.checks).length,
    stages: outcomes.map(stageRecord)
  }
}

/** A new, empty folder under the runner's temp for the cache entry, through the output guard. */
function metricsFolder(ctx: ActionContext): () => Promise<string> {
  return async () => {
    const guard = await ctx.outputs()
    const parent = path.join(ctx.tempDir, 'dk-actions-metrics')
    guard.claim({ what: 'the pipeline metrics history', value: parent }, parent, 'clear')
    const dir = guard.clearChild(parent, 'history')
    fs.mkdirSync(dir)
    return dir
  }
}

export function withMetrics(result: ActionResult, outcome: MetricsOutcome): ActionResult {
  const { analysis } = outcome
  return {
    ...result,
    outputs: { ...(result.outputs ?? {}), 'metrics-flags': JSON.stringify(analysis.flags) },
    sections: [...(result.sections ?? []), metricsSection(outcome)],
    data: {
      ...(result.data ?? {}),
      metrics: {
        schemaVersion: METRICS_SCHEMA_VERSION,
        series: outcome.series,
        store: outcome.store,
        maxRuns: outcome.maxRuns,
        runs: outcome.runs.length,
        run: outcome.run,
        stages: analysis.stages,
        failureRate: analysis.failureRate,
        flags: analysis.flags
      }
    }
  }
}

/** The pipeline's result with its metrics, or as it is when metrics are off here. */
export async function pipelineMetrics(
  ctx: ActionContext,
  options: MetricsOptions,
  outcomes: readonly StageOutcome[],
  result: ActionResult,
  startedAt: number
): Promise<ActionResult> {
  if (!metricsWanted(options, ctx.cache)) {
    ctx.io.debug(`Pipeline metrics: off (${options.mode === 'off' ? 'metrics: false' : `${ctx.cache.off}, and no metrics-branch`}).`)
    return result
  }
  try {
    const env = ctx.io.env
    const series = seriesInfo(env, {
      stages: outcomes.map((o) => o.stage.name),
      ...(ctx.common.shard ? { shard: formatShard(ctx.common.shard) } : {}),
      ...(options.name ? { name: options.name } : {})
    })
    const run = runRecord(env, outcomes, result, startedAt)
    const rt = { io: ctx.io, exec: ctx.exec, cache: ctx.cache, folder: metricsFolder(ctx), dir: ctx.common.workingDirectory }
    const outcome = await keepMetrics(ctx.io, chooseStore(rt, options, series, run), series, run, options)
    for (const flag of outcome.analysis.flags) ctx.io.warning(`Pipeline metrics: ${flag.message}.`)
    return withMetrics(result, outcome)
  } catch (error) {
    // Ours (the store errors are handled in keepMetrics): the pipeline's result stands.
    ctx.io.warning(`Pipeline metrics could not be kept: ${errorMessage(error)}`)
    if (error instanceof Error && error.stack) ctx.io.debug(error.stack)
    return result
  }
}
