/**
 * PEP 440 versions, the one place dk-actions reads them: validity, order, equality and
 * the canonical spelling, all from @renovatebot/pep440 (a port of packaging's rules), so
 * `1.0+10` sorts above `1.0+9`, `0!1.0` equals `1.0`, and `1.0.0-RC1` equals `1.0rc1`.
 */
import { compare, explain, satisfies, valid, validRange } from '@renovatebot/pep440'

export function isValidVersion(version: string): boolean {
  return valid(version.trim()) !== null
}

/** Negative, zero or positive as a < b, a == b, a > b; undefined when either is not PEP 440. */
export function compareVersions(a: string, b: string): number | undefined {
  if (!isValidVersion(a) || !isValidVersion(b)) return undefined
  return Math.sign(compare(a.trim(), b.trim()))
}

/**
 * The canonical form, one string per version (trailing release zeros dropped, so `1.0`
 * and `1.0.0` share it): a key for sets and maps. Undefined when it is not PEP 440.
 */
export function versionKey(version: string): string | undefined {
  const v = explain(version.trim())
  if (!v) return undefined
  const release = [...v.release]
  while (release.length > 1 && release[release.length - 1] === 0) release.pop()
  let key = `${v.epoch ? `${v.epoch}!` : ''}${release.join('.')}`
  if (v.pre) key += `${v.pre[0]}${v.pre[1]}`
  if (v.post !== null) key += `.post${v.post}`
  if (v.dev !== null) key += `.dev${v.dev}`
  if (v.local) key += `+${v.local}`
  return key
}

/** A pre-release or development release (`2.0.0rc1`, `2.0.0.dev3`), as pip treats them. */
export function isPrerelease(version: string): boolean {
  const v = explain(version.trim())
  return !!v && (v.pre !== null || v.dev !== null)
}

/** versionKey, or the string as written (trimmed, lower-case) when it is not PEP 440: a key for any version a file states. */
export function canonicalVersion(version: string): string {
  return versionKey(version) ?? version.trim().toLowerCase()
}

/** PEP 440 equality; a string that is not a version equals only its own spelling. */
export function sameVersion(a: string, b: string): boolean {
  return canonicalVersion(a) === canonicalVersion(b)
}

export function isValidSpecifier(specifier: string): boolean {
  return Boolean(validRange(specifier))
}

/** Whether `version` is inside a PEP 440 specifier set (`>=1.0,<2`); `prereleases` admits them as packaging's `contains` does. */
export function versionSatisfies(version: string, specifier: string, options: { prereleases?: boolean } = {}): boolean {
  return satisfies(version.trim(), specifier, options)
}
