/**
 * merge-reports' decisions on sets of shards the integration and act runs do not produce
 * (a shard twice, shards of two plans, a matrix of another size), and the SARIF merge's
 * rules. The reports here carry only the fields these functions read; merges of reports
 * the real actions wrote are in integration/shard-merge.test.ts and e2e/shards-act.test.ts.
 */
import type { ShardReport } from '../../actions/merge-reports/runs.js'
import { parseMatrix } from '../../actions/merge-reports/inputs.js'
import { shardProblems } from '../../actions/merge-reports/checks.js'
import { mergeSarif } from '../../actions/merge-reports/sarif.js'
import { shardMatrix } from '../../packages-shared/shards.js'

function report(action: string, shard: string | undefined, packages: string[], file = `${action}-${shard ?? 'all'}/r.json`): ShardReport {
  const [index, total] = (shard ?? '').split('/').map(Number)
  return {
    file,
    report: {
      action,
      version: '0',
      startedAt: '',
      durationMs: 1,
      workingDirectory: '.',
      packages,
      passed: true,
      checks: [],
      ...(shard ? { shard: { shard, index: index!, total: total! } } : {})
    }
  }
}

const messages = (reports: ShardReport[], matrix = parseMatrix('')): string[] => shardProblems(reports, matrix).map((f) => f.message)

describe('shardProblems', () => {
  const plan = shardMatrix(['a', 'b', 'c'], { shards: 2 })

  test('every shard once, as planned: no problem; an unsharded report is never one', () => {
    expect(
      messages(
        [report('run-tests', '1/2', ['a', 'b']), report('run-tests', '2/2', ['c']), report('run-security', undefined, ['a', 'b', 'c'])],
        plan.include
      )
    ).toEqual([])
  })

  test('a shard twice', () => {
    expect(
      messages([
        report('run-tests', '1/2', ['a', 'b'], 'x/r.json'),
        report('run-tests', '1/2', ['a', 'b'], 'y/r.json'),
        report('run-tests', '2/2', ['c'])
      ])
    ).toEqual(['run-tests shard 1/2 has 2 reports (x/r.json, y/r.json): keep one per shard.'])
  })

  test('shards of two plans', () => {
    expect(messages([report('run-tests', '1/2', ['a', 'b']), report('run-tests', '1/3', ['a'])])).toEqual([
      expect.stringContaining('fan-outs of different sizes (of 2, of 3)')
    ])
  })

  test('a matrix of another size: the missing shards are named too', () => {
    const three = shardMatrix(['a', 'b', 'c'], { shards: 3 }).include
    const found = messages([report('run-tests', '1/2', ['a', 'b']), report('run-tests', '2/2', ['c'])], three)
    expect(found[0]).toContain('the shards are of 2, the matrix has 3')
    expect(found).toContainEqual(expect.stringContaining('run-tests shard 3/3 sent no report'))
  })
})

describe('parseMatrix', () => {
  test('the plan output or its include list', () => {
    const m = shardMatrix(['a', 'b', 'c'], { shards: 2 })
    expect(parseMatrix(JSON.stringify(m))).toEqual(m.include)
    expect(parseMatrix(JSON.stringify(m.include))).toEqual(m.include)
    expect(parseMatrix('  ')).toBeUndefined()
  })
})

describe('mergeSarif', () => {
  const run = (id: string, rules: string[], results: string[]) => ({
    tool: { driver: { name: id.split('/')[2], rules: rules.map((r) => ({ id: r })) } },
    automationDetails: { id },
    results: results.map((r) => ({ ruleId: r, message: { text: r } })),
    invocations: [{ executionSuccessful: true }]
  })

  test('one run per category: results and invocations together, rules united; other categories kept', () => {
    const a = {
      path: 'a.sarif',
      log: { version: '2.1.0', runs: [run('dk-actions/run-quality/mypy/', ['x'], ['x']), run('dk-actions/run-quality/black/', [], [])] }
    }
    const b = { path: 'b.sarif', log: { version: '2.1.0', runs: [run('dk-actions/run-quality/mypy/', ['x', 'y'], ['y', 'x'])] } }
    const merged = mergeSarif([a, b])
    expect(merged.runs).toBe(2)
    expect(merged.results).toBe(3)
    const runs = merged.log.runs as ReturnType<typeof run>[]
    expect(runs.map((r) => r.automationDetails.id)).toEqual(['dk-actions/run-quality/mypy/', 'dk-actions/run-quality/black/'])
    expect(runs[0]!.results.map((r) => r.ruleId)).toEqual(['x', 'y', 'x'])
    expect(runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(['x', 'y'])
    expect(runs[0]!.invocations).toHaveLength(2)
    // The inputs are left as they were.
    expect(a.log.runs[0]!.results).toHaveLength(1)
  })
})
