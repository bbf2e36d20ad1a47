/** New versions: a bump level applied to a PEP 440 version, or an explicit version checked against the current one. */
import { inc } from '@renovatebot/pep440'
import { UserError } from '../../packages-shared/errors.js'
import { compareVersions, isValidVersion } from '../../packages-shared/pypa/versions.js'
import type { BumpLevel } from './conventional.js'

/**
 * `1.4.2` + minor → `1.5.0`. A pre-release bumps to its release where that is enough
 * (`2.0.0rc1` + major → `2.0.0`), as packaging's rules order them. The release keeps the
 * segments it had, with the ones a patch needs added (`1.0` + minor → `1.1`, + patch → `1.0.1`).
 */
export function bumpVersion(version: string, level: BumpLevel): string {
  const next = inc(version.trim(), level)
  if (!next)
    throw new UserError(
      `The version ${JSON.stringify(version)} is not a PEP 440 version, so it cannot be bumped: fix it in the package's metadata.`
    )
  return next
}

/** The major release number (`0` for 0.x): the pre-1.0 rules turn on it. */
export function majorOf(version: string): number {
  const m = /^\s*(?:\d+!)?(\d+)/.exec(version)
  return m ? Number(m[1]) : 0
}

/** An explicit target version: valid PEP 440 and above the current one. */
export function explicitVersion(target: string, current: string, pkg: string): string {
  if (!isValidVersion(target)) {
    throw new UserError(
      `Input 'bump' is ${JSON.stringify(target)}, which is neither patch, minor, major nor a PEP 440 version. Use one of those, e.g. 'minor' or '2.0.0'.`
    )
  }
  const order = compareVersions(target, current)
  if (order === undefined || order <= 0) {
    throw new UserError(
      `Input 'bump' asks for version ${target} of ${pkg}, which is not above its current version ${current}. ` +
        'A release must raise the version: give a higher one, or a bump level.'
    )
  }
  return target
}

/**
 * The bound a rewritten requirement caps at: the next version that may break the new one
 * (`2.3.0` → `3`, `0.4.1` → `0.5`), as a caret range reads it.
 */
export function nextBreaking(version: string): string {
  const m = /^\s*(?:\d+!)?(\d+)(?:\.(\d+))?/.exec(version)
  const major = Number(m?.[1] ?? 0)
  const minor = Number(m?.[2] ?? 0)
  return major > 0 ? `${major + 1}` : `0.${minor + 1}`
}
