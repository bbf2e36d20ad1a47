/**
 * Versions build-packages reads: the version a release tag names and `==` pins between
 * the repository's own packages (PEP 440 itself is packages-shared/pypa/versions.ts).
 */
import { normalizeName } from '../../packages-shared/names.js'
import { versionKey } from '../../packages-shared/pypa/versions.js'

/** `refs/tags/v1.2.3` (or `1.2.3`, `v1.2.3rc1`) → `1.2.3`; undefined for branches or other tags. */
export function versionFromRef(ref: string | undefined): string | undefined {
  const m = /^refs\/tags\/v?(\d+(?:\.\d+)*[0-9A-Za-z.+_-]*)$/.exec(ref ?? '')
  return m && versionKey(m[1]!) !== undefined ? m[1] : undefined
}

export interface Pin {
  /** Normalised name of the pinned package. */
  id: string
  version: string
  requirement: string
}

/** `==X` pins in requirement strings (wildcards `==1.*` are ranges, not pins). */
export function pinsIn(requirements: readonly string[]): Pin[] {
  const out: Pin[] = []
  for (const requirement of requirements) {
    // Older metadata (Poetry's) wraps the specifiers in parentheses: `lib (==2.0)`.
    const spec = requirement.split(';')[0]!.replace(/[()]/g, ' ')
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^@]*)$/.exec(spec)
    if (!m) continue
    for (const clause of m[2]!.split(',')) {
      const pin = /^\s*={2,3}\s*([^\s*]+)\s*$/.exec(clause)
      if (pin) out.push({ id: normalizeName(m[1]!), version: pin[1]!, requirement: requirement.trim() })
    }
  }
  return out
}
