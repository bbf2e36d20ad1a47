/**
 * The `ignore` input: one id per line, optionally `until YYYY-MM-DD` and `: reason`, e.g.
 * `GHSA-xxxx-xxxx-xxxx until 2027-01-31: fixed upstream in 3.2`. An ignore applies to
 * every scanner (rule id, advisory id or alias); once its date has passed, the findings it
 * covered come back as errors that say the ignore expired.
 */
import { UserError } from '../../packages-shared/errors.js'
import type { Finding } from '../../packages-shared/findings.js'
import { findingIds, type SecurityFinding } from '../../packages-shared/tools/security.js'

export interface Ignore {
  id: string
  /** Last day the ignore holds (inclusive), YYYY-MM-DD. */
  until?: string
  reason?: string
}

export interface IgnoreOutcome {
  ignore: Ignore
  expired: boolean
  /** Findings it matched (silenced when active, turned back into errors when expired). */
  matched: number
}

const LINE = /^(\S+?)(?:\s+until\s+(\S+))?\s*(?::\s*(.*))?$/i

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

export function parseIgnores(raw: string): Ignore[] {
  const out: Ignore[] = []
  for (const line of raw.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (!m)
      throw new UserError(
        `Input 'ignore' has an invalid line ${JSON.stringify(line)}: expected 'ID [until YYYY-MM-DD][: reason]', e.g. 'GHSA-xxxx-xxxx-xxxx until 2027-01-31: fixed upstream in 3.2'.`
      )
    const until = m[2]
    if (until !== undefined && !validDate(until)) {
      throw new UserError(
        `Input 'ignore' has an invalid date ${JSON.stringify(until)} in ${JSON.stringify(line)}: expected a calendar date as YYYY-MM-DD, e.g. 2027-01-31.`
      )
    }
    out.push({ id: m[1]!, until, reason: m[3]?.trim() || undefined })
  }
  return out
}

/** Today in UTC as YYYY-MM-DD (the runner's clock). */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10)
}

export function isExpired(ignore: Ignore, day: string): boolean {
  return ignore.until !== undefined && day > ignore.until
}

function matches(ignore: Ignore, f: SecurityFinding): boolean {
  const want = ignore.id.toLowerCase()
  return findingIds(f).some((id) => id.toLowerCase() === want)
}

/**
 * Applies ignores to one check's findings: active ones drop what they match, expired ones
 * turn it into an error that names the expiry.
 */
export function applyIgnores(findings: Finding[], ignores: Ignore[], day: string, outcomes: Map<Ignore, IgnoreOutcome>): Finding[] {
  const kept: Finding[] = []
  for (const f of findings) {
    const hit = ignores.find((i) => matches(i, f))
    if (!hit) {
      kept.push(f)
      continue
    }
    const o = outcomes.get(hit) ?? { ignore: hit, expired: isExpired(hit, day), matched: 0 }
    o.matched++
    outcomes.set(hit, o)
    if (o.expired) {
      kept.push({
        ...f,
        severity: 'error',
        message: `The ignore of ${hit.id} expired on ${hit.until}${hit.reason ? ` (${hit.reason})` : ''}: ${f.message}`
      })
    }
  }
  return kept
}
