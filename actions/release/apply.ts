/**
 * The plan made real: the new versions and requirements written where each backend keeps
 * them, the changelog sections, one release commit, the tags, and (only when asked) the
 * push. `dry-run` computes the same edits and shows them as diffs without writing.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import type { Exec } from '../../packages-shared/exec.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { changelogSection, insertSection } from './changelog.js'
import { git } from './history.js'
import type { PlannedRelease, ReleasePlan, RequirementUpdate } from './plan.js'
import { splitDottedKey, replaceTomlString, TomlEditError } from './toml-edit.js'
import { versionLocation, writeVersionText } from './version-files.js'

/** The files a plan changes: path → new text, with the old text for the diff. */
export type Edits = Map<string, { before: string | undefined; after: string }>

function edit(edits: Edits, file: string, change: (text: string) => string): void {
  const current = edits.get(file)
  const before = current ? current.before : fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
  const after = change(current ? current.after : (before ?? ''))
  edits.set(file, { before, after })
}

function writeUpdate(text: string, pkg: PythonPackage, u: RequirementUpdate, root: string): string {
  const where = toPosix(path.relative(root, path.join(pkg.dir, 'pyproject.toml')))
  try {
    return replaceTomlString(text, splitDottedKey(u.site.table), u.site.key, u.site.value, u.to, u.site.inline)
  } catch (error) {
    if (!(error instanceof TomlEditError)) throw error
    throw new UserError(
      `The requirement ${JSON.stringify(u.site.value)} in ${where} must become ${JSON.stringify(u.to)}, but it cannot be written: ${error.message}. ` +
        'Write the requirement as a plain string in its table, or change it by hand and run again.'
    )
  }
}

export interface EditOptions {
  root: string
  date: string
  changelog: boolean
  /** `CHANGELOG.md` by default, in each package's folder. */
  changelogFile: string
}

/** Every edit the plan makes, computed in memory. */
export function planEdits(plan: ReleasePlan, packages: ReadonlyMap<string, PythonPackage>, options: EditOptions): Edits {
  const edits: Edits = new Map()
  const lockstepWith = (r: PlannedRelease): string | undefined =>
    plan.versioning === 'lockstep' ? `the other packages at ${r.newVersion}` : undefined
  for (const r of plan.releases) {
    const pkg = packages.get(r.id)!
    const location = versionLocation(pkg)
    if (location.kind !== 'vcs' && r.newVersion !== r.oldVersion) {
      edit(edits, location.file, (text) => writeVersionText(location, text, r.oldVersion, r.newVersion, options.root))
    }
    for (const u of r.updates) edit(edits, path.join(pkg.dir, 'pyproject.toml'), (text) => writeUpdate(text, pkg, u, options.root))
    if (options.changelog) {
      edit(edits, path.join(pkg.dir, options.changelogFile), (text) =>
        insertSection(text === '' ? undefined : text, changelogSection(r, options.date, lockstepWith(r)), r.newVersion)
      )
    }
  }
  for (const d of plan.devUpdates) {
    const pkg = packages.get(d.id)!
    for (const u of d.updates) edit(edits, path.join(pkg.dir, 'pyproject.toml'), (text) => writeUpdate(text, pkg, u, options.root))
  }
  for (const [file, e] of edits) if (e.before === e.after) edits.delete(file)
  return edits
}

/** Unified diffs of the edits, from git itself (`git diff --no-index` on copies under the temp dir). */
export async function diffEdits(edits: Edits, root: string, tempDir: string, exec: Exec): Promise<string> {
  const scratch = fs.mkdtempSync(path.join(tempDir || os.tmpdir(), 'dk-release-diff-'))
  try {
    const out: string[] = []
    for (const [file, e] of edits) {
      const rel = toPosix(path.relative(root, file))
      const a = path.join(scratch, 'a', rel)
      const b = path.join(scratch, 'b', rel)
      fs.mkdirSync(path.dirname(b), { recursive: true })
      fs.writeFileSync(b, e.after)
      if (e.before !== undefined) {
        fs.mkdirSync(path.dirname(a), { recursive: true })
        fs.writeFileSync(a, e.before)
      }
      // The copies' own a/ and b/ folders are the prefixes (so `git apply` takes the diff at its
      // default -p1); a new file is diffed against /dev/null. The output is kept whole: a hunk's
      // trailing blank context lines are part of it.
      const from = e.before === undefined ? '/dev/null' : `a/${rel}`
      const r = await exec({ argv: ['git', 'diff', '--no-index', '--no-color', '--no-prefix', '--', from, `b/${rel}`], cwd: scratch })
      out.push(r.stdout)
    }
    return out.join('')
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

export function writeEdits(edits: Edits): void {
  for (const [file, e] of edits) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, e.after)
  }
}

export interface GitIdentity {
  name: string
  email: string
}

/** The committer GitHub shows as the Actions bot, unless the repository configures one. */
export const BOT_IDENTITY: GitIdentity = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' }

export function commitMessage(plan: ReleasePlan): string {
  const heads = plan.releases.map((r) => `${r.name} ${r.newVersion}`)
  const subject =
    plan.versioning === 'lockstep'
      ? `chore(release): ${plan.releases[0]!.newVersion}`
      : `chore(release): ${heads.slice(0, 3).join(', ')}${heads.length > 3 ? ` and ${heads.length - 3} more` : ''}`
  const body = plan.releases.map((r) => `- ${r.name} ${r.oldVersion} -> ${r.newVersion}: ${r.reasons.join('; ')}`).join('\n')
  return `${subject}\n\n${body}\n`
}

/** Commits the edited files (when there are any) and creates the tags on the result. */
export async function commitAndTag(
  plan: ReleasePlan,
  edits: Edits,
  top: string,
  exec: Exec,
  identity: GitIdentity | undefined
): Promise<{ commit: string; createdTags: string[]; existingTags: string[] }> {
  const who = identity ? ['-c', `user.name=${identity.name}`, '-c', `user.email=${identity.email}`] : []
  if (edits.size > 0) {
    await git(exec, top, ['add', '--', ...[...edits.keys()].map((f) => toPosix(path.relative(top, f)))])
    await git(exec, top, [...who, 'commit', '--quiet', '--no-verify', '-m', commitMessage(plan)])
  }
  const commit = (await git(exec, top, ['rev-parse', 'HEAD'])).trim()
  const createdTags: string[] = []
  const existingTags: string[] = []
  for (const tag of plan.tags) {
    const existing = await exec({ argv: ['git', 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], cwd: top })
    if (existing.exitCode === 0) {
      if (existing.stdout.trim() === commit) {
        existingTags.push(tag)
        continue
      }
      throw new UserError(
        `The tag ${tag} exists already, on commit ${existing.stdout.trim().slice(0, 12)}, not on the release commit ${commit.slice(0, 12)}. ` +
          'A released version is never tagged twice: release a higher version (bump), or delete the stray tag if it was never published.'
      )
    }
    const release = plan.releases.filter((r) => r.tag === tag)
    await git(exec, top, [...who, 'tag', '-a', tag, '-m', release.map((r) => `${r.name} ${r.newVersion}`).join(', ')])
    createdTags.push(tag)
  }
  return { commit, createdTags, existingTags }
}

/** The identity to commit with: the repository's own when git has one, else the Actions bot. */
export async function gitIdentity(exec: Exec, top: string): Promise<GitIdentity | undefined> {
  const name = await exec({ argv: ['git', 'config', 'user.name'], cwd: top })
  const email = await exec({ argv: ['git', 'config', 'user.email'], cwd: top })
  return name.exitCode === 0 && email.exitCode === 0 && name.stdout.trim() && email.stdout.trim() ? undefined : BOT_IDENTITY
}
