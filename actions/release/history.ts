/**
 * What the repository's history says (real git): the tags reachable from HEAD, and the
 * commits since a tag that touched a package's folder. Other packages nested in that
 * folder are left out, so a root package does not take every package's commits.
 */
import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import type { Exec } from '../../packages-shared/exec.js'
import { toPosix } from '../../packages-shared/paths.js'
import { tagsAtHead } from '../../packages-shared/release-tags.js'
import type { Commit } from './conventional.js'

export async function git(exec: Exec, cwd: string, args: string[]): Promise<string> {
  const r = await exec({ argv: ['git', ...args], cwd })
  if (r.exitCode !== 0) {
    throw new UserError(`git ${args.join(' ')} failed in ${cwd}: ${(r.spawnError ?? r.stderr).trim() || `exit ${r.exitCode}`}`)
  }
  return r.stdout
}

/** The tags on HEAD; a clear error when git cannot list them. */
export async function releaseTagsAtHead(exec: Exec, cwd: string): Promise<string[]> {
  const head = await tagsAtHead(exec, cwd)
  if (head.problem !== undefined) throw new UserError(`git tag --points-at HEAD failed in ${cwd}: ${head.problem}`)
  return head.tags
}

/** The repository's top folder; a clear error outside a checkout or before the first commit. */
export async function gitTop(exec: Exec, dir: string): Promise<string> {
  const top = await exec({ argv: ['git', 'rev-parse', '--show-toplevel'], cwd: dir })
  if (top.exitCode !== 0) throw new UserError(`release needs a git checkout, but ${dir} is not one: check out the repository first.`)
  const head = await exec({ argv: ['git', 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], cwd: dir })
  if (head.exitCode !== 0) throw new UserError(`release reads the history, but the repository at ${dir} has no commit yet: commit first.`)
  return path.resolve(top.stdout.trim())
}

/**
 * Tags reachable from HEAD. A shallow clone (actions/checkout's default) has none of the
 * history or tags a plan reads, so it is refused with the fix.
 */
export async function reachableTags(exec: Exec, cwd: string): Promise<string[]> {
  if ((await git(exec, cwd, ['rev-parse', '--is-shallow-repository'])).trim() === 'true') {
    throw new UserError(
      "release reads every commit since each package's last tag, but this is a shallow clone. " +
        "Check out with actions/checkout 'fetch-depth: 0' (and 'fetch-tags: true'), or run 'git fetch --unshallow --tags' first."
    )
  }
  return (await git(exec, cwd, ['tag', '--merged', 'HEAD']))
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean)
}

/** Pathspecs for a package's folder, relative to the repository top, without the packages nested in it. */
export function packagePathspec(relDir: string, nested: readonly string[]): string[] {
  const own = relDir === '.' || relDir === '' ? '.' : relDir
  const excluded = nested.filter((d) => d !== own && (own === '.' || d.startsWith(`${own}/`)))
  return [own, ...excluded.map((d) => `:(exclude)${d}`)]
}

const FIELD = '\x1f'
const RECORD = '\x1e'

/** Commits since `from` (all history when undefined) that touched the paths, newest first, merges left out. */
export async function commitsSince(exec: Exec, top: string, from: string | undefined, pathspec: readonly string[]): Promise<Commit[]> {
  const range = from ? [`${from}..HEAD`] : ['HEAD']
  const out = await git(exec, top, ['log', '--no-merges', `--format=%H${FIELD}%s${FIELD}%b${RECORD}`, ...range, '--', ...pathspec])
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n+/, ''))
    .filter((r) => r.includes(FIELD))
    .map((r) => {
      const [sha, subject, body] = r.split(FIELD)
      return { sha: sha!.trim(), subject: (subject ?? '').trim(), body: (body ?? '').trim() }
    })
}

/** A package folder relative to the repository top (the working directory may be below it). */
export function relativeToTop(top: string, dir: string): string {
  return toPosix(path.relative(top, dir)) || '.'
}
