/**
 * Version checks: every package at the release's version (from `expected-version`, or
 * the release tags of the commit built: tag-versions.ts), and `==` pins between the
 * repository's packages naming a version that is being built now or is already on the index.
 */
import type { Finding } from '../../packages-shared/findings.js'
import { builtVersion, pyprojectOf, type BuiltPackage } from './built.js'
import { fields } from '../../packages-shared/core-metadata.js'
import type { IndexAnswer } from './package-index.js'
import { sameVersion } from '../../packages-shared/pypa/versions.js'
import { pinsIn } from './versions.js'

export interface ExpectedVersion {
  version: string
  /** Where it came from, for messages: `expected-version`, `tag refs/tags/v1.2.3`. */
  source: string
  /** The fix besides setting the version, when it is not to build from the right tag. */
  otherwise?: string
}

/**
 * The versions a build must have: some for every package (expected-version, a lockstep
 * tag), some for one package (its own tag, by package id). A package may have several,
 * one per tag: two tags that disagree cannot both be met, and both are reported.
 */
export interface ExpectedVersions {
  every: readonly ExpectedVersion[]
  byPackage: ReadonlyMap<string, readonly ExpectedVersion[]>
}

export function expectedFor(expected: ExpectedVersions, id: string): ExpectedVersion[] {
  return [...expected.every, ...(expected.byPackage.get(id) ?? [])]
}

export function verifyExpectedVersion(b: BuiltPackage, expected: ExpectedVersion): Finding[] {
  const built = builtVersion(b)
  if (!built || sameVersion(built, expected.version)) return []
  return [
    {
      tool: 'versions',
      package: b.pkg.id,
      file: pyprojectOf(b.pkg),
      severity: 'error',
      message: `${b.pkg.name} was built as version ${built}, but the release expects ${expected.version} (from ${expected.source}). Set the version in ${pyprojectOf(b.pkg)} to ${expected.version}, or ${expected.otherwise ?? 'build from the right tag'}.`
    }
  ]
}

export function verifyExpectedVersions(mine: readonly BuiltPackage[], expected: ExpectedVersions): Finding[] {
  return mine.flatMap((b) => expectedFor(expected, b.pkg.id).flatMap((e) => verifyExpectedVersion(b, e)))
}

/** The versions check's message: what each built package was held to, or undefined when nothing was. */
export function describeExpected(mine: readonly BuiltPackage[], expected: ExpectedVersions): string | undefined {
  const every = expected.every.map((e) => `${e.version} (from ${e.source})`)
  const own = mine.flatMap((b) => (expected.byPackage.get(b.pkg.id) ?? []).map((e) => `${b.pkg.name} ${e.version} (from ${e.source})`))
  const all = [...every, ...own]
  return all.length ? `expected ${all.join(', ')}` : undefined
}

export interface PinCheck {
  findings: Finding[]
  /** Index look-ups that failed (unreachable index): warnings, never failures. */
  unreachable: string[]
  queried: string[]
}

type Lookup = (name: string) => Promise<IndexAnswer>

/**
 * `b` pins repository packages with `==`; each pin must name the version being built now
 * (when that package is part of this build) or one the index already has.
 */
export async function verifyInternalPins(
  built: readonly BuiltPackage[],
  repoVersions: ReadonlyMap<string, { name: string; version?: string; building: boolean }>,
  indexUrl: string,
  /** Asks the index (package-index.ts through the run's Http; a test gives its own answers). */
  lookup: Lookup
): Promise<PinCheck> {
  const result: PinCheck = { findings: [], unreachable: [], queried: [] }
  const cache = new Map<string, Promise<IndexAnswer>>()
  const ask = (name: string): Promise<IndexAnswer> => {
    if (!cache.has(name)) {
      result.queried.push(name)
      cache.set(name, lookup(name))
    }
    return cache.get(name)!
  }
  for (const b of built.filter((x) => x.selected)) {
    const meta = b.wheel?.metadata ?? b.sdist?.metadata
    if (!meta) continue
    for (const pin of pinsIn(fields(meta, 'Requires-Dist'))) {
      const target = repoVersions.get(pin.id)
      if (!target) continue
      if (target.building && target.version && sameVersion(target.version, pin.version)) continue
      const answer = await ask(target.name)
      const base = { tool: 'versions', package: b.pkg.id, file: pyprojectOf(b.pkg) }
      if (!answer.ok && !answer.notFound) {
        result.unreachable.push(answer.error)
        result.findings.push({
          ...base,
          severity: 'warning',
          message: `${b.pkg.name} pins "${pin.requirement}"${target.building ? ` while ${target.version} is being built` : ''}; whether ${pin.version} is published could not be checked: ${answer.error}.`
        })
        continue
      }
      const published = answer.ok && answer.versions.some((v) => sameVersion(v, pin.version))
      if (published) continue
      result.findings.push({
        ...base,
        severity: 'error',
        message:
          `${b.pkg.name} pins "${pin.requirement}", but ${target.name} ${pin.version} is neither being built now` +
          `${target.building && target.version ? ` (this build makes ${target.version})` : ''} nor published on ${indexUrl}. ` +
          `Pin ${target.name}==${target.version ?? '<its version>'} or release ${pin.version} first.`
      })
    }
  }
  return result
}
