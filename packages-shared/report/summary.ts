/**
 * The step summary: a headline, a table of checks by package with counts and durations,
 * the action's own sections, then the findings in detail. GitHub keeps at most 1 MiB per
 * step, so details are cut to fit and the cut is said, never silent.
 */
import type { CheckResult, Finding, ReportData } from '../findings.js'
import { countBySeverity } from '../findings.js'
import { codeBlock, details, escapeHtml, formatDuration, table } from './markdown.js'

export const SUMMARY_LIMIT = 1024 * 1024
/** Room kept for the other steps of the job that write to the same file. */
const OWN_BUDGET = SUMMARY_LIMIT - 64 * 1024

const STATUS_ICON: Record<CheckResult['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  error: '💥 error'
}

function findingLine(f: Finding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}${f.column ? `:${f.column}` : ''}` : ''
  const rule = f.rule ? ` \`${f.rule}\`` : ''
  return `- **${f.severity}**${rule} ${where ? `\`${where}\` ` : ''}${escapeHtml(f.message.split('\n')[0]!)}`
}

export function checksTable(checks: readonly CheckResult[]): string {
  const rows = checks.map((c) => {
    const n = countBySeverity(c.findings)
    return [
      c.tool + (c.toolVersion ? ` ${c.toolVersion}` : ''),
      c.package ?? 'all',
      STATUS_ICON[c.status],
      String(n.error),
      String(n.warning),
      String(n.note),
      formatDuration(c.durationMs)
    ]
  })
  return table(['check', 'package', 'status', 'errors', 'warnings', 'notes', 'time'], rows)
}

function checkDetails(c: CheckResult): string {
  const parts: string[] = []
  if (c.message) parts.push(codeBlock(c.message))
  if (c.command) parts.push(`Command: \`${c.command}\`\n`)
  const lines = c.findings.map(findingLine)
  if (lines.length) parts.push(lines.join('\n') + '\n')
  for (const f of c.findings.filter((x) => x.detail)) {
    parts.push(details(`${f.file ?? f.rule ?? 'detail'}`, codeBlock(f.detail!, 'diff')))
  }
  return parts.join('\n')
}

export interface SummaryInput {
  title: string
  report: ReportData
  /** Action-specific sections, placed after the table. */
  sections?: string[]
  reportPath?: string
}

export function renderSummary(input: SummaryInput, budget = OWN_BUDGET): string {
  const { report } = input
  const all = report.checks.flatMap((c) => c.findings)
  const n = countBySeverity(all)
  const head =
    `## ${report.passed ? '✅' : '❌'} ${input.title}: ${report.passed ? 'passed' : 'failed'}\n\n` +
    `${report.packages.length} package(s): ${report.packages.join(', ') || 'none'} · ` +
    `${n.error} error(s), ${n.warning} warning(s), ${n.note} note(s) · ${formatDuration(report.durationMs)}\n\n`
  let out = head
  if (report.checks.length) out += checksTable(report.checks) + '\n'
  if (report.annotations && report.annotations.notAnnotated > 0) {
    out +=
      `> ${report.annotations.notAnnotated} finding(s) were not annotated: GitHub shows at most 10 errors, ` +
      `10 warnings and 10 notices per step. All of them are listed below and in the JSON report` +
      `${input.reportPath ? ` (\`${input.reportPath}\`)` : ''}.\n\n`
  }
  for (const s of input.sections ?? []) out += s.trimEnd() + '\n\n'
  const withDetail = report.checks.filter((c) => c.findings.length > 0 || c.message)
  let omitted = 0
  for (const c of withDetail) {
    const block = details(
      `${c.tool}${c.package ? ` · ${c.package}` : ''}: ${c.findings.length} finding(s)${c.status === 'error' ? ' (error)' : ''}`,
      checkDetails(c)
    )
    if (Buffer.byteLength(out + block) > budget - 512) {
      omitted++
      continue
    }
    out += block
  }
  if (omitted > 0) {
    out += `\n> The details of ${omitted} check(s) did not fit in the step summary's 1 MiB; the JSON report holds them all.\n`
  }
  return out
}
