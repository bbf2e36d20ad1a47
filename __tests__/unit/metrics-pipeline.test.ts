/**
 * The root action's metrics, wired: after the stages, the run is recorded in the history
 * (the fake cache service), compared, and reported: the "Pipeline metrics" summary section,
 * the report's `metrics` data, the `metrics-flags` output and a warning per flag. Stand-in
 * stages, so no durations are real: the flags are seeded through the failure rate.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { createPipelineAction } from '../../actions/pipeline/main.js'
import { ACTIONS, type ActionRegistry } from '../../actions/registry.js'
import type { ActionDefinition } from '../../packages-shared/action.js'
import { cacheStore } from '../../packages-shared/metrics/cache-store.js'
import { historyText, readHistory, type RunRecord } from '../../packages-shared/metrics/history.js'
import { cacheKeyPrefix, seriesInfo } from '../../packages-shared/metrics/series.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { fakeCache, type FakeCache } from '../helpers/fake-cache.js'
import { recordedExec, testContext } from '../helpers/recorded.js'

function registry(passed = true): ActionRegistry {
  const all: Record<string, ActionDefinition<unknown>> = {}
  for (const name of Object.keys(ACTIONS)) {
    all[name] = {
      name,
      title: name,
      parseInputs: () => ({}),
      run: async () => ({
        passed,
        packages: ['a'],
        checks: [{ tool: 'tool', status: passed ? 'passed' : 'failed', durationMs: 1, findings: [] }]
      })
    }
  }
  return all
}

const ENV = {
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_WORKFLOW: 'CI',
  GITHUB_JOB: 'pipeline',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64',
  GITHUB_RUN_ID: '500',
  GITHUB_RUN_NUMBER: '5'
}

function earlier(n: number, result: 'passed' | 'failed'): RunRecord {
  return {
    runId: String(400 + n),
    runNumber: n,
    attempt: 1,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    durationMs: 3,
    result,
    packages: 1,
    findings: 0,
    stages: [{ name: 'quality', status: result, durationMs: 3, checks: 1, findings: 0, errors: 0 }]
  }
}

async function seed(cache: FakeCache, runs: RunRecord[]): Promise<void> {
  const series = seriesInfo(ENV, { stages: ['quality'] })
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-seed-'))
  const folder = async () => {
    const dir = path.join(parent, 'history')
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir)
    return dir
  }
  const prefix = cacheKeyPrefix(series)
  await cacheStore({ cache, prefix, key: `${prefix}seed-1`, folder }).save(() => historyText({ version: 1, series, runs }))
}

async function runPipeline(inputs: Record<string, string>, cache: FakeCache, passed = true) {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-ws-'))
  const { ctx, io } = testContext({
    inputs: { stages: 'quality', ...inputs },
    env: { GITHUB_WORKSPACE: ws, PATH: ws, ...ENV },
    // The output guard asks git for the tracked files: this is not a checkout.
    exec: recordedExec([{ match: /^git ls-files/, answer: { exitCode: 128 } }]),
    cache
  })
  const action = createPipelineAction(registry(passed))
  const parsed = action.parseInputs(new InputReader(io), ctx.common, io)
  return { result: await action.run(ctx, parsed), io }
}

describe('pipeline metrics, wired into the root action', () => {
  test('the run joins the history; a failure rate above metrics-failure-rate is a warning, a section, data and an output', async () => {
    const cache = fakeCache()
    await seed(cache, [earlier(1, 'failed'), earlier(2, 'passed'), earlier(3, 'failed'), earlier(4, 'failed')])
    const { result, io } = await runPipeline({}, cache)
    // Flags never fail the pipeline.
    expect(result.passed).toBe(true)
    const message = 'failure rate 3 of 5 runs (60%) above 20%'
    expect(io.logs.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([`Pipeline metrics: ${message}.`])
    expect(JSON.parse(result.outputs!['metrics-flags']!)).toEqual([
      { kind: 'failure-rate', failed: 3, runs: 5, percent: 60, thresholdPercent: 20, message }
    ])
    const section = result.sections!.at(-1)!
    expect(section).toMatch(/^### Pipeline metrics\n\n- ⚠️ failure rate 3 of 5 runs \(60%\) above 20%\n/)
    expect(section).toContain('xychart-beta')
    expect(section).toContain('x-axis "run" ["1 ✗", "2", "3 ✗", "4 ✗", "5"]')
    expect(section).toContain('| quality |')
    const prefix = cacheKeyPrefix(seriesInfo(ENV, { stages: ['quality'] }))
    expect(section).toContain(`this run saved to the Actions cache under ${prefix}500-1.`)
    const data = result.data!.metrics as Record<string, unknown>
    expect(data).toMatchObject({
      schemaVersion: 1,
      runs: 5,
      maxRuns: 30,
      store: { kind: 'cache', saved: true },
      run: { runId: '500', runNumber: 5, result: 'passed', stages: [{ name: 'quality', status: 'passed', checks: 1, findings: 0 }] },
      failureRate: { failed: 3, runs: 5, percent: 60, flagged: true }
    })
    // The other stages' sections and data are as they were.
    expect(result.sections![0]).toMatch(/^### Stages/)
    expect(result.data!.stages).toHaveLength(1)
    expect(cache.keys()).toEqual([`${prefix}seed-1`, `${prefix}500-1`])
  })

  test('thresholds are inputs: metrics-failure-rate 60% flags nothing, and the output is an empty list', async () => {
    const cache = fakeCache()
    await seed(cache, [earlier(1, 'failed'), earlier(2, 'passed'), earlier(3, 'failed'), earlier(4, 'failed')])
    const { result, io } = await runPipeline({ 'metrics-failure-rate': '60' }, cache)
    expect(result.outputs!['metrics-flags']).toBe('[]')
    expect(io.logs.filter((l) => l.level === 'warning')).toEqual([])
  })

  test('metrics-runs trims the history this run saves', async () => {
    const cache = fakeCache()
    await seed(
      cache,
      [1, 2, 3, 4, 5, 6].map((n) => earlier(n, 'passed'))
    )
    const { result } = await runPipeline({ 'metrics-runs': '4' }, cache)
    expect((result.data!.metrics as { runs: number }).runs).toBe(4)
    const prefix = cacheKeyPrefix(seriesInfo(ENV, { stages: ['quality'] }))
    expect(cache.keys().at(-1)).toBe(`${prefix}500-1`)
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-read-'))
    const folder = async () => (fs.mkdirSync(path.join(parent, 'h'), { recursive: true }), path.join(parent, 'h'))
    const loaded = await cacheStore({ cache, prefix, key: `${prefix}500-1`, folder }).load()
    expect(readHistory(loaded.text, seriesInfo(ENV, { stages: ['quality'] })).history.runs.map((r) => r.runId)).toEqual([
      '404',
      '405',
      '406',
      '500'
    ])
  })

  test('metrics: false leaves the result as it was', async () => {
    const cache = fakeCache()
    const { result } = await runPipeline({ metrics: 'false' }, cache)
    expect(result.outputs).not.toHaveProperty('metrics-flags')
    expect(result.sections!.some((s) => s.startsWith('### Pipeline metrics'))).toBe(false)
    expect(result.data).not.toHaveProperty('metrics')
    expect(cache.calls).toEqual([])
  })

  test('a store that fails never fails the pipeline', async () => {
    const cache = fakeCache()
    cache.failWith = 'boom'
    const { result } = await runPipeline({}, cache, false)
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toMatch(/^The pipeline failed: quality failed/)
    expect((result.data!.metrics as { store: { saved: boolean } }).store.saved).toBe(false)
  })
})
