/** The release plan as the log and the step summary show it. */
import { codeBlock, escapeCell } from '../../packages-shared/report/markdown.js'
import type { ReleasePlan } from './plan.js'

export function planLines(plan: ReleasePlan): string[] {
  const lines = plan.releases.map((r) => `${r.name}: ${r.oldVersion} -> ${r.newVersion} (${r.tag}): ${r.reasons.join('; ')}`)
  for (const n of plan.notReleased) lines.push(`${n.id}: not released: ${n.reason}`)
  return lines
}

export function planSection(plan: ReleasePlan, dryRun: boolean, diff: string): string {
  const rows = plan.releases.map(
    (r) =>
      `| ${escapeCell(r.name)} | ${r.oldVersion} | **${r.newVersion}** | \`${escapeCell(r.tag)}\` | ${escapeCell(r.reasons.join('; '))} |`
  )
  const out = [
    `### Release plan${dryRun ? ' (dry run: nothing written)' : ''}`,
    '',
    plan.releases.length
      ? '| package | from | to | tag | why |\n| --- | --- | --- | --- | --- |\n' + rows.join('\n')
      : 'Nothing to release.'
  ]
  if (plan.notReleased.length) {
    out.push('', 'Not released:', '', ...plan.notReleased.map((n) => `- ${escapeCell(n.id)}: ${escapeCell(n.reason)}`))
  }
  if (diff) out.push('', '<details><summary>The changes</summary>', '', codeBlock(diff, 'diff'), '', '</details>')
  return out.join('\n')
}
