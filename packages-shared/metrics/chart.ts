/**
 * The trend of the last runs, drawn two ways: a Mermaid `xychart-beta` (GitHub renders
 * Mermaid in step summaries), one line per stage, and a table with a sparkline per stage,
 * which reads the same where Mermaid does not render (the local command's log, a mail).
 *
 * xychart-beta draws no legend, so the lines' colours are fixed by the palette below and
 * named with the matching coloured squares under the chart. Every label is ours: stage names
 * (checked when a history is read) and run numbers.
 */
import { table } from '../report/markdown.js'
import type { RunRecord } from './history.js'
import { seconds, timed, type StageTrend } from './stats.js'

/** Line colours, in the order of the stages, with the square that names each under the chart. */
const PALETTE: readonly [colour: string, square: string][] = [
  ['#2563eb', '🟦'],
  ['#ea580c', '🟧'],
  ['#16a34a', '🟩'],
  ['#9333ea', '🟪'],
  ['#dc2626', '🟥'],
  ['#ca8a04', '🟨'],
  ['#78350f', '🟫'],
  ['#111827', '⬛'],
  ['#9ca3af', '⬜']
]

/** The run's label on the chart's axis: its number (`#` would read as a Mermaid entity), ✗ when it failed. */
export function runLabel(run: RunRecord, index: number): string {
  const n = run.runNumber !== undefined ? String(run.runNumber) : String(index + 1)
  const attempt = run.attempt > 1 ? `.${run.attempt}` : ''
  return `${n}${attempt}${run.result === 'failed' ? ' ✗' : ''}`
}

/** The stage's duration in each run, undefined where it did not run (or was blocked). */
export function stageSeries(runs: readonly RunRecord[], stage: string): (number | undefined)[] {
  return runs.map((r) => {
    const s = r.stages.find((x) => x.name === stage)
    return timed(s) ? s.durationMs : undefined
  })
}

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function axisMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

/**
 * A Mermaid xychart of the stages' durations over `runs` (oldest first), or '' with fewer
 * than two runs (one point is not a trend). A run where a stage did not run is 0 on its line:
 * Mermaid has no gaps; the table below says which.
 */
export function mermaidChart(runs: readonly RunRecord[], stages: readonly string[]): string {
  if (runs.length < 2 || stages.length === 0) return ''
  const series = stages.slice(0, PALETTE.length).map((s) => stageSeries(runs, s))
  const longest = Math.max(0, ...series.flat().map((v) => v ?? 0))
  const inMinutes = longest >= 300_000
  const unit = inMinutes ? 60_000 : 1000
  const value = (ms: number | undefined): string => String(Math.round(((ms ?? 0) / unit) * 10) / 10)
  const labels = runs.map((r, i) => JSON.stringify(runLabel(r, i)))
  const palette = PALETTE.slice(0, series.length)
    .map(([c]) => c)
    .join(', ')
  return [
    '```mermaid',
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title "Stage durations, last ${runs.length} runs"`,
    `  x-axis "run" [${labels.join(', ')}]`,
    `  y-axis "${inMinutes ? 'minutes' : 'seconds'}" 0 --> ${axisMax(Number(value(longest)))}`,
    ...series.map((s) => `  line [${s.map(value).join(', ')}]`),
    '```',
    '',
    stages
      .slice(0, PALETTE.length)
      .map((s, i) => `${PALETTE[i]![1]} ${s}`)
      .join(' · '),
    ''
  ].join('\n')
}

const BARS = '▁▂▃▄▅▆▇█'

/**
 * The values as bars from 0 to their highest (so +5% looks like +5%, not like a jump);
 * `·` where there is none.
 */
export function sparkline(values: readonly (number | undefined)[]): string {
  const hi = Math.max(0, ...values.filter((v): v is number => v !== undefined))
  return values
    .map((v) => {
      if (v === undefined) return '·'
      if (hi === 0) return BARS[0]!
      return BARS[Math.round((v / hi) * (BARS.length - 1))]!
    })
    .join('')
}

function comparison(t: StageTrend): string {
  if (t.note) return t.note
  if (t.percent === undefined) return t.flagged ? '⚠️ slower' : '–'
  const signed = t.percent > 0 ? `+${t.percent}%` : t.percent < 0 ? `−${-t.percent}%` : '±0%'
  return t.flagged ? `⚠️ ${signed}` : signed
}

/** One row per stage of this run: its duration, its median over the earlier runs, its sparkline over `runs`, and the comparison. */
export function trendTable(runs: readonly RunRecord[], trends: readonly StageTrend[]): string {
  return table(
    ['stage', 'this run', 'median before', `trend (${runs.length} runs, oldest first)`, 'vs median'],
    trends.map((t) => [
      t.stage,
      seconds(t.durationMs),
      t.medianMs !== undefined ? `${seconds(t.medianMs)} (${t.earlierRuns} runs)` : '–',
      sparkline(stageSeries(runs, t.stage)),
      comparison(t)
    ])
  )
}
