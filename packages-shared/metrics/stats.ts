/**
 * What the history says about this run: each stage's duration against its median over the
 * earlier runs, and the pipeline's failure rate over the window. Both become flags (warnings,
 * never failures) only when there is enough history to mean something: a median of one or
 * two runs is noise, so nothing is flagged before MIN_EARLIER_RUNS earlier runs.
 */
import type { RunRecord, StageRecord } from './history.js'

/** Fewest earlier runs (with the stage, for a slowdown) before anything is flagged. */
export const MIN_EARLIER_RUNS = 3
/**
 * A stage must also be this much slower than its median, so a stage of a second or two does
 * not flag on the jitter of a shared runner (0.4 s against a median of 0.2 s is +100%).
 */
export const MIN_SLOWDOWN_MS = 1000

export interface MetricsThresholds {
  /** Flag a stage more than this many percent slower than its median. */
  slowdownPercent: number
  /** Flag a failure rate above this many percent of the runs in the window. */
  failureRatePercent: number
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A stage's duration counts when the stage ran: a blocked stage or one that could not start took no real time. */
export function timed(stage: StageRecord | undefined): stage is StageRecord {
  return stage !== undefined && (stage.status === 'passed' || stage.status === 'failed')
}

/** How one stage of this run compares with the earlier runs. */
export interface StageTrend {
  stage: string
  durationMs: number
  /** The earlier runs in the window in which the stage ran. */
  earlierRuns: number
  medianMs?: number
  /** How much slower (positive) or faster than the median, in whole percent; undefined without a median or with a median of 0. */
  percent?: number
  flagged: boolean
  /** Why it is not compared (too few earlier runs; it did not run), for the summary. */
  note?: string
}

export interface FailureRate {
  failed: number
  runs: number
  percent: number
  flagged: boolean
  note?: string
}

export type MetricsFlag =
  | { kind: 'slowdown'; stage: string; durationMs: number; medianMs: number; percent?: number; earlierRuns: number; message: string }
  | { kind: 'failure-rate'; failed: number; runs: number; percent: number; thresholdPercent: number; message: string }

export interface Analysis {
  stages: StageTrend[]
  failureRate: FailureRate
  flags: MetricsFlag[]
}

/** A duration as the summary words it: 850 ms, 4.2 s, 92 s, 12 m 5 s. */
export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 600_000) return `${Math.round(ms / 1000)} s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)} m ${s % 60} s`
}

function stageTrend(current: StageRecord, earlier: readonly RunRecord[], thresholds: MetricsThresholds): StageTrend {
  const durations = earlier.map((r) => r.stages.find((s) => s.name === current.name)).filter(timed)
  const base = { stage: current.name, durationMs: current.durationMs, earlierRuns: durations.length }
  if (current.status === 'blocked' || current.status === 'error')
    return { ...base, flagged: false, note: `not compared: the stage ${current.status === 'blocked' ? 'was blocked' : 'could not run'}` }
  const medianMs = median(durations.map((s) => s.durationMs))
  if (medianMs === undefined || durations.length < MIN_EARLIER_RUNS) {
    return {
      ...base,
      ...(medianMs !== undefined ? { medianMs } : {}),
      flagged: false,
      note: `not compared: ${durations.length} earlier run(s), a median needs ${MIN_EARLIER_RUNS}`
    }
  }
  const percent = medianMs > 0 ? Math.round(((current.durationMs - medianMs) / medianMs) * 100) : undefined
  const flagged = current.durationMs > medianMs * (1 + thresholds.slowdownPercent / 100) && current.durationMs - medianMs >= MIN_SLOWDOWN_MS
  return { ...base, medianMs, ...(percent !== undefined ? { percent } : {}), flagged }
}

/** The failure rate over the window: the earlier runs and this one. */
export function failureRate(earlier: readonly RunRecord[], current: RunRecord, thresholds: MetricsThresholds): FailureRate {
  const window = [...earlier, current]
  const failed = window.filter((r) => r.result === 'failed').length
  const runs = window.length
  const percent = Math.round((failed / runs) * 100)
  if (earlier.length < MIN_EARLIER_RUNS) {
    return {
      failed,
      runs,
      percent,
      flagged: false,
      note: `not flagged: ${earlier.length} earlier run(s), the rate needs ${MIN_EARLIER_RUNS}`
    }
  }
  // Compared exactly, not through the rounded percent: 1 of 5 is 20%, not above 20%.
  return { failed, runs, percent, flagged: failed * 100 > thresholds.failureRatePercent * runs }
}

/**
 * This run against the `earlier` runs of the window (oldest first, this run not among them):
 * every stage of this run, the failure rate, and the flags they raise.
 */
export function analyse(earlier: readonly RunRecord[], current: RunRecord, thresholds: MetricsThresholds): Analysis {
  const stages = current.stages.map((s) => stageTrend(s, earlier, thresholds))
  const rate = failureRate(earlier, current, thresholds)
  const flags: MetricsFlag[] = []
  for (const t of stages) {
    if (!t.flagged || t.medianMs === undefined) continue
    const by = t.percent !== undefined ? `${t.percent}% above its median` : 'against a median'
    flags.push({
      kind: 'slowdown',
      stage: t.stage,
      durationMs: t.durationMs,
      medianMs: t.medianMs,
      ...(t.percent !== undefined ? { percent: t.percent } : {}),
      earlierRuns: t.earlierRuns,
      message: `stage ${t.stage} took ${seconds(t.durationMs)}, ${by} of ${seconds(t.medianMs)} over the last ${t.earlierRuns} runs`
    })
  }
  if (rate.flagged) {
    flags.push({
      kind: 'failure-rate',
      failed: rate.failed,
      runs: rate.runs,
      percent: rate.percent,
      thresholdPercent: thresholds.failureRatePercent,
      message: `failure rate ${rate.failed} of ${rate.runs} runs (${rate.percent}%) above ${thresholds.failureRatePercent}%`
    })
  }
  return { stages, failureRate: rate, flags }
}
