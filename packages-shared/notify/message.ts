/**
 * What a notification says, and the two shapes it is sent in: a Slack message (Block Kit,
 * with the `text` Slack shows in notifications and where blocks cannot be shown) and the
 * documented JSON body for any other webhook (docs/pipeline.md#notifications).
 *
 * Findings, check messages, package names, even the ref come from code or people outside
 * this action's control. Every such string is redacted (secrets.ts) and, in Slack's mrkdwn,
 * escaped: `&`, `<` and `>` are Slack's control characters (`<!channel>`, `<@U123>`,
 * `<https://evil|click>`), so escaping them is what keeps a finding from mentioning anyone
 * or adding a link. Both shapes are bounded: Slack refuses a section over 3000 characters
 * and a message over 50 blocks, and no webhook should be sent a whole report.
 */
import { allFindings, countBySeverity, severityRank, type CheckResult, type Finding } from '../findings.js'
import type { Severity } from '../io.js'
import { redactDeep } from '../secrets.js'
import { VERSION } from '../version.js'

export type RunOutcome = 'passed' | 'failed' | 'error'

/** One finished run, as the frame knows it once its result is final. */
export interface NotifiedRun {
  /** The action's folder name (`run-quality`), or `pipeline` for the root action. */
  action: string
  /** Its title (`Code quality`). */
  title: string
  /** `error`: the step could not run (a bad input, a crash), so there are no checks. */
  outcome: RunOutcome
  /** The step's failure message, or why it could not run. */
  message?: string
  packages: readonly string[]
  checks: readonly CheckResult[]
  durationMs: number
}

/** Where the run happened, from the runner's variables. */
export interface RunContext {
  repository: string
  ref: string
  sha: string
  workflow: string
  job: string
  event: string
  runId: string
  runAttempt: string
  /** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}`, when both are known. */
  repositoryUrl?: string
  commitUrl?: string
  /** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`, when all three are known. */
  runUrl?: string
}

type Env = Readonly<Record<string, string | undefined>>

function serverUrl(env: Env): string | undefined {
  const raw = (env.GITHUB_SERVER_URL || 'https://github.com').trim().replace(/\/+$/, '')
  try {
    const url = new URL(raw)
    return url.protocol === 'https:' || url.protocol === 'http:' ? raw : undefined
  } catch {
    return undefined
  }
}

/** The ref's short name: GITHUB_REF_NAME, else GITHUB_REF without `refs/heads/` or `refs/tags/`. */
function refName(env: Env): string {
  const name = env.GITHUB_REF_NAME?.trim()
  if (name) return name
  return (env.GITHUB_REF ?? '').trim().replace(/^refs\/(heads|tags)\//, '')
}

export function runContext(env: Env): RunContext {
  const repository = (env.GITHUB_REPOSITORY ?? '').trim()
  const sha = (env.GITHUB_SHA ?? '').trim()
  const runId = (env.GITHUB_RUN_ID ?? '').trim()
  const server = serverUrl(env)
  // Only names GitHub allows go into a URL: anything else is shown, never linked.
  const repositoryUrl = server && /^[\w.-]+\/[\w.-]+$/.test(repository) ? `${server}/${repository}` : undefined
  return {
    repository,
    ref: refName(env),
    sha,
    workflow: (env.GITHUB_WORKFLOW ?? '').trim(),
    job: (env.GITHUB_JOB ?? '').trim(),
    event: (env.GITHUB_EVENT_NAME ?? '').trim(),
    runId,
    runAttempt: (env.GITHUB_RUN_ATTEMPT ?? '').trim(),
    ...(repositoryUrl ? { repositoryUrl } : {}),
    ...(repositoryUrl && /^[0-9a-f]{7,64}$/i.test(sha) ? { commitUrl: `${repositoryUrl}/commit/${sha}` } : {}),
    ...(repositoryUrl && /^\d+$/.test(runId) ? { runUrl: `${repositoryUrl}/actions/runs/${runId}` } : {})
  }
}

// ---------------------------------------------------------------------------------------
// Text helpers

/** At most `max` characters (code points, so an emoji is never cut in half), `…` marking a cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text)
  if (chars.length <= max) return text
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…'
}

/** One line: runs of whitespace (newlines of a traceback, tabs) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Slack's three control characters as the entities Slack documents, so text can only be text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Inline code in mrkdwn: a backtick inside would end it early, so it becomes a quote. */
function code(text: string): string {
  return '`' + escapeMrkdwn(text.replace(/`/g, "'")) + '`'
}

/** A mrkdwn link; the URL is ours (the runner's variables) but is escaped all the same, and `|` cannot end it early. */
function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label).replace(/\|/g, '/')}>`
}

/**
 * As many whole lines as fit in `limit` characters (joined by newlines), and how many were
 * left off: whole lines only, so a cut never splits an entity such as `&amp;`.
 */
export function fitLines(lines: readonly string[], limit: number): { text: string; left: number } {
  const kept: string[] = []
  let length = 0
  for (const line of lines) {
    const next = length + line.length + (kept.length ? 1 : 0)
    if (next > limit) break
    kept.push(line)
    length = next
  }
  return { text: kept.join('\n'), left: lines.length - kept.length }
}

// ---------------------------------------------------------------------------------------
// What a message says, shared by both shapes

export interface FailedCheck {
  tool: string
  package?: string
  status: 'failed' | 'error'
  counts: Record<Severity, number>
  message?: string
}

function failedChecks(checks: readonly CheckResult[]): FailedCheck[] {
  return checks
    .filter((c): c is CheckResult & { status: 'failed' | 'error' } => c.status === 'failed' || c.status === 'error')
    .map((c) => ({
      tool: c.tool,
      ...(c.package ? { package: c.package } : {}),
      status: c.status,
      counts: countBySeverity(c.findings),
      ...(c.message ? { message: c.message } : {})
    }))
}

/** The findings worth showing first: errors, then warnings, then notes, each in report order. */
function firstFindings(checks: readonly CheckResult[], count: number): Finding[] {
  return allFindings(checks)
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(b.f.severity) - severityRank(a.f.severity) || a.i - b.i)
    .slice(0, count)
    .map((x) => x.f)
}

function locationOf(f: Finding): string {
  if (!f.file) return f.package ?? ''
  return f.line ? `${f.file}:${f.line}` : f.file
}

const VERB: Record<RunOutcome, string> = { passed: 'passed', failed: 'failed', error: 'could not run' }

function counted(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

// ---------------------------------------------------------------------------------------
// Slack

/** Slack's documented limits (Block Kit reference): a section's text, a header's, fields, blocks. */
export const SLACK_LIMITS = { sectionText: 3000, headerText: 150, fields: 10, fieldText: 2000, blocks: 50, text: 3000 } as const

/** How much a Slack message lists; the rest is counted, and is in the step summary. */
const SLACK_SHOWN = { failedChecks: 10, findings: 5, findingMessage: 300, checkMessage: 300, runMessage: 1000 } as const

export type SlackText = { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean }
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }

export interface SlackMessage {
  text: string
  blocks: SlackBlock[]
}

const ICON: Record<RunOutcome, string> = { passed: ':white_check_mark:', failed: ':x:', error: ':warning:' }

function mrkdwn(text: string, limit: number = SLACK_LIMITS.sectionText): SlackText {
  // Every caller keeps within the limit; this only guards the guarantee.
  return { type: 'mrkdwn', text: text.length > limit ? fitLines(text.split('\n'), limit).text : text }
}

/** A heading and a list in one section: whole lines up to Slack's limit, then how many more there are. */
function listSection(heading: string, lines: readonly string[], beyond: number, noun: string): SlackBlock {
  const reserve = 60
  const fitted = fitLines(lines, SLACK_LIMITS.sectionText - heading.length - 1 - reserve)
  const left = fitted.left + beyond
  const body = [heading, fitted.text, left ? `…and ${left} more ${noun}` : ''].filter(Boolean).join('\n')
  return { type: 'section', text: mrkdwn(body) }
}

function slackFailedCheck(c: FailedCheck): string {
  const what = `• ${code(clip(oneLine(c.tool), 100))}${c.package ? ` (${escapeMrkdwn(clip(oneLine(c.package), 100))})` : ''}`
  if (c.status === 'error') {
    return `${what}: could not run${c.message ? `: ${escapeMrkdwn(clip(oneLine(c.message), SLACK_SHOWN.checkMessage))}` : ''}`
  }
  const parts = [counted(c.counts.error, 'error'), counted(c.counts.warning, 'warning')]
  return `${what}: failed, ${parts.join(', ')}`
}

function slackFinding(f: Finding): string {
  const at = locationOf(f)
  const rule = f.rule ? ` [${escapeMrkdwn(clip(oneLine(f.rule), 80))}]` : ''
  const place = at ? `${code(clip(oneLine(at), 200))} ` : ''
  return `• ${f.severity}: ${place}${escapeMrkdwn(clip(oneLine(f.tool), 60))}${rule} ${escapeMrkdwn(clip(oneLine(f.message), SLACK_SHOWN.findingMessage))}`
}

/** The Slack message for a run: at most six blocks, each within Slack's limits. */
export function buildSlackMessage(run: NotifiedRun, place: RunContext): SlackMessage {
  const safe = redactDeep({ ...run, checks: [...run.checks], packages: [...run.packages] })
  const ctx = redactDeep(place)
  const counts = countBySeverity(allFindings(safe.checks))
  const failed = failedChecks(safe.checks)
  const findings = firstFindings(safe.checks, SLACK_SHOWN.findings)
  const total = allFindings(safe.checks).length
  const verb = VERB[safe.outcome]
  const on = ctx.repository ? ` on ${ctx.repository}${ctx.ref ? `@${ctx.ref}` : ''}` : ''

  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${ICON[safe.outcome]} ${oneLine(safe.title)} ${verb}`, SLACK_LIMITS.headerText), emoji: true }
    }
  ]

  const fields: SlackText[] = []
  if (ctx.repository) {
    const name = clip(oneLine(ctx.repository), 200)
    fields.push(mrkdwn(`*Repository*\n${ctx.repositoryUrl ? link(ctx.repositoryUrl, name) : escapeMrkdwn(name)}`, SLACK_LIMITS.fieldText))
  }
  if (ctx.ref) fields.push(mrkdwn(`*Ref*\n${code(clip(oneLine(ctx.ref), 250))}`, SLACK_LIMITS.fieldText))
  if (ctx.sha) {
    const short = Array.from(oneLine(ctx.sha)).slice(0, 7).join('')
    fields.push(mrkdwn(`*Commit*\n${ctx.commitUrl ? link(ctx.commitUrl, short) : code(short)}`, SLACK_LIMITS.fieldText))
  }
  if (ctx.workflow || ctx.job) {
    const text = [ctx.workflow, ctx.job].filter(Boolean).map((s) => clip(oneLine(s), 200))
    fields.push(mrkdwn(`*Workflow*\n${escapeMrkdwn(text.join(' / '))}`, SLACK_LIMITS.fieldText))
  }
  if (fields.length) blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) })

  const summary: string[] = []
  if (safe.message) summary.push(escapeMrkdwn(clip(oneLine(safe.message), SLACK_SHOWN.runMessage)))
  if (safe.outcome !== 'error') {
    const ran = safe.checks.length
    summary.push(
      `*Errors:* ${counts.error}   *Warnings:* ${counts.warning}   *Notes:* ${counts.note}   *Checks failed:* ${failed.length} of ${ran}`
    )
  }
  if (summary.length) blocks.push({ type: 'section', text: mrkdwn(summary.join('\n')) })

  if (failed.length) {
    const lines = failed.slice(0, SLACK_SHOWN.failedChecks).map(slackFailedCheck)
    blocks.push(listSection('*Failed checks*', lines, failed.length - lines.length, 'failed check(s)'))
  }
  if (findings.length) {
    const lines = findings.map(slackFinding)
    blocks.push(listSection(`*First findings* (${total})`, lines, total - lines.length, 'finding(s)'))
  }

  const footer = [ctx.runUrl ? link(ctx.runUrl, 'View the run') : '', `dk-actions ${VERSION}`].filter(Boolean).join(' · ')
  blocks.push({ type: 'context', elements: [mrkdwn(footer)] })

  const text = clip(`${escapeMrkdwn(oneLine(`${safe.title} ${verb}${on}`))}`, SLACK_LIMITS.text)
  return redactDeep({ text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) })
}

// ---------------------------------------------------------------------------------------
// Any JSON webhook

/** Names the body's shape; a change that removes or renames a field gets a new one. */
export const WEBHOOK_SCHEMA = 'dk-actions/notification/v1'

/** How much the JSON body lists; the rest is counted in `omitted`. */
export const WEBHOOK_LIMITS = { packages: 100, failedChecks: 20, findings: 10, message: 1000, findingMessage: 500, field: 200 } as const

export interface WebhookFinding {
  tool: string
  package?: string
  file?: string
  line?: number
  rule?: string
  severity: Severity
  message: string
}

export interface WebhookPayload {
  schema: typeof WEBHOOK_SCHEMA
  action: string
  title: string
  /** `passed`, `failed`, or `error` (the step could not run). */
  result: RunOutcome
  passed: boolean
  message?: string
  repository: string
  ref: string
  sha: string
  workflow: string
  job: string
  event: string
  runId: string
  runAttempt: string
  runUrl?: string
  version: string
  durationMs: number
  packages: string[]
  counts: Record<Severity, number>
  checks: { total: number; failed: number; errored: number }
  failedChecks: { tool: string; package?: string; status: 'failed' | 'error'; errors: number; warnings: number; message?: string }[]
  findings: WebhookFinding[]
  /** How many of each list were left off. */
  omitted: { packages: number; failedChecks: number; findings: number }
}

function field(text: string): string {
  return clip(text, WEBHOOK_LIMITS.field)
}

/** The JSON body for any webhook: every list bounded, every string redacted and clipped. */
export function buildWebhookPayload(run: NotifiedRun, place: RunContext): WebhookPayload {
  const safe = redactDeep({ ...run, checks: [...run.checks], packages: [...run.packages] })
  const ctx = redactDeep(place)
  const findingsAll = allFindings(safe.checks)
  const failed = failedChecks(safe.checks)
  const findings = firstFindings(safe.checks, WEBHOOK_LIMITS.findings).map((f): WebhookFinding => ({
    tool: field(f.tool),
    ...(f.package ? { package: field(f.package) } : {}),
    ...(f.file ? { file: clip(f.file, 500) } : {}),
    ...(f.line ? { line: f.line } : {}),
    ...(f.rule ? { rule: field(f.rule) } : {}),
    severity: f.severity,
    message: clip(f.message, WEBHOOK_LIMITS.findingMessage)
  }))
  const payload: WebhookPayload = {
    schema: WEBHOOK_SCHEMA,
    action: safe.action,
    title: safe.title,
    result: safe.outcome,
    passed: safe.outcome === 'passed',
    ...(safe.message ? { message: clip(safe.message, WEBHOOK_LIMITS.message) } : {}),
    repository: field(ctx.repository),
    ref: clip(ctx.ref, 300),
    sha: field(ctx.sha),
    workflow: field(ctx.workflow),
    job: field(ctx.job),
    event: field(ctx.event),
    runId: field(ctx.runId),
    runAttempt: field(ctx.runAttempt),
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
    version: VERSION,
    durationMs: Math.round(safe.durationMs),
    packages: safe.packages.slice(0, WEBHOOK_LIMITS.packages).map(field),
    counts: countBySeverity(findingsAll),
    checks: {
      total: safe.checks.length,
      failed: safe.checks.filter((c) => c.status === 'failed').length,
      errored: safe.checks.filter((c) => c.status === 'error').length
    },
    failedChecks: failed.slice(0, WEBHOOK_LIMITS.failedChecks).map((c) => ({
      tool: field(c.tool),
      ...(c.package ? { package: field(c.package) } : {}),
      status: c.status,
      errors: c.counts.error,
      warnings: c.counts.warning,
      ...(c.message ? { message: clip(c.message, WEBHOOK_LIMITS.findingMessage) } : {})
    })),
    findings,
    omitted: {
      packages: Math.max(0, safe.packages.length - WEBHOOK_LIMITS.packages),
      failedChecks: Math.max(0, failed.length - WEBHOOK_LIMITS.failedChecks),
      findings: Math.max(0, findingsAll.length - findings.length)
    }
  }
  return redactDeep(payload)
}
