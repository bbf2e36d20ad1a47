/**
 * Asks a package index directly whether a release is listed: GET `<index>/<name>/`
 * (PEP 691 JSON or PEP 503 HTML) with caches told to revalidate. This tells "not listed
 * yet" in one request, without a resolver run, and tells an unreachable index from a
 * missing release (pip reports both as "no matching distribution").
 */
import type { Http } from '../../packages-shared/github/http.js'
import { PROJECT_PAGE_ACCEPT, parseProjectPage, projectUrl } from '../../packages-shared/pypa/simple-index.js'
import { sameVersion } from '../../packages-shared/pypa/versions.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { splitUrlCredentials } from '../../packages-shared/secrets.js'

export type ListingState = 'listed' | 'not-listed' | 'unknown'

export interface Listing {
  state: ListingState
  /** Versions the index lists for the project (from file names), when it answered. */
  versions: string[]
  /** Why the state is unknown (HTTP status, network error). */
  reason?: string
}

export async function probeIndex(http: Http, index: string, name: string, version: string, timeoutMs = 15_000): Promise<Listing> {
  // fetch refuses a URL with credentials: they travel in the Authorization header instead.
  const { url, authorization } = splitUrlCredentials(projectUrl(index, name))
  let response: Response
  try {
    response = await http(url, {
      headers: { Accept: PROJECT_PAGE_ACCEPT, 'Cache-Control': 'no-cache', Pragma: 'no-cache', ...(authorization ? { Authorization: authorization } : {}) },
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
    files = [...parseProjectPage(body, response.headers.get('content-type') ?? '').keys()]
  } catch (error) {
    return { state: 'unknown', versions: [], reason: `unreadable project page: ${(error as Error).message}` }
  }
  const versions = versionsInFiles(name, files)
  return { state: versions.some((v) => sameVersion(v, version)) ? 'listed' : 'not-listed', versions }
}
