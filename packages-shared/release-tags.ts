/**
 * Release tags: `tag-format` with `{name}` (the package's name as declared) and
 * `{version}`, rendered for a new release and read back to find each package's last one.
 */
import { UserError } from './errors.js'
import type { Exec } from './exec.js'
import { normalizeName } from './names.js'
import { compareVersions, isValidVersion } from './pypa/versions.js'
import { escapeRegExp } from './regexp.js'

export const DEFAULT_TAG_FORMAT = '{name}-v{version}'
export const DEFAULT_LOCKSTEP_TAG_FORMAT = 'v{version}'

/** Checks a format once, when the inputs are read: it must name the version, and the package unless one tag covers all. */
export function checkTagFormat(format: string, lockstep: boolean): string {
  const fix = `Use e.g. '${DEFAULT_TAG_FORMAT}' (one tag per package) or '${DEFAULT_LOCKSTEP_TAG_FORMAT}' (lockstep).`
  if (!format.includes('{version}')) throw new UserError(`Input 'tag-format' is ${JSON.stringify(format)}, which lacks {version}. ${fix}`)
  if (!lockstep && !format.includes('{name}')) {
    throw new UserError(
      `Input 'tag-format' is ${JSON.stringify(format)}, which lacks {name}: with 'versioning: independent' each package needs a tag of its own. ${fix}`
    )
  }
  const leftover = format.replace(/\{name\}|\{version\}/g, '')
  if (/[{}\s~^:?*[\\]|\.\.|@\{/.test(leftover)) {
    throw new UserError(
      `Input 'tag-format' is ${JSON.stringify(format)}: only {name} and {version} may stand in braces, and a git tag cannot hold spaces, ~ ^ : ? * [ \\ or '..'. ${fix}`
    )
  }
  return format
}

export function renderTag(format: string, name: string, version: string): string {
  return format.replace(/\{name\}/g, name).replace(/\{version\}/g, version)
}

/**
 * The format as an anchored pattern, `{name}` standing for `name` (a pattern source). A
 * placeholder given twice must repeat what it matched first (a backreference), and a
 * regular expression cannot name two groups alike.
 */
function formatPattern(format: string, name: string): RegExp {
  const seen = new Set<string>()
  const group = (key: string, source: string): string => {
    if (seen.has(key)) return `\\k<${key}>`
    seen.add(key)
    return `(?<${key}>${source})`
  }
  const source = format
    .split(/(\{name\}|\{version\})/)
    .map((p) => (p === '{name}' ? group('name', name) : p === '{version}' ? group('version', '[0-9][0-9A-Za-z.+!_-]*') : escapeRegExp(p)))
    .join('')
  return new RegExp(`^${source}$`)
}

/**
 * The name in every PEP 503 spelling: any case, and any run of `-`, `_`, `.` between its
 * parts. Matching this package's name itself (rather than any name, then comparing) keeps
 * a name that looks like a version apart: `foo-v2`'s tag `foo-v2-v1.0.0` is not `foo`'s.
 */
function nameSpellings(name: string): string {
  const letters = (part: string): string => [...part].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : escapeRegExp(c))).join('')
  return normalizeName(name).split('-').map(letters).join('[-_.]+')
}

/**
 * The version a tag names for the package, or undefined when the tag is another package's
 * (or names no PEP 440 version). The name matches in any PEP 503 spelling, so `Foo_Bar-v1.0`
 * is foo-bar's; a format without `{name}` (lockstep) names every package's version.
 */
export function tagVersion(format: string, name: string, tag: string): string | undefined {
  const version = formatPattern(format, nameSpellings(name)).exec(tag)?.groups?.version
  return version !== undefined && isValidVersion(version) ? version : undefined
}

/**
 * What a tag of the format says without knowing the packages: the name as written (none
 * for a lockstep format) and the version. The name takes as much as it can, so versions
 * never swallow a `-v`: `foo-v2-v1.0.0` reads as foo-v2 1.0.0.
 */
export function tagParts(format: string, tag: string): { name?: string; version: string } | undefined {
  const groups = formatPattern(format, '[A-Za-z0-9._-]+').exec(tag)?.groups
  if (!groups?.version || !isValidVersion(groups.version)) return undefined
  return groups.name !== undefined ? { name: groups.name, version: groups.version } : { version: groups.version }
}

/** The highest version among the tags that belong to the package, with its tag. */
export function lastTag(format: string, name: string, tags: readonly string[]): { tag: string; version: string } | undefined {
  let best: { tag: string; version: string } | undefined
  for (const tag of tags) {
    const version = tagVersion(format, name, tag)
    if (version && (!best || (compareVersions(version, best.version) ?? 0) > 0)) best = { tag, version }
  }
  return best
}

/** The tags on the commit checked out in `cwd` (`git tag --points-at HEAD`), or why git could not list them. */
export async function tagsAtHead(
  exec: Exec,
  cwd: string
): Promise<{ tags: string[]; problem?: undefined } | { tags?: undefined; problem: string }> {
  const r = await exec({ argv: ['git', 'tag', '--points-at', 'HEAD'], cwd, timeoutMs: 60_000 })
  if (r.exitCode !== 0) return { problem: (r.spawnError ?? r.stderr).trim().split('\n')[0] || `git exited with ${r.exitCode}` }
  return {
    tags: r.stdout
      .split('\n')
      .map((t) => t.trim())
      .filter(Boolean)
  }
}
