/**
 * Saves and restores directories with the runner's cache service; without it (local runs,
 * forks without access) it says so once and carries on, since a cache only saves time.
 */
import { errorMessage } from './errors.js'
import type { RunnerIO } from './io.js'

export function cacheServiceAvailable(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL))
}

export async function restoreCache(
  io: RunnerIO,
  paths: string[],
  key: string,
  restoreKeys: string[] = []
): Promise<string | undefined> {
  if (!cacheServiceAvailable(io.env)) {
    io.debug(`Cache ${key}: no cache service on this runner; continuing without it.`)
    return undefined
  }
  try {
    const cache = await import('@actions/cache')
    const hit = await cache.restoreCache(paths, key, restoreKeys)
    io.info(hit ? `Cache restored from key ${hit}.` : `No cache for key ${key}.`)
    return hit
  } catch (error) {
    io.warning(`Cache ${key} could not be restored: ${errorMessage(error)}`)
    return undefined
  }
}

export async function saveCache(io: RunnerIO, paths: string[], key: string): Promise<boolean> {
  if (!cacheServiceAvailable(io.env)) return false
  try {
    const cache = await import('@actions/cache')
    await cache.saveCache(paths, key)
    io.info(`Cache saved under key ${key}.`)
    return true
  } catch (error) {
    // A concurrent job saving the same key is normal; anything else is worth a line.
    io.info(`Cache ${key} not saved: ${errorMessage(error)}`)
    return false
  }
}
