/** run-quality's outcomes as checks: one per tool over all its runs, and the run's verdict. */
import { reachesThreshold, type CheckResult, type Severity } from '../../packages-shared/findings.js'
import { attributePackages, withRealFiles } from '../../packages-shared/tools/tool.js'
import type { QualityInputs } from './inputs.js'
import type { QualityScope, RunOutcome } from './runs.js'

/** The checks when nothing is left to check (no package selected, or every folder refused). */
export function nothingChecked(scope: Pick<QualityScope, 'guard' | 'tools'>): CheckResult[] {
  const { guard, tools } = scope
  return [
    ...(guard.check ? [guard.check] : []),
    ...tools.map((t): CheckResult => ({
      tool: t.name,
      status: 'skipped',
      durationMs: 0,
      findings: [],
      message: guard.check ? 'every selected folder was refused' : 'no package selected'
    }))
  ]
}

/** One check per tool, in the order asked, led by the file screen's. */
export function toolChecks(
  scope: Pick<QualityScope, 'ws' | 'tools' | 'screen'>,
  outcomes: readonly RunOutcome[],
  versions: readonly (string | undefined)[],
  versionSources: readonly (string | undefined)[],
  failOn: QualityInputs['failOn']
): CheckResult[] {
  const { ws, tools, screen } = scope
  const threshold: Severity | 'never' = failOn === 'never' ? 'error' : failOn
  const checks: CheckResult[] = tools.map((tool, i) => {
    const mine = outcomes.filter((o) => o.run.tool === tool)
    if (mine.length === 0)
      return {
        tool: tool.name,
        toolVersion: versions[i],
        toolVersionSource: versionSources[i],
        status: 'skipped',
        durationMs: 0,
        findings: [],
        message: 'every target was set aside by the file screen'
      }
    const findings = attributePackages(
      withRealFiles(
        mine.flatMap((o) => o.findings),
        ws.root
      ),
      ws.packages
    )
    const errors = mine.filter((o) => o.error).map((o) => o.error!)
    return {
      tool: tool.name,
      toolVersion: versions[i],
      toolVersionSource: versionSources[i],
      status: errors.length ? 'error' : findings.some((f) => reachesThreshold(f.severity, threshold)) ? 'failed' : 'passed',
      durationMs: Math.max(0, ...mine.map((o) => o.durationMs)),
      findings,
      message: errors.length ? errors.join('\n\n') : mine.some((o) => o.note) ? mine.flatMap((o) => o.note ?? []).join('\n') : undefined,
      command: mine.map((o) => o.command).join('\n')
    }
  })
  return [...(screen ? [screen] : []), ...checks]
}

/** Whether the run passed, and why not. A refused folder fails the run whatever fail-on says: it was not checked. */
export function verdict(
  checks: readonly CheckResult[],
  guard: CheckResult | undefined,
  failOn: QualityInputs['failOn']
): { passed: boolean; failureMessage?: string } {
  const errored = checks.filter((c) => c.status === 'error')
  const blocking = checks.flatMap((c) => c.findings).filter((f) => reachesThreshold(f.severity, failOn))
  const passed = errored.length === 0 && blocking.length === 0 && guard === undefined
  if (passed) return { passed }
  return {
    passed,
    failureMessage:
      guard && !errored.some((c) => c !== guard) && blocking.every((f) => f.tool === 'symlinks')
        ? `run-quality: ${guard.findings[0]!.message}${guard.findings.length > 1 ? ` (and ${guard.findings.length - 1} more symlink(s); see the step summary)` : ''}`
        : errored.length
          ? `run-quality: ${errored.map((c) => c.tool).join(', ')} failed to run: ${errored[0]!.message!.split('\n')[0]}`
          : `run-quality found ${blocking.length} problem(s) at or above '${failOn}': ${[...new Set(blocking.map((f) => f.tool))].join(', ')}. See the annotations and the step summary.`
  }
}
