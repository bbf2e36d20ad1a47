/**
 * A fake of the runner's cache service: entries are copies of the folders in a temp store,
 * restored by exact key, else by the newest entry starting with a restore key, as GitHub's
 * cache answers. It records every call, and can be told to fail.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { CacheEntry, CacheService } from '../../packages-shared/cache.js'

export interface FakeCache extends CacheService {
  /** Keys saved, oldest first. */
  keys(): string[]
  calls: { op: 'restore' | 'save'; key: string; hit?: string }[]
  /** Makes every later call throw this message. */
  failWith?: string
}

export function fakeCache(options: { off?: string; offNotice?: boolean } = {}): FakeCache {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-fake-cache-'))
  const entries: { key: string; dir: string }[] = []
  const from = (e: CacheEntry, p: string): string => (e.root ? path.resolve(e.root, p) : p)
  const fake: FakeCache = {
    off: options.off,
    offNotice: options.offNotice,
    calls: [],
    keys: () => entries.map((e) => e.key),
    async restore(e) {
      if (fake.failWith) throw new Error(fake.failWith)
      const found =
        entries.find((x) => x.key === e.key) ??
        (e.restoreKeys ?? []).map((prefix) => [...entries].reverse().find((x) => x.key.startsWith(prefix))).find(Boolean)
      fake.calls.push({ op: 'restore', key: e.key, hit: found?.key })
      if (!found) return undefined
      e.paths.forEach((p, i) => {
        const saved = path.join(found.dir, String(i))
        if (fs.existsSync(saved)) fs.cpSync(saved, from(e, p), { recursive: true })
      })
      return found.key
    },
    async save(e) {
      if (fake.failWith) throw new Error(fake.failWith)
      fake.calls.push({ op: 'save', key: e.key })
      if (entries.some((x) => x.key === e.key)) return false
      const dir = path.join(store, String(entries.length))
      e.paths.forEach((p, i) => {
        if (fs.existsSync(from(e, p))) fs.cpSync(from(e, p), path.join(dir, String(i)), { recursive: true })
      })
      entries.push({ key: e.key, dir })
      return true
    }
  }
  return fake
}
