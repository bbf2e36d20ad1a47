/**
 * Pipeline metrics, the pure parts: the history document (schema version, shape, append and
 * trim), the statistics (median, slowdown, failure rate, and nothing flagged before three
 * earlier runs), the inputs, the series keys, and the chart.
 */
import { describe, expect, test } from '@jest/globals'
import { axisMax, mermaidChart, runLabel, sparkline, trendTable } from '../../packages-shared/metrics/chart.js'
import {
  appendRun,
  historyText,
  METRICS_SCHEMA_VERSION,
  readHistory,
  type RunRecord,
  type SeriesInfo,
  type StageRecord
} from '../../packages-shared/metrics/history.js'
import { isBranchName, parseMetricsOptions } from '../../packages-shared/metrics/options.js'
import { cacheKeyPrefix, historyBranch, runIdentity, seriesInfo, seriesStem } from '../../packages-shared/metrics/series.js'
import { analyse, median, MIN_EARLIER_RUNS, seconds } from '../../packages-shared/metrics/stats.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { createMemoryIO } from '../helpers/io-memory.js'

const SERIES: SeriesInfo = { branch: 'main', workflow: 'CI', job: 'pipeline', os: 'Linux', arch: 'X64', stages: ['quality', 'tests'] }
const THRESHOLDS = { slowdownPercent: 50, failureRatePercent: 20 }

const stage = (name: string, durationMs: number, extra: Partial<StageRecord> = {}): StageRecord => ({
  name,
  status: 'passed',
  durationMs,
  checks: 1,
  findings: 0,
  errors: 0,
  ...extra
})

/** Run number n with the given stage durations (ms). */
function run(n: number, durations: Record<string, number>, result: 'passed' | 'failed' = 'passed'): RunRecord {
  return {
    runId: String(1000 + n),
    runNumber: n,
    attempt: 1,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    durationMs: Object.values(durations).reduce((a, b) => a + b, 0),
    result,
    packages: 2,
    findings: 0,
    stages: Object.entries(durations).map(([name, ms]) => stage(name, ms))
  }
}

describe('median', () => {
  test('odd, even, one, none', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([7])).toBe(7)
    expect(median([])).toBeUndefined()
  })
})

describe('slowdown', () => {
  const earlier = [50, 48, 52, 51, 49, 55, 47, 50, 53].map((s, i) => run(i + 1, { quality: 10_000, tests: s * 1000 }))

  test('a stage more than metrics-slowdown above its median is flagged, in the words of the summary', () => {
    const a = analyse(earlier, run(10, { quality: 10_500, tests: 92_000 }), THRESHOLDS)
    expect(a.flags).toEqual([
      {
        kind: 'slowdown',
        stage: 'tests',
        durationMs: 92_000,
        medianMs: 50_000,
        percent: 84,
        earlierRuns: 9,
        message: 'stage tests took 92 s, 84% above its median of 50 s over the last 9 runs'
      }
    ])
    expect(a.stages.find((s) => s.stage === 'quality')).toMatchObject({ medianMs: 10_000, percent: 5, flagged: false })
  })

  test('at the threshold exactly, or faster, nothing is flagged', () => {
    expect(analyse(earlier, run(10, { quality: 10_000, tests: 75_000 }), THRESHOLDS).flags).toEqual([])
    expect(analyse(earlier, run(10, { quality: 1_000, tests: 20_000 }), THRESHOLDS).flags).toEqual([])
    expect(analyse(earlier, run(10, { quality: 10_000, tests: 75_001 }), THRESHOLDS).flags).toHaveLength(1)
  })

  test(`no flag with fewer than ${MIN_EARLIER_RUNS} earlier runs of the stage, and the summary says why`, () => {
    const two = earlier.slice(0, 2)
    const a = analyse(two, run(3, { quality: 90_000, tests: 900_000 }), THRESHOLDS)
    expect(a.flags).toEqual([])
    expect(a.stages[1]).toMatchObject({
      stage: 'tests',
      earlierRuns: 2,
      flagged: false,
      note: 'not compared: 2 earlier run(s), a median needs 3'
    })
    expect(analyse(earlier.slice(0, 3), run(4, { quality: 10_000, tests: 900_000 }), THRESHOLDS).flags).toHaveLength(1)
  })

  test('only runs in which the stage ran count: a blocked or crashed stage took no real time', () => {
    const mixed = [
      run(1, { tests: 10_000 }),
      { ...run(2, {}), stages: [stage('tests', 0, { status: 'blocked' })] },
      { ...run(3, {}), stages: [stage('tests', 1, { status: 'error' })] },
      run(4, { tests: 10_000 }),
      run(5, { quality: 3_000 })
    ]
    const a = analyse(mixed, run(6, { tests: 60_000 }), THRESHOLDS)
    expect(a.stages[0]).toMatchObject({ earlierRuns: 2, flagged: false })
    const blocked = analyse(earlier, { ...run(10, {}), stages: [stage('tests', 0, { status: 'blocked' })] }, THRESHOLDS)
    expect(blocked.stages[0]).toMatchObject({ flagged: false, note: 'not compared: the stage was blocked' })
  })

  test('a slowdown under a second is jitter, not a flag', () => {
    const quick = [200, 210, 190, 200].map((ms, i) => run(i + 1, { quality: ms }))
    expect(analyse(quick, run(5, { quality: 900 }), THRESHOLDS).flags).toEqual([])
    expect(analyse(quick, run(5, { quality: 1_300 }), THRESHOLDS).flags).toHaveLength(1)
  })
})

describe('failure rate', () => {
  const results = (failed: number[], total: number): RunRecord[] =>
    Array.from({ length: total }, (_, i) => run(i + 1, { tests: 1000 }, failed.includes(i + 1) ? 'failed' : 'passed'))

  test('above metrics-failure-rate over the window (this run included) is flagged', () => {
    const a = analyse(results([2, 5, 7], 9), run(10, { tests: 1000 }), THRESHOLDS)
    expect(a.failureRate).toEqual({ failed: 3, runs: 10, percent: 30, flagged: true })
    expect(a.flags).toEqual([
      { kind: 'failure-rate', failed: 3, runs: 10, percent: 30, thresholdPercent: 20, message: 'failure rate 3 of 10 runs (30%) above 20%' }
    ])
  })

  test('at the threshold exactly is not above it; this run counts', () => {
    expect(analyse(results([2, 5], 9), run(10, { tests: 1000 }), THRESHOLDS).flags).toEqual([])
    expect(analyse(results([2, 5], 9), run(10, { tests: 1000 }, 'failed'), THRESHOLDS).failureRate).toMatchObject({
      failed: 3,
      flagged: true
    })
  })

  test(`no flag with fewer than ${MIN_EARLIER_RUNS} earlier runs`, () => {
    const a = analyse(results([1, 2], 2), run(3, { tests: 1000 }, 'failed'), THRESHOLDS)
    expect(a.failureRate).toMatchObject({ failed: 3, runs: 3, percent: 100, flagged: false })
    expect(a.flags).toEqual([])
  })
})

describe('the history document', () => {
  test('appends, replaces the same run and attempt, and trims to the newest runs', () => {
    let h = readHistory(undefined, SERIES).history
    for (let n = 1; n <= 12; n++) h = appendRun(h, run(n, { tests: n }), 10)
    expect(h.runs.map((r) => r.runNumber)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    h = appendRun(h, run(12, { tests: 99 }), 10)
    expect(h.runs).toHaveLength(10)
    expect(h.runs.at(-1)!.stages[0]!.durationMs).toBe(99)
    expect(
      appendRun(h, { ...run(12, { tests: 5 }), attempt: 2 }, 10)
        .runs.map((r) => `${r.runNumber}.${r.attempt}`)
        .slice(-2)
    ).toEqual(['12.1', '12.2'])
  })

  test('round-trips through its text', () => {
    const h = appendRun(readHistory(undefined, SERIES).history, { ...run(1, { tests: 10 }), sha: 'abc1234', event: 'push' }, 30)
    const back = readHistory(historyText(h), SERIES)
    expect(back).toEqual({ history: h })
    expect(JSON.parse(historyText(h))).toMatchObject({ version: METRICS_SCHEMA_VERSION, series: SERIES })
  })

  test('a document of another schema version is ignored with a notice, and the history restarts', () => {
    const old = JSON.stringify({ version: 0, runs: [run(1, { tests: 1 })] })
    const read = readHistory(old, SERIES, 'The metrics history from the cache')
    expect(read.history.runs).toEqual([])
    expect(read.notice).toBe(
      'The metrics history from the cache has schema version 0, and this dk-actions reads version 1: it is ignored and the history starts again with this run.'
    )
    expect(readHistory(JSON.stringify({ version: 2, runs: [] }), SERIES).notice).toMatch(/schema version 2/)
    expect(readHistory('{"runs": []}', SERIES).notice).toMatch(/schema version none/)
  })

  test('text that is not a history restarts it with a notice; a record without the shape is left out', () => {
    expect(readHistory('not json', SERIES).notice).toMatch(/is not JSON/)
    expect(readHistory('[1,2]', SERIES).notice).toMatch(/is not a metrics history/)
    const hostile = {
      version: 1,
      runs: [
        run(1, { tests: 5 }),
        { ...run(2, {}), stages: [stage('tests"] ; click', 5)] },
        { ...run(3, {}), durationMs: -1 },
        { ...run(4, {}), result: 'maybe' },
        { ...run(5, { tests: 1 }), extra: '<script>' }
      ]
    }
    const read = readHistory(JSON.stringify(hostile), SERIES)
    expect(read.history.runs.map((r) => r.runNumber)).toEqual([1, 5])
    expect(read.history.runs[1]).not.toHaveProperty('extra')
    expect(read.notice).toBe("the metrics history: 3 of 5 run record(s) do not have the schema's shape and are left out.")
  })
})

describe('inputs', () => {
  const parse = (inputs: Record<string, string>) => parseMetricsOptions(new InputReader(createMemoryIO(inputs)))

  test('defaults', () => {
    expect(parse({})).toEqual({ mode: 'auto', runs: 30, slowdownPercent: 50, failureRatePercent: 20 })
    expect(
      parse({
        metrics: 'true',
        'metrics-runs': '10',
        'metrics-slowdown': '25%',
        'metrics-branch': 'refs/heads/ci/metrics',
        'metrics-name': 'py3.12'
      })
    ).toEqual({ mode: 'on', runs: 10, slowdownPercent: 25, failureRatePercent: 20, branch: 'ci/metrics', name: 'py3.12' })
    expect(parse({ metrics: 'off' }).mode).toBe('off')
  })

  test('branch names git takes', () => {
    for (const ok of ['dk-metrics', 'ci/metrics', 'metrics_v2', 'a.b']) expect(isBranchName(ok)).toBe(true)
    for (const bad of ['a b', 'a..b', '-x', 'x/', 'x.lock', 'a/.b', 'x~1', 'a:b', 'a\u0001b', 'x@{1}', '@'])
      expect(isBranchName(bad)).toBe(false)
  })
})

describe('series', () => {
  test('a pull request reads its base branch; tags and local runs have their own', () => {
    expect(historyBranch({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main', GITHUB_REF: 'refs/pull/3/merge' })).toBe('main')
    expect(historyBranch({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/release/1.x' })).toBe('release/1.x')
    expect(historyBranch({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.0.0' })).toBe('tags')
    expect(historyBranch({})).toBe('local')
  })

  test('keys: readable branch, a hash of everything that makes the series, no shared prefix between main and main-next', () => {
    const env = { GITHUB_REF: 'refs/heads/main', GITHUB_WORKFLOW: 'CI', GITHUB_JOB: 'pipeline', RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64' }
    const main = seriesInfo(env, { stages: ['quality'] })
    expect(main).toEqual({ branch: 'main', workflow: 'CI', job: 'pipeline', os: 'Linux', arch: 'X64', stages: ['quality'] })
    expect(cacheKeyPrefix(main)).toMatch(/^dk-metrics-main-[0-9a-f]{12}-$/)
    const next = seriesInfo({ ...env, GITHUB_REF: 'refs/heads/main-next' }, { stages: ['quality'] })
    expect(cacheKeyPrefix(next).startsWith(cacheKeyPrefix(main))).toBe(false)
    const stems = [
      seriesStem(main),
      seriesStem(seriesInfo(env, { stages: ['quality', 'tests'] })),
      seriesStem(seriesInfo({ ...env, RUNNER_OS: 'Windows' }, { stages: ['quality'] })),
      seriesStem(seriesInfo(env, { stages: ['quality'], shard: '1/2' })),
      seriesStem(seriesInfo(env, { stages: ['quality'], name: 'py3.13' }))
    ]
    expect(new Set(stems).size).toBe(stems.length)
    expect(seriesStem(seriesInfo({ ...env, GITHUB_REF: 'refs/heads/feature/ü x' }, { stages: ['quality'] }))).toMatch(
      /^feature-x-[0-9a-f]{12}$/
    )
  })

  test('the run: its id, number and attempt, or its time outside a workflow', () => {
    expect(runIdentity({ GITHUB_RUN_ID: '77', GITHUB_RUN_NUMBER: '12', GITHUB_RUN_ATTEMPT: '2' })).toEqual({
      runId: '77',
      runNumber: 12,
      attempt: 2
    })
    expect(runIdentity({}, 5)).toEqual({ runId: 'local-5', attempt: 1 })
  })
})

describe('chart', () => {
  const runs = [
    run(1, { quality: 2000, tests: 50_000 }),
    run(2, { quality: 2100, tests: 51_000 }, 'failed'),
    run(3, { quality: 1900, tests: 92_000 })
  ]

  test('a Mermaid xychart: one line per stage over the runs, labelled with run numbers, a legend of colours', () => {
    expect(mermaidChart(runs, ['quality', 'tests'])).toBe(
      [
        '```mermaid',
        '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#2563eb, #ea580c"}}}}%%',
        'xychart-beta',
        '  title "Stage durations, last 3 runs"',
        '  x-axis "run" ["1", "2 ✗", "3"]',
        '  y-axis "seconds" 0 --> 100',
        '  line [2, 2.1, 1.9]',
        '  line [50, 51, 92]',
        '```',
        '',
        '🟦 quality · 🟧 tests',
        ''
      ].join('\n')
    )
  })

  test('long stages in minutes; a stage missing from a run is 0 on its line; one run is no chart', () => {
    const long = [run(1, { tests: 600_000 }), { ...run(2, {}), stages: [stage('tests', 0, { status: 'blocked' })] }]
    const chart = mermaidChart(long, ['tests'])
    expect(chart).toContain('y-axis "minutes" 0 --> 10')
    expect(chart).toContain('line [10, 0]')
    expect(mermaidChart(runs.slice(0, 1), ['tests'])).toBe('')
  })

  test('labels: run number, attempt, failure; an index without a number', () => {
    expect(runLabel({ ...run(7, {}), attempt: 2 }, 0)).toBe('7.2')
    expect(runLabel({ ...run(7, {}, 'failed'), runNumber: undefined }, 4)).toBe('5 ✗')
  })

  test('axis bounds and sparklines', () => {
    expect([0, 0.4, 1, 3, 7, 92, 100, 101].map(axisMax)).toEqual([1, 0.5, 1, 5, 10, 100, 100, 200])
    expect(sparkline([0, 2, 4, undefined, 8])).toBe('▁▃▅·█')
    expect(sparkline([4, 4])).toBe('██')
    expect(sparkline([0, 0])).toBe('▁▁')
    expect(sparkline([undefined])).toBe('·')
  })

  test('the table: each stage, its median, its trend and the comparison', () => {
    const earlier = [1, 2, 3].map((n) => run(n, { quality: 2000, tests: 50_000 }))
    const current = run(4, { quality: 2100, tests: 92_000 })
    const a = analyse(earlier, current, THRESHOLDS)
    expect(trendTable([...earlier, current], a.stages)).toBe(
      [
        '| stage | this run | median before | trend (4 runs, oldest first) | vs median |',
        '| --- | --- | --- | --- | --- |',
        '| quality | 2.1 s | 2.0 s (3 runs) | ████ | +5% |',
        '| tests | 92 s | 50 s (3 runs) | ▅▅▅█ | ⚠️ +84% |',
        ''
      ].join('\n')
    )
  })

  test('durations in words', () => {
    expect([850, 4200, 92_000, 725_000].map(seconds)).toEqual(['850 ms', '4.2 s', '92 s', '12 m 5 s'])
  })
})
