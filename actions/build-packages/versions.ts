/**
 * Versions: PEP 440 comparison keys (so `1.0` equals `1.0.0` and `1.0.0-RC1` equals
 * `1.0.0rc1`), the version a release tag names, and `==` pins between the repository's
 * own packages.
 */
import { normalizeName } from '../../packages-shared/names.js'

const PRE: Record<string, string> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' }
const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/

/** The canonical form used to compare versions; undefined when the string is not PEP 440. */
export function versionKey(version: string): string | undefined {
  const m = PEP440.exec(version.trim().toLowerCase())
  if (!m) return undefined
  const release = m[2]!.split('.').map((n) => String(Number(n)))
  while (release.length > 1 && release[release.length - 1] === '0') release.pop()
  let key = `${m[1] ? `${Number(m[1])}!` : ''}${release.join('.')}`
  if (m[3]) key += `${PRE[m[3]]}${Number(m[4] ?? 0)}`
  if (m[5] !== undefined) key += `.post${Number(m[5])}`
  else if (m[6]) key += `.post${Number(m[7] ?? 0)}`
  if (m[8]) key += `.dev${Number(m[9] ?? 0)}`
  if (m[10]) key += `+${m[10].replace(/[-_]/g, '.')}`
  return key
}

export function sameVersion(a: string, b: string): boolean {
  const ka = versionKey(a)
  const kb = versionKey(b)
  return ka !== undefined && kb !== undefined ? ka === kb : a.trim() === b.trim()
}

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
