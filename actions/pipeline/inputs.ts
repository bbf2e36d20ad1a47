/**
 * The pipeline's inputs: which stages run, and every selected stage's own inputs, parsed
 * before any stage runs so a typo in the last stage fails at once, not after the tests.
 */
import type { ActionDefinition } from '../../packages-shared/action.js'
import type { CommonInputs } from '../../packages-shared/context.js'
import { InputReader, parseEnumList } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { parseMetricsOptions, type MetricsOptions } from '../../packages-shared/metrics/options.js'
import { maskSecretInputs } from '../../packages-shared/secrets.js'
import type { ActionRegistry } from '../registry.js'
import type { PrCommentInputs } from './pr-report.js'
import { stageIO } from './stage-io.js'
import { DEFAULT_STAGES, STAGE_NAMES, STAGES, type Stage } from './stages.js'

export interface PlannedStage {
  stage: Stage
  /** The action the stage runs, taken from the registry the pipeline was made with. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  def: ActionDefinition<any>
  io: RunnerIO
  inputs: unknown
}

export interface PipelineInputs {
  stages: PlannedStage[]
  /** The `metrics*` inputs: the run's history, its trend and flags (metrics.ts). */
  metrics: MetricsOptions
  /** `pr-comment`: the one pull-request comment (pr-report.ts). */
  prComment: PrCommentInputs
}

export function parsePipelineInputs(reader: InputReader, common: CommonInputs, io: RunnerIO, registry: ActionRegistry): PipelineInputs {
  const raw = reader.raw('stages')
  // Every stage's secrets are masked, run or not: their prefixed inputs are in this step's environment.
  for (const stage of STAGES) maskSecretInputs(stageIO(io, stage), registry[stage.action]?.secretInputs ?? [])
  const names = raw.trim() ? parseEnumList('stages', raw, STAGE_NAMES) : DEFAULT_STAGES
  const metrics = parseMetricsOptions(reader)
  // The token is read (and masked) only when a comment is asked for: its default is the job's token.
  const commenting = reader.boolean('pr-comment', false)
  const prComment = { enabled: commenting, token: commenting ? reader.secret('pr-comment-token') : '' }
  const stages = STAGES.filter((s) => names.includes(s.name)).map((stage) => {
    const def = registry[stage.action]
    if (!def) throw new Error(`stage ${stage.name} needs the ${stage.action} action, which this bundle lacks`)
    const sio = stageIO(io, stage)
    return { stage, def, io: sio, inputs: def.parseInputs(new InputReader(sio), common, sio) as unknown }
  })
  return { stages, metrics, prComment }
}
