/**
 * The pipeline's metrics history: one record per run (its stages' durations and counts, its
 * result), oldest first, in a versioned JSON document. The document comes back from a cache
 * or a branch anyone with write access (or an earlier dk-actions) may have written, so it
 * is read defensively: a record that does not have the schema's shape is dropped, and a
 * document of another schema version is ignored, with a notice, and the history restarts.
 */

/** Bumped when a record's meaning changes; a history of another version starts again. */
export const METRICS_SCHEMA_VERSION = 1

export type StageStatus = 'passed' | 'failed' | 'error' | 'blocked'
const STAGE_STATUSES: readonly StageStatus[] = ['passed', 'failed', 'error', 'blocked']

export interface StageRecord {
  /** The stage's name (quality, tests, ...): ours, so it is safe in a chart's label. */
  name: string
  status: StageStatus
  durationMs: number
  /** Checks the stage's action reported (a tool in a package, a suite). */
  checks: number
  findings: number
  /** Findings of severity error. */
  errors: number
}

export interface RunRecord {
  /** GITHUB_RUN_ID, or `local-<time>` outside a workflow. */
  runId: string
  /** GITHUB_RUN_NUMBER: what the chart labels the run with. */
  runNumber?: number
  attempt: number
  sha?: string
  event?: string
  startedAt: string
  durationMs: number
  result: 'passed' | 'failed'
  packages: number
  findings: number
  stages: StageRecord[]
}

/** What the history is of, written into it so that a reader of the file knows. */
export interface SeriesInfo {
  branch: string
  workflow: string
  job: string
  os: string
  arch: string
  stages: string[]
  shard?: string
  name?: string
}

export interface MetricsHistory {
  version: typeof METRICS_SCHEMA_VERSION
  series: SeriesInfo
  runs: RunRecord[]
}

export interface ReadHistory {
  history: MetricsHistory
  /** Why what was read was not (all) used, for a notice. */
  notice?: string
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,39}$/
const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const isWhole = (v: unknown): v is number => isCount(v) && Number.isInteger(v)

function readStage(v: unknown): StageRecord | undefined {
  if (!isObject(v)) return undefined
  const { name, status, durationMs, checks, findings, errors } = v
  if (typeof name !== 'string' || !STAGE_NAME.test(name)) return undefined
  if (typeof status !== 'string' || !STAGE_STATUSES.includes(status as StageStatus)) return undefined
  if (!isCount(durationMs) || !isWhole(checks) || !isWhole(findings) || !isWhole(errors)) return undefined
  return { name, status: status as StageStatus, durationMs, checks, findings, errors }
}

/** One record as the schema has it, or undefined; only the fields the schema names are kept. */
export function readRun(v: unknown): RunRecord | undefined {
  if (!isObject(v)) return undefined
  const { runId, runNumber, attempt, sha, event, startedAt, durationMs, result, packages, findings, stages } = v
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) return undefined
  if (runNumber !== undefined && !(isWhole(runNumber) && runNumber > 0)) return undefined
  if (!(isWhole(attempt) && attempt > 0)) return undefined
  if (typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) return undefined
  if (!isCount(durationMs) || !isWhole(packages) || !isWhole(findings)) return undefined
  if (result !== 'passed' && result !== 'failed') return undefined
  if (!Array.isArray(stages)) return undefined
  const read = stages.map(readStage)
  if (read.some((s) => s === undefined)) return undefined
  return {
    runId,
    ...(runNumber !== undefined ? { runNumber } : {}),
    attempt,
    ...(typeof sha === 'string' && /^[0-9a-f]{7,64}$/.test(sha) ? { sha } : {}),
    ...(typeof event === 'string' && /^[a-z_]{1,40}$/.test(event) ? { event } : {}),
    startedAt,
    durationMs,
    result,
    packages,
    findings,
    stages: read as StageRecord[]
  }
}

export function emptyHistory(series: SeriesInfo): MetricsHistory {
  return { version: METRICS_SCHEMA_VERSION, series, runs: [] }
}

/**
 * The history in `text` (undefined: there is none yet), for `series`. What cannot be used is
 * said in `notice`: a document that is not JSON or of another schema version is dropped whole,
 * a record without the schema's shape alone.
 */
export function readHistory(text: string | undefined, series: SeriesInfo, source = 'the metrics history'): ReadHistory {
  const fresh = emptyHistory(series)
  if (text === undefined || text.trim() === '') return { history: fresh }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return { history: fresh, notice: `${source} is not JSON: it is ignored and the history starts again with this run.` }
  }
  if (!isObject(data) || !Array.isArray(data.runs)) {
    return { history: fresh, notice: `${source} is not a metrics history: it is ignored and the history starts again with this run.` }
  }
  if (data.version !== METRICS_SCHEMA_VERSION) {
    const version = typeof data.version === 'number' || typeof data.version === 'string' ? String(data.version) : 'none'
    return {
      history: fresh,
      notice:
        `${source} has schema version ${version}, and this dk-actions reads version ${METRICS_SCHEMA_VERSION}: ` +
        'it is ignored and the history starts again with this run.'
    }
  }
  const runs = data.runs.map(readRun)
  const kept = runs.filter((r): r is RunRecord => r !== undefined)
  const dropped = runs.length - kept.length
  return {
    history: { ...fresh, runs: kept },
    ...(dropped ? { notice: `${source}: ${dropped} of ${runs.length} run record(s) do not have the schema's shape and are left out.` } : {})
  }
}

/**
 * The history with `run` appended (replacing a record of the same run and attempt, saved
 * before by a step that ran twice) and cut to the newest `max` runs.
 */
export function appendRun(history: MetricsHistory, run: RunRecord, max: number): MetricsHistory {
  const others = history.runs.filter((r) => !(r.runId === run.runId && r.attempt === run.attempt))
  return { ...history, runs: [...others, run].slice(-Math.max(1, max)) }
}

export function historyText(history: MetricsHistory): string {
  return JSON.stringify(history, null, 1) + '\n'
}
