/** run-security's step-summary sections: the ignores and their state, the code-scanning upload. */
import { table } from '../../packages-shared/report/markdown.js'
import type { IgnoreOutcome } from './ignores.js'
import type { UploadOutcome } from './sarif-upload.js'

export function ignoreSection(outcomes: readonly IgnoreOutcome[]): string {
  if (outcomes.length === 0) return ''
  const state = (o: IgnoreOutcome): string => (o.expired ? (o.matched ? '❌ expired, reported again' : 'expired (matches nothing: remove it)') : o.matched ? '✅ active' : 'active, matches nothing')
  const rows = outcomes.map((o) => [`\`${o.ignore.id}\``, o.ignore.until ?? 'no expiry', o.ignore.reason ?? '', String(o.matched), state(o)])
  return `### Ignored findings\n\n${table(['id', 'until', 'reason', 'findings', 'state'], rows)}`
}

export function uploadSection(u: UploadOutcome): string {
  return u.uploaded
    ? `### Code scanning\n\nSARIF uploaded to code scanning${u.id ? ` (upload id \`${u.id}\`)` : ''}.\n`
    : `### Code scanning\n\nSARIF not uploaded: ${u.reason}.\n`
}
