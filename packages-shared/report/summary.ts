/**
 * The step summary: a headline, a table of checks by package with counts and durations,
 * the action's own sections, then the findings in detail. GitHub keeps at most 1 MiB per
 * step, so every part has a share of the budget (the headline and the table included),
 * anything cut is cut at a line and said at the end, never silent; the JSON report keeps all.
 * Sizes are counted as each piece is added, so the work stays linear in the input.
 */
import type { CheckResult, Finding, ReportData } from '../findings.js'
import { countBySeverity } from '../findings.js'
import { codeBlock, details, escapeCell, escapeHtml, formatBytes, formatDuration } from './markdown.js'

export const SUMMARY_LIMIT = 1024 * 1024
/** Room kept for the other steps of the job that write to the same file. */
const OWN_BUDGET = SUMMARY_LIMIT - 64 * 1024
/** Kept free until the end for the note that says what was cut. */
const CUT_NOTE_RESERVE = 4 * 1024
/** Package names in the headline; the rest are counted. */
const HEADLINE_PACKAGES = 50
/** The least room a check's details block is given when the fair share is smaller. */
const MIN_BLOCK = 4 * 1024
/** One finding's detail (a diff, a traceback) and one check's message at most. */
const DETAIL_CAP = 32 * 1024

const STATUS_ICON: Record<CheckResult['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  error: '💥 error'
}

const bytes = (s: string): number => Buffer.byteLength(s)

function findingLine(f: Finding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}${f.column ? `:${f.column}` : ''}` : ''
  const rule = f.rule ? ` \`${f.rule}\`` : ''
  const first = f.message.slice(0, 2000).split('\n')[0]!
  return `- **${f.severity}**${rule} ${where ? `\`${where}\` ` : ''}${escapeHtml(first)}\n`
}

/** The first `max` bytes of `text`, at a line end when there is one, never inside a character. */
function headBytes(text: string, max: number): string {
  if (bytes(text) <= max) return text
  const cut = Buffer.from(text)
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
  const nl = cut.lastIndexOf('\n')
  return nl > max / 2 ? cut.slice(0, nl + 1) : cut
}

function capped(text: string, max: number): string {
  const head = headBytes(text, max)
  return head === text ? text : `${head.replace(/\n?$/, '\n')}… cut here: ${formatBytes(max)} of ${formatBytes(bytes(text))} shown\n`
}

function tableRow(cells: string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |\n`
}

function checkRow(c: CheckResult): string {
  const n = countBySeverity(c.findings)
  return tableRow([
    c.tool + (c.toolVersion ? ` ${c.toolVersion}` : '') + (c.toolVersion && c.toolVersionSource ? ` (${c.toolVersionSource})` : ''),
    c.package ?? 'all',
    STATUS_ICON[c.status],
    String(n.error),
    String(n.warning),
    String(n.note),
    formatDuration(c.durationMs)
  ])
}

const TABLE_HEADER = ['check', 'package', 'status', 'errors', 'warnings', 'notes', 'time']

/** The table of checks, with as many rows as fit in `maxBytes` (all of them by default). */
export function checksTable(checks: readonly CheckResult[], maxBytes = Infinity): { text: string; rows: number } {
  let text = tableRow(TABLE_HEADER) + tableRow(TABLE_HEADER.map(() => '---'))
  let size = bytes(text)
  let rows = 0
  for (const c of checks) {
    const row = checkRow(c)
    const n = bytes(row)
    if (size + n > maxBytes) break
    text += row
    size += n
    rows++
  }
  return { text, rows }
}

/**
 * A markdown section cut at a line so it takes at most `maxBytes`: an open code fence or
 * `<details>` is closed, so what follows still renders.
 */
export function cutSection(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (bytes(text) <= maxBytes) return { text, cut: false }
  const room = maxBytes - 256
  const out: string[] = []
  let size = 0
  let fence: string | undefined
  let openDetails = 0
  for (const raw of text.split('\n')) {
    const line = raw + '\n'
    const n = bytes(line)
    if (size + n > room) break
    out.push(line)
    size += n
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1]
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && raw.trim() === marker) fence = undefined
    } else if (marker) {
      fence = marker
    } else {
      openDetails += (raw.match(/<details>/g) ?? []).length - (raw.match(/<\/details>/g) ?? []).length
    }
  }
  let closing = fence ? `${fence}\n` : ''
  closing += '\n</details>\n'.repeat(Math.max(0, openDetails))
  closing += `\n_… cut here: ${formatBytes(size)} of ${formatBytes(bytes(text))} shown._\n`
  return { text: out.join('') + closing, cut: true }
}

/** A check's details: its message and command, then one line per finding, then the diffs. */
interface CheckParts {
  check: CheckResult
  head: string
  lines: string[]
  extras: string[]
  size: number
}

function checkParts(c: CheckResult): CheckParts {
  let head = ''
  if (c.message) head += codeBlock(capped(c.message, DETAIL_CAP)) + '\n'
  if (c.command) head += `Command: \`${headBytes(c.command, 2000)}\`\n\n`
  const lines = c.findings.map(findingLine)
  const extras: string[] = []
  for (const f of c.findings) {
    if (f.detail) extras.push(details(`${f.file ?? f.rule ?? 'detail'}`, codeBlock(capped(f.detail, DETAIL_CAP), 'diff')))
  }
  let size = bytes(head) + 200
  for (const l of lines) size += bytes(l)
  for (const e of extras) size += bytes(e) + 1
  return { check: c, head, lines, extras, size }
}

/** Caps so that the sum of min(size, cap) is at most `total`: small checks whole, big ones share the rest. */
function fairCap(sizes: number[], total: number): number {
  const sorted = [...sizes].sort((a, b) => a - b)
  let left = total
  for (let i = 0; i < sorted.length; i++) {
    const share = left / (sorted.length - i)
    if (sorted[i]! > share) return Math.floor(share)
    left -= sorted[i]!
  }
  return Infinity
}

function renderCheck(p: CheckParts, cap: number): { text: string; listed: number } {
  const c = p.check
  const title = `${c.tool}${c.package ? ` · ${c.package}` : ''}: ${c.findings.length} finding(s)${c.status === 'error' ? ' (error)' : ''}`
  let body = p.head
  let size = bytes(body) + bytes(title) + 200
  let listed = 0
  for (const l of p.lines) {
    const n = bytes(l)
    if (size + n > cap) break
    body += l
    size += n
    listed++
  }
  if (listed < p.lines.length) body += `- … and ${p.lines.length - listed} more finding(s), in the JSON report\n`
  let first = true
  for (const e of p.extras) {
    const n = bytes(e) + 1
    if (size + n > cap) break
    body += (first ? '\n' : '') + e
    first = false
    size += n
  }
  return { text: details(title, body), listed }
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
  const limit = budget - CUT_NOTE_RESERVE
  const cuts: string[] = []
  const n = countBySeverity(report.checks.flatMap((c) => c.findings))
  const names = report.packages.slice(0, HEADLINE_PACKAGES).join(', ')
  const more = report.packages.length > HEADLINE_PACKAGES ? ` and ${report.packages.length - HEADLINE_PACKAGES} more` : ''
  const head =
    `## ${report.passed ? '✅' : '❌'} ${input.title}: ${report.passed ? 'passed' : 'failed'}\n\n` +
    `${report.packages.length} package(s): ${headBytes(names, 8 * 1024) || 'none'}${more} · ` +
    `${n.error} error(s), ${n.warning} warning(s), ${n.note} note(s) · ${formatDuration(report.durationMs)}\n\n`
  const parts: string[] = [head]
  let used = bytes(head)
  const add = (text: string): void => {
    parts.push(text)
    used += bytes(text)
  }

  // The table gets up to a quarter of the budget: the details below say more per byte.
  if (report.checks.length) {
    const t = checksTable(report.checks, Math.floor(limit / 4))
    add(t.text)
    if (t.rows < report.checks.length) {
      add(`| … ${report.checks.length - t.rows} more check(s) | | | | | | |\n`)
      cuts.push(`the checks table shows ${t.rows} of ${report.checks.length} checks`)
    }
    add('\n')
  }
  if (report.annotations && report.annotations.notAnnotated > 0) {
    add(
      `> ${report.annotations.notAnnotated} finding(s) were not annotated: GitHub shows at most 10 errors, ` +
        `10 warnings and 10 notices per step. All of them are listed below and in the JSON report` +
        `${input.reportPath ? ` (\`${input.reportPath}\`)` : ''}.\n\n`
    )
  }

  // The action's sections share half of what is left, then the details take the rest.
  const sections = (input.sections ?? []).map((s) => s.trimEnd() + '\n\n')
  const sectionSizes = sections.map(bytes)
  const sectionCap = fairCap(sectionSizes, Math.max(0, Math.floor((limit - used) / 2)))
  sections.forEach((s, i) => {
    const room = Math.min(sectionCap, limit - used)
    const cut = cutSection(s, room)
    if (cut.cut) {
      const title = /^#+\s*(.+)$/m.exec(s)?.[1]?.trim() ?? `section ${i + 1}`
      if (room < 512) {
        cuts.push(`section “${headBytes(title, 100)}” left out`)
        return
      }
      cuts.push(`section “${headBytes(title, 100)}” cut to ${formatBytes(room)} of ${formatBytes(sectionSizes[i]!)}`)
      add(cut.text + '\n')
    } else {
      add(s)
    }
  })

  const withDetail = report.checks.filter((c) => c.findings.length > 0 || c.message).map(checkParts)
  // A fair share, but never below a readable block: with thousands of checks the first ones
  // are shown and the rest counted, rather than every block too small to say anything.
  const cap = Math.max(
    MIN_BLOCK,
    fairCap(
      withDetail.map((p) => p.size),
      Math.max(0, limit - used)
    )
  )
  let omitted = 0
  let partial = 0
  let listedFindings = 0
  let totalFindings = 0
  for (const p of withDetail) {
    totalFindings += p.check.findings.length
    const room = Math.min(cap, limit - used)
    if (room < Math.min(MIN_BLOCK, p.size)) {
      omitted++
      continue
    }
    const r = renderCheck(p, room)
    if (used + bytes(r.text) > limit) {
      omitted++
      continue
    }
    add(r.text)
    listedFindings += r.listed
    if (r.listed < p.check.findings.length) partial++
  }
  if (partial > 0 || omitted > 0) {
    cuts.push(`${listedFindings} of ${totalFindings} finding(s) are listed${partial ? ` (${partial} check(s) in part)` : ''}`)
  }
  if (omitted > 0) cuts.push(`the details of ${omitted} check(s) did not fit`)
  if (cuts.length > 0) {
    const note =
      `\n> **This summary was cut to fit the step summary's ${formatBytes(SUMMARY_LIMIT)}:** ${cuts.join('; ')}. ` +
      `The JSON report${input.reportPath ? ` (\`${input.reportPath}\`)` : ''} holds every check and finding.\n`
    parts.push(headBytes(note, CUT_NOTE_RESERVE - 16))
  }
  return parts.join('')
}
