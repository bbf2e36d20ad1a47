/**
 * A fan-out end to end on the example monorepo, with the real bundles and tools: the plan
 * step's matrix, run-quality once per shard (each writing its own report and SARIF, as a
 * fan-out job uploads them), then merge-reports over those reports: the counts, the
 * failing shard, a SARIF log code scanning accepts, and the shards that did not come back.
 * One Node only: the bundles' behaviour on both is covered by the per-action tests.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ReportData } from '../../packages-shared/findings.js'
import type { ShardMatrix } from '../../packages-shared/shards.js'
import { copyFixture, runBundle } from './harness.js'

interface SarifRun {
  tool: { driver: { name: string; rules: { id: string }[] } }
  automationDetails: { id: string }
  results: { ruleId: string; message: { text: string }; locations?: unknown[] }[]
  invocations: { executionSuccessful: boolean }[]
}
interface SarifLog {
  version: string
  $schema: string
  runs: SarifRun[]
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T

describe('fan-out: plan, one run-quality per shard, merge-reports', () => {
  let ws: string
  let matrix: ShardMatrix
  const shardReports: ReportData[] = []
  const shardSarif: SarifLog[] = []

  beforeAll(async () => {
    ws = copyFixture('examples/monorepo')
    // One defect, in the second shard's dataknobs-utils.
    fs.appendFileSync(path.join(ws, 'packages/utils/src/dataknobs_utils/__init__.py'), 'import os\n')
    const plan = await runBundle('run-quality', { shards: '2' }, { workspace: ws })
    expect(plan.exitCode).toBe(0)
    matrix = JSON.parse(plan.outputs.matrix!) as ShardMatrix
    for (const entry of matrix.include) {
      const run = await runBundle(
        'run-quality',
        { shard: entry.shard, checks: 'flake8,black', 'report-dir': `shard-reports/quality-${entry.index}` },
        { workspace: ws }
      )
      shardReports.push(run.report!)
      shardSarif.push(readJson<SarifLog>(run.outputs.sarif!))
    }
  }, 900_000)

  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }))

  test('the plan cuts the four packages into two shards in dependency order, and each shard covers its own', () => {
    expect(matrix.include.map((s) => [s.shard, s.packages])).toEqual([
      ['1/2', 'dataknobs-common,dataknobs-structures'],
      ['2/2', 'dataknobs-utils,dataknobs-xization']
    ])
    expect(shardReports.map((r) => r.packages.join(','))).toEqual(matrix.include.map((s) => s.packages))
    expect(shardReports.map((r) => r.shard)).toEqual([
      { shard: '1/2', index: 1, total: 2 },
      { shard: '2/2', index: 2, total: 2 }
    ])
    expect(shardReports.map((r) => r.passed)).toEqual([true, false])
    // The root tests/ are linted once, in shard 1.
    const commands = shardReports.map((r) => r.checks.find((c) => c.tool === 'flake8')!.command!)
    expect(commands[0]).toMatch(/ tests$/)
    expect(commands[1]).not.toMatch(/ tests$/)
  })

  test('merge-reports: one summary with every shard, the failing one named, one SARIF log; it fails', async () => {
    const run = await runBundle(
      'merge-reports',
      { reports: 'shard-reports', matrix: JSON.stringify(matrix), 'report-dir': 'merged' },
      { workspace: ws }
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(run.outputs.reports).toBe('2')
    expect(run.outputs['failed-shards']).toBe('run-quality 2/2')
    const report = run.report!
    expect(report.packages).toEqual(['dataknobs-common', 'dataknobs-structures', 'dataknobs-utils', 'dataknobs-xization'])
    const shardFindings = shardReports.flatMap((r) => r.checks.flatMap((c) => c.findings))
    expect(shardFindings.map((f) => `${f.tool} ${f.rule} ${f.file}`)).toEqual([
      'flake8 F401 packages/utils/src/dataknobs_utils/__init__.py'
    ])
    expect(report.checks.flatMap((c) => c.findings)).toEqual(shardFindings)
    expect(Number(run.outputs.findings)).toBe(shardFindings.length)
    expect(report.checks.map((c) => [c.tool.replace(/ \d[\d.]*$/, ''), c.status])).toEqual([
      ['run-quality [1/2] flake8', 'passed'],
      ['run-quality [1/2] black', 'passed'],
      ['run-quality [2/2] flake8', 'failed'],
      ['run-quality [2/2] black', 'passed'],
      ['shards', 'passed']
    ])
    expect(run.summary).toContain('### Shards')
    expect(run.summary).toMatch(/run-quality \| 2\/2 \| 2 \| ❌ failed \| 1 \|/)
    // The shards annotated their findings; the merge does not annotate them again.
    expect(run.annotations.filter((a) => a.props.file)).toEqual([])

    const merged = readJson<SarifLog>(run.outputs.sarif!)
    expect(merged.version).toBe('2.1.0')
    expect(merged.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
    const ids = merged.runs.map((r) => r.automationDetails.id)
    // One run per category, the categories an unsharded run has.
    expect(ids).toEqual([...new Set(shardSarif.flatMap((l) => l.runs.map((r) => r.automationDetails.id)))])
    expect(ids).toEqual(['dk-actions/run-quality/flake8/', 'dk-actions/run-quality/black/'])
    const results = (log: SarifLog): number => log.runs.reduce((n, r) => n + r.results.length, 0)
    expect(results(merged)).toBe(shardSarif.reduce((n, l) => n + results(l), 0))
    const flake8 = merged.runs.find((r) => r.tool.driver.name === 'flake8')!
    expect(flake8.results.map((r) => r.ruleId)).toEqual(['F401'])
    expect(flake8.tool.driver.rules.map((r) => r.id)).toEqual(['F401'])
    expect(flake8.invocations).toHaveLength(2)
    for (const r of merged.runs) for (const res of r.results) expect(res.message.text).toBeTruthy()
  })

  test('a shard that sent no report fails the merge and is named', async () => {
    const partial = path.join(ws, 'partial')
    fs.cpSync(path.join(ws, 'shard-reports', 'quality-2'), path.join(partial, 'quality-2'), { recursive: true })
    const run = await runBundle('merge-reports', { reports: 'partial', 'report-dir': 'merged-partial' }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    const shards = run.report!.checks.find((c) => c.tool === 'shards')!
    expect(shards.status).toBe('failed')
    expect(shards.findings.map((f) => f.message)).toEqual([expect.stringContaining('run-quality shard 1/2 sent no report')])
  })

  test('a shard that covered other packages than the plan gave it is an error', async () => {
    const other: ShardMatrix = { include: [{ ...matrix.include[0]!, packages: 'dataknobs-common' }, matrix.include[1]!] }
    const run = await runBundle(
      'merge-reports',
      { reports: 'shard-reports', matrix: JSON.stringify(other), 'report-dir': 'merged-other' },
      { workspace: ws }
    )
    expect(run.exitCode).toBe(1)
    const shards = run.report!.checks.find((c) => c.tool === 'shards')!
    expect(shards.findings.map((f) => f.message)).toEqual([
      expect.stringContaining('run-quality shard 1/2 covered dataknobs-common, dataknobs-structures, but the plan gave it dataknobs-common')
    ])
  })

  test('no report under the folder is a clear error', async () => {
    fs.mkdirSync(path.join(ws, 'empty-reports'))
    const run = await runBundle('merge-reports', { reports: 'empty-reports' }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    expect(run.stdout + run.stderr).toContain('merge-reports found no dk-actions report under')
  })
})
