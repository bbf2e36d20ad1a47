/**
 * The whole pipeline in one step: the same code as the separate actions, run one stage
 * after another in one process, with one combined report, summary and annotation budget.
 * Every stage runs and reports even when an earlier one failed; publish and health-check
 * do not run after a failed gate (nothing is released from a red run) and say so.
 * inputs.ts selects the stages and parses their inputs, plan.ts decides between stages,
 * runs.ts runs them, checks.ts and summary.ts report them as one, metrics.ts keeps the
 * run's durations and result in a history and flags a stage slower than usual, pr-report.ts
 * posts the one pull-request comment.
 */
import type { ActionDefinition } from '../../packages-shared/action.js'
import { ACTIONS, type ActionRegistry } from '../registry.js'
import { pipelineResult } from './checks.js'
import { parsePipelineInputs, type PipelineInputs } from './inputs.js'
import { pipelineMetrics } from './metrics.js'
import { postPrReport } from './pr-report.js'
import { runStages } from './runs.js'

/** The pipeline over `registry`'s actions (every action of the bundle unless a test gives its own). */
export function createPipelineAction(registry: ActionRegistry = ACTIONS): ActionDefinition<PipelineInputs> {
  return {
    name: 'pipeline',
    title: 'dk-actions pipeline',
    parseInputs: (reader, common, io) => parsePipelineInputs(reader, common, io, registry),
    run: async (ctx, inputs) => {
      const startedAt = Date.now()
      const outcomes = await runStages(ctx, inputs)
      const result = await pipelineMetrics(ctx, inputs.metrics, outcomes, pipelineResult(outcomes), startedAt)
      return postPrReport(ctx, inputs.prComment, outcomes, result)
    }
  }
}

export const pipelineAction: ActionDefinition<PipelineInputs> = createPipelineAction()
