/** Which versions a package index holds: the file names its project page lists (packages-shared/pypa/simple-index.ts). */
import type { Http } from '../../packages-shared/github/http.js'
import { PROJECT_PAGE_ACCEPT, parseProjectPage, projectUrl } from '../../packages-shared/pypa/simple-index.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { errorMessage } from '../../packages-shared/errors.js'
import { redactUrl, splitUrlCredentials } from '../../packages-shared/secrets.js'

export type IndexAnswer = { ok: true; versions: string[] } | { ok: false; notFound: boolean; error: string }

export async function indexVersions(http: Http, indexUrl: string, name: string, timeoutMs = 15_000): Promise<IndexAnswer> {
  // fetch refuses a URL with credentials: they travel in the Authorization header, and messages name the URL without them.
  const { url: bare, authorization } = splitUrlCredentials(projectUrl(indexUrl, name))
  const url = redactUrl(projectUrl(indexUrl, name))
  try {
    const res = await http(bare, {
      headers: { Accept: PROJECT_PAGE_ACCEPT, ...(authorization ? { Authorization: authorization } : {}) },
      signal: AbortSignal.timeout(timeoutMs)
    })
    if (res.status === 404) return { ok: false, notFound: true, error: `${url} answered 404: the index has no such project` }
    if (!res.ok) return { ok: false, notFound: false, error: `${url} answered ${res.status} ${res.statusText}` }
    const files = parseProjectPage(await res.text(), res.headers.get('content-type') ?? '')
    return { ok: true, versions: versionsInFiles(name, [...files.keys()]) }
  } catch (error) {
    return { ok: false, notFound: false, error: `${url} could not be reached: ${errorMessage(error)}` }
  }
}
