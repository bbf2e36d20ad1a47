/**
 * The findings model every action reports in. Tools parse their output into Findings;
 * renderers (annotations, summary, SARIF, JSON) read only this model.
 */
import type { Severity } from './io.js'

export type { Severity }
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'error'

export interface Finding {
  tool: string
  /** Normalised name of the package the file belongs to, when known. */
  package?: string
  /** Path relative to the repository root, posix separators. */
  file?: string
  /** 1-based. */
  line?: number
  /** 1-based, as GitHub expects. */
  column?: number
  endLine?: number
  endColumn?: number
  rule?: string
  severity: Severity
  message: string
  /** A link explaining the rule. */
  url?: string
  /** Longer text for the summary (a diff, a traceback). */
  detail?: string
}

export interface CheckResult {
  /** What ran: a tool name (`black`) or a step (`build`, `import`). */
  tool: string
  toolVersion?: string
  /** Where that version came from: `.pre-commit-config.yaml`, `uv.lock`, `dk-actions default`, `PATH`... */
  toolVersionSource?: string
  /** The package this check covered; undefined when it covered the whole selection. */
  package?: string
  status: CheckStatus
  durationMs: number
  findings: Finding[]
  /** Why a check was skipped or errored (the tail of stderr, the missing key, ...). */
  message?: string
  /** The command line, for the log and the report. */
  command?: string
}

export interface ReportData {
  action: string
  version: string
  startedAt: string
  durationMs: number
  workingDirectory: string
  packages: string[]
  passed: boolean
  checks: CheckResult[]
  annotations?: { emitted: number; notAnnotated: number }
  /** Action-specific results (dists, test counts, uploads, ...). */
  [key: string]: unknown
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, note: 1 }

export function severityRank(severity: Severity): number {
  return RANK[severity]
}

/** Whether a finding reaches a `fail-on` threshold (`never` fails on no finding). */
export function reachesThreshold(severity: Severity, failOn: Severity | 'never'): boolean {
  return failOn !== 'never' && RANK[severity] >= RANK[failOn]
}

export function allFindings(checks: readonly CheckResult[]): Finding[] {
  return checks.flatMap((c) => c.findings)
}

/**
 * The gate: a check that errored always fails the run (a crash is never a pass); findings
 * fail it when they reach `failOn`.
 */
export function gatePassed(checks: readonly CheckResult[], failOn: Severity | 'never'): boolean {
  if (checks.some((c) => c.status === 'error')) return false
  return !allFindings(checks).some((f) => reachesThreshold(f.severity, failOn))
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 }
  for (const f of findings) counts[f.severity]++
  return counts
}
