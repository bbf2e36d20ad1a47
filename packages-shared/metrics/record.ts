/**
 * One run's turn with its history: choose where the history is kept, read it, compare this
 * run with the earlier ones, append this run, trim, save. Nothing here fails a run: a store
 * that cannot be read is a warning, and the run is then compared with nothing and not saved,
 * since saving a history of one run over the real one would lose the trend.
 *
 * Where the history is not kept:
 * - where caches are off (cache.ts's cachePolicy: `release` events, tag pushes,
 *   `pull_request_target`, `cache: false`) or the runner has no cache service, and no
 *   `metrics-branch` is given: this run is reported alone, compared with nothing;
 * - pull requests (`pull_request`, `pull_request_target`) read their base branch's history and
 *   are compared with it, but are not added to it;
 * - `metrics-branch` naming the branch the run builds or the default branch.
 */
import type { CacheService } from '../cache.js'
import { errorMessage } from '../errors.js'
import type { Exec } from '../exec.js'
import { defaultBranch, githubContext, isPullRequestEvent } from '../github/event.js'
import type { RunnerIO } from '../io.js'
import { branchStore } from './branch-store.js'
import { cacheStore } from './cache-store.js'
import { appendRun, historyText, readHistory, type RunRecord, type SeriesInfo } from './history.js'
import type { MetricsOptions } from './options.js'
import { cacheKeyPrefix, seriesStem } from './series.js'
import { analyse, type Analysis, type MetricsThresholds } from './stats.js'
import type { HistoryStore } from './store.js'

export interface MetricsRuntime {
  io: RunnerIO
  exec: Exec
  cache: CacheService
  /** A new, empty folder for the cache entry (cache-store.ts). */
  folder: () => Promise<string>
  /** A folder of the checkout, for `metrics-branch`. */
  dir: string
}

export interface StoreChoice {
  store?: HistoryStore
  /** Why no history is kept on this run. */
  off?: string
  /** Why this run is compared with the history but not added to it. */
  readOnly?: string
}

/** Whether `metrics: auto` keeps metrics here: with a branch, or where the runner has a cache service (caches off by policy included: the summary says so). */
export function metricsWanted(options: Pick<MetricsOptions, 'mode' | 'branch'>, cache: CacheService): boolean {
  if (options.mode !== 'auto') return options.mode === 'on'
  return Boolean(options.branch) || !cache.off || cache.offNotice === true
}

function currentBranch(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.GITHUB_HEAD_REF) return env.GITHUB_HEAD_REF
  const ref = env.GITHUB_REF ?? ''
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined
}

export function chooseStore(rt: MetricsRuntime, options: MetricsOptions, series: SeriesInfo, run: RunRecord): StoreChoice {
  const env = rt.io.env
  const github = githubContext(env)
  const readOnly = isPullRequestEvent(github)
    ? `pull requests are compared with the history of ${series.branch} and not added to it`
    : undefined
  if (options.branch) {
    const branch = options.branch
    if (branch === currentBranch(env) || branch === defaultBranch(github)) {
      return {
        off: `metrics-branch ${branch} is ${branch === currentBranch(env) ? 'the branch this run builds' : 'the default branch'}; the history needs a branch of its own`
      }
    }
    const store = branchStore({
      exec: rt.exec,
      env,
      dir: rt.dir,
      branch,
      file: `${seriesStem(series)}.json`,
      message: `dk-actions metrics: ${series.branch}, run ${run.runId}${run.attempt > 1 ? ` attempt ${run.attempt}` : ''}`
    })
    return { store, ...(readOnly ? { readOnly } : {}) }
  }
  if (rt.cache.off) return { off: rt.cache.off }
  const prefix = cacheKeyPrefix(series)
  const store = cacheStore({ cache: rt.cache, prefix, key: `${prefix}${run.runId}-${run.attempt}`, folder: rt.folder })
  return { store, ...(readOnly ? { readOnly } : {}) }
}

export interface StoreReport {
  kind: 'cache' | 'branch' | 'none'
  where?: string
  /** Where the earlier runs came from. */
  source?: string
  saved: boolean
  /** What became of this run's record, in a sentence's end. */
  detail: string
}

export interface MetricsOutcome {
  series: SeriesInfo
  run: RunRecord
  /** The window after this run was added, oldest first: what the summary charts. */
  runs: RunRecord[]
  analysis: Analysis
  store: StoreReport
  maxRuns: number
  thresholds: MetricsThresholds
}

/** Reads the history, compares `run` with it, appends it and saves; every failure is a warning and this run's record is still returned. */
export async function keepMetrics(
  io: RunnerIO,
  choice: StoreChoice,
  series: SeriesInfo,
  run: RunRecord,
  options: MetricsOptions
): Promise<MetricsOutcome> {
  const { store } = choice
  // Caches being off is the run's policy (the summary says so); a metrics-branch refused is the user's to fix.
  if (!store && options.branch && choice.off) io.warning(`Pipeline metrics: ${choice.off}: no history is kept.`)
  let text: string | undefined
  let source: string | undefined
  let unreadable: string | undefined
  if (store) {
    try {
      ;({ text, source } = await store.load())
    } catch (error) {
      unreadable = errorMessage(error)
      io.warning(`Pipeline metrics: ${store.where} could not be read (${unreadable}); this run is compared with nothing and not saved.`)
    }
  }
  const read = readHistory(text, series, `The metrics history from ${source ?? 'the store'}`)
  if (read.notice) io.notice(read.notice)
  const earlier = read.history.runs.filter((r) => !(r.runId === run.runId && r.attempt === run.attempt)).slice(-(options.runs - 1))
  const analysis = analyse(earlier, run, options)
  const after = appendRun({ ...read.history, runs: earlier }, run, options.runs)

  let report: StoreReport
  if (!store) report = { kind: 'none', saved: false, detail: `not kept: ${choice.off ?? 'no store'}` }
  else if (unreadable !== undefined)
    report = { kind: store.kind, where: store.where, saved: false, detail: `not saved: ${store.where} could not be read` }
  else if (choice.readOnly) report = { kind: store.kind, where: store.where, source, saved: false, detail: `not saved: ${choice.readOnly}` }
  else {
    try {
      // The store may hold more than was read by now (a branch another run pushed to): this run goes on top of that.
      const result = await store.save((latest) =>
        historyText(latest === text ? after : appendRun(readHistory(latest, series).history, run, options.runs))
      )
      report = { kind: store.kind, where: store.where, source, ...result }
    } catch (error) {
      io.warning(`Pipeline metrics: this run could not be saved to ${store.where}: ${errorMessage(error)}`)
      report = { kind: store.kind, where: store.where, source, saved: false, detail: `not saved: ${errorMessage(error)}` }
    }
  }
  io.info(
    `Pipeline metrics: ${earlier.length} earlier run(s) of ${series.branch}${source ? ` from ${source}` : ''}; this run ${report.detail}.`
  )
  const thresholds = { slowdownPercent: options.slowdownPercent, failureRatePercent: options.failureRatePercent }
  return { series, run, runs: after.runs, analysis, store: report, maxRuns: options.runs, thresholds }
}
