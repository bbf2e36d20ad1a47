/**
 * CHANGELOG.md sections in Keep a Changelog form (https://keepachangelog.com/en/1.1.0/),
 * one per release, from the Conventional Commits that touched the package: `feat` under
 * Added, `fix` under Fixed, breaking changes, `perf` and `refactor` (and moved requirements)
 * under Changed. The same section is the GitHub Release's notes.
 */
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

const VERSION_HEADING = /^## \[([^\]]+)\]/gm

/**
 * The changelog with the section added: below `## [Unreleased]` and its notes when there is
 * one, else above the newest version, else after the header. A file that already holds a
 * section for the version is returned as it is, so a re-run writes nothing twice.
 */
export function insertSection(existing: string | undefined, section: string, version: string): string {
  const text = existing ?? HEADER
  const headings = [...text.matchAll(VERSION_HEADING)]
  if (headings.some((m) => m[1]!.trim() === version)) return text
  const firstRelease = headings.find((m) => m[1]!.trim().toLowerCase() !== 'unreleased')
  if (firstRelease) return text.slice(0, firstRelease.index) + section + '\n' + text.slice(firstRelease.index)
  return text.replace(/\n*$/, '\n\n') + section
}

/** The section of `version` read back from a changelog (for release notes), without its heading. */
export function sectionOf(text: string, version: string): string | undefined {
  const headings = [...text.matchAll(VERSION_HEADING)]
  const i = headings.findIndex((m) => m[1]!.trim() === version)
  if (i < 0) return undefined
  const start = headings[i]!.index + headings[i]![0].length
  const end = headings[i + 1]?.index ?? text.length
  return text.slice(text.indexOf('\n', start) + 1, end).trim()
}
