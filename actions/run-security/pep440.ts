/**
 * PEP 440 version ordering, enough to place a pinned version inside OSV ECOSYSTEM ranges:
 * epoch, release, pre (a/b/rc), post, dev and local, with the usual normalisations
 * (`1.0RC1` = `1.0rc1`, `1.0-post1` = `1.0.post1`, `v1.0` = `1.0`).
 */
export interface ParsedVersion {
  epoch: number
  release: number[]
  pre?: [number, number]
  post?: number
  dev?: number
  local: string
}

const PATTERN =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 }

export function parseVersion(text: string): ParsedVersion | undefined {
  const m = PATTERN.exec(text.trim())
  if (!m) return undefined
  return {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2]!.split('.').map(Number),
    pre: m[3] ? [PRE_RANK[m[3].toLowerCase()]!, Number(m[4] || 0)] : undefined,
    post: m[5] !== undefined ? Number(m[5]) : m[6] ? Number(m[7] || 0) : undefined,
    dev: m[8] ? Number(m[9] || 0) : undefined,
    local: m[10] ?? ''
  }
}

function compareRelease(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

// Sort keys as in packaging's _cmpkey: a dev-only release sorts before its pre-releases,
// a missing post before any post, a missing dev after any dev.
function preKey(v: ParsedVersion): number[] {
  if (!v.pre && v.post === undefined && v.dev !== undefined) return [-Infinity]
  return v.pre ? [v.pre[0], v.pre[1]] : [Infinity]
}

function cmpArrays(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -Infinity) - (b[i] ?? -Infinity)
    if (d !== 0 && !Number.isNaN(d)) return Math.sign(d)
  }
  return 0
}

/** Negative, zero or positive as a < b, a == b, a > b; undefined when either is not PEP 440. */
export function compareVersions(a: string, b: string): number | undefined {
  const va = parseVersion(a)
  const vb = parseVersion(b)
  if (!va || !vb) return undefined
  return (
    Math.sign(va.epoch - vb.epoch) ||
    compareRelease(va.release, vb.release) ||
    cmpArrays(preKey(va), preKey(vb)) ||
    cmpArrays([va.post ?? -Infinity], [vb.post ?? -Infinity]) ||
    cmpArrays([va.dev ?? Infinity], [vb.dev ?? Infinity]) ||
    va.local.localeCompare(vb.local)
  )
}
