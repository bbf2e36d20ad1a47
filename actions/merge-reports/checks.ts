/** merge-reports' checks: each shard's checks under its name, and one check that every shard of the plan came back once. */
import type { ActionResult } from '../../packages-shared/action.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import type { MergeInputs } from './inputs.js'
import { shardLabel } from './plan.js'
import type { MergedSarif, ShardReport } from './runs.js'

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
      problem(
        `${action}: the reports come from fan-outs of different sizes (${totals.map((t) => `of ${t}`).join(', ')}); merge the shards of one plan at a time.`
      )
      continue
    }
    const total = matrix ? matrix.length : totals[0]!
    if (matrix && totals[0] !== total)
      problem(`${action}: the shards are of ${totals[0]}, the matrix has ${total}: they are not of this plan.`)
    const seen = new Map<number, ShardReport[]>()
    for (const r of sharded) seen.set(r.report.shard!.index, [...(seen.get(r.report.shard!.index) ?? []), r])
    for (let i = 1; i <= total; i++) {
      const got = seen.get(i) ?? []
      if (got.length === 0) {
        problem(
          `${action} shard ${i}/${total} sent no report: its job failed before reporting, or its artifact was not downloaded (give each shard's artifact its own name, and download them without merge-multiple).`
        )
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

/** The merge's result: passed only when every shard passed and every shard of the plan came back once. */
export function mergeResult(
  reports: readonly ShardReport[],
  problems: Finding[],
  sarif: MergedSarif,
  sections: string[],
  reportDir: string
): ActionResult {
  const failed = reports.filter((r) => !r.report.passed)
  const checks: CheckResult[] = [
    ...reports.flatMap(mergedChecks),
    { tool: 'shards', status: problems.length ? 'failed' : 'passed', durationMs: 0, findings: problems }
  ]
  const outputs: Record<string, string> = { reports: String(reports.length), 'failed-shards': failed.map(shardLabel).join(',') }
  if (sarif.path) outputs.sarif = sarif.path
  const parts: string[] = []
  if (failed.length) parts.push(`${failed.length} of ${reports.length} report(s) failed: ${failed.map(shardLabel).join(', ')}`)
  if (problems.length) parts.push(`${problems.length} problem(s) with the shards: ${problems.map((p) => p.message).join(' ')}`)
  return {
    passed: failed.length === 0 && problems.length === 0,
    packages: [...new Set(reports.flatMap((r) => r.report.packages))],
    checks,
    outputs,
    sections,
    // Each shard annotated its own findings already.
    annotate: false,
    data: {
      reports: reports.map((r) => ({
        file: r.file,
        action: r.report.action,
        shard: r.report.shard?.shard,
        passed: r.report.passed,
        packages: r.report.packages,
        durationMs: r.report.durationMs
      })),
      sarif: { files: sarif.files, runs: sarif.runs, results: sarif.results, path: sarif.path }
    },
    artifactFiles: sarif.path ? [{ files: [sarif.path], root: reportDir }] : [],
    failureMessage: parts.length ? `merge-reports: ${parts.join('; ')}. See the step summary.` : undefined
  }
}
