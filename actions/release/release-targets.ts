/**
 * What each GitHub Release holds: the packages and versions a tag names, the notes from
 * their changelog sections, and the dists that belong to them. Pure: the files are read by
 * the caller.
 */
import * as path from 'node:path'
import { normalizeName } from '../../packages-shared/names.js'
import { readDistFilename } from '../../packages-shared/pypa/dist-filename.js'
import { compareVersions } from '../../packages-shared/pypa/versions.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { sectionOf } from './changelog.js'
import { tagVersion } from '../../packages-shared/release-tags.js'

export interface TargetPackage {
  pkg: PythonPackage
  version: string
}

/** One GitHub Release: a tag and the package versions it stands for. */
export interface ReleaseTarget {
  tag: string
  /** The version in the release's title: the package's, or the lockstep one. */
  version: string
  packages: TargetPackage[]
  lockstep: boolean
}

export interface DistFile {
  path: string
  filename: string
}

/**
 * The release each tag stands for. A format without `{name}` is lockstep: its tag covers
 * every package. Tags that name no package (another scheme, a typo) are returned apart, so
 * the caller can say so.
 */
export function releaseTargets(
  tags: readonly string[],
  packages: readonly PythonPackage[],
  tagFormat: string
): { targets: ReleaseTarget[]; unmatched: string[] } {
  const lockstep = !tagFormat.includes('{name}')
  const targets: ReleaseTarget[] = []
  const unmatched: string[] = []
  for (const tag of tags) {
    if (lockstep) {
      const version = tagVersion(tagFormat, '', tag)
      if (version) targets.push({ tag, version, packages: packages.map((pkg) => ({ pkg, version })), lockstep })
      else unmatched.push(tag)
      continue
    }
    const found = packages
      .map((pkg) => ({ pkg, version: tagVersion(tagFormat, pkg.name, tag) }))
      .filter((t): t is TargetPackage => t.version !== undefined)
    // Only one package can own a tag; the longest name wins (`foo-bar-v1` is foo-bar's, not foo's).
    const best = found.sort((a, b) => b.pkg.name.length - a.pkg.name.length)[0]
    if (best) targets.push({ tag, version: best.version, packages: [best], lockstep })
    else unmatched.push(tag)
  }
  return { targets, unmatched }
}

/** The release's title: `acme-core 2.0.0`, or `v1.1.0` for a lockstep version. */
export function releaseName(target: ReleaseTarget): string {
  return target.lockstep ? target.tag : `${target.packages[0]!.pkg.name} ${target.version}`
}

/**
 * The notes: each package's changelog section for its version (read by `readChangelog`,
 * undefined when the file is missing), under a heading per package in a lockstep release.
 * A package without a section says so rather than leaving the release empty.
 */
export function releaseNotes(
  target: ReleaseTarget,
  readChangelog: (pkg: PythonPackage) => string | undefined,
  changelogFile: string
): string {
  const parts = target.packages.map(({ pkg, version }) => {
    const text = readChangelog(pkg)
    const section = text === undefined ? undefined : sectionOf(text, version)
    const body = section || `No section for ${version} in ${changelogFile}.`
    return target.lockstep ? `## ${pkg.name} ${version}\n\n${body}` : body
  })
  return parts.join('\n\n') + '\n'
}

/** The dists of the target's packages at their versions, by file name (name in any PEP 503 spelling, version by PEP 440). */
export function distsOf(target: ReleaseTarget, files: readonly DistFile[]): DistFile[] {
  return files.filter((f) => {
    const id = readDistFilename(f.filename)
    if (typeof id === 'string') return false
    return target.packages.some(({ pkg, version }) => normalizeName(id.name) === pkg.id && compareVersions(id.version, version) === 0)
  })
}

export function distFile(p: string): DistFile {
  return { path: p, filename: path.basename(p) }
}
