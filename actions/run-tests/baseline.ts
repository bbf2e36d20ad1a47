/**
 * The benchmark baseline: read from a workspace file or restored from the runner's cache,
 * and replaced by this run's results on the default branch.
 *
 * Cache entries are immutable, so each save gets its own key (`<key>-<run id>-<attempt>`)
 * and a restore takes the newest entry whose key starts with `<key>-`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { restoreCache, saveCache } from '../../packages-shared/cache.js'
import { defaultBranch, githubContext, isPullRequestEvent } from '../../packages-shared/github/event.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import type { OutputDirs } from '../../packages-shared/output-dirs.js'
import type { BaselineSpec, SaveMode } from './inputs.js'

export interface LoadedBaseline {
  /** The baseline JSON text, or undefined when there is none yet. */
  text?: string
  /** Where it came from, for the summary. */
  source: string
}

/**
 * A fresh folder for the cache entry: the key is a name (checked in inputs.ts), and the
 * folder is cleared only through the guard, inside the suite's own stamped parent.
 */
function freshCacheDir(guard: OutputDirs, tempDir: string, key: string): string {
  const parent = path.join(tempDir, 'dk-actions-benchmark-baseline')
  guard.claim({ input: 'benchmark-baseline', value: `cache:${key}` }, parent, 'clear')
  const dir = guard.clearChild(parent, key)
  fs.mkdirSync(dir)
  return dir
}

const BASELINE_FILE = 'baseline.json'

export async function loadBaseline(io: RunnerIO, spec: BaselineSpec, tempDir: string, guard: OutputDirs): Promise<LoadedBaseline> {
  if (spec.kind === 'none') return { source: 'none' }
  if (spec.kind === 'file') {
    if (!fs.existsSync(spec.path)) return { source: `file ${spec.path} (not there yet)` }
    return { text: fs.readFileSync(spec.path, 'utf8'), source: `file ${spec.path}` }
  }
  const dir = freshCacheDir(guard, tempDir, spec.key)
  const hit = await restoreCache(io, [dir], spec.key, [`${spec.key}-`])
  const file = path.join(dir, BASELINE_FILE)
  if (!hit || !fs.existsSync(file)) return { source: `cache ${spec.key} (no entry yet)` }
  return { text: fs.readFileSync(file, 'utf8'), source: `cache ${hit}` }
}

export function shouldSave(mode: SaveMode, env: Readonly<Record<string, string | undefined>>): { save: boolean; why: string } {
  if (mode === 'true') return { save: true, why: 'benchmark-save: true' }
  if (mode === 'false') return { save: false, why: 'benchmark-save: false' }
  const github = githubContext(env)
  const branch = defaultBranch(github)
  const ref = env.GITHUB_REF ?? ''
  if (!branch) return { save: false, why: 'the default branch is unknown (no event payload)' }
  if (isPullRequestEvent(github)) {
    return { save: false, why: 'pull requests never replace the baseline' }
  }
  return ref === `refs/heads/${branch}`
    ? { save: true, why: `this run is on the default branch ${branch}` }
    : { save: false, why: `${ref || 'this ref'} is not the default branch ${branch}` }
}

export async function saveBaseline(io: RunnerIO, spec: BaselineSpec, text: string, tempDir: string, guard: OutputDirs): Promise<string> {
  if (spec.kind === 'none') return 'not saved: no benchmark-baseline given'
  if (spec.kind === 'file') {
    const file = guard.checkFile({ input: 'benchmark-baseline', value: spec.path }, spec.path)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
    return `written to ${spec.path}`
  }
  const dir = freshCacheDir(guard, tempDir, spec.key)
  fs.writeFileSync(path.join(dir, BASELINE_FILE), text)
  const key = `${spec.key}-${io.env.GITHUB_RUN_ID ?? Date.now()}-${io.env.GITHUB_RUN_ATTEMPT ?? '1'}`
  const saved = await saveCache(io, [dir], key)
  return saved ? `saved to the cache under ${key}` : `not saved: the cache service is not available here`
}
