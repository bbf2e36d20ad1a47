/**
 * The history kept in the Actions cache. Cache entries are immutable, so every run saves the
 * whole history under a key of its own (`dk-metrics-<branch>-<series hash>-<run id>-<attempt>`)
 * and the next run restores the newest entry of the series by the key's prefix. Two runs of
 * one series at the same time both start from the same entry, and the later save wins: the
 * other run's record is lost (a branch store, which retries on a moved branch, keeps both).
 * GitHub evicts entries unused for a week, and a branch's entries are visible to its own runs
 * (and its pull requests): a history of a branch that runs less than weekly starts again.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheService } from '../cache.js'
import type { HistoryStore } from './store.js'

export const HISTORY_FILE = 'history.json'

export interface CacheStoreOptions {
  cache: CacheService
  /** The key prefix of the series (series.ts). */
  prefix: string
  /** This run's own key: the prefix, its run id and attempt. */
  key: string
  /**
   * A new, empty folder each call (the pipeline's is under the runner's temp, through the
   * output guard): its parent is the entry's root and its name the entry's one path, so the
   * entry restores wherever the runner's temp is.
   */
  folder: () => Promise<string>
}

export function cacheStore(options: CacheStoreOptions): HistoryStore {
  const { cache, prefix, key } = options
  const entry = (dir: string) => ({ root: path.dirname(dir), paths: [path.basename(dir)] })
  let loaded: string | undefined
  return {
    kind: 'cache',
    where: `the Actions cache (keys ${prefix}*)`,
    async load() {
      const dir = await options.folder()
      // Exact key first (a re-run of the same attempt), else the newest entry of the series.
      const hit = await cache.restore({ ...entry(dir), key, restoreKeys: [prefix] })
      const file = path.join(dir, HISTORY_FILE)
      if (!hit || !fs.existsSync(file)) return { source: 'no entry in the Actions cache yet' }
      loaded = fs.readFileSync(file, 'utf8')
      return { text: loaded, source: `the Actions cache entry ${hit}` }
    },
    async save(next) {
      const dir = await options.folder()
      fs.writeFileSync(path.join(dir, HISTORY_FILE), next(loaded))
      const saved = await cache.save({ ...entry(dir), key })
      return saved
        ? { saved: true, detail: `saved to the Actions cache under ${key}` }
        : { saved: false, detail: `the cache did not take ${key}` }
    }
  }
}
