/** The pipeline's step-summary sections: the Stages table, then each stage's own sections under its name, then the metrics. */
import { mermaidChart, trendTable } from '../../packages-shared/metrics/chart.js'
import type { MetricsOutcome } from '../../packages-shared/metrics/record.js'
import { MIN_EARLIER_RUNS, MIN_SLOWDOWN_MS } from '../../packages-shared/metrics/stats.js'
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

/** "Pipeline metrics": the flags first, the chart of the last runs, each stage against its median, and where the history is. */
export function metricsSection(outcome: MetricsOutcome): string {
  const { analysis, runs, series, store, thresholds } = outcome
  const parts = ['### Pipeline metrics', '']
  if (analysis.flags.length) parts.push(...analysis.flags.map((f) => `- ⚠️ ${f.message}`), '')
  const chart = mermaidChart(
    runs,
    analysis.stages.map((s) => s.stage)
  )
  if (chart) parts.push(chart)
  parts.push(trendTable(runs, analysis.stages))
  const rate = analysis.failureRate
  const job = [series.workflow, series.job].filter(Boolean).join(' / ')
  parts.push(
    `Failure rate ${rate.failed} of ${rate.runs} runs (${rate.percent}%)${rate.note ? `, ${rate.note}` : ''}. ` +
      `History of ${series.branch}${job ? ` (${job})` : ''}, stages ${series.stages.join(', ')} on ${series.os}, ` +
      `up to ${outcome.maxRuns} runs${store.source ? `, read from ${store.source}` : ''}; this run ${store.detail}.`,
    '',
    `<sub>Flagged: a stage more than ${thresholds.slowdownPercent}% (and ${MIN_SLOWDOWN_MS / 1000} s) slower than its median over the earlier runs, ` +
      `a failure rate above ${thresholds.failureRatePercent}%; neither before ${MIN_EARLIER_RUNS} earlier runs.</sub>`,
    ''
  )
  return parts.join('\n')
}
