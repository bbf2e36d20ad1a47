/**
 * The stages' results combined into the pipeline's one result: every stage's checks and
 * findings under `<stage>/<tool>`, its outputs under `<prefix>-<output>`, one check for a
 * stage that was blocked or could not run, and the stages in the report's data.
 */
import type { ActionResult } from '../../packages-shared/action.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import type { Stage, StageOutcome } from './stages.js'
import { pipelineSections } from './summary.js'

export function prefixChecks(stage: Stage, checks: CheckResult[]): CheckResult[] {
  return checks.map((c) => ({
    ...c,
    tool: `${stage.name}/${c.tool}`,
    findings: c.findings.map((f) => ({ ...f, tool: `${stage.name}/${f.tool}` }))
  }))
}

/** The checks a stage contributes: its action's, prefixed, or one for the stage itself when it has no result. */
export function stageChecks(o: StageOutcome): CheckResult[] {
  if (o.result) return prefixChecks(o.stage, o.result.checks)
  return [
    { tool: o.stage.name, status: o.status === 'blocked' ? 'skipped' : 'error', durationMs: o.durationMs, findings: [], message: o.message }
  ]
}

export function stageOutputs(outcomes: readonly StageOutcome[]): Record<string, string> {
  const outputs: Record<string, string> = {}
  for (const o of outcomes) {
    for (const [k, v] of Object.entries(o.result?.outputs ?? {})) outputs[`${o.stage.prefix}-${k}`] = v
    outputs[`${o.stage.prefix}-passed`] = String(o.status === 'passed')
  }
  return outputs
}

export function failureMessage(outcomes: readonly StageOutcome[]): string | undefined {
  const failed = outcomes.filter((o) => o.status !== 'passed')
  if (failed.length === 0) return undefined
  return `The pipeline failed: ${failed.map((o) => `${o.stage.name} ${o.status === 'blocked' ? 'blocked' : o.status}`).join(', ')}. See the step summary.`
}

export function pipelineResult(outcomes: readonly StageOutcome[]): ActionResult {
  const failure = failureMessage(outcomes)
  return {
    passed: failure === undefined,
    packages: [...new Set(outcomes.flatMap((o) => o.result?.packages ?? []))],
    checks: outcomes.flatMap(stageChecks),
    outputs: stageOutputs(outcomes),
    sections: pipelineSections(outcomes),
    sarif: true,
    artifactFiles: outcomes.flatMap((o) => o.result?.artifactFiles ?? []),
    data: {
      stages: outcomes.map((o) => ({
        stage: o.stage.name,
        action: o.stage.action,
        status: o.status,
        durationMs: o.durationMs,
        message: o.message,
        outputs: o.result?.outputs ?? {},
        ...(o.result?.data ?? {})
      }))
    },
    failureMessage: failure
  }
}
