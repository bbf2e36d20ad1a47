/** run-tests' sections of the step summary. */
import { formatPercent, type CoverageTotals, type PackageCoverage } from '../../packages-shared/tools/coverage.js'
import type { FailedTest, TestCounts } from '../../packages-shared/tools/pytest.js'
import { formatSeconds, type BenchmarkComparison } from '../../packages-shared/tools/pytest-benchmark.js'
import { codeBlock, details, escapeHtml, formatDuration, table } from '../../packages-shared/report/markdown.js'
import { environmentsSection } from '../../packages-shared/python/project-env/provision.js'
import { addCounts, emptyCounts } from '../../packages-shared/tools/pytest.js'
import { slowest, type BenchmarkOutcome, type SlowTest } from './checks.js'
import type { TestsInputs } from './inputs.js'
import type { CombinedCoverage, Runtimes, SuiteOutcome } from './runs.js'

const ICON: Record<string, string> = { passed: '✅', failed: '❌', skipped: '⏭️', error: '💥' }

export function suitesSection(outcomes: readonly SuiteOutcome[], totals: TestCounts): string {
  const rows = outcomes.map((o) => [
    o.suite.name,
    `\`${o.suite.relPath}\``,
    `${ICON[o.status] ?? ''} ${o.status}`,
    String(o.counts.tests),
    String(o.counts.passed),
    String(o.counts.failed),
    String(o.counts.errors),
    String(o.counts.skipped),
    formatDuration(o.durationMs)
  ])
  rows.push([
    '**total**',
    '',
    '',
    String(totals.tests),
    String(totals.passed),
    String(totals.failed),
    String(totals.errors),
    String(totals.skipped),
    ''
  ])
  let out = `### Test suites\n\n${table(['suite', 'path', 'status', 'tests', 'passed', 'failed', 'errors', 'skipped', 'time'], rows)}`
  for (const o of outcomes.filter((x) => x.message)) {
    out += `\n**${o.suite.name}**: ${escapeHtml(o.message!.split('\n')[0]!)}\n`
    if (o.message!.includes('\n')) out += '\n' + details('output', codeBlock(o.message!.split('\n').slice(1).join('\n'))) + '\n'
  }
  return out
}

export function failuresSection(failures: readonly FailedTest[], limit = 50): string {
  if (failures.length === 0) return ''
  const lines = failures.slice(0, limit).map((f) => {
    const where = f.file ? ` (\`${f.file}${f.line ? `:${f.line}` : ''}\`)` : ''
    const msg = f.message
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean)
    return `- **${escapeHtml(f.nodeId)}**${where} — ${f.outcome} in ${f.suite}\n${codeBlock(msg.slice(0, 6).join('\n')).replace(/^/gm, '  ')}`
  })
  const more = failures.length > limit ? `\n…and ${failures.length - limit} more (all of them are in the JSON report).\n` : ''
  return `### Failures (${failures.length})\n\n${lines.join('\n')}${more}`
}

export function slowestSection(slow: readonly SlowTest[]): string {
  if (slow.length === 0) return ''
  const rows = slow.map((s) => [`\`${s.nodeId}\``, s.suite, s.outcome, `${s.seconds.toFixed(3)} s`])
  return `### ${slow.length} slowest test(s)\n\n${table(['test', 'suite', 'outcome', 'time'], rows)}`
}

export function coverageSection(byPackage: readonly PackageCoverage[], totals: CoverageTotals, min: number): string {
  const row = (name: string, c: CoverageTotals, files?: number): string[] => [
    name,
    files === undefined ? '' : String(files),
    `${c.coveredStatements}/${c.statements}`,
    `${c.coveredBranches}/${c.branches}`,
    `${formatPercent(c.percent)}%`
  ]
  const rows = byPackage.map((p) => row(p.package, p, p.files))
  rows.push(row('**total**', totals))
  const gate = min > 0 ? ` · coverage-min ${min}%: ${totals.percent >= min ? 'met' : '**not met**'}` : ''
  return `### Coverage by package (lines and branches)\n\n${formatPercent(totals.percent)}% overall${gate}\n\n${table(['package', 'files', 'lines', 'branches', 'cover'], rows)}`
}

export function benchmarkSection(
  comparisons: readonly BenchmarkComparison[],
  maxRegression: number,
  baseline: string,
  saved?: string
): string {
  const rows = comparisons.map((c) => [
    `\`${c.fullname}\``,
    c.old === undefined ? '—' : formatSeconds(c.old),
    c.new === undefined ? '—' : formatSeconds(c.new),
    c.changePercent === undefined ? '' : `${c.changePercent >= 0 ? '+' : ''}${c.changePercent.toFixed(1)}%`,
    c.status === 'regressed' ? '❌ regressed' : c.status
  ])
  const head = `### Benchmarks (median; a regression is more than ${maxRegression}% slower)\n\nBaseline: ${escapeHtml(baseline)}${saved ? ` · new baseline ${escapeHtml(saved)}` : ''}\n\n`
  return head + (rows.length ? table(['benchmark', 'baseline', 'this run', 'change', 'status'], rows) : 'No benchmark results.\n')
}

/** The step summary's sections, in order; the empty ones left out. */
export function testsSections(
  runtimes: Runtimes,
  outcomes: readonly SuiteOutcome[],
  combined: CombinedCoverage | undefined,
  bench: BenchmarkOutcome | undefined,
  inputs: TestsInputs,
  root: string
): string[] {
  return [
    environmentsSection(runtimes.envs),
    suitesSection(
      outcomes,
      outcomes.reduce((acc, o) => addCounts(acc, o.counts), emptyCounts())
    ),
    failuresSection(outcomes.flatMap((o) => o.failures)),
    slowestSection(slowest(outcomes, root)),
    combined ? coverageSection(combined.byPackage, combined.data.totals, inputs.coverageMin) : '',
    bench ? benchmarkSection(bench.comparisons, inputs.maxRegression, bench.baselineSource, bench.saved) : ''
  ].filter(Boolean)
}
