/**
 * Which history a run belongs to, and what this run is. Runs compare only with runs of the
 * same kind: the same branch, workflow, job, runner OS and architecture, stage selection and
 * shard (and `metrics-name`, for a matrix that varies something else, such as the Python).
 * A pull request's run is of its base branch: it is compared with the base branch's history
 * and not added to it (store.ts).
 *
 * Cache keys and file names carry the branch for people to read, and a hash of everything
 * that makes the series, so that `main` and `main-next` never share a prefix.
 */
import { createHash } from 'node:crypto'
import type { SeriesInfo } from './history.js'

type Env = Readonly<Record<string, string | undefined>>

export interface SeriesOptions {
  stages: readonly string[]
  /** The shard this job runs (`2/5`), when it runs one. */
  shard?: string
  /** `metrics-name`. */
  name?: string
}

/** The branch whose history this run reads: a pull request's base, a push's branch, `tags` for tag pushes, `local` outside a workflow. */
export function historyBranch(env: Env): string {
  const event = env.GITHUB_EVENT_NAME ?? ''
  if ((event === 'pull_request' || event === 'pull_request_target') && env.GITHUB_BASE_REF) return env.GITHUB_BASE_REF
  const ref = env.GITHUB_REF ?? ''
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length)
  if (ref.startsWith('refs/tags/')) return 'tags'
  return env.GITHUB_REF_NAME || env.GITHUB_HEAD_REF || 'local'
}

export function seriesInfo(env: Env, options: SeriesOptions): SeriesInfo {
  return {
    branch: historyBranch(env),
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    os: env.RUNNER_OS || process.platform,
    arch: env.RUNNER_ARCH || process.arch,
    stages: [...options.stages],
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.name ? { name: options.name } : {})
  }
}

/** The branch made safe for a cache key or a file name, cut to 40 characters. */
export function branchSlug(branch: string): string {
  return (
    branch
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+/, '')
      .slice(0, 40) || 'branch'
  )
}

/** `<branch>-<hash of the series>`: the stem of every key and file name of this series. */
export function seriesStem(series: SeriesInfo): string {
  const { branch, workflow, job, os, arch, stages, shard, name } = series
  const hash = createHash('sha256')
    .update(JSON.stringify([branch, workflow, job, os, arch, stages, shard ?? '', name ?? '']))
    .digest('hex')
    .slice(0, 12)
  return `${branchSlug(branch)}-${hash}`
}

/** The Actions cache key prefix of the series: every run saves `<prefix><run id>-<attempt>`, a restore takes the newest. */
export function cacheKeyPrefix(series: SeriesInfo): string {
  return `dk-metrics-${seriesStem(series)}-`
}

/** This run's identity, from the runner's variables (a local run has none: its time stands in). */
export function runIdentity(env: Env, now = Date.now()): { runId: string; runNumber?: number; attempt: number } {
  const id = env.GITHUB_RUN_ID && /^[A-Za-z0-9._-]{1,64}$/.test(env.GITHUB_RUN_ID) ? env.GITHUB_RUN_ID : `local-${now}`
  const number = Number(env.GITHUB_RUN_NUMBER)
  const attempt = Number(env.GITHUB_RUN_ATTEMPT)
  return {
    runId: id,
    ...(Number.isInteger(number) && number > 0 ? { runNumber: number } : {}),
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1
  }
}
