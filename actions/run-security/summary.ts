/** run-security's step-summary sections: the ignores and their state, the code-scanning upload. */
import { table } from '../../packages-shared/report/markdown.js'
import type { IgnoreOutcome } from './ignores.js'
import type { UploadOutcome } from './sarif-upload.js'

export function ignoreSection(outcomes: readonly IgnoreOutcome[]): string {
  if (outcomes.length === 0) return ''
  const state = (o: IgnoreOutcome): string =>
    o.expired
      ? o.matched
        ? '❌ expired, reported again'
        : 'expired (matches nothing: remove it)'
      : o.matched
        ? '✅ active'
        : 'active, matches nothing'
  const rows = outcomes.map((o) => [
    `\`${o.ignore.id}\``,
    o.ignore.until ?? 'no expiry',
    o.ignore.reason ?? '',
    String(o.matched),
    state(o)
  ])
  return `### Ignored findings\n\n${table(['id', 'until', 'reason', 'findings', 'state'], rows)}`
}

const PROCESSING: Record<NonNullable<UploadOutcome['processing']>, (u: UploadOutcome) => string> = {
  complete: () => 'Code scanning has processed it.',
  failed: (u) => `Code scanning could not process it, so its findings show no alert: ${u.processingErrors!.join('; ')}.`,
  pending: () => 'Code scanning had not processed it within 2 minutes; its alerts appear once it has.',
  unknown: (u) => `Its processing state is unknown: ${u.processingErrors!.join('; ')}.`
}

export function uploadSection(u: UploadOutcome): string {
  if (!u.uploaded) return `### Code scanning\n\nSARIF not uploaded: ${u.reason}.\n`
  const processed = u.processing ? ` ${PROCESSING[u.processing](u)}` : ''
  return `### Code scanning\n\nSARIF uploaded to code scanning${u.id ? ` (upload id \`${u.id}\`)` : ''}.${processed}\n`
}
