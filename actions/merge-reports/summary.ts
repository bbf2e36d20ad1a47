/** merge-reports' step summary: one row per shard report, and where the merged SARIF went. */
import { countBySeverity } from '../../packages-shared/findings.js'
import { formatDuration, table } from '../../packages-shared/report/markdown.js'
import type { ShardReport } from './runs.js'

export function shardsSection(
  reports: readonly ShardReport[],
  sarif: { files: number; results: number; runs: number; path?: string }
): string {
  const rows = reports.map((r) => {
    const n = countBySeverity(r.report.checks.flatMap((c) => c.findings))
    return [
      r.report.action,
      r.report.shard?.shard ?? '—',
      String(r.report.packages.length),
      r.report.passed ? '✅ passed' : '❌ failed',
      String(n.error),
      String(n.warning),
      formatDuration(r.report.durationMs),
      r.file
    ]
  })
  return (
    `### Shards\n\n${table(['action', 'shard', 'packages', 'result', 'errors', 'warnings', 'time', 'report'], rows)}` +
    (sarif.files
      ? `\nSARIF: ${sarif.files} file(s), ${sarif.results} result(s) in ${sarif.runs} run(s), one per action and tool: \`${sarif.path}\`.\n`
      : '\nNo SARIF file among the reports.\n')
  )
}
