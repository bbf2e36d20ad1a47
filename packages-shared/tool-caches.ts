/**
 * The tools' own caches kept across workflow runs (mypy's, black's, ruff's, pytest's, uv's and
 * run-quality's findings cache): their keys, restored before the tools run and saved after.
 *
 * A key is `dk-actions-<cache>-<os>-<arch>-<what it is valid for>-<content>`: the tool's
 * version, its configuration and the lock files make the first hash; the files the tool
 * reads make the second. The restore key is the key without that second hash, so a run
 * whose sources changed starts from the newest entry made with the same tool and settings
 * (a partial hit); a change of version, configuration or lock starts it from nothing.
 * An exact hit is saved again by nobody; anything else is saved when its folder changed.
 * When caching is off (cache.ts) or the runner has no cache service, none of this happens.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheService } from './cache.js'
import { errorMessage } from './errors.js'
import type { RunnerIO } from './io.js'
import { toPosix } from './paths.js'
import { toolConfigText, type ToolConfig } from './tools/config-files.js'

/** One folder kept across runs: `dir` relative to `root` (the entry does not depend on where root is). */
export interface CacheFolder {
  /** For the log: mypy, black, uv, findings… */
  name: string
  root: string
  dir: string
  key: string
  restoreKeys: string[]
  /**
   * Restored only when the run asks for it (KeptCaches.forInstalls), not up front: the uv
   * cache serves installs, and a run whose venvs all come back from the cache installs nothing.
   */
  lazy?: boolean
}

export interface KeyParts {
  name: string
  /** What the entry is only valid for: tool versions, requirement lines. */
  facts: readonly string[]
  /** Configuration and lock texts (configTexts, lockTexts). */
  config: readonly string[]
  /** A digest of what the tool reads (sourceDigest), or for uv of the requirements. */
  content: string
  platform?: string
  arch?: string
}

const short = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20)

export function cacheKey(p: KeyParts): { key: string; restoreKeys: string[] } {
  const base = `dk-actions-${p.name}-${p.platform ?? process.platform}-${p.arch ?? process.arch}-`
  const prefix = p.facts.length || p.config.length ? `${base}${short([...p.facts, ...p.config])}-` : base
  return { key: `${prefix}${p.content}`, restoreKeys: [prefix] }
}

/** The repository root and every package folder, each once. */
export function configDirs(ws: { root: string; packages: readonly { dir: string }[] }): string[] {
  return [...new Set([ws.root, ...ws.packages.map((p) => p.dir)])].sort()
}

/** A tool's configuration in every folder of the repository that holds some. */
export function configTexts(ws: { root: string; packages: readonly { dir: string }[] }, config: ToolConfig): string[] {
  return configDirs(ws).flatMap((d) => {
    const text = toolConfigText(d, config)
    return text ? [`${toPosix(path.relative(ws.root, d)) || '.'}\n${text}`] : []
  })
}

export const LOCK_FILES = ['uv.lock', 'poetry.lock']

/** The lock files of the repository (root and packages), each as its path and a hash of its text. */
export function lockTexts(ws: { root: string; packages: readonly { dir: string }[] }): string[] {
  return configDirs(ws).flatMap((d) =>
    LOCK_FILES.filter((f) => fs.existsSync(path.join(d, f))).map(
      (f) =>
        `${toPosix(path.relative(ws.root, path.join(d, f)))}=${createHash('sha256')
          .update(fs.readFileSync(path.join(d, f)))
          .digest('hex')}`
    )
  )
}

const SKIPPED_DIRS = new Set([
  '.git',
  '.venv',
  'venv',
  'node_modules',
  '__pycache__',
  '.mypy_cache',
  '.ruff_cache',
  '.pytest_cache',
  '.tox',
  '.nox',
  'build',
  'dist'
])

/** A digest of the Python sources (.py, .pyi) under the given files and folders, by path relative to root and content. */
export function sourceDigest(root: string, targets: readonly string[]): string {
  const files = new Map<string, string>()
  const walk = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.statSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) {
      if (SKIPPED_DIRS.has(path.basename(p))) return
      for (const e of fs.readdirSync(p)) walk(path.join(p, e))
    } else if (/\.pyi?$/.test(p)) {
      files.set(toPosix(path.relative(root, p)), createHash('sha256').update(fs.readFileSync(p)).digest('hex'))
    }
  }
  for (const t of targets) walk(path.resolve(root, t))
  return short([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, h]) => `${f}=${h}`))
}

const SMALL = 1024 * 1024

/**
 * What a cache folder holds now, to tell whether the run changed it: each file's path, size
 * and, for files up to 1 MiB, content (tools rewrite small index files with the same text);
 * larger ones (uv's wheels) by their time. '' for an empty or absent folder.
 */
export function folderDigest(dir: string): string {
  const parts: string[] = []
  const walk = (d: string): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) {
        const st = fs.statSync(p)
        parts.push(
          `${toPosix(path.relative(dir, p))}:${st.size}:${st.size <= SMALL ? createHash('sha256').update(fs.readFileSync(p)).digest('hex') : st.mtimeMs}`
        )
      } else if (e.isSymbolicLink()) parts.push(`${toPosix(path.relative(dir, p))}->${fs.readlinkSync(p)}`)
    }
  }
  walk(dir)
  return parts.length ? short(parts) : ''
}

/** The uv cache, when it is ours (under the cache root: toolEnv); the user's own UV_CACHE_DIR is theirs to keep. */
export function uvCacheFolder(
  env: Readonly<Record<string, string | undefined>>,
  cacheRoot: string,
  ws: { root: string; packages: readonly { dir: string }[] },
  requirements: readonly string[]
): CacheFolder | undefined {
  if (env.UV_CACHE_DIR) return undefined
  const { key, restoreKeys } = cacheKey({
    name: 'uv-cache',
    facts: [],
    config: [],
    content: short([...lockTexts(ws), ...[...requirements].sort()])
  })
  return { name: 'uv', root: cacheRoot, dir: 'uv', key, restoreKeys, lazy: true }
}

/** `deferred`: a lazy folder nothing asked for (not restored, not saved). */
type Outcome = 'exact' | 'partial' | 'miss' | 'error' | 'deferred'

interface Restored {
  folder: CacheFolder
  outcome: Outcome
  digest: string
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** The folders restored for one action run; save() keeps what the run changed. */
export class KeptCaches {
  private lazyRestore: Promise<void> | undefined

  private constructor(
    private readonly rt: { io: RunnerIO; cache: CacheService },
    private readonly restored: Restored[]
  ) {}

  /** `folders` is called only when caching is on: its keys read every source file. Lazy folders wait for forInstalls. */
  static async restore(rt: { io: RunnerIO; cache: CacheService }, folders: () => readonly CacheFolder[]): Promise<KeptCaches> {
    if (rt.cache.off) {
      const line = `Caches off (${rt.cache.off}): the tools' caches start empty and are not saved.`
      if (rt.cache.offNotice) rt.io.info(line)
      else rt.io.debug(line)
      return new KeptCaches(rt, [])
    }
    const started = Date.now()
    const all = folders()
    const kept = new KeptCaches(rt, [])
    // One at a time: a restore with a root changes the process's folder (cache.ts).
    for (const folder of all) kept.restored.push(folder.lazy ? { folder, outcome: 'deferred', digest: '' } : await kept.restoreOne(folder))
    if (all.length === 0) return kept
    const now = kept.restored.filter((r) => r.outcome !== 'deferred')
    const later = kept.restored.filter((r) => r.outcome === 'deferred').map((r) => r.folder.name)
    rt.io.info(
      `Caches restored: ${now.length ? now.map((r) => `${r.folder.name} (${r.outcome})`).join(', ') : 'none'} in ${seconds(Date.now() - started)}` +
        `${later.length ? `; ${later.join(', ')} when something is installed` : ''}.`
    )
    for (const r of kept.restored)
      rt.io.debug(`Cache ${r.folder.name}: key ${r.folder.key}, restore key ${r.folder.restoreKeys.join(', ')}`)
    return kept
  }

  private async restoreOne(folder: CacheFolder): Promise<Restored> {
    let outcome: Outcome
    try {
      const hit = await this.rt.cache.restore({ paths: [folder.dir], key: folder.key, restoreKeys: folder.restoreKeys, root: folder.root })
      outcome = hit === folder.key ? 'exact' : hit ? 'partial' : 'miss'
    } catch (error) {
      this.rt.io.warning(`The ${folder.name} cache could not be restored (${errorMessage(error)}); it starts empty.`)
      outcome = 'error'
    }
    return { folder, outcome, digest: folderDigest(path.join(folder.root, folder.dir)) }
  }

  /** Restores the lazy folders, once, however many installs ask. */
  private restoreLazy(): Promise<void> {
    this.lazyRestore ??= (async () => {
      const started = Date.now()
      const done: string[] = []
      for (const [i, r] of this.restored.entries()) {
        if (r.outcome !== 'deferred') continue
        this.restored[i] = await this.restoreOne(r.folder)
        done.push(`${r.folder.name} (${this.restored[i]!.outcome})`)
      }
      if (done.length) this.rt.io.info(`Caches restored for the installs: ${done.join(', ')} in ${seconds(Date.now() - started)}.`)
    })()
    return this.lazyRestore
  }

  /** The runtime for provisioning: its first install restores the lazy folders (Runtime.beforeInstall). */
  forInstalls<R extends object>(rt: R): R & { beforeInstall: () => Promise<void> } {
    return { ...rt, beforeInstall: () => this.restoreLazy() }
  }

  /** Saves each folder without an exact hit that the run changed; a failure is a warning, never the run's. */
  async save(): Promise<void> {
    if (this.restored.length === 0) return
    const started = Date.now()
    const saved: string[] = []
    const kept: string[] = []
    for (const r of this.restored) {
      const { folder } = r
      if (r.outcome === 'deferred') {
        kept.push(`${folder.name} (not needed)`)
        continue
      }
      if (r.outcome === 'exact') {
        kept.push(`${folder.name} (exact hit)`)
        continue
      }
      const now = folderDigest(path.join(folder.root, folder.dir))
      if (!now || now === r.digest) {
        kept.push(`${folder.name} (${now ? 'unchanged' : 'empty'})`)
        continue
      }
      try {
        if (await this.rt.cache.save({ paths: [folder.dir], key: folder.key, root: folder.root })) saved.push(folder.name)
        else kept.push(`${folder.name} (not taken)`)
      } catch (error) {
        this.rt.io.warning(`The ${folder.name} cache was not saved: ${errorMessage(error)}`)
        kept.push(`${folder.name} (failed)`)
      }
    }
    this.rt.io.info(
      `Caches saved: ${saved.length ? saved.join(', ') : 'none'}${kept.length ? `; not saved: ${kept.join(', ')}` : ''} in ${seconds(Date.now() - started)}.`
    )
  }
}
