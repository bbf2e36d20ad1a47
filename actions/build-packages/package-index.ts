/**
 * Which versions a package index holds, from the simple repository API in its JSON form
 * (PEP 691; `versions` is PEP 700), falling back to the file names it lists.
 */
import { normalizeName } from '../../packages-shared/names.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { errorMessage } from '../../packages-shared/errors.js'
import { redactUrl, splitUrlCredentials } from '../../packages-shared/secrets.js'

export type IndexAnswer = { ok: true; versions: string[] } | { ok: false; notFound: boolean; error: string }

export function projectUrl(indexUrl: string, name: string): string {
  return `${indexUrl.replace(/\/+$/, '')}/${normalizeName(name)}/`
}

interface SimpleJson {
  versions?: unknown
  files?: { filename?: unknown }[]
}

export async function indexVersions(indexUrl: string, name: string, timeoutMs = 15_000): Promise<IndexAnswer> {
  // fetch refuses a URL with credentials: they travel in the Authorization header, and messages name the URL without them.
  const { url: bare, authorization } = splitUrlCredentials(projectUrl(indexUrl, name))
  const url = redactUrl(projectUrl(indexUrl, name))
  try {
    const res = await fetch(bare, {
      headers: { Accept: 'application/vnd.pypi.simple.v1+json', ...(authorization ? { Authorization: authorization } : {}) },
      signal: AbortSignal.timeout(timeoutMs)
    })
    if (res.status === 404) return { ok: false, notFound: true, error: `${url} answered 404: the index has no such project` }
    if (!res.ok) return { ok: false, notFound: false, error: `${url} answered ${res.status} ${res.statusText}` }
    const type = res.headers.get('content-type') ?? ''
    const body = await res.text()
    if (!type.includes('json')) {
      // An index that only speaks HTML (PEP 503): read the anchors' file names.
      const names = [...body.matchAll(/<a[^>]*>([^<]+)<\/a>/gi)].map((m) => m[1]!.trim())
      return { ok: true, versions: versionsInFiles(name, names) }
    }
    const data = JSON.parse(body) as SimpleJson
    if (Array.isArray(data.versions)) return { ok: true, versions: data.versions.filter((v): v is string => typeof v === 'string') }
    const names = (data.files ?? []).map((f) => f.filename).filter((f): f is string => typeof f === 'string')
    return { ok: true, versions: versionsInFiles(name, names) }
  } catch (error) {
    return { ok: false, notFound: false, error: `${url} could not be reached: ${errorMessage(error)}` }
  }
}
