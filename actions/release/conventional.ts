/**
 * Conventional Commits (https://www.conventionalcommits.org/en/v1.0.0/) read the way
 * commitizen's default rules read them: `feat` is a minor bump; `fix`, `perf` and
 * `refactor` a patch; `!` after the type or scope, or a `BREAKING CHANGE:` footer, a major.
 * Under 1.0 with `major_version_zero`, a breaking change is a minor bump instead.
 */

export type BumpLevel = 'major' | 'minor' | 'patch'

export interface Commit {
  sha: string
  subject: string
  body: string
}

export interface ConventionalCommit extends Commit {
  type: string
  scope?: string
  description: string
  breaking: boolean
  /** The text of a `BREAKING CHANGE:` footer, or the description for a `!` header. */
  breakingNote?: string
}

const HEADER = /^([A-Za-z][\w-]*)(?:\(([^()\r\n]*)\))?(!)?:[ \t]+(\S.*)$/
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE:[ \t]*([\s\S]*?)(?=\n[\w-]+(?:: | #)|\s*$)/m

/** The commit read as a Conventional Commit; undefined when its subject is not one (merges, "Update README"). */
export function parseConventional(commit: Commit): ConventionalCommit | undefined {
  const m = HEADER.exec(commit.subject.trim())
  if (!m) return undefined
  const footer = BREAKING_FOOTER.exec(commit.body)
  const breaking = m[3] === '!' || footer !== null
  return {
    ...commit,
    type: m[1]!.toLowerCase(),
    ...(m[2] ? { scope: m[2].trim() } : {}),
    description: m[4]!.trim(),
    breaking,
    ...(breaking ? { breakingNote: footer?.[1]?.trim() || m[4]!.trim() } : {})
  }
}

const BY_TYPE: Readonly<Record<string, BumpLevel>> = { feat: 'minor', fix: 'patch', perf: 'patch', refactor: 'patch' }

/** The bump one commit asks for; undefined for `docs`, `chore`, `ci`, `test` and the like. */
export function commitBump(
  commit: ConventionalCommit,
  options: { majorVersionZero: boolean; currentMajor: number }
): BumpLevel | undefined {
  if (commit.breaking) return options.majorVersionZero && options.currentMajor === 0 ? 'minor' : 'major'
  return BY_TYPE[commit.type]
}

const RANK: Readonly<Record<BumpLevel, number>> = { patch: 1, minor: 2, major: 3 }

export function higherBump(a: BumpLevel | undefined, b: BumpLevel | undefined): BumpLevel | undefined {
  if (!a) return b
  if (!b) return a
  return RANK[a] >= RANK[b] ? a : b
}

/** The highest bump a set of commits asks for, with the commits that ask for it. */
export function bumpOf(
  commits: readonly ConventionalCommit[],
  options: { majorVersionZero: boolean; currentMajor: number }
): { level?: BumpLevel; because: ConventionalCommit[] } {
  let level: BumpLevel | undefined
  for (const c of commits) level = higherBump(level, commitBump(c, options))
  return { ...(level ? { level } : {}), because: level ? commits.filter((c) => commitBump(c, options) === level) : [] }
}
