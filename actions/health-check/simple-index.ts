/**
 * Asks a package index directly whether a release is listed: GET `<index>/<name>/`
 * (PEP 691 JSON or PEP 503 HTML) with caches told to revalidate. This tells "not listed
 * yet" in one request, without a resolver run, and tells an unreachable index from a
 * missing release (pip reports both as "no matching distribution").
 */
import { fileSafeName, normalizeName } from '../../packages-shared/names.js'
import { splitUrlCredentials } from '../../packages-shared/secrets.js'

export type ListingState = 'listed' | 'not-listed' | 'unknown'

export interface Listing {
  state: ListingState
  /** Versions the index lists for the project (from file names), when it answered. */
  versions: string[]
  /** Why the state is unknown (HTTP status, network error). */
  reason?: string
}

const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01'

export function projectUrl(index: string, name: string): string {
  return `${index.replace(/\/+$/, '')}/${normalizeName(name)}/`
}

/** File names of a simple-index project page, HTML (PEP 503) or JSON (PEP 691). */
export function parseProjectPage(body: string, contentType: string): string[] {
  if (/json/i.test(contentType)) {
    const data = JSON.parse(body) as { files?: { filename?: unknown }[] }
    return (data.files ?? []).map((f) => f.filename).filter((f): f is string => typeof f === 'string')
  }
  const names: string[] = []
  for (const m of body.matchAll(/<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>/gi)) {
    const href = m[1]!.split('#')[0]!.split('?')[0]!
    const file = decodeURIComponent(href.slice(href.lastIndexOf('/') + 1))
    if (file) names.push(file)
  }
  return names
}

/** The version in a wheel or sdist file name of project `name`, or undefined. */
export function fileVersion(file: string, name: string): string | undefined {
  const lower = file.toLowerCase()
  // Wheels use the underscore form; older sdists keep the project's own spelling.
  for (const prefix of new Set([fileSafeName(name), normalizeName(name), name.toLowerCase()])) {
    if (!lower.startsWith(`${prefix}-`)) continue
    const rest = file.slice(prefix.length + 1)
    if (lower.endsWith('.whl')) return rest.split('-')[0]
    const sdist = /^(.+?)\.(tar\.gz|zip|tar\.bz2|tgz)$/i.exec(rest)
    if (sdist) return sdist[1]
  }
  return undefined
}

/**
 * A comparable form of a PEP 440 version: the release is zero-padded by the spec (`1.0`
 * equals `1.0.0`), so trailing zeros go; spellings of pre, post and dev tags are
 * normalised (`1.0-RC1` equals `1.0rc1`). Unparseable versions compare as written.
 */
export function versionKey(version: string): string {
  let v = version.trim().toLowerCase().replace(/^v/, '')
  const head = /^(?:(\d+)!)?(\d+(?:\.\d+)*)/.exec(v)
  if (!head) return v
  const release = head[2]!.split('.').map((n) => String(Number(n)))
  while (release.length > 1 && release[release.length - 1] === '0') release.pop()
  let key = `${head[1] && Number(head[1]) !== 0 ? `${Number(head[1])}!` : ''}${release.join('.')}`
  v = v.slice(head[0].length)
  const pre = /^[._-]?(alpha|a|beta|b|preview|pre|rc|c)[._-]?(\d*)/.exec(v)
  if (pre) {
    const tag = { alpha: 'a', a: 'a', beta: 'b', b: 'b' }[pre[1]!] ?? 'rc'
    key += `${tag}${Number(pre[2] || 0)}`
    v = v.slice(pre[0].length)
  }
  const post = /^(?:[._-]?(?:post|rev|r)[._-]?(\d*)|-(\d+))/.exec(v)
  if (post) {
    key += `.post${Number(post[1] || post[2] || 0)}`
    v = v.slice(post[0].length)
  }
  const dev = /^[._-]?dev[._-]?(\d*)/.exec(v)
  if (dev) {
    key += `.dev${Number(dev[1] || 0)}`
    v = v.slice(dev[0].length)
  }
  return key + v.replace(/[-_]/g, '.')
}

export async function probeIndex(index: string, name: string, version: string, timeoutMs = 15_000): Promise<Listing> {
  // fetch refuses a URL with credentials: they travel in the Authorization header instead.
  const { url, authorization } = splitUrlCredentials(projectUrl(index, name))
  let response: Response
  try {
    response = await fetch(url, {
      headers: { Accept: ACCEPT, 'Cache-Control': 'no-cache', Pragma: 'no-cache', ...(authorization ? { Authorization: authorization } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow'
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return { state: 'unknown', versions: [], reason: cause?.code ?? cause?.message ?? (error as Error).message }
  }
  const body = await response.text()
  // A project that has never been uploaded is a 404 on every index we know.
  if (response.status === 404) return { state: 'not-listed', versions: [] }
  if (!response.ok) return { state: 'unknown', versions: [], reason: `HTTP ${response.status}` }
  let files: string[]
  try {
    files = parseProjectPage(body, response.headers.get('content-type') ?? '')
  } catch (error) {
    return { state: 'unknown', versions: [], reason: `unreadable project page: ${(error as Error).message}` }
  }
  const versions = [...new Set(files.map((f) => fileVersion(f, name)).filter((v): v is string => v !== undefined))]
  const want = versionKey(version)
  return { state: versions.some((v) => versionKey(v) === want) ? 'listed' : 'not-listed', versions }
}
