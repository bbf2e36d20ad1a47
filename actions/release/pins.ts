/**
 * A dependent's requirement on a package being released: whether the new version is still
 * inside it, and the requirement rewritten when it is not. The rewrite keeps the shape the
 * project wrote (`==`, `~=`, ranges, Poetry's `^` and `~`) and moves it to the new version:
 * lower bounds and pins to the new version, upper bounds to the next version that may break
 * it (`>=1.0,<2` with 2.1.0 → `>=2.1.0,<3`).
 */
import { UserError } from '../../packages-shared/errors.js'
import { normalizeName } from '../../packages-shared/names.js'
import { isValidSpecifier, versionSatisfies } from '../../packages-shared/pypa/versions.js'
import { nextBreaking } from './bump.js'

/** A PEP 508 requirement cut into the part before the specifiers, the specifiers, and the rest (URL or marker). */
export interface RequirementParts {
  id: string
  head: string
  specifier: string
  tail: string
}

const REQUIREMENT = /^(\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*)(\(?[^;@()]*\)?)(\s*(?:[;@][\s\S]*)?)$/

export function splitRequirement(requirement: string): RequirementParts | undefined {
  const m = REQUIREMENT.exec(requirement)
  if (!m) return undefined
  return { id: normalizeName(m[2]!), head: m[1]!, specifier: m[3]!, tail: m[4]! }
}

/** Poetry's `^1.2` and `~1.2` as PEP 440 ranges, so both spellings are checked the same way. */
export function poetryToPep440(constraint: string): string {
  return constraint
    .split(',')
    .map((clause) => {
      const c = clause.trim()
      const caret = /^\^\s*(\S+)$/.exec(c)
      if (caret) return `>=${caret[1]},<${nextBreaking(caret[1]!)}`
      const tilde = /^~(?!=)\s*(\S+)$/.exec(c)
      if (tilde) {
        const parts = tilde[1]!.split('.')
        const upper = parts.length >= 2 ? `${parts[0]}.${Number(parts[1]) + 1}` : `${Number(parts[0]) + 1}`
        return `>=${tilde[1]},<${upper}`
      }
      if (c === '*' || c === '') return ''
      return /^\d/.test(c) ? `==${c}` : c
    })
    .filter(Boolean)
    .join(',')
}

/** Whether `version` satisfies a specifier written the PEP 440 way or Poetry's way; an empty one always does. */
export function specifierAllows(specifier: string, version: string): boolean {
  const spec = poetryToPep440(specifier.replace(/[()]/g, '').trim())
  if (spec === '') return true
  if (!isValidSpecifier(spec)) return false
  return versionSatisfies(version, spec)
}

function keepPrecision(version: string, like: string): string {
  const n = like.split('.').length
  const parts = version.split(/[^0-9.]/)[0]!.split('.')
  while (parts.length < n) parts.push('0')
  return parts.slice(0, Math.max(n, 2)).join('.')
}

function rewriteClause(clause: string, version: string): string | undefined {
  const m = /^\s*(===|==|~=|!=|<=|>=|<|>|\^|~)?\s*(\S+?)\s*$/.exec(clause)
  if (!m) return clause
  const op = m[1] ?? ''
  const value = m[2]!
  switch (op) {
    case '==':
    case '===':
      return value.endsWith('.*') ? `==${keepPrecision(version, value.slice(0, -2))}.*` : `${op}${version}`
    case '':
      // Poetry's bare `1.2.3` is an exact pin.
      return version
    case '~=':
      return `~=${keepPrecision(version, value)}`
    case '>=':
    case '>':
      return `>=${version}`
    case '<':
    case '<=':
      return `<${nextBreaking(version)}`
    case '!=':
      return undefined
    case '^':
    case '~':
      return `${op}${version}`
    default:
      return clause
  }
}

/**
 * The specifier moved to `version`, in the form it was written in, or undefined when the
 * version is already inside it. Throws when no rewrite of that shape holds the version.
 */
export function rewriteSpecifier(specifier: string, version: string, what: string): string | undefined {
  if (specifierAllows(specifier, version)) return undefined
  const wrapped = /^\s*\(.*\)\s*$/.test(specifier)
  const inner = specifier.trim().replace(/^\(|\)$/g, '')
  const clauses = inner
    .split(',')
    .map((c) => rewriteClause(c, version))
    .filter((c): c is string => c !== undefined && c !== '')
  let next = clauses.join(',')
  if (next === '') next = `>=${version}`
  if (!specifierAllows(next, version)) {
    throw new UserError(
      `${what} requires ${JSON.stringify(specifier.trim())}, which ${version} falls outside, and dk-actions found no rewrite of that form that holds it. ` +
        `Widen the requirement by hand (e.g. '>=${version}'), then run the release again.`
    )
  }
  return wrapped ? `(${next})` : next
}

/** A PEP 508 requirement string on `id` rewritten for `version`; undefined when it is not on `id` or still holds. */
export function rewriteRequirement(requirement: string, id: string, version: string, what: string): string | undefined {
  const parts = splitRequirement(requirement)
  if (!parts || parts.id !== id) return undefined
  // A direct reference (`pkg @ file:../pkg`) names no version to move.
  if (parts.tail.trimStart().startsWith('@')) return undefined
  const spec = rewriteSpecifier(parts.specifier, version, what)
  if (spec === undefined) return undefined
  return `${parts.head}${spec}${parts.tail}`
}
