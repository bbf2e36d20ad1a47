/**
 * The whole pipeline in one step: the same code as the separate actions, run one stage
 * after another in one process, with one combined report, summary and annotation budget.
 * Every stage runs and reports even when an earlier one failed; publish and health-check
 * do not run after a failed gate (nothing is released from a red run) and say so.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import { createContext, type CommonInputs } from '../../packages-shared/context.js'
import { errorMessage, isUserError } from '../../packages-shared/errors.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { InputReader, parseEnumList } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { formatDuration, table } from '../../packages-shared/report/markdown.js'
import { maskSecretInputs } from '../../packages-shared/secrets.js'
import { ACTIONS } from '../registry.js'
import { stageIO } from './stage-io.js'
import { DEFAULT_STAGES, STAGE_NAMES, STAGES, type Stage } from './stages.js'

interface PlannedStage {
  stage: Stage
  io: RunnerIO
  inputs: unknown
}

export interface PipelineInputs {
  stages: PlannedStage[]
}

interface StageOutcome {
  stage: Stage
  status: 'passed' | 'failed' | 'error' | 'blocked'
  durationMs: number
  result?: ActionResult
  message?: string
}

/** Outputs of earlier stages that later ones take when their own input is empty. */
function handOver(done: StageOutcome[]): Record<string, string> {
  const build = done.find((o) => o.stage.name === 'build')?.result?.outputs ?? {}
  const overrides: Record<string, string> = {}
  if (build.dists) overrides.dists = build.dists
  if (build['dist-dir']) overrides['dist-dir'] = build['dist-dir']
  return overrides
}

function prefixChecks(stage: Stage, checks: CheckResult[]): CheckResult[] {
  return checks.map((c) => ({ ...c, tool: `${stage.name}/${c.tool}`, findings: c.findings.map((f) => ({ ...f, tool: `${stage.name}/${f.tool}` })) }))
}

export function parsePipelineInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): PipelineInputs {
  const raw = reader.raw('stages')
  // Every stage's secrets are masked, run or not: their prefixed inputs are in this step's environment.
  for (const stage of STAGES) maskSecretInputs(stageIO(io, stage), ACTIONS[stage.action]?.secretInputs ?? [])
  const names = raw.trim() ? parseEnumList('stages', raw, STAGE_NAMES) : DEFAULT_STAGES
  // Every stage's inputs are parsed before any stage runs, so a typo fails at once.
  const stages = STAGES.filter((s) => names.includes(s.name)).map((stage) => {
    const def = ACTIONS[stage.action]
    if (!def) throw new Error(`stage ${stage.name} needs the ${stage.action} action, which this bundle lacks`)
    const sio = stageIO(io, stage)
    return { stage, io: sio, inputs: def.parseInputs(new InputReader(sio), common, sio) }
  })
  return { stages }
}

export async function runPipeline(ctx: ReturnType<typeof createContext>, inputs: PipelineInputs): Promise<ActionResult> {
  const outcomes: StageOutcome[] = []
  for (const planned of inputs.stages) {
    const { stage } = planned
    const started = Date.now()
    const failedBefore = outcomes.filter((o) => o.status !== 'passed')
    if (stage.releases && failedBefore.length > 0) {
      const message = `not run: ${failedBefore.map((o) => o.stage.name).join(', ')} failed, and nothing is released from a failed pipeline`
      ctx.io.info(`Stage ${stage.name} ${message}.`)
      outcomes.push({ stage, status: 'blocked', durationMs: 0, message })
      continue
    }
    const def = ACTIONS[stage.action]!
    // Hand-overs (build → publish) are known only now, so the stage's inputs are read again with them.
    const sio = stageIO(ctx.io, stage, handOver(outcomes))
    const stageInputs = Object.keys(handOver(outcomes)).length ? def.parseInputs(new InputReader(sio), ctx.common, sio) : planned.inputs
    ctx.io.info(`▶ Stage ${stage.name} (${stage.action})`)
    try {
      const result = await def.run(createContext(sio, ctx.common, { shared: ctx }), stageInputs)
      outcomes.push({ stage, status: result.passed ? 'passed' : 'failed', durationMs: Date.now() - started, result })
    } catch (error) {
      const message = errorMessage(error)
      if (!isUserError(error) && error instanceof Error && error.stack) ctx.io.debug(error.stack)
      ctx.io.error(`Stage ${stage.name} could not run: ${message}`)
      outcomes.push({ stage, status: 'error', durationMs: Date.now() - started, message })
    }
  }

  const checks: CheckResult[] = []
  const sections: string[] = []
  const outputs: Record<string, string> = {}
  const packages = new Set<string>()
  for (const o of outcomes) {
    if (o.result) {
      checks.push(...prefixChecks(o.stage, o.result.checks))
      o.result.packages.forEach((p) => packages.add(p))
      for (const [k, v] of Object.entries(o.result.outputs ?? {})) outputs[`${o.stage.prefix}-${k}`] = v
      if (o.result.sections?.length) sections.push(`### ${o.stage.name}\n\n${o.result.sections.join('\n\n')}`)
    } else {
      checks.push({ tool: o.stage.name, status: o.status === 'blocked' ? 'skipped' : 'error', durationMs: o.durationMs, findings: [], message: o.message })
    }
    outputs[`${o.stage.prefix}-passed`] = String(o.status === 'passed')
  }
  const stageTable = table(
    ['stage', 'action', 'result', 'time'],
    outcomes.map((o) => [o.stage.name, o.stage.action, o.status === 'blocked' ? `⏭️ ${o.message}` : o.status === 'passed' ? '✅ passed' : o.status === 'failed' ? '❌ failed' : `💥 ${o.message}`, formatDuration(o.durationMs)])
  )
  const failed = outcomes.filter((o) => o.status !== 'passed')
  return {
    passed: failed.length === 0,
    packages: [...packages],
    checks,
    outputs,
    sections: [`### Stages\n\n${stageTable}`, ...sections],
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
    failureMessage: failed.length
      ? `The pipeline failed: ${failed.map((o) => `${o.stage.name} ${o.status === 'blocked' ? 'blocked' : o.status}`).join(', ')}. See the step summary.`
      : undefined
  }
}

export const pipelineAction: ActionDefinition<PipelineInputs> = {
  name: 'pipeline',
  title: 'dk-actions pipeline',
  parseInputs: parsePipelineInputs,
  run: runPipeline
}
