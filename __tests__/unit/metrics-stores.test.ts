/**
 * Where the metrics history is kept, and one run's turn with it: the Actions cache (through
 * the fake cache service: a key per run, the newest restored by prefix), a branch committed
 * with git's plumbing (real git, a bare remote: the checkout's working tree, index and HEAD
 * untouched; a branch that moved on meanwhile is fetched again), and what happens where the
 * history cannot be kept (caches off, a pull request, a store that fails).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runCommand } from '../../packages-shared/exec.js'
import { cacheStore, HISTORY_FILE } from '../../packages-shared/metrics/cache-store.js'
import { historyText, readHistory, type RunRecord, type SeriesInfo } from '../../packages-shared/metrics/history.js'
import type { MetricsOptions } from '../../packages-shared/metrics/options.js'
import { chooseStore, keepMetrics, metricsWanted, type MetricsRuntime } from '../../packages-shared/metrics/record.js'
import { cacheKeyPrefix } from '../../packages-shared/metrics/series.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { fakeCache } from '../helpers/fake-cache.js'
import { git } from './helpers/git-repo.js'
import { tempDirs } from './helpers/assertions.js'

const tempDir = tempDirs('dk-metrics-')
const SERIES: SeriesInfo = { branch: 'main', workflow: 'CI', job: 'pipeline', os: 'Linux', arch: 'X64', stages: ['quality'] }
const OPTIONS: MetricsOptions = { mode: 'auto', runs: 5, slowdownPercent: 50, failureRatePercent: 20 }

function run(n: number, ms = 10_000, result: 'passed' | 'failed' = 'passed'): RunRecord {
  return {
    runId: String(n),
    runNumber: n,
    attempt: 1,
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    durationMs: ms,
    result,
    packages: 1,
    findings: 0,
    stages: [{ name: 'quality', status: result, durationMs: ms, checks: 1, findings: 0, errors: 0 }]
  }
}

/** A fresh empty folder each call, as the pipeline's guard gives one. */
function folderIn(parent: string): () => Promise<string> {
  return async () => {
    const dir = path.join(parent, 'history')
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    return dir
  }
}

function runtime(
  env: Record<string, string | undefined>,
  cache = fakeCache(),
  dir = tempDir()
): MetricsRuntime & { io: ReturnType<typeof createMemoryIO> } {
  return { io: createMemoryIO({}, { ...process.env, ...env }), exec: runCommand, cache, folder: folderIn(tempDir()), dir }
}

const PUSH = { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }

describe('the Actions cache store', () => {
  test('each run saves under its own key; the next restores the newest by prefix and appends', async () => {
    const cache = fakeCache()
    for (let n = 1; n <= 7; n++) {
      const rt = runtime({ ...PUSH, GITHUB_RUN_ID: String(n) }, cache)
      const out = await keepMetrics(rt.io, chooseStore(rt, OPTIONS, SERIES, run(n)), SERIES, run(n), OPTIONS)
      expect(out.store).toMatchObject({ kind: 'cache', saved: true })
      const first = Math.max(1, n - OPTIONS.runs + 1)
      expect(out.runs.map((r) => r.runNumber)).toEqual(Array.from({ length: n - first + 1 }, (_, i) => first + i))
    }
    const prefix = cacheKeyPrefix(SERIES)
    expect(cache.keys()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `${prefix}${n}-1`))
    expect(cache.calls.filter((c) => c.op === 'restore').map((c) => c.hit)).toEqual([
      undefined,
      ...[1, 2, 3, 4, 5, 6].map((n) => `${prefix}${n}-1`)
    ])
    // Trimmed to metrics-runs (5), this run included.
    const rt = runtime(PUSH, cache)
    const last = await cacheStore({ cache, prefix, key: `${prefix}none`, folder: rt.folder }).load()
    expect(readHistory(last.text, SERIES).history.runs.map((r) => r.runNumber)).toEqual([3, 4, 5, 6, 7])
    expect(last.source).toBe(`the Actions cache entry ${prefix}7-1`)
  })

  test('a history of another schema version is ignored with a notice and the history restarts with this run', async () => {
    const cache = fakeCache()
    const prefix = cacheKeyPrefix(SERIES)
    const seed = runtime(PUSH, cache)
    await cacheStore({ cache, prefix, key: `${prefix}0-1`, folder: seed.folder }).save(() =>
      JSON.stringify({ version: 99, runs: [run(0)] })
    )
    const rt = runtime(PUSH, cache)
    const out = await keepMetrics(rt.io, chooseStore(rt, OPTIONS, SERIES, run(1)), SERIES, run(1), OPTIONS)
    expect(rt.io.logs.filter((l) => l.level === 'notice').map((l) => l.message)).toEqual([
      `The metrics history from the Actions cache entry ${prefix}0-1 has schema version 99, and this dk-actions reads version 1: it is ignored and the history starts again with this run.`
    ])
    expect(out.runs.map((r) => r.runId)).toEqual(['1'])
    expect(out.store.saved).toBe(true)
  })

  test('a cache that fails to restore is a warning, and nothing is saved over the real history', async () => {
    const cache = fakeCache()
    cache.failWith = 'cache service responded with 503'
    const rt = runtime(PUSH, cache)
    const out = await keepMetrics(rt.io, chooseStore(rt, OPTIONS, SERIES, run(1)), SERIES, run(1), OPTIONS)
    expect(rt.io.logs.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      `Pipeline metrics: the Actions cache (keys ${cacheKeyPrefix(SERIES)}*) could not be read (cache service responded with 503); this run is compared with nothing and not saved.`
    ])
    expect(out.store).toMatchObject({ saved: false, detail: expect.stringMatching(/^not saved: /) })
    expect(cache.calls).toEqual([])
  })

  test('where caches are off (release, tags, pull_request_target, cache: false) the run is reported alone and the summary says why', async () => {
    const cache = fakeCache({ off: 'release events build without caches', offNotice: true })
    const rt = runtime({ GITHUB_EVENT_NAME: 'release' }, cache)
    expect(metricsWanted(OPTIONS, cache)).toBe(true)
    const out = await keepMetrics(rt.io, chooseStore(rt, OPTIONS, SERIES, run(1)), SERIES, run(1), OPTIONS)
    expect(out.store).toEqual({ kind: 'none', saved: false, detail: 'not kept: release events build without caches' })
    expect(out.runs).toHaveLength(1)
    // No cache service at all (a local run): `auto` keeps nothing and says nothing; `true` still reports the run.
    const none = fakeCache({ off: 'no cache service on this runner', offNotice: false })
    expect(metricsWanted(OPTIONS, none)).toBe(false)
    expect(metricsWanted({ ...OPTIONS, mode: 'on' }, none)).toBe(true)
    expect(metricsWanted({ ...OPTIONS, branch: 'dk-metrics' }, none)).toBe(true)
    expect(metricsWanted({ ...OPTIONS, mode: 'off' }, fakeCache())).toBe(false)
  })

  test('a pull request is compared with its base branch and not added to it', async () => {
    const cache = fakeCache()
    const prefix = cacheKeyPrefix(SERIES)
    const seed = runtime(PUSH, cache)
    await cacheStore({ cache, prefix, key: `${prefix}1-1`, folder: seed.folder }).save(() =>
      historyText({ version: 1, series: SERIES, runs: [run(1, 10_000), run(2, 10_000), run(3, 10_000)] })
    )
    const rt = runtime({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main', GITHUB_REF: 'refs/pull/9/merge' }, cache)
    const out = await keepMetrics(rt.io, chooseStore(rt, OPTIONS, SERIES, run(4, 30_000)), SERIES, run(4, 30_000), OPTIONS)
    expect(out.analysis.flags.map((f) => f.message)).toEqual([
      'stage quality took 30 s, 200% above its median of 10 s over the last 3 runs'
    ])
    expect(out.store).toMatchObject({
      saved: false,
      detail: 'not saved: pull requests are compared with the history of main and not added to it'
    })
    expect(cache.keys()).toEqual([`${prefix}1-1`])
  })
})

/** A bare remote with a clone of it on main, as actions/checkout leaves one. */
function checkout(): { remote: string; clone: string } {
  const remote = path.join(tempDir(), 'remote.git')
  git(os.tmpdir(), 'init', '-q', '--bare', '-b', 'main', remote)
  const clone = path.join(tempDir(), 'clone')
  git(os.tmpdir(), 'clone', '-q', remote, clone)
  fs.writeFileSync(path.join(clone, 'README.md'), 'hello\n')
  git(clone, 'add', '-A')
  git(clone, 'commit', '-q', '-m', 'first')
  git(clone, 'push', '-q', 'origin', 'main')
  return { remote, clone }
}

const state = (dir: string) => ({
  head: git(dir, 'rev-parse', 'HEAD').trim(),
  branch: git(dir, 'symbolic-ref', '--short', 'HEAD').trim(),
  status: git(dir, 'status', '--porcelain', '--untracked-files=all'),
  index: git(dir, 'ls-files', '-s'),
  refs: git(dir, 'for-each-ref', '--format=%(refname)')
})

const BRANCH_OPTIONS: MetricsOptions = { ...OPTIONS, branch: 'dk-metrics' }

describe('the branch store (real git)', () => {
  test('commits the history to the branch without touching the checkout, and appends on the next run', async () => {
    const { remote, clone } = checkout()
    const before = state(clone)
    for (const n of [1, 2]) {
      const rt = runtime({ ...PUSH, GITHUB_RUN_ID: String(n) }, fakeCache(), clone)
      const out = await keepMetrics(rt.io, chooseStore(rt, BRANCH_OPTIONS, SERIES, run(n)), SERIES, run(n), BRANCH_OPTIONS)
      expect(out.store).toMatchObject({
        kind: 'branch',
        saved: true,
        detail: expect.stringMatching(/^committed to branch dk-metrics \([0-9a-f]{12}\)$/)
      })
    }
    expect(state(clone)).toEqual(before)
    const log = git(remote, 'log', '--format=%P|%an|%s', 'dk-metrics').trim().split('\n')
    expect(log).toHaveLength(2)
    expect(log[1]).toMatch(/^\|github-actions\[bot\]\|dk-actions metrics: main, run 1$/)
    expect(log[0]).toMatch(/^[0-9a-f]{40}\|github-actions\[bot\]\|dk-actions metrics: main, run 2$/)
    const files = git(remote, 'ls-tree', '--name-only', 'dk-metrics').trim().split('\n')
    expect(files).toEqual([expect.stringMatching(/^main-[0-9a-f]{12}\.json$/)])
    const text = git(remote, 'cat-file', 'blob', `dk-metrics:${files[0]}`)
    expect(readHistory(text, SERIES).history.runs.map((r) => r.runId)).toEqual(['1', '2'])
  })

  test("keeps the branch's other files and another series' history", async () => {
    const { remote, clone } = checkout()
    const other: SeriesInfo = { ...SERIES, os: 'Windows' }
    for (const series of [SERIES, other]) {
      const rt = runtime(PUSH, fakeCache(), clone)
      await keepMetrics(rt.io, chooseStore(rt, BRANCH_OPTIONS, series, run(1)), series, run(1), BRANCH_OPTIONS)
    }
    expect(git(remote, 'ls-tree', '--name-only', 'dk-metrics').trim().split('\n')).toHaveLength(2)
  })

  test('a branch that moved on meanwhile is fetched again and this run appended to what it holds now', async () => {
    const { remote, clone } = checkout()
    const second = path.join(tempDir(), 'second')
    git(os.tmpdir(), 'clone', '-q', remote, second)
    const a = runtime(PUSH, fakeCache(), clone)
    const storeA = chooseStore(a, BRANCH_OPTIONS, SERIES, run(1)).store!
    // A reads (nothing yet); B runs and pushes; then A saves.
    const loaded = await storeA.load()
    expect(loaded).toEqual({ source: 'branch dk-metrics (not there yet)' })
    const b = runtime(PUSH, fakeCache(), second)
    await keepMetrics(b.io, chooseStore(b, BRANCH_OPTIONS, SERIES, run(2)), SERIES, run(2), BRANCH_OPTIONS)
    const seen: (string | undefined)[] = []
    const result = await storeA.save((latest) => {
      seen.push(latest)
      const h = readHistory(latest, SERIES).history
      return historyText({ ...h, runs: [...h.runs, run(1)] })
    })
    expect(result.saved).toBe(true)
    // The first attempt built on nothing and was refused; the second on B's history.
    expect(seen.map((t) => (t ? readHistory(t, SERIES).history.runs.map((r) => r.runId) : undefined))).toEqual([undefined, ['2']])
    const file = git(remote, 'ls-tree', '--name-only', 'dk-metrics').trim()
    expect(readHistory(git(remote, 'cat-file', 'blob', `dk-metrics:${file}`), SERIES).history.runs.map((r) => r.runId)).toEqual(['2', '1'])
  })

  test('a refused push (a hook, protection, no permission) is a warning, not a failure', async () => {
    const { remote, clone } = checkout()
    const hook = path.join(remote, 'hooks', 'pre-receive')
    fs.writeFileSync(hook, '#!/bin/sh\necho "protected" >&2\nexit 1\n')
    fs.chmodSync(hook, 0o755)
    const rt = runtime(PUSH, fakeCache(), clone)
    const out = await keepMetrics(rt.io, chooseStore(rt, BRANCH_OPTIONS, SERIES, run(1)), SERIES, run(1), BRANCH_OPTIONS)
    expect(out.store.saved).toBe(false)
    expect(rt.io.logs.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      expect.stringMatching(
        /^Pipeline metrics: this run could not be saved to the main-[0-9a-f]{12}\.json file on branch dk-metrics: git push .*protected/
      )
    ])
    expect(git(clone, 'for-each-ref', '--format=%(refname)', 'refs/dk-actions')).toBe('')
  })

  test('not a checkout: a warning, and the run is reported alone', async () => {
    const rt = runtime(PUSH, fakeCache(), tempDir())
    const out = await keepMetrics(rt.io, chooseStore(rt, BRANCH_OPTIONS, SERIES, run(1)), SERIES, run(1), BRANCH_OPTIONS)
    expect(out.store.saved).toBe(false)
    expect(rt.io.logs.find((l) => l.level === 'warning')!.message).toMatch(/could not be read \(.* is not a git checkout\)/)
  })

  test("credentials in the remote's URL never reach a message", async () => {
    const { clone } = checkout()
    git(clone, 'remote', 'set-url', 'origin', 'https://ci-user:sekrit-token@127.0.0.1:1/repo.git')
    const rt = runtime(PUSH, fakeCache(), clone)
    await keepMetrics(rt.io, chooseStore(rt, BRANCH_OPTIONS, SERIES, run(1)), SERIES, run(1), BRANCH_OPTIONS)
    const warning = rt.io.logs.find((l) => l.level === 'warning')!.message
    expect(warning).toContain('https://***@127.0.0.1:1/repo.git')
    expect(JSON.stringify(rt.io.logs)).not.toContain('sekrit')
  })

  test('the branch the run builds, or the default branch, is refused', () => {
    const rt = runtime(PUSH, fakeCache())
    expect(chooseStore(rt, { ...OPTIONS, branch: 'main' }, SERIES, run(1))).toEqual({
      off: 'metrics-branch main is the branch this run builds; the history needs a branch of its own'
    })
    const event = path.join(tempDir(), 'event.json')
    fs.writeFileSync(event, JSON.stringify({ repository: { default_branch: 'trunk' } }))
    const other = runtime({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/dev', GITHUB_EVENT_PATH: event })
    expect(chooseStore(other, { ...OPTIONS, branch: 'trunk' }, SERIES, run(1)).off).toBe(
      'metrics-branch trunk is the default branch; the history needs a branch of its own'
    )
  })

  test('a refused metrics-branch is a warning, and the run is reported alone', async () => {
    const rt = runtime(PUSH, fakeCache())
    const options = { ...OPTIONS, branch: 'main' }
    const out = await keepMetrics(rt.io, chooseStore(rt, options, SERIES, run(1)), SERIES, run(1), options)
    expect(out.store).toMatchObject({ kind: 'none', saved: false })
    expect(rt.io.logs.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([
      'Pipeline metrics: metrics-branch main is the branch this run builds; the history needs a branch of its own: no history is kept.'
    ])
  })
})

test('the cache entry is one folder under its root, with the history file in it', async () => {
  const cache = fakeCache()
  const parent = tempDir()
  const store = cacheStore({ cache, prefix: 'p-', key: 'p-1', folder: folderIn(parent) })
  await store.save(() => 'text')
  expect(fs.readdirSync(path.join(parent, 'history'))).toEqual([HISTORY_FILE])
  expect(cache.calls).toEqual([{ op: 'save', key: 'p-1' }])
})
