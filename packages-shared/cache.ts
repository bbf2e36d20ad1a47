/**
 * Saves and restores directories with the runner's cache service; without it (local runs,
 * forks without access) it says so once and carries on, since a cache only saves time.
 * Also the one policy for when a run may use caches at all (cachePolicy).
 */
import * as fs from 'node:fs'
import { errorMessage } from './errors.js'
import type { RunnerIO } from './io.js'

type Env = Readonly<Record<string, string | undefined>>

export function cacheServiceAvailable(env: Env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL))
}

/** Whether this run may restore and save caches, and why not. */
export type CachePolicy = { allowed: true } | { allowed: false; why: string }

/**
 * Caches are off where a poisoned entry would reach code that matters, or where a build must
 * not depend on what an earlier run left: releases and tag pushes build from scratch, and
 * `pull_request_target` runs with the base repository's cache scope while checking out code
 * from a fork (whatever that code writes into a cache folder would be saved for main).
 */
export function cachePolicy(env: Env, common: { cache: boolean }): CachePolicy {
  if (!common.cache) return { allowed: false, why: 'cache: false' }
  const event = env.GITHUB_EVENT_NAME ?? ''
  if (event === 'release') return { allowed: false, why: 'release events build without caches' }
  if (event === 'pull_request_target')
    return { allowed: false, why: "pull_request_target runs fork code with the base repository's cache (cache poisoning)" }
  if ((env.GITHUB_REF ?? '').startsWith('refs/tags/')) return { allowed: false, why: `tag pushes (${env.GITHUB_REF}) build without caches` }
  return { allowed: true }
}

export function cachingAllowed(env: Env, common: { cache: boolean }): boolean {
  return cachePolicy(env, common).allowed
}

/** One cache entry: `paths` relative to `root` (see actionsCacheService), or absolute when root is not given. */
export interface CacheEntry {
  paths: string[]
  key: string
  restoreKeys?: string[]
  root?: string
}

/**
 * The runner's cache as an action sees it: off (with the reason) or on. restore answers the
 * key it restored, undefined for none; both throw when the service fails, and the caller says so.
 */
export interface CacheService {
  readonly off?: string
  /** Whether the reason it is off is worth a line in the log (policy) or only in debug (no service here). */
  readonly offNotice?: boolean
  restore(entry: CacheEntry): Promise<string | undefined>
  /** False when the service did not take the entry (the key is taken, or a refusal it logged itself). */
  save(entry: CacheEntry): Promise<boolean>
}

let turn: Promise<unknown> = Promise.resolve()

/**
 * @actions/cache stores paths relative to GITHUB_WORKSPACE and versions an entry by the path
 * strings it is given. An entry under RUNNER_TEMP made that way restores only where RUNNER_TEMP
 * is the same path, which act (a new folder per job) and runners installed in different folders
 * do not give. So for an entry with a root, the cache sees that root as its workspace and
 * current folder and the paths relative to it: the entry restores wherever the root is now.
 * Both are process-wide, and every call reads them (one without a root too: its paths are made
 * relative to the workspace), so all calls take turns, one at a time: uv's early start restores
 * beside the tools' caches. The folder changes only inside a turn, before the tools start and
 * after they end; what else may be in flight then (uv's early start) works with absolute paths.
 */
export async function atRoot<T>(root: string | undefined, fn: () => Promise<T>): Promise<T> {
  const run = turn.then(async () => {
    if (!root) return fn()
    const cwd = process.cwd()
    const workspace = process.env.GITHUB_WORKSPACE
    // A fresh runner has no cache root yet; a restore makes it.
    fs.mkdirSync(root, { recursive: true })
    process.chdir(root)
    process.env.GITHUB_WORKSPACE = root
    try {
      return await fn()
    } finally {
      process.chdir(cwd)
      if (workspace === undefined) delete process.env.GITHUB_WORKSPACE
      else process.env.GITHUB_WORKSPACE = workspace
    }
  })
  turn = run.catch(() => undefined)
  return run
}

const NO_SERVICE = 'no cache service on this runner'

export function actionsCacheService(env: Env, policy: CachePolicy): CacheService {
  if (!policy.allowed) return { off: policy.why, offNotice: true, restore: async () => undefined, save: async () => false }
  if (!cacheServiceAvailable(env)) return { off: NO_SERVICE, offNotice: false, restore: async () => undefined, save: async () => false }
  return {
    async restore(e) {
      const cache = await import('@actions/cache')
      return atRoot(e.root, () => cache.restoreCache(e.paths, e.key, e.restoreKeys ?? []))
    },
    async save(e) {
      const cache = await import('@actions/cache')
      // -1: refused, and @actions/cache has said why (a key another job saved is an info line, a failure a warning).
      return (await atRoot(e.root, () => cache.saveCache(e.paths, e.key))) !== -1
    }
  }
}

export async function restoreCache(
  io: RunnerIO,
  paths: string[],
  key: string,
  restoreKeys: string[] = [],
  service?: CacheService
): Promise<string | undefined> {
  if (service?.off || (!service && !cacheServiceAvailable(io.env))) {
    io.debug(`Cache ${key}: ${service?.off ?? NO_SERVICE}; continuing without it.`)
    return undefined
  }
  try {
    const hit = await (service ?? actionsCacheService(io.env, { allowed: true })).restore({ paths, key, restoreKeys })
    io.info(hit ? `Cache restored from key ${hit}.` : `No cache for key ${key}.`)
    return hit
  } catch (error) {
    io.warning(`Cache ${key} could not be restored: ${errorMessage(error)}`)
    return undefined
  }
}

export async function saveCache(io: RunnerIO, paths: string[], key: string, service?: CacheService): Promise<boolean> {
  if (service?.off || (!service && !cacheServiceAvailable(io.env))) return false
  try {
    const saved = await (service ?? actionsCacheService(io.env, { allowed: true })).save({ paths, key })
    if (saved) io.info(`Cache saved under key ${key}.`)
    return saved
  } catch (error) {
    // A concurrent job saving the same key is normal; anything else is worth a line.
    io.info(`Cache ${key} not saved: ${errorMessage(error)}`)
    return false
  }
}
