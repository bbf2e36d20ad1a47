/**
 * The whole pipeline in one step: the same code as the separate actions, run one stage
 * after another in one process, with one combined report, summary and annotation budget.
 * Every stage runs and reports even when an earlier one failed; publish and health-check
 * do not run after a failed gate (nothing is released from a red run) and say so.
 * inputs.ts selects the stages and parses their inputs, plan.ts decides between stages,
 * runs.ts runs them, checks.ts and summary.ts report them as one.
 */
import type { ActionDefinition } from '../../packages-shared/action.js'
import { ACTIONS, type ActionRegistry } from '../registry.js'
import { pipelineResult } from './checks.js'
import { parsePipelineInputs, type PipelineInputs } from './inputs.js'
import { runStages } from './runs.js'

/** The pipeline over `registry`'s actions (every action of the bundle unless a test gives its own). */
export function createPipelineAction(registry: ActionRegistry = ACTIONS): ActionDefinition<PipelineInputs> {
  return {
    name: 'pipeline',
    title: 'dk-actions pipeline',
    parseInputs: (reader, common, io) => parsePipelineInputs(reader, common, io, registry),
    run: async (ctx, inputs) => pipelineResult(await runStages(ctx, inputs))
  }
}

export const pipelineAction: ActionDefinition<PipelineInputs> = createPipelineAction()
