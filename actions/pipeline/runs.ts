/**
 * Runs the stages one after another through the pipeline's context (its exec, http and
 * workspace are shared), each stage through its action's own definition. Every stage runs
 * and reports even when an earlier one failed; a stage that throws is an error, not the end.
 */
import type { ActionContext } from '../../packages-shared/context.js'
import { createContext } from '../../packages-shared/context.js'
import { errorMessage, isUserError } from '../../packages-shared/errors.js'
import { InputReader } from '../../packages-shared/inputs.js'
import type { PipelineInputs, PlannedStage } from './inputs.js'
import { blockedMessage, handOver } from './plan.js'
import { stageIO } from './stage-io.js'
import type { StageOutcome } from './stages.js'

async function runStage(ctx: ActionContext, planned: PlannedStage, done: readonly StageOutcome[]): Promise<StageOutcome> {
  const { stage, def } = planned
  const started = Date.now()
  const blocked = blockedMessage(stage, done)
  if (blocked !== undefined) {
    ctx.io.info(`Stage ${stage.name} ${blocked}.`)
    return { stage, status: 'blocked', durationMs: 0, message: blocked }
  }
  // Hand-overs (build → publish) are known only now, so the stage's inputs are read again with them.
  const overrides = handOver(done, (name) => stageIO(ctx.io, stage).getInput(name))
  const sio = stageIO(ctx.io, stage, overrides)
  const stageInputs = Object.keys(overrides).length ? def.parseInputs(new InputReader(sio), ctx.common, sio) : planned.inputs
  ctx.io.info(`▶ Stage ${stage.name} (${stage.action})`)
  try {
    const result = await def.run(createContext(sio, ctx.common, { shared: ctx }), stageInputs)
    return { stage, status: result.passed ? 'passed' : 'failed', durationMs: Date.now() - started, result }
  } catch (error) {
    const message = errorMessage(error)
    if (!isUserError(error) && error instanceof Error && error.stack) ctx.io.debug(error.stack)
    ctx.io.error(`Stage ${stage.name} could not run: ${message}`)
    return { stage, status: 'error', durationMs: Date.now() - started, message }
  }
}

export async function runStages(ctx: ActionContext, inputs: PipelineInputs): Promise<StageOutcome[]> {
  const outcomes: StageOutcome[] = []
  let shared = ctx
  for (const planned of inputs.stages) {
    const outcome = await runStage(shared, planned, outcomes)
    outcomes.push(outcome)
    // A release commit changed versions and requirements: later stages read the repository afresh.
    if (outcome.result?.outputs?.commit)
      shared = createContext(ctx.io, ctx.common, { exec: ctx.exec, http: ctx.http, cache: ctx.cache, later: ctx.later })
  }
  return outcomes
}
