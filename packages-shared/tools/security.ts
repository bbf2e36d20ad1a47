/** What the security scanners share: findings that can carry advisory ids and aliases. */
import type { Finding, Severity } from '../findings.js'

/** A finding plus every id it is known by (GHSA, CVE, PYSEC...), so an ignore can name any of them. */
export interface SecurityFinding extends Finding {
  ids?: string[]
}

/** Every id a finding answers to: its rule, then its advisory ids and aliases. */
export function findingIds(f: SecurityFinding): string[] {
  return [...new Set([...(f.rule ? [f.rule] : []), ...(f.ids ?? [])])]
}

export type Level = 'low' | 'medium' | 'high'
export const LEVELS: readonly Level[] = ['low', 'medium', 'high']

/** Scanner severities in words (LOW/MEDIUM/HIGH/CRITICAL...) to ours. */
export function severityFromWord(word: string | undefined, fallback: Severity = 'warning'): Severity {
  switch ((word ?? '').toUpperCase()) {
    case 'CRITICAL':
    case 'HIGH':
    case 'ERROR':
      return 'error'
    case 'MEDIUM':
    case 'MODERATE':
    case 'WARNING':
      return 'warning'
    case 'LOW':
    case 'INFO':
    case 'NOTE':
    case 'NEGLIGIBLE':
      return 'note'
    default:
      return fallback
  }
}
