/**
 * CHANGELOG.md sections in Keep a Changelog form (https://keepachangelog.com/en/1.1.0/),
 * one per release, from the Conventional Commits that touched the package: `feat` under
 * Added, `fix` under Fixed, breaking changes, `perf` and `refactor` (and moved requirements)
 * under Changed. The same section is the GitHub Release's notes.
 */
import { isValidVersion, sameVersion } from '../../packages-shared/pypa/versions.js'
import type { ConventionalCommit } from './conventional.js'
import type { PlannedRelease } from './plan.js'

const HEADER =
  '# Changelog\n\nAll notable changes to this package are documented in this file.\n\n' +
  'The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and versions follow [PEP 440](https://peps.python.org/pep-0440/).\n'

function entry(c: ConventionalCommit): string {
  const scope = c.scope ? `**${c.scope}:** ` : ''
  return `- ${scope}${c.description} (${c.sha.slice(0, 7)})`
}

/** The section for one release, from its `## [version] - date` heading to its last entry. */
export function changelogSection(release: PlannedRelease, date: string, releasedWith?: string): string {
  const added = release.commits.filter((c) => c.type === 'feat' && !c.breaking).map(entry)
  const fixed = release.commits.filter((c) => c.type === 'fix' && !c.breaking).map(entry)
  const changed = [
    ...release.commits.filter((c) => c.breaking).map((c) => `- **Breaking:** ${c.breakingNote ?? c.description} (${c.sha.slice(0, 7)})`),
    ...release.commits.filter((c) => !c.breaking && (c.type === 'perf' || c.type === 'refactor')).map(entry),
    ...release.updates.filter((u) => u.site.published).map((u) => `- Requires \`${u.to}\` (was \`${u.site.value}\`).`)
  ]
  const parts = [`## [${release.newVersion}] - ${date}`]
  if (added.length) parts.push('### Added', ...added)
  if (changed.length) parts.push('### Changed', ...changed)
  if (fixed.length) parts.push('### Fixed', ...fixed)
  if (parts.length === 1) {
    parts.push(
      '### Changed',
      releasedWith
        ? `- No changes of its own; released with ${releasedWith}.`
        : '- No changes of its own; released at the version its metadata states.'
    )
  }
  return parts.join('\n') + '\n'
}

/**
 * A release heading in the forms changelogs use: Keep a Changelog's `## [1.2.0] - date`,
 * release-please's `## [1.2.0](compare-link) (date)`, commitizen's `## 1.2.0 (date)`, a `v`
 * prefix, and `## [Unreleased]`. Other second-level headings are not releases.
 */
const HEADING = /^##[ \t]+\[?v?([^\]\s()]+)\]?.*$/gm

interface Heading {
  /** The version, or `unreleased`. */
  version: string
  index: number
  length: number
}

function headingsOf(text: string): Heading[] {
  return [...text.matchAll(HEADING)]
    .filter((m) => m[1]!.toLowerCase() === 'unreleased' || isValidVersion(m[1]!))
    .map((m) => ({ version: m[1]!.toLowerCase() === 'unreleased' ? 'unreleased' : m[1]!, index: m.index, length: m[0].length }))
}

const isVersion = (h: Heading, version: string): boolean => h.version !== 'unreleased' && sameVersion(h.version, version)

/**
 * The changelog with the section added: below `## [Unreleased]` and its notes when there is
 * one, else above the newest version, else after the header. A file that already holds a
 * section for the version (in any of the heading forms) is returned as it is, so a re-run
 * writes nothing twice.
 */
export function insertSection(existing: string | undefined, section: string, version: string): string {
  const text = existing ?? HEADER
  const headings = headingsOf(text)
  if (headings.some((h) => isVersion(h, version))) return text
  const firstRelease = headings.find((h) => h.version !== 'unreleased')
  if (firstRelease) return text.slice(0, firstRelease.index) + section + '\n' + text.slice(firstRelease.index)
  return text.replace(/\n*$/, '\n\n') + section
}

/** The section of `version` read back from a changelog (for release notes), without its heading. */
export function sectionOf(text: string, version: string): string | undefined {
  const headings = headingsOf(text)
  const i = headings.findIndex((h) => isVersion(h, version))
  if (i < 0) return undefined
  const start = headings[i]!.index + headings[i]!.length
  const end = headings[i + 1]?.index ?? text.length
  return text.slice(start + 1, end).trim()
}
