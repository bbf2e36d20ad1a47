/**
 * The build backends' answers (workspace/metadata-hook.ts) kept across workflow runs. Reading
 * the name, version or requirements of a setup.py-only or `dynamic` package runs its backend
 * in a venv of its build requirements: seconds on every fresh runner, for every job (certbot's
 * 20 setup.py distributions: about 8 s). The answers are small text files, each named by a
 * hash of the files that define it, so an entry from an older commit answers exactly when
 * those files are unchanged and is simply not used otherwise.
 *
 * The folder is restored before discovery, only in repositories that have such a package,
 * and saved when the run added an answer. The key is the commit's, the restore key its
 * prefix: a new commit starts from the newest entry.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheService } from './cache.js'
import type { RunnerIO } from './io.js'
import { KeptCaches, type CacheFolder } from './tool-caches.js'
import { repositoryFiles } from './workspace/files.js'

/** Where metadata-hook.ts keeps its answers, under the cache root. */
export const METADATA_ANSWERS_DIR = 'pep517-metadata'

/**
 * Whether discovery may ask a build backend (discover.ts): a setup.py or setup.cfg, or a
 * pyproject.toml that declares `dynamic` fields, anywhere in the repository. Errs on the side
 * of yes: a wrong yes costs one restore, a wrong no the backends' time.
 */
export function mayAskBackends(root: string, files?: readonly string[]): boolean {
  // A working directory that is not there is discovery's to refuse, with its own message.
  if (!files && !fs.existsSync(root)) return false
  for (const file of files ?? repositoryFiles(root)) {
    const base = path.posix.basename(file)
    if (base === 'setup.py' || base === 'setup.cfg') return true
    if (base !== 'pyproject.toml') continue
    let text: string
    try {
      text = fs.readFileSync(path.join(root, file), 'utf8')
    } catch {
      continue
    }
    if (/^\s*dynamic\s*=/m.test(text)) return true
  }
  return false
}

export function metadataAnswersFolder(env: Readonly<Record<string, string | undefined>>, cacheRoot: string): CacheFolder {
  const prefix = `dk-actions-pep517-metadata-${process.platform}-${process.arch}-`
  return {
    name: 'build metadata',
    root: cacheRoot,
    dir: METADATA_ANSWERS_DIR,
    key: `${prefix}${(env.GITHUB_SHA || 'local').slice(0, 40)}`,
    restoreKeys: [prefix]
  }
}

/**
 * Restores the backends' answers when the repository at `root` may need them; the caller
 * saves the result after the run. Undefined when caching is off or nothing may be asked.
 */
export async function restoreMetadataAnswers(
  rt: { io: RunnerIO; cache: CacheService },
  root: string,
  cacheRoot: string
): Promise<KeptCaches | undefined> {
  if (rt.cache.off || !mayAskBackends(root)) return undefined
  return KeptCaches.restore(rt, () => [metadataAnswersFolder(rt.io.env, cacheRoot)])
}
