/**
 * merge-reports: the last job of a fan-out. It reads the JSON reports and SARIF files the
 * shards uploaded (downloaded into one folder), checks every shard came back (against the
 * plan's matrix when given), and writes one step summary, one JSON report and one SARIF
 * log. It fails when any shard failed or sent no report.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { mergeResult, shardProblems } from './checks.js'
import { parseMergeInputs, type MergeInputs } from './inputs.js'
import { readShardReports, writeMergedSarif } from './runs.js'
import { shardsSection } from './summary.js'

export async function mergeReports(ctx: ActionContext, inputs: MergeInputs): Promise<ActionResult> {
  const { reports, sarif } = readShardReports(ctx, inputs.reportsDir)
  const merged = writeMergedSarif(ctx.common.reportDir, sarif)
  const section = shardsSection(reports, { files: sarif.length, results: merged.results, runs: merged.runs, path: merged.path })
  return mergeResult(reports, shardProblems(reports, inputs.matrix), merged, [section], ctx.common.reportDir)
}

export const mergeReportsAction: ActionDefinition<MergeInputs> = {
  name: 'merge-reports',
  title: 'Merged reports',
  parseInputs: (reader, common, io) => parseMergeInputs(reader, common, io),
  run: mergeReports
}
