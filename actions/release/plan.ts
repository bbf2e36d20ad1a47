/**
 * The release plan, pure: from each package's history since its last tag, the bump asked
 * for, and the dependency graph, which packages are released at which versions, which
 * requirements of their dependents move, and why. Nothing here reads or writes a file.
 */
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { compareVersions } from '../../packages-shared/pypa/versions.js'
import { bumpVersion, explicitVersion, majorOf } from './bump.js'
import { bumpOf, type BumpLevel, type ConventionalCommit } from './conventional.js'
import { rewriteRequirement, rewriteSpecifier } from './pins.js'
import type { RequirementSite } from './requirement-sites.js'
import { renderTag } from '../../packages-shared/release-tags.js'

export type BumpSpec = { kind: 'auto' } | { kind: 'level'; level: BumpLevel } | { kind: 'version'; version: string }
export type Versioning = 'independent' | 'lockstep'

/** What the history says of one package. */
export interface PackageHistory {
  pkg: PythonPackage
  /** The version in its files; undefined for a version the VCS gives (only tagged). */
  version?: string
  lastTag?: { tag: string; version: string }
  /** Conventional commits since the last tag that touched the package, newest first. */
  commits: ConventionalCommit[]
  /** Commits since the last tag that are not Conventional Commits (counted, never bump). */
  otherCommits: number
  /** Requirements its pyproject.toml states on the repository's packages. */
  sites: RequirementSite[]
  /** Whether the package was named in `packages` (a list), so having nothing to release is worth a warning. */
  named: boolean
}

export interface RequirementUpdate {
  site: RequirementSite
  to: string
}

export interface PlannedRelease {
  id: string
  name: string
  relDir: string
  oldVersion: string
  newVersion: string
  /** How the version was reached. */
  bump: BumpLevel | 'explicit' | 'first' | 'lockstep' | 'by-hand'
  tag: string
  /** One line each, for the plan and the summary. */
  reasons: string[]
  commits: ConventionalCommit[]
  updates: RequirementUpdate[]
  /** The version lives in the VCS tag only (hatch-vcs, setuptools-scm): nothing is written. */
  vcsVersion: boolean
}

export interface NotReleased {
  id: string
  reason: string
  /** A package the user named that has nothing to release: a warning, not a note. */
  named: boolean
}

export interface ReleasePlan {
  versioning: Versioning
  releases: PlannedRelease[]
  notReleased: NotReleased[]
  /** Tags to create: one per release, or the one lockstep tag. */
  tags: string[]
  /** Requirements rewritten in packages that are not released (dependency groups only). */
  devUpdates: { id: string; updates: RequirementUpdate[] }[]
}

export interface PlanOptions {
  versioning: Versioning
  bump: BumpSpec
  tagFormat: string
  /** commitizen's `major_version_zero`: under 1.0 a breaking change bumps the minor. */
  majorVersionZero: boolean
  /** Lockstep only: the last lockstep tag. */
  lockstepTag?: { tag: string; version: string }
}

function shortSha(c: ConventionalCommit): string {
  return c.sha.slice(0, 7)
}

function describeCommits(commits: readonly ConventionalCommit[]): string {
  const shown = commits.slice(0, 3).map((c) => `${shortSha(c)} ${c.subject}`)
  return shown.join('; ') + (commits.length > 3 ? ` and ${commits.length - 3} more` : '')
}

/** The base a bump applies to: the version in the files, or the last tag's for a VCS version. */
function baseVersion(h: PackageHistory): string | undefined {
  return h.version ?? h.lastTag?.version
}

interface Primary {
  version: string
  bump: PlannedRelease['bump']
  reasons: string[]
}

function primaryRelease(h: PackageHistory, options: PlanOptions): Primary | NotReleased {
  const id = h.pkg.id
  const base = baseVersion(h)
  if (base === undefined) {
    return options.bump.kind === 'version'
      ? {
          version: options.bump.version,
          bump: 'explicit',
          reasons: [`bump: ${options.bump.version}, the first tag of a version the VCS gives`]
        }
      : {
          id,
          named: true,
          reason: `its version comes from the VCS and no tag matches '${options.tagFormat}' yet: give 'bump' an explicit first version (e.g. 1.0.0)`
        }
  }
  const explicit = options.bump.kind === 'version' ? explicitVersion(options.bump.version, base, h.pkg.name) : undefined
  if (!h.lastTag) {
    if (explicit) return { version: explicit, bump: 'explicit', reasons: [`bump: ${explicit}`] }
    if (options.bump.kind === 'level') {
      return { version: bumpVersion(base, options.bump.level), bump: options.bump.level, reasons: [`bump: ${options.bump.level}`] }
    }
    return {
      version: base,
      bump: 'first',
      reasons: [`no earlier tag matches '${options.tagFormat}': first release, at the version in its metadata`]
    }
  }
  const since = `since ${h.lastTag.tag}`
  // A package named with an explicit bump is released even with no commit of its own.
  const forced = h.named && options.bump.kind !== 'auto'
  if (h.commits.length === 0 && h.otherCommits === 0 && !forced) return { id, named: h.named, reason: `no commit touched it ${since}` }
  if (explicit) return { version: explicit, bump: 'explicit', reasons: [`bump: ${explicit}`] }
  if (options.bump.kind === 'level')
    return { version: bumpVersion(base, options.bump.level), bump: options.bump.level, reasons: [`bump: ${options.bump.level}`] }
  // The version was raised in the files since the tag (by hand, or by an earlier release commit not yet tagged).
  if (h.version !== undefined && (compareVersions(h.version, h.lastTag.version) ?? 0) > 0) {
    return {
      version: h.version,
      bump: 'by-hand',
      reasons: [`its metadata says ${h.version}, above its last tag ${h.lastTag.tag}: released at that version`]
    }
  }
  const { level, because } = bumpOf(h.commits, { majorVersionZero: options.majorVersionZero, currentMajor: majorOf(base) })
  if (!level) {
    const n = h.commits.length + h.otherCommits
    return { id, named: h.named, reason: `${n} commit(s) ${since}, none a feat, fix, perf, refactor or breaking change` }
  }
  const zero = options.majorVersionZero && majorOf(base) === 0 && because.some((c) => c.breaking)
  return {
    version: bumpVersion(base, level),
    bump: level,
    reasons: [`${level}${zero ? ' (a breaking change under 1.0, major_version_zero)' : ''}: ${describeCommits(because)}`]
  }
}

function isNotReleased(x: Primary | NotReleased): x is NotReleased {
  return 'reason' in x
}

/** Rewrites of a package's requirements for the new versions decided so far. */
function updatesFor(h: PackageHistory, versions: ReadonlyMap<string, string>): RequirementUpdate[] {
  const out: RequirementUpdate[] = []
  for (const site of h.sites) {
    const version = versions.get(site.on)
    if (version === undefined) continue
    const what = `${h.pkg.name} (${site.table}.${site.key})`
    const to = site.form === 'pep508' ? rewriteRequirement(site.value, site.on, version, what) : rewriteSpecifier(site.value, version, what)
    if (to !== undefined) out.push({ site, to })
  }
  return out
}

function describeUpdate(u: RequirementUpdate, versions: ReadonlyMap<string, string>): string {
  return `its requirement ${JSON.stringify(u.site.value)} (${u.site.table}) does not hold ${u.site.on} ${versions.get(u.site.on)}: now ${JSON.stringify(u.to)}`
}

/** The plan. `histories` are in dependency order (dependencies first), as discovery gives packages. */
export function planRelease(histories: readonly PackageHistory[], options: PlanOptions): ReleasePlan {
  return options.versioning === 'lockstep' ? planLockstep(histories, options) : planIndependent(histories, options)
}

function planIndependent(histories: readonly PackageHistory[], options: PlanOptions): ReleasePlan {
  const versions = new Map<string, string>()
  const releases: PlannedRelease[] = []
  const notReleased: NotReleased[] = []
  const devUpdates: ReleasePlan['devUpdates'] = []
  for (const h of histories) {
    const primary = primaryRelease(h, options)
    const updates = updatesFor(h, versions)
    const published = updates.filter((u) => u.site.published)
    const old = baseVersion(h)
    if (isNotReleased(primary) && (published.length === 0 || old === undefined)) {
      if (updates.length) devUpdates.push({ id: h.pkg.id, updates })
      notReleased.push(primary)
      continue
    }
    let version: string
    let bump: PlannedRelease['bump']
    const reasons: string[] = []
    if (isNotReleased(primary)) {
      // Released only because a requirement it publishes had to move: a patch.
      version = bumpVersion(old!, 'patch')
      bump = 'patch'
    } else {
      ;({ version, bump } = primary)
      reasons.push(...primary.reasons)
    }
    reasons.push(...published.map((u) => `${isNotReleased(primary) ? 'patch: ' : ''}${describeUpdate(u, versions)}`))
    versions.set(h.pkg.id, version)
    releases.push({
      id: h.pkg.id,
      name: h.pkg.name,
      relDir: h.pkg.relDir,
      oldVersion: old ?? version,
      newVersion: version,
      bump,
      tag: renderTag(options.tagFormat, h.pkg.name, version),
      reasons,
      commits: h.commits,
      updates,
      vcsVersion: h.version === undefined
    })
  }
  return { versioning: 'independent', releases, notReleased, tags: releases.map((r) => r.tag), devUpdates }
}

function planLockstep(histories: readonly PackageHistory[], options: PlanOptions): ReleasePlan {
  const current = histories
    .map((h) => baseVersion(h))
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => compareVersions(a, b) ?? 0)
    .at(-1)
  const last = options.lockstepTag
  const base = last && current && (compareVersions(last.version, current) ?? 0) > 0 ? last.version : (current ?? last?.version)
  const commits = dedupe(histories.flatMap((h) => h.commits))
  const other = histories.reduce((n, h) => n + h.otherCommits, 0)
  const none = (reason: string): ReleasePlan => ({
    versioning: 'lockstep',
    releases: [],
    notReleased: histories.map((h) => ({ id: h.pkg.id, reason, named: false })),
    tags: [],
    devUpdates: []
  })
  if (base === undefined) return none("no package states a version and no lockstep tag exists: give 'bump' an explicit first version")
  let version: string
  let bump: PlannedRelease['bump'] = 'lockstep'
  let why: string
  if (options.bump.kind === 'version') {
    version = explicitVersion(options.bump.version, base, 'the lockstep packages')
    why = `bump: ${version}`
  } else if (!last) {
    version = options.bump.kind === 'level' ? bumpVersion(base, options.bump.level) : base
    why =
      options.bump.kind === 'level'
        ? `bump: ${options.bump.level}`
        : `no earlier tag matches '${options.tagFormat}': first lockstep release, at the highest version in the metadata`
  } else if (options.bump.kind === 'level') {
    if (commits.length + other === 0) return none(`no commit touched a package since ${last.tag}`)
    version = bumpVersion(base, options.bump.level)
    why = `bump: ${options.bump.level}`
  } else {
    const { level, because } = bumpOf(commits, { majorVersionZero: options.majorVersionZero, currentMajor: majorOf(base) })
    if (!level) return none(`${commits.length + other} commit(s) since ${last.tag}, none a feat, fix, perf, refactor or breaking change`)
    version = bumpVersion(base, level)
    bump = level
    why = `${level} for every package: ${describeCommits(because)}`
  }
  const versions = new Map(histories.map((h) => [h.pkg.id, version] as const))
  const releases = histories.map((h): PlannedRelease => {
    const updates = updatesFor(h, versions)
    return {
      id: h.pkg.id,
      name: h.pkg.name,
      relDir: h.pkg.relDir,
      oldVersion: baseVersion(h) ?? version,
      newVersion: version,
      bump,
      // One tag for all unless the format names the package.
      tag: renderTag(options.tagFormat, h.pkg.name, version),
      reasons: [why, ...updates.filter((u) => u.site.published).map((u) => describeUpdate(u, versions))],
      commits: h.commits,
      updates,
      vcsVersion: h.version === undefined
    }
  })
  return { versioning: 'lockstep', releases, notReleased: [], tags: [...new Set(releases.map((r) => r.tag))], devUpdates: [] }
}

function dedupe(commits: readonly ConventionalCommit[]): ConventionalCommit[] {
  const seen = new Set<string>()
  return commits.filter((c) => !seen.has(c.sha) && seen.add(c.sha))
}
