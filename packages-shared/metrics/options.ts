/** The root action's `metrics*` inputs, parsed once before any stage runs. */
import { invalidInput, parseBoolean, type InputReader } from '../inputs.js'
import { parseName } from '../output-dirs.js'
import { MIN_EARLIER_RUNS, type MetricsThresholds } from './stats.js'

/** `auto`: on when the runner has a cache service or `metrics-branch` is given; `on` also without (this run alone); `off`. */
export type MetricsMode = 'auto' | 'on' | 'off'

export interface MetricsOptions extends MetricsThresholds {
  mode: MetricsMode
  /** Runs kept, this one included. */
  runs: number
  /** Commit the history to this branch instead of the Actions cache. */
  branch?: string
  /** Tells apart the histories of jobs the series does not (a matrix over Python versions). */
  name?: string
}

export const DEFAULT_METRICS_RUNS = 30
export const MAX_METRICS_RUNS = 100

/**
 * A branch name git takes (git-check-ref-format's rules, as a name under refs/heads/): no
 * space, control character, `~^:?*[\`, `..`, `@{` or `//`; not starting with `-` or `/`, not
 * ending with `/`, `.` or `.lock`; no component starting with `.`.
 */
export function isBranchName(name: string): boolean {
  // No whitespace, none of the characters git reserves, no control character.
  if (/[\s~^:?*[\\]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false
  if (name.includes('..') || name.includes('@{') || name.includes('//') || name === '@') return false
  if (/^[-/]/.test(name) || /[/.]$/.test(name) || name.endsWith('.lock')) return false
  return !name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))
}

export function parseMetricsOptions(reader: InputReader): MetricsOptions {
  const raw = reader.raw('metrics')
  const value = raw.trim().toLowerCase()
  let mode: MetricsMode = 'auto'
  if (value !== '' && value !== 'auto') {
    try {
      mode = parseBoolean('metrics', raw) ? 'on' : 'off'
    } catch {
      throw invalidInput('metrics', raw, 'expected auto, true or false')
    }
  }
  const runs = reader.integer('metrics-runs', { min: MIN_EARLIER_RUNS + 1, max: MAX_METRICS_RUNS }, DEFAULT_METRICS_RUNS)
  const slowdownPercent = reader.percent('metrics-slowdown', 50)
  if (slowdownPercent <= 0)
    throw invalidInput('metrics-slowdown', reader.raw('metrics-slowdown'), 'expected a percentage above 0 such as 50%')
  const failureRatePercent = reader.percent('metrics-failure-rate', 20)
  if (failureRatePercent > 100)
    throw invalidInput('metrics-failure-rate', reader.raw('metrics-failure-rate'), 'expected a percentage from 0% to 100% such as 20%')
  const branch = reader.string('metrics-branch').replace(/^refs\/heads\//, '')
  if (branch && !isBranchName(branch))
    throw invalidInput(
      'metrics-branch',
      reader.raw('metrics-branch'),
      'expected a branch name such as dk-metrics (no spaces, `..`, `~^:?*[`)'
    )
  const name = reader.string('metrics-name')
  return {
    mode,
    runs,
    slowdownPercent,
    failureRatePercent,
    ...(branch ? { branch } : {}),
    ...(name ? { name: parseName('metrics-name', name) } : {})
  }
}
