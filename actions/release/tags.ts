/**
 * Release tags: `tag-format` with `{name}` (the package's name as declared) and
 * `{version}`, rendered for a new release and read back to find each package's last one.
 */
import { UserError } from '../../packages-shared/errors.js'
import { normalizeName } from '../../packages-shared/names.js'
import { compareVersions, isValidVersion } from '../../packages-shared/pypa/versions.js'

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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The version a tag names for the package, or undefined when the tag is another package's.
 * The name matches in any PEP 503 spelling, so `Foo_Bar-v1.0` is foo-bar's.
 */
export function tagVersion(format: string, name: string, tag: string): string | undefined {
  const parts = format.split(/(\{name\}|\{version\})/)
  const pattern = parts
    .map((p) => (p === '{name}' ? '(?<name>[A-Za-z0-9._-]+?)' : p === '{version}' ? '(?<version>[0-9][0-9A-Za-z.+!_-]*)' : escapeRegExp(p)))
    .join('')
  const m = new RegExp(`^${pattern}$`).exec(tag)
  if (!m?.groups) return undefined
  if (m.groups.name !== undefined && normalizeName(m.groups.name) !== normalizeName(name)) return undefined
  const version = m.groups.version!
  return isValidVersion(version) ? version : undefined
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
