/**
 * One pull-request comment per pipeline, found again by a hidden marker and updated in
 * place: the headline, a table by stage and by package, the first findings, and a link to
 * the run's full summary. The body always fits GitHub's 65,536-character limit: what does
 * not fit is left out, and the comment says so and links to the summary.
 *
 * The REST calls (issue comments: list, create, update) go through the same octokit seam
 * as the releases (releases.ts `GitHubClient`).
 */
import type { Finding, Severity } from '../findings.js'
import { escapeCell, table } from '../report/markdown.js'
import { redact } from '../secrets.js'
import { GitHubApiError, type GitHubClient } from './releases.js'

/** GitHub refuses a comment body longer than this (characters). */
export const COMMENT_LIMIT = 65_536

export interface StageLine {
  name: string
  status: string
  errors: number
  warnings: number
  durationMs: number
}

export interface CommentReport {
  title: string
  passed: boolean
  stages: StageLine[]
  findings: readonly Finding[]
  /** The run's page, where the full summary is. */
  runUrl?: string
}

/** The hidden line that finds the comment again: one comment per pipeline (`key`: the workflow and job). */
export function commentMarker(key: string): string {
  return `<!-- dk-actions:pr-report ${key.replace(/-->/g, '')} -->`
}

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', note: 'ℹ️' }

/** Markdown that a finding's text cannot break out of: no HTML, no mentions that ping, one line. */
function inline(text: string, max = 300): string {
  const one = redact(text).replace(/\s+/g, ' ').trim()
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one
  return escapeCell(cut)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=\w)/g, '@\u200b')
}

function findingLine(f: Finding): string {
  const where = f.file ? `\`${inline(f.file, 200)}${f.line ? `:${f.line}` : ''}\`` : f.package ? `\`${inline(f.package, 100)}\`` : ''
  const rule = f.rule ? ` ${inline(f.rule, 80)}` : ''
  return `- ${ICON[f.severity]} **${inline(f.tool, 60)}**${rule} ${where} ${inline(f.message)}`.replace(/ +/g, ' ')
}

function packageRows(findings: readonly Finding[]): string[][] {
  const by = new Map<string, { errors: number; warnings: number }>()
  for (const f of findings) {
    if (!f.package || f.severity === 'note') continue
    const n = by.get(f.package) ?? { errors: 0, warnings: 0 }
    if (f.severity === 'error') n.errors++
    else n.warnings++
    by.set(f.package, n)
  }
  return [...by]
    .sort((a, b) => b[1].errors - a[1].errors || b[1].warnings - a[1].warnings || a[0].localeCompare(b[0]))
    .map(([p, n]) => [`\`${inline(p, 100)}\``, String(n.errors), String(n.warnings)])
}

/**
 * The comment's body, within `limit`: marker, headline, stages, packages, findings (errors
 * first). When everything does not fit, findings and then package rows are dropped from the
 * end, and a last line says how many and links to the run.
 */
export function commentBody(marker: string, report: CommentReport, limit = COMMENT_LIMIT): string {
  const errors = report.findings.filter((f) => f.severity === 'error')
  const warnings = report.findings.filter((f) => f.severity === 'warning')
  const headline = `## ${report.passed ? '✅' : '❌'} ${inline(report.title, 120)}: ${report.passed ? 'passed' : 'failed'} · ${errors.length} error(s), ${warnings.length} warning(s)`
  const stages = report.stages.length
    ? table(
        ['stage', 'status', 'errors', 'warnings', 'time'],
        report.stages.map((s) => [s.name, s.status, String(s.errors), String(s.warnings), `${(s.durationMs / 1000).toFixed(1)} s`])
      )
    : ''
  const packages = packageRows(report.findings)
  const lines = [...errors, ...warnings].map(findingLine)
  const link = report.runUrl ? `[the run's summary](${report.runUrl})` : "the run's summary"
  const build = (nPackages: number, nFindings: number): string => {
    const parts = [marker, headline]
    if (stages) parts.push(stages)
    if (nPackages) parts.push(`### By package\n\n${table(['package', 'errors', 'warnings'], packages.slice(0, nPackages))}`)
    if (nFindings) parts.push(`### First findings\n\n${lines.slice(0, nFindings).join('\n')}`)
    const left = lines.length - nFindings + (packages.length - nPackages)
    parts.push(left > 0 ? `${left} more line(s) did not fit in this comment: see ${link}.` : `Full report: ${link}.`)
    return parts.join('\n\n') + '\n'
  }
  // At most 50 findings even when they would fit: the comment is a digest, the summary the record.
  let nFindings = Math.min(lines.length, 50)
  let nPackages = packages.length
  let body = build(nPackages, nFindings)
  while (body.length > limit && nFindings > 0) body = build(nPackages, (nFindings = Math.floor(nFindings / 2)))
  while (body.length > limit && nPackages > 0) body = build((nPackages = Math.floor(nPackages / 2)), 0)
  return body.length > limit ? body.slice(0, limit) : body
}

export interface CommentTarget {
  owner: string
  repo: string
  issue: number
}

export interface CommentOutcome {
  id: number
  url: string
  created: boolean
}

function commentOf(data: unknown): { id: number; url: string; body: string } {
  const d = (data ?? {}) as { id?: unknown; html_url?: unknown; body?: unknown }
  return { id: Number(d.id), url: typeof d.html_url === 'string' ? d.html_url : '', body: typeof d.body === 'string' ? d.body : '' }
}

/** Updates the comment that carries `marker` (the oldest, when a race made two), else creates it. */
export async function upsertComment(client: GitHubClient, target: CommentTarget, marker: string, body: string): Promise<CommentOutcome> {
  const params = { owner: target.owner, repo: target.repo }
  const all = (
    await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...params,
      issue_number: target.issue,
      per_page: 100
    })
  ).map(commentOf)
  const mine = all.filter((c) => c.body.includes(marker)).sort((a, b) => a.id - b.id)[0]
  if (mine) {
    const answer = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      ...params,
      comment_id: mine.id,
      body
    })
    return { ...commentOf(answer.data), created: false }
  }
  const answer = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    ...params,
    issue_number: target.issue,
    body
  })
  return { ...commentOf(answer.data), created: true }
}

/** Why a comment could not be posted, for a notice: a read-only token says so plainly. */
export function commentFailure(error: unknown): string {
  if (error instanceof GitHubApiError && (error.status === 403 || error.status === 404)) {
    return `GitHub answered ${error.status} (${error.githubMessage || error.message}): the token cannot write comments here. Give the job \`permissions: pull-requests: write\`; a pull request from a fork gets a read-only token, so no comment is possible there.`
  }
  if (error instanceof GitHubApiError) return `GitHub answered ${error.status ?? 'nothing'}: ${error.githubMessage || error.message}`
  return error instanceof Error ? error.message : String(error)
}
