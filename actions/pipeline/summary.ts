/** The pipeline's step-summary sections: the Stages table, then each stage's own sections under its name. */
import { formatDuration, table } from '../../packages-shared/report/markdown.js'
import type { StageOutcome } from './stages.js'

function resultCell(o: StageOutcome): string {
  if (o.status === 'blocked') return `⏭️ ${o.message}`
  if (o.status === 'passed') return '✅ passed'
  if (o.status === 'failed') return '❌ failed'
  return `💥 ${o.message}`
}

export function stagesTable(outcomes: readonly StageOutcome[]): string {
  return table(
    ['stage', 'action', 'result', 'time'],
    outcomes.map((o) => [o.stage.name, o.stage.action, resultCell(o), formatDuration(o.durationMs)])
  )
}

export function pipelineSections(outcomes: readonly StageOutcome[]): string[] {
  const sections = outcomes.flatMap((o) => (o.result?.sections?.length ? [`### ${o.stage.name}\n\n${o.result.sections.join('\n\n')}`] : []))
  return [`### Stages\n\n${stagesTable(outcomes)}`, ...sections]
}
