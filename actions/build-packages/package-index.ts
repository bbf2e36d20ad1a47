/** Which versions a package index holds: the file names its project page lists (packages-shared/pypa/simple-index.ts). */
import type { Http } from '../../packages-shared/github/http.js'
import { fetchProjectPage } from '../../packages-shared/pypa/simple-index.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { errorMessage } from '../../packages-shared/errors.js'
import { redactUrl } from '../../packages-shared/secrets.js'

export type IndexAnswer = { ok: true; versions: string[] } | { ok: false; notFound: boolean; error: string }

export async function indexVersions(http: Http, indexUrl: string, name: string, timeoutMs = 15_000): Promise<IndexAnswer> {
  const page = await fetchProjectPage(http, indexUrl, name, { timeoutMs })
  const url = redactUrl(page.url)
  switch (page.kind) {
    case 'files':
      return { ok: true, versions: versionsInFiles(name, [...page.files.keys()]) }
    case 'absent':
      return { ok: false, notFound: true, error: `${url} answered ${page.status}: the index has no such project` }
    case 'status':
      return { ok: false, notFound: false, error: `${url} answered ${page.status} ${page.statusText}` }
    case 'unreachable':
      return { ok: false, notFound: false, error: `${url} could not be reached: ${errorMessage(page.error)}` }
    case 'unreadable':
      return { ok: false, notFound: false, error: `${url} could not be reached: ${page.error}` }
  }
}
