/** merge-reports' plan: the order the shard reports are merged and named in (pure). */
import type { ShardReport } from './runs.js'

/** `run-quality 2/5`: how a shard report is named in messages and outputs. */
export const shardLabel = (r: ShardReport): string => `${r.report.action}${r.report.shard ? ` ${r.report.shard.shard}` : ''}`

/** By action, then shard number, then file: the same order whatever order the artifacts were downloaded in. */
export function orderReports(reports: readonly ShardReport[]): ShardReport[] {
  return [...reports].sort(
    (a, b) =>
      a.report.action.localeCompare(b.report.action) ||
      (a.report.shard?.index ?? 0) - (b.report.shard?.index ?? 0) ||
      a.file.localeCompare(b.file)
  )
}
