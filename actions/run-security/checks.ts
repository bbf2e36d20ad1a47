/**
 * The scanners' checks made run-security's verdict: where each tool's version came from,
 * the ignores applied to every scanner, each check's status by the gate, and the run's
 * failure message.
 */
import { reachesThreshold, type CheckResult, type Finding, type Severity } from '../../packages-shared/findings.js'
import type { ToolRequirement, Toolbox } from '../../packages-shared/python/toolbox.js'
import { versionSource } from '../../packages-shared/tool-pins.js'
import { applyIgnores, isExpired, type Ignore, type IgnoreOutcome } from './ignores.js'
import type { SecurityInputs } from './inputs.js'
import { CHECK_ORDER, PROVISIONED } from './plan.js'

/** Each provisioned tool's version says where it came from (a pin of the project's, ours, PATH). */
export function withVersionSources(ran: CheckResult[], box: Toolbox | undefined, requirements: readonly ToolRequirement[]): CheckResult[] {
  return ran.map((c) => {
    const req = PROVISIONED[c.tool] && requirements.find((r) => r.executable === PROVISIONED[c.tool]!.executable)
    return c.toolVersion && box && req ? { ...c, toolVersionSource: versionSource(box.mode, req) } : c
  })
}

export interface GatedChecks {
  checks: CheckResult[]
  ignoreOutcomes: IgnoreOutcome[]
}

/** Ignores apply to every scanner; then each check's status follows the gate. */
export function gateChecks(checks: readonly CheckResult[], inputs: Pick<SecurityInputs, 'ignores' | 'failOn'>, day: string): GatedChecks {
  const outcomes = new Map<Ignore, IgnoreOutcome>()
  const threshold: Severity | 'never' = inputs.failOn === 'never' ? 'error' : inputs.failOn
  const gated: CheckResult[] = checks.map((c) => {
    const findings = applyIgnores(c.findings, inputs.ignores, day, outcomes)
    const status =
      c.status === 'error' || c.status === 'skipped'
        ? c.status
        : findings.some((f) => reachesThreshold(f.severity, threshold))
          ? 'failed'
          : 'passed'
    return { ...c, findings, status }
  })
  gated.sort((a, b) => CHECK_ORDER.indexOf(a.tool) - CHECK_ORDER.indexOf(b.tool))
  return {
    checks: gated,
    ignoreOutcomes: inputs.ignores.map((i) => outcomes.get(i) ?? { ignore: i, expired: isExpired(i, day), matched: 0 })
  }
}

/** A warning for each expired ignore. */
export function expiryWarnings(outcomes: readonly IgnoreOutcome[]): string[] {
  return outcomes
    .filter((o) => o.expired)
    .map(
      (o) =>
        `The ignore of ${o.ignore.id} expired on ${o.ignore.until}${o.matched ? `; its ${o.matched} finding(s) are reported again` : ' and matches nothing: remove it'}.`
    )
}

/** Whether the run passed, and why not. `guard` is the link guard's check, when it refused a package. */
export function verdict(
  checks: readonly CheckResult[],
  guard: CheckResult | undefined,
  failOn: SecurityInputs['failOn']
): { passed: boolean; failureMessage?: string } {
  const erroredChecks = checks.filter((c) => c.status === 'error')
  const blocking = checks.flatMap((c) => c.findings).filter((f: Finding) => reachesThreshold(f.severity, failOn))
  // A refused package fails the run whatever fail-on says: it was not scanned.
  const passed = erroredChecks.length === 0 && blocking.length === 0 && guard === undefined
  if (passed) return { passed }
  return {
    passed,
    failureMessage:
      guard && blocking.every((f) => f.tool === 'symlinks') && erroredChecks.length === 0
        ? `run-security: ${guard.findings[0]!.message}`
        : erroredChecks.length
          ? `run-security: ${erroredChecks.map((c) => c.tool).join(', ')} could not run: ${(erroredChecks[0]!.message ?? 'see the log').split('\n')[0]}`
          : `run-security found ${blocking.length} problem(s) at or above '${failOn}' (${[...new Set(blocking.map((f) => f.tool))].join(', ')}). See the annotations and the step summary.`
  }
}
