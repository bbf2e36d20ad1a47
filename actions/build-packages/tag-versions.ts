/**
 * version-from-tag: the versions the release tags ask of this build, read back in the
 * formats the release action writes them (packages-shared/release-tags.ts). The tags are
 * GITHUB_REF's on a tag push; on any other ref, those pointing at the commit being built,
 * because the build job after a release job that tags and pushes runs on the branch (and
 * GitHub sends no push event for tags when more than three are pushed at once).
 */
import type { Exec } from '../../packages-shared/exec.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { DEFAULT_LOCKSTEP_TAG_FORMAT, DEFAULT_TAG_FORMAT, tagParts, tagsAtHead, tagVersion } from '../../packages-shared/release-tags.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'

type Named = Pick<PythonPackage, 'id' | 'name'>
import type { ExpectedVersion, ExpectedVersions } from './verify-versions.js'

/** A tag, and whether it is GITHUB_REF's (`ref`) or points at the commit being built (`head`). */
export interface FoundTag {
  tag: string
  from: 'ref' | 'head'
}

export interface TagsRead {
  tags: FoundTag[]
  /** Where the tags were looked for, for the notice when none is a release tag. */
  where: string
  /** Why the commit's tags could not be read (not a git checkout), for that notice. */
  problem?: string
}

/** GITHUB_REF's tag when it is `refs/tags/...`, else the tags `git tag --points-at HEAD` lists in `cwd`. */
export async function readBuildTags(exec: Exec, cwd: string, ref: string | undefined): Promise<TagsRead> {
  if (ref?.startsWith('refs/tags/')) return { tags: [{ tag: ref.slice('refs/tags/'.length), from: 'ref' }], where: ref }
  const where = `the commit being built (HEAD in ${cwd}${ref ? `, on ${ref}` : ''})`
  const head = await tagsAtHead(exec, cwd)
  if (head.problem !== undefined) return { tags: [], where, problem: head.problem }
  return { tags: head.tags.map((tag) => ({ tag, from: 'head' })), where }
}

/**
 * The formats tags are read in: the one given, else both forms the release action writes.
 * On a tag ref a bare version (`refs/tags/1.2.3`) is still a lockstep tag, as it always was;
 * a bare number pointing at HEAD is too likely to be something else to bind every package.
 */
export function tagFormats(given: string, from: FoundTag['from']): string[] {
  if (given) return [given]
  return from === 'ref' ? [DEFAULT_LOCKSTEP_TAG_FORMAT, '{version}', DEFAULT_TAG_FORMAT] : [DEFAULT_LOCKSTEP_TAG_FORMAT, DEFAULT_TAG_FORMAT]
}

/** The forms a notice names: the given format, or the two defaults and what each binds. */
export function formsNamed(given: string): string {
  return given
    ? `'${given}'`
    : `'${DEFAULT_LOCKSTEP_TAG_FORMAT}' for every package, or '${DEFAULT_TAG_FORMAT}' for the package of that name`
}

export interface TagVersions {
  expected: ExpectedVersions
  /** One per tag that is a release tag of no package here: ignored, and said. */
  notes: string[]
  /** How many tags bound a version. */
  matched: number
}

function expectation(found: FoundTag, version: string): ExpectedVersion {
  if (found.from === 'ref') return { version, source: `tag refs/tags/${found.tag}` }
  return {
    version,
    source: `tag ${found.tag}, which points at the commit being built`,
    otherwise: 'if a new version is meant, release it (a commit and a tag of its own) and build that commit'
  }
}

/**
 * The package a tag of a `{name}` format is for: the longest name that reads, so `foo-v2`
 * (not `foo`) owns `foo-v2-v1.0.0` even if both are packages.
 */
function owner(format: string, tag: string, packages: readonly Named[]): { pkg: Named; version: string } | undefined {
  let best: { pkg: Named; version: string } | undefined
  for (const pkg of packages) {
    const version = tagVersion(format, pkg.name, tag)
    if (version && (!best || pkg.name.length > best.pkg.name.length)) best = { pkg, version }
  }
  return best
}

/** What each tag binds: a lockstep tag every package, a `{name}` tag the package it names. Other tags are not release tags. */
export function versionsFromTags(found: readonly FoundTag[], given: string, packages: readonly Named[]): TagVersions {
  const every: ExpectedVersion[] = []
  const byPackage = new Map<string, ExpectedVersion[]>()
  const notes: string[] = []
  let matched = 0
  for (const f of found) {
    for (const format of tagFormats(given, f.from)) {
      if (!format.includes('{name}')) {
        const version = tagVersion(format, '', f.tag)
        if (!version) continue
        every.push(expectation(f, version))
        matched++
        break
      }
      const own = owner(format, f.tag, packages)
      if (own) {
        byPackage.set(own.pkg.id, [...(byPackage.get(own.pkg.id) ?? []), expectation(f, own.version)])
        matched++
        break
      }
      const parts = tagParts(format, f.tag)
      if (parts?.name !== undefined) {
        notes.push(
          `version-from-tag: tag ${f.tag} is a release tag of ${parts.name}, which is no package of this workspace, so it is ignored. ` +
            `If it is meant for one of them, tag with that package's name.`
        )
        break
      }
    }
  }
  return { expected: { every, byPackage }, notes, matched }
}

/**
 * The versions this build must have: expected-version's (it wins over any tag), else the
 * release tags' with version-from-tag; undefined when nothing binds them. A ref or commit
 * with no release tag is said in a notice, not failed: most builds are not releases.
 */
export async function expectedVersions(
  runtime: { exec: Exec; io: RunnerIO },
  cwd: string,
  packages: readonly Named[],
  inputs: { expected?: ExpectedVersion; versionFromTag: boolean; tagFormat: string }
): Promise<ExpectedVersions | undefined> {
  if (inputs.expected) return { every: [inputs.expected], byPackage: new Map() }
  if (!inputs.versionFromTag) return undefined
  const read = await readBuildTags(runtime.exec, cwd, runtime.io.env.GITHUB_REF)
  const result = versionsFromTags(read.tags, inputs.tagFormat, packages)
  for (const note of result.notes) runtime.io.notice(note)
  if (result.matched > 0) return result.expected
  const why = read.problem
    ? `the tags of ${read.where} could not be read (${read.problem})`
    : read.tags.some((t) => t.from === 'ref')
      ? `${read.where} is not a release tag of this workspace (${formsNamed(inputs.tagFormat)})`
      : `no release tag of this workspace (${formsNamed(inputs.tagFormat)}) points at ${read.where}`
  runtime.io.notice(`version-from-tag: ${why}, so versions are not checked against a tag.`)
  return undefined
}
