/**
 * merge-reports: the last job of a fan-out. It reads the JSON reports and SARIF files the
 * shards uploaded (downloaded into one folder), checks every shard came back (against the
 * plan's matrix when given), and writes one step summary, one JSON report and one SARIF
 * log. It fails when any shard failed or sent no report.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import { countBySeverity, type CheckResult, type Finding } from '../../packages-shared/findings.js'
import { formatDuration, table } from '../../packages-shared/report/markdown.js'
import { collectReports, MERGED_BASE, type ShardReport } from './collect.js'
import { parseMergeInputs, type MergeInputs } from './inputs.js'
import { mergeSarif } from './sarif.js'

const label = (r: ShardReport): string => `${r.report.action}${r.report.shard ? ` ${r.report.shard.shard}` : ''}`

/** Problems with the set of shards: missing, twice, of different plans, or not the packages the plan gave. */
export function shardProblems(reports: readonly ShardReport[], matrix: MergeInputs['matrix']): Finding[] {
  const findings: Finding[] = []
  const problem = (message: string): void => void findings.push({ tool: 'shards', severity: 'error', rule: 'dk-actions/shards', message })
  const byAction = new Map<string, ShardReport[]>()
  for (const r of reports) byAction.set(r.report.action, [...(byAction.get(r.report.action) ?? []), r])
  for (const [action, list] of byAction) {
    const sharded = list.filter((r) => r.report.shard)
    if (sharded.length === 0) continue
    const totals = [...new Set(sharded.map((r) => r.report.shard!.total))]
    if (totals.length > 1) {
      problem(`${action}: the reports come from fan-outs of different sizes (${totals.map((t) => `of ${t}`).join(', ')}); merge the shards of one plan at a time.`)
      continue
    }
    const total = matrix ? matrix.length : totals[0]!
    if (matrix && totals[0] !== total) problem(`${action}: the shards are of ${totals[0]}, the matrix has ${total}: they are not of this plan.`)
    const seen = new Map<number, ShardReport[]>()
    for (const r of sharded) seen.set(r.report.shard!.index, [...(seen.get(r.report.shard!.index) ?? []), r])
    for (let i = 1; i <= total; i++) {
      const got = seen.get(i) ?? []
      if (got.length === 0) {
        problem(`${action} shard ${i}/${total} sent no report: its job failed before reporting, or its artifact was not downloaded (give each shard's artifact its own name, and download them without merge-multiple).`)
      } else if (got.length > 1) {
        problem(`${action} shard ${i}/${total} has ${got.length} reports (${got.map((r) => r.file).join(', ')}): keep one per shard.`)
      }
      const planned = matrix?.[i - 1]
      if (planned && got.length === 1) {
        const want = planned.packages.split(',').filter(Boolean)
        const have = got[0]!.report.packages
        if (want.join(',') !== have.join(',')) {
          problem(
            `${action} shard ${i}/${total} covered ${have.join(', ') || 'no package'}, but the plan gave it ${want.join(', ') || 'none'}: ` +
              'the plan job and the fan-out jobs selected different packages. Give them the same checkout, `packages` and `base-ref` (a full clone, fetch-depth: 0, for `packages: changed`).'
          )
        }
      }
    }
  }
  return findings
}

function mergedChecks(r: ShardReport): CheckResult[] {
  const prefix = `${r.report.action}${r.report.shard ? ` [${r.report.shard.shard}]` : ''}`
  return r.report.checks.map((c) => ({ ...c, tool: `${prefix} ${c.tool}` }))
}

export async function mergeReports(ctx: ActionContext, inputs: MergeInputs): Promise<ActionResult> {
  if (!fs.existsSync(inputs.reportsDir) || !fs.statSync(inputs.reportsDir).isDirectory()) {
    throw new UserError(
      `Input 'reports' names ${inputs.reportsDir}, which is not a directory: download the shards' artifacts there first ` +
        '(actions/download-artifact with that path, one subfolder per artifact: no merge-multiple).'
    )
  }
  const { reports, sarif, unreadable } = collectReports(inputs.reportsDir)
  ctx.io.info(`merge-reports: ${reports.length} report(s) and ${sarif.length} SARIF file(s) under ${inputs.reportsDir}`)
  for (const u of unreadable) ctx.io.warning(`merge-reports: ${u}`)
  if (reports.length === 0) {
    throw new UserError(
      `merge-reports found no dk-actions report under ${inputs.reportsDir}. Download the shards' artifacts there first ` +
        '(actions/download-artifact with that path), and give each shard job an `artifact-name` so that it uploads its report.'
    )
  }
  reports.sort((a, b) => a.report.action.localeCompare(b.report.action) || (a.report.shard?.index ?? 0) - (b.report.shard?.index ?? 0) || a.file.localeCompare(b.file))
  const problems = shardProblems(reports, inputs.matrix)
  const checks: CheckResult[] = [
    ...reports.flatMap(mergedChecks),
    { tool: 'shards', status: problems.length ? 'failed' : 'passed', durationMs: 0, findings: problems }
  ]

  const merged = mergeSarif(sarif)
  const outputs: Record<string, string> = { reports: String(reports.length), 'failed-shards': '' }
  let sarifPath: string | undefined
  if (sarif.length) {
    fs.mkdirSync(ctx.common.reportDir, { recursive: true })
    sarifPath = path.join(ctx.common.reportDir, `${MERGED_BASE}.sarif`)
    fs.writeFileSync(sarifPath, JSON.stringify(merged.log, null, 2) + '\n')
    outputs.sarif = sarifPath
  }
  const failed = reports.filter((r) => !r.report.passed)
  outputs['failed-shards'] = failed.map(label).join(',')

  const rows = reports.map((r) => {
    const n = countBySeverity(r.report.checks.flatMap((c) => c.findings))
    return [r.report.action, r.report.shard?.shard ?? '—', String(r.report.packages.length), r.report.passed ? '✅ passed' : '❌ failed', String(n.error), String(n.warning), formatDuration(r.report.durationMs), r.file]
  })
  const sections = [
    `### Shards\n\n${table(['action', 'shard', 'packages', 'result', 'errors', 'warnings', 'time', 'report'], rows)}` +
      (sarif.length ? `\nSARIF: ${sarif.length} file(s), ${merged.results} result(s) in ${merged.runs} run(s), one per action and tool: \`${sarifPath}\`.\n` : '\nNo SARIF file among the reports.\n')
  ]
  const packages = [...new Set(reports.flatMap((r) => r.report.packages))]
  const parts: string[] = []
  if (failed.length) parts.push(`${failed.length} of ${reports.length} report(s) failed: ${failed.map(label).join(', ')}`)
  if (problems.length) parts.push(`${problems.length} problem(s) with the shards: ${problems.map((p) => p.message).join(' ')}`)
  return {
    passed: failed.length === 0 && problems.length === 0,
    packages,
    checks,
    outputs,
    sections,
    annotate: false,
    data: {
      reports: reports.map((r) => ({ file: r.file, action: r.report.action, shard: r.report.shard?.shard, passed: r.report.passed, packages: r.report.packages, durationMs: r.report.durationMs })),
      sarif: { files: sarif.map((s) => s.path), runs: merged.runs, results: merged.results, path: sarifPath }
    },
    artifactFiles: sarifPath ? [{ files: [sarifPath], root: ctx.common.reportDir }] : [],
    failureMessage: parts.length ? `merge-reports: ${parts.join('; ')}. See the step summary.` : undefined
  }
}

export const mergeReportsAction: ActionDefinition<MergeInputs> = {
  name: 'merge-reports',
  title: 'Merged reports',
  parseInputs: (reader, common, io) => parseMergeInputs(reader, common, io),
  run: mergeReports
}
