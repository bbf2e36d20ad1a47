/**
 * The shards' files under the downloaded artifacts: every JSON file shaped like a
 * dk-actions report (action, version, packages, passed, checks) and every SARIF 2.1.0 log.
 * Other JSON (coverage, benchmarks) is passed over; a file that does not parse is said.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { listFiles } from '../../packages-shared/artifacts.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import type { ReportData } from '../../packages-shared/findings.js'
import { toPosix } from '../../packages-shared/paths.js'
import { orderReports } from './plan.js'
import { isSarifLog, mergeSarif, type SarifFile } from './sarif.js'

/** The merged report's own files, never read back (a re-run of the merge job). */
export const MERGED_BASE = 'merge-reports'

export interface ShardReport {
  /** Path relative to the reports folder, posix. */
  file: string
  report: ReportData & { shard?: { shard: string; index: number; total: number } }
}

export interface Collected {
  reports: ShardReport[]
  sarif: SarifFile[]
  /** Files that looked like ours but could not be read, with why. */
  unreadable: string[]
}

export function isReport(data: unknown): data is ReportData {
  const d = data as Record<string, unknown> | null
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.action === 'string' &&
    typeof d.version === 'string' &&
    Array.isArray(d.packages) &&
    typeof d.passed === 'boolean' &&
    Array.isArray(d.checks)
  )
}

function readJson(file: string): { data?: unknown; error?: string } {
  try {
    return { data: JSON.parse(fs.readFileSync(file, 'utf8')) as unknown }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

export function collectReports(dir: string): Collected {
  const out: Collected = { reports: [], sarif: [], unreadable: [] }
  for (const file of listFiles(dir)) {
    const rel = toPosix(path.relative(dir, file))
    const base = path.basename(file)
    if (base === `${MERGED_BASE}.json` || base === `${MERGED_BASE}.sarif`) continue
    if (base.endsWith('.sarif')) {
      const { data, error } = readJson(file)
      if (isSarifLog(data)) out.sarif.push({ path: rel, log: data })
      else out.unreadable.push(`${rel}: ${error ?? 'not a SARIF 2.1.0 log'}`)
    } else if (base.endsWith('.json')) {
      const { data } = readJson(file)
      if (isReport(data)) out.reports.push({ file: rel, report: data as ShardReport['report'] })
    }
  }
  return out
}

/** The shards' reports and SARIF under the reports folder, in merge order; no folder or no report is the user's error. */
export function readShardReports(ctx: ActionContext, dir: string): Collected {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(
      `Input 'reports' names ${dir}, which is not a directory: download the shards' artifacts there first ` +
        '(actions/download-artifact with that path, one subfolder per artifact: no merge-multiple).'
    )
  }
  const collected = collectReports(dir)
  ctx.io.info(`merge-reports: ${collected.reports.length} report(s) and ${collected.sarif.length} SARIF file(s) under ${dir}`)
  for (const u of collected.unreadable) ctx.io.warning(`merge-reports: ${u}`)
  if (collected.reports.length === 0) {
    throw new UserError(
      `merge-reports found no dk-actions report under ${dir}. Download the shards' artifacts there first ` +
        '(actions/download-artifact with that path), and give each shard job an `artifact-name` so that it uploads its report.'
    )
  }
  return { ...collected, reports: orderReports(collected.reports) }
}

export interface MergedSarif {
  /** The SARIF files read. */
  files: string[]
  runs: number
  results: number
  /** Where the merged log was written; none without SARIF. */
  path?: string
}

/** One SARIF log from all the shards' (runs merged per category), written to the report folder. */
export function writeMergedSarif(reportDir: string, sarif: readonly SarifFile[]): MergedSarif {
  const merged = mergeSarif([...sarif])
  const out: MergedSarif = { files: sarif.map((s) => s.path), runs: merged.runs, results: merged.results }
  if (sarif.length === 0) return out
  fs.mkdirSync(reportDir, { recursive: true })
  out.path = path.join(reportDir, `${MERGED_BASE}.sarif`)
  fs.writeFileSync(out.path, JSON.stringify(merged.log, null, 2) + '\n')
  return out
}
