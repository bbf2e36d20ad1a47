/**
 * Asks a package index directly whether a release is listed: GET `<index>/<name>/`
 * (PEP 691 JSON or PEP 503 HTML) with caches told to revalidate. This tells "not listed
 * yet" in one request, without a resolver run, and tells an unreachable index from a
 * missing release (pip reports both as "no matching distribution").
 */
import type { Http } from '../../packages-shared/github/http.js'
import { fetchProjectPage } from '../../packages-shared/pypa/simple-index.js'
import { sameVersion } from '../../packages-shared/pypa/versions.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'

export type ListingState = 'listed' | 'not-listed' | 'unknown'

export interface Listing {
  state: ListingState
  /** Versions the index lists for the project (from file names), when it answered. */
  versions: string[]
  /** Why the state is unknown (HTTP status, network error). */
  reason?: string
}

export async function probeIndex(http: Http, index: string, name: string, version: string, timeoutMs = 15_000): Promise<Listing> {
  const page = await fetchProjectPage(http, index, name, { timeoutMs, fresh: true })
  switch (page.kind) {
    case 'unreachable': {
      const error = page.error as { message?: string; cause?: { code?: string; message?: string } }
      return { state: 'unknown', versions: [], reason: error.cause?.code ?? error.cause?.message ?? error.message ?? String(page.error) }
    }
    // A project that has never been uploaded is a 404 on every index we know.
    case 'absent':
      return { state: 'not-listed', versions: [] }
    case 'status':
      return { state: 'unknown', versions: [], reason: `HTTP ${page.status}` }
    case 'unreadable':
      return { state: 'unknown', versions: [], reason: `unreadable project page: ${page.error}` }
    case 'files': {
      const versions = versionsInFiles(name, [...page.files.keys()])
      return { state: versions.some((v) => sameVersion(v, version)) ? 'listed' : 'not-listed', versions }
    }
  }
}
