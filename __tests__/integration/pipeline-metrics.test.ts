/**
 * The root action's pipeline metrics on the built bundle, against a fake of the runner's
 * cache service (the legacy REST protocol @actions/cache speaks when ACTIONS_CACHE_URL is
 * set: look up by keys and version, reserve, upload chunks, commit, download), run here in
 * the test's process.
 *
 * The slowdown is seeded, not timed: nine earlier runs are saved to the fake cache by the
 * metrics module itself (through the real @actions/cache, as a run saves them), with a tests
 * stage of 40 to 60 ms and three failed runs; the real run's tests stage holds a test that
 * sleeps 1.5 s, so whatever the machine, it is more than 50% and 1 s above its median, and
 * the failure rate is 3 of 10. No assertion is on a real duration.
 *
 * @slow
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { actionsCacheService } from '../../packages-shared/cache.js'
import { cacheStore } from '../../packages-shared/metrics/cache-store.js'
import { historyText, readHistory, type RunRecord } from '../../packages-shared/metrics/history.js'
import { cacheKeyPrefix, seriesInfo } from '../../packages-shared/metrics/series.js'
import { copyFixture, nodeBinaries, runBundle, type ActionRun } from './harness.js'

const node = nodeBinaries()[nodeBinaries().length - 1]!

interface Entry {
  id: number
  key: string
  version: string
  chunks: { start: number; data: Buffer }[]
  archive?: Buffer
}

/** The cache service's legacy REST API, as @actions/cache v1 calls it: exact key first, then the newest entry by prefix, per version. */
function fakeCacheServer(): Promise<{ url: string; entries: Entry[]; close: () => Promise<void> }> {
  const entries: Entry[] = []
  const server = http.createServer((req, res) => {
    const body: Buffer[] = []
    req.on('data', (c: Buffer) => body.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      const json = (status: number, value?: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(value === undefined ? '' : JSON.stringify(value))
      }
      if (!/^Bearer .+/.test(req.headers.authorization ?? '') && !url.pathname.startsWith('/download/'))
        return json(401, { message: 'no token' })
      const api = '/_apis/artifactcache/'
      const text = Buffer.concat(body)
      if (req.method === 'GET' && url.pathname === `${api}cache`) {
        const keys = (url.searchParams.get('keys') ?? '').split(',')
        const version = url.searchParams.get('version')
        const done = entries.filter((e) => e.archive && e.version === version)
        const hit =
          done.find((e) => e.key === keys[0]) ??
          keys.map((k) => [...done].reverse().find((e) => e.key.startsWith(k))).find((e): e is Entry => e !== undefined)
        if (!hit) return json(204)
        return json(200, { cacheKey: hit.key, scope: 'refs/heads/main', archiveLocation: `http://${req.headers.host}/download/${hit.id}` })
      }
      if (req.method === 'GET' && url.pathname === `${api}caches`) return json(200, { totalCount: 0, artifactCaches: [] })
      if (req.method === 'GET' && url.pathname.startsWith('/download/')) {
        const entry = entries.find((e) => e.id === Number(url.pathname.split('/')[2]))
        if (!entry?.archive) return json(404)
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(entry.archive.length) })
        return res.end(entry.archive)
      }
      if (req.method === 'POST' && url.pathname === `${api}caches`) {
        const { key, version } = JSON.parse(text.toString()) as { key: string; version: string }
        if (entries.some((e) => e.key === key && e.version === version)) return json(409, { message: `cache ${key} exists` })
        const entry: Entry = { id: entries.length + 1, key, version, chunks: [] }
        entries.push(entry)
        return json(201, { cacheId: entry.id })
      }
      const id = /^\/_apis\/artifactcache\/caches\/(\d+)$/.exec(url.pathname)?.[1]
      const entry = entries.find((e) => e.id === Number(id))
      if (req.method === 'PATCH' && entry) {
        const start = Number(/^bytes (\d+)-/.exec(String(req.headers['content-range']))?.[1] ?? 0)
        entry.chunks.push({ start, data: text })
        return json(204)
      }
      if (req.method === 'POST' && entry) {
        entry.archive = Buffer.concat(entry.chunks.sort((a, b) => a.start - b.start).map((c) => c.data))
        return json(204)
      }
      return json(404, { message: `no route ${req.method} ${url.pathname}` })
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ url: `http://127.0.0.1:${port}/`, entries, close: () => new Promise((done) => server.close(() => done())) })
    })
  })
}

let server: Awaited<ReturnType<typeof fakeCacheServer>>
const saved: Record<string, string | undefined> = {}
const SERVICE_VARS = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_SERVICE_V2',
  'GITHUB_SERVER_URL',
  'RUNNER_TEMP'
]

beforeAll(async () => {
  server = await fakeCacheServer()
  // @actions/cache reads the service from the process's environment: the seeding below goes through it as a run's save does.
  for (const name of SERVICE_VARS) saved[name] = process.env[name]
  for (const name of ['ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2', 'GITHUB_SERVER_URL']) delete process.env[name]
  process.env.ACTIONS_RUNTIME_TOKEN = 'fake-runtime-token'
  process.env.ACTIONS_CACHE_URL = server.url
  // Where @actions/cache makes its archives (else a folder under /home).
  process.env.RUNNER_TEMP = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-runner-'))
})

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  await server.close()
})

/** The step's environment: a push to main, run 10, with the fake cache service. */
function stepEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'pipeline',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_RUN_ID: '2010',
    GITHUB_RUN_NUMBER: '10',
    GITHUB_RUN_ATTEMPT: '1',
    ACTIONS_RUNTIME_TOKEN: 'fake-runtime-token',
    ACTIONS_CACHE_URL: server.url,
    ACTIONS_RESULTS_URL: undefined,
    ACTIONS_CACHE_SERVICE_V2: undefined,
    ...extra
  }
}

/** The tests stage's durations in runs 1 to 9 (ms): their median is 50. */
const EARLIER_MS = [40, 45, 50, 55, 60, 42, 58, 50, 48]

function earlierRun(n: number, result: 'passed' | 'failed'): RunRecord {
  const ms = EARLIER_MS[n - 1]!
  return {
    runId: String(2000 + n),
    runNumber: n,
    attempt: 1,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    durationMs: ms + 5,
    result,
    packages: 1,
    findings: 0,
    stages: [{ name: 'tests', status: result, durationMs: ms, checks: 1, findings: 0, errors: 0 }]
  }
}

/** Saves `runs` as the history of run `runId`, with the metrics module's own cache store and the real cache client. */
async function seed(env: Record<string, string | undefined>, stages: string[], runs: RunRecord[], runId: string): Promise<string> {
  const series = seriesInfo(env, { stages })
  const prefix = cacheKeyPrefix(series)
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-seed-'))
  const folder = async (): Promise<string> => {
    const dir = path.join(parent, 'history')
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir)
    return dir
  }
  const cache = actionsCacheService(process.env, { allowed: true })
  const result = await cacheStore({ cache, prefix, key: `${prefix}${runId}-1`, folder }).save(() =>
    historyText({ version: 1, series, runs })
  )
  expect(result.saved).toBe(true)
  return prefix
}

/** The history the fake cache holds under `key`, read back with the real cache client. */
async function stored(env: Record<string, string | undefined>, stages: string[], key: string): Promise<RunRecord[]> {
  const series = seriesInfo(env, { stages })
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-read-'))
  const folder = async (): Promise<string> => (
    fs.mkdirSync(path.join(parent, 'history'), { recursive: true }),
    path.join(parent, 'history')
  )
  const cache = actionsCacheService(process.env, { allowed: true })
  const loaded = await cacheStore({ cache, prefix: key, key, folder }).load()
  return readHistory(loaded.text, series).history.runs
}

function show(run: ActionRun): void {
  if (run.exitCode !== 0) console.log(run.stdout.slice(-6000), run.stderr.slice(-3000))
}

/** The passing test fixture with one test that sleeps: the tests stage cannot take less than 1.5 s. */
function slowFixture(): string {
  const ws = copyFixture('__tests__/fixtures/tests/passing')
  fs.writeFileSync(path.join(ws, 'tests', 'unit', 'test_slow.py'), 'import time\n\n\ndef test_takes_a_while():\n    time.sleep(1.5)\n')
  return ws
}

const TESTS_STAGE = { install: 'isolated', stages: 'tests', 'tests-coverage': 'false' }

describe(`pipeline metrics on the bundle (${node.label})`, () => {
  test('a history of 10 runs: the seeded slowdown and failure rate are flagged, and the run is saved under its own key', async () => {
    const env = stepEnv()
    const failed = new Set([3, 6, 8])
    const runs = Array.from({ length: 9 }, (_, i) => earlierRun(i + 1, failed.has(i + 1) ? 'failed' : 'passed'))
    // An older entry first: the run must restore the newest one of its series, by the key's prefix.
    const prefix = await seed(env, ['tests'], runs.slice(0, 5), '2005')
    await seed(env, ['tests'], runs, '2009')

    const run = await runBundle('pipeline', TESTS_STAGE, { workspace: slowFixture(), node: node.path, env })
    show(run)
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')

    const flags = JSON.parse(run.outputs['metrics-flags']!) as { kind: string; stage?: string; earlierRuns?: number; message: string }[]
    expect(flags.map((f) => f.kind)).toEqual(['slowdown', 'failure-rate'])
    expect(flags[0]).toMatchObject({ stage: 'tests', earlierRuns: 9, medianMs: 50 })
    expect(flags[0]!.message).toMatch(/^stage tests took \d+(\.\d)? s, \d+% above its median of 50 ms over the last 9 runs$/)
    expect(flags[1]!.message).toBe('failure rate 3 of 10 runs (30%) above 20%')
    // Warnings, never failures: a ::warning annotation each.
    const warnings = run.annotations.filter((a) => a.severity === 'warning').map((a) => a.message)
    for (const f of flags) expect(warnings).toContain(`Pipeline metrics: ${f.message}.`)
    expect(run.annotations.filter((a) => a.severity === 'error')).toEqual([])

    // The summary's section: the flags, the chart of 10 runs, the table.
    const section = run.summary.slice(run.summary.indexOf('### Pipeline metrics'))
    expect(section).toContain(`- ⚠️ ${flags[0]!.message}`)
    expect(section).toContain('- ⚠️ failure rate 3 of 10 runs (30%) above 20%')
    expect(section).toContain('xychart-beta')
    expect(section).toContain('x-axis "run" ["1", "2", "3 ✗", "4", "5", "6 ✗", "7", "8 ✗", "9", "10"]')
    expect(section).toMatch(/\| tests \| [^|]+ \| 50 ms \(9 runs\) \| [▁-█]{10} \| ⚠️ \+\d+% \|/)
    expect(section).toContain(
      `read from the Actions cache entry ${prefix}2009-1; this run saved to the Actions cache under ${prefix}2010-1.`
    )

    // The report's data, and the history the cache now holds: 10 runs, this one last.
    const metrics = run.report!.metrics as { runs: number; store: { saved: boolean }; run: RunRecord }
    expect(metrics).toMatchObject({
      runs: 10,
      store: { kind: 'cache', saved: true },
      run: { runId: '2010', runNumber: 10, result: 'passed' }
    })
    expect(server.entries.filter((e) => e.key.startsWith(prefix)).map((e) => e.key)).toEqual([
      `${prefix}2005-1`,
      `${prefix}2009-1`,
      `${prefix}2010-1`
    ])
    const history = await stored(env, ['tests'], `${prefix}2010-1`)
    expect(history).toHaveLength(10)
    expect(history.map((r) => r.runNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(history[9]!.stages).toEqual([expect.objectContaining({ name: 'tests', status: 'passed', checks: expect.any(Number) })])
  })

  test('on a release event caches are off: the run is reported alone and the summary says why', async () => {
    const env = stepEnv({ GITHUB_EVENT_NAME: 'release', GITHUB_RUN_ID: '3001' })
    const before = server.entries.length
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    const run = await runBundle(
      'pipeline',
      { install: 'isolated', stages: 'quality', 'quality-checks': 'ruff' },
      { workspace: ws, node: node.path, env }
    )
    show(run)
    expect(run.exitCode).toBe(0)
    expect(run.outputs['metrics-flags']).toBe('[]')
    expect(run.summary).toContain('### Pipeline metrics')
    expect(run.summary).toContain('this run not kept: release events build without caches.')
    expect(run.report!.metrics).toMatchObject({ runs: 1, store: { kind: 'none', saved: false } })
    expect(server.entries.length).toBe(before)
  })

  test('metrics-branch: the history is committed to its branch, the checkout untouched', async () => {
    const remote = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-metrics-remote-')), 'remote.git')
    const git = (cwd: string, ...args: string[]): string =>
      execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], {
        cwd,
        encoding: 'utf8'
      })
    git(os.tmpdir(), 'init', '-q', '--bare', '-b', 'main', remote)
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    git(ws, 'init', '-q', '-b', 'main')
    git(ws, 'add', '-A')
    git(ws, 'commit', '-q', '-m', 'fixture')
    git(ws, 'remote', 'add', 'origin', remote)
    git(ws, 'push', '-q', 'origin', 'main')
    const before = [git(ws, 'rev-parse', 'HEAD'), git(ws, 'status', '--porcelain'), git(ws, 'for-each-ref')]
    const inputs = { install: 'isolated', stages: 'quality', 'quality-checks': 'ruff', 'metrics-branch': 'dk-metrics' }
    for (const id of ['4001', '4002']) {
      // No cache service: the branch keeps the history on its own.
      const env = stepEnv({ GITHUB_RUN_ID: id, GITHUB_RUN_NUMBER: id, ACTIONS_CACHE_URL: '', ACTIONS_RUNTIME_TOKEN: '' })
      const run = await runBundle('pipeline', inputs, { workspace: ws, node: node.path, env })
      show(run)
      expect(run.exitCode).toBe(0)
      expect(run.report!.metrics).toMatchObject({ store: { kind: 'branch', saved: true } })
    }
    expect([git(ws, 'rev-parse', 'HEAD'), git(ws, 'status', '--porcelain'), git(ws, 'for-each-ref')]).toEqual(before)
    const file = git(remote, 'ls-tree', '--name-only', 'dk-metrics').trim()
    expect(file).toMatch(/^main-[0-9a-f]{12}\.json$/)
    const history = readHistory(git(remote, 'cat-file', 'blob', `dk-metrics:${file}`), seriesInfo(stepEnv(), { stages: ['quality'] }))
    expect(history.history.runs.map((r) => r.runId)).toEqual(['4001', '4002'])
    expect(git(remote, 'rev-list', '--count', 'dk-metrics').trim()).toBe('2')
  })
})
