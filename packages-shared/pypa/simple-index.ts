/**
 * The simple repository API, read one way by every action: the project page's URL, what
 * to ask for (PEP 691 JSON first, then PEP 503 HTML, which pypiserver, devpi and
 * Artifactory serve), and the files it lists with their sha256 (JSON `hashes`, or the URL's
 * `#sha256=` fragment) and where to download them (relative to the page, as both PEPs say).
 */
import type { Http } from '../github/http.js'
import { normalizeName } from '../names.js'
import { basicAuthorization, splitUrlCredentials } from '../secrets.js'

/** `<index>/<normalized name>/`, whatever the index URL's trailing slashes. */
export function projectUrl(indexUrl: string, name: string): string {
  return `${indexUrl.replace(/\/+$/, '')}/${normalizeName(name)}/`
}

export interface IndexFile {
  filename: string
  sha256?: string
  /** The file's URL without its fragment, made absolute when the page's own URL was given. */
  url?: string
}

export type ProjectFiles = Map<string, IndexFile>

/** What the clients ask for: PEP 691 JSON first, then PEP 503 HTML. */
export const PROJECT_PAGE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01'

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

/** A link of a page as an absolute URL without its fragment; as given when there is no base or it does not resolve. */
function fileUrl(href: string, base: string | undefined): string {
  try {
    const url = new URL(href, base)
    url.hash = ''
    return url.href
  } catch {
    return href.split('#')[0]!
  }
}

function filenameFromUrl(href: string): string {
  const clean = href.split('#')[0]!.split('?')[0]!
  return decodeURIComponent(clean.slice(clean.lastIndexOf('/') + 1))
}

/** PEP 503: every anchor is a file; its text (or URL) is the file name, its fragment the hash. */
export function parseSimpleHtml(html: string, baseUrl?: string): ProjectFiles {
  const files: ProjectFiles = new Map()
  for (const m of html.matchAll(/<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a>/gi)) {
    const href = decodeEntities(m[2]!)
    const text = decodeEntities(m[3]!.replace(/<[^>]*>/g, '')).trim()
    const filename = text || filenameFromUrl(href)
    const hash = /#(?:.*&)?sha256=([0-9a-f]{64})/i.exec(href)
    files.set(filename, { filename, sha256: hash?.[1]?.toLowerCase(), url: fileUrl(href, baseUrl) })
  }
  return files
}

/** PEP 691 JSON: `files[].filename` and `files[].hashes.sha256`. */
export function parseSimpleJson(text: string, baseUrl?: string): ProjectFiles {
  const data = JSON.parse(text) as { files?: { filename?: unknown; hashes?: Record<string, unknown>; url?: unknown }[] }
  const files: ProjectFiles = new Map()
  for (const f of data.files ?? []) {
    if (typeof f.filename !== 'string') continue
    const sha = f.hashes?.sha256
    files.set(f.filename, {
      filename: f.filename,
      sha256: typeof sha === 'string' ? sha.toLowerCase() : undefined,
      url: typeof f.url === 'string' ? fileUrl(f.url, baseUrl) : undefined
    })
  }
  return files
}

/** The files of a project page, JSON or HTML as its content type says, links resolved against `baseUrl`. Throws on a body that is neither. */
export function parseProjectPage(body: string, contentType: string, baseUrl?: string): ProjectFiles {
  return /json/i.test(contentType) ? parseSimpleJson(body, baseUrl) : parseSimpleHtml(body, baseUrl)
}

/** One answer of an index about a project, each kind for its caller to word in its own terms. */
export type ProjectPage =
  | { kind: 'files'; url: string; files: ProjectFiles }
  /** 404 or 410: the index has no such project (every index we know answers so before a first upload). */
  | { kind: 'absent'; url: string; status: number }
  | { kind: 'status'; url: string; status: number; statusText: string }
  /** No answer at all: DNS, refused, TLS, timeout; or a UserError of the HTTP client (a bad proxy setting). */
  | { kind: 'unreachable'; url: string; error: unknown }
  | { kind: 'unreadable'; url: string; contentType: string; error: string }

export interface ProjectPageOptions {
  timeoutMs: number
  /** Basic credentials; without them, those in the index URL travel in the Authorization header. */
  auth?: { username: string; password: string }
  /** Tell caches to revalidate: after an upload, a CDN may still serve the page without the new files. */
  fresh?: boolean
  userAgent?: string
}

/**
 * GET the project's page, JSON or HTML, and read its files. Never throws: the URL in the
 * answer carries no credentials (fetch refuses them in a URL; they go in a header).
 */
export async function fetchProjectPage(http: Http, indexUrl: string, name: string, options: ProjectPageOptions): Promise<ProjectPage> {
  const split = splitUrlCredentials(projectUrl(indexUrl, name))
  const url = split.url
  const authorization = options.auth ? basicAuthorization(options.auth.username, options.auth.password) : split.authorization
  const headers: Record<string, string> = { Accept: PROJECT_PAGE_ACCEPT }
  if (authorization) headers.Authorization = authorization
  if (options.fresh) Object.assign(headers, { 'Cache-Control': 'no-cache', Pragma: 'no-cache' })
  if (options.userAgent) headers['User-Agent'] = options.userAgent
  let response: Response
  let body: string
  try {
    response = await http(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs) })
    body = await response.text()
  } catch (error) {
    return { kind: 'unreachable', url, error }
  }
  if (response.status === 404 || response.status === 410) return { kind: 'absent', url, status: response.status }
  if (response.status !== 200) return { kind: 'status', url, status: response.status, statusText: response.statusText }
  const contentType = (response.headers.get('content-type') ?? '').toLowerCase()
  try {
    // Links are relative to where the page was served from, after any redirect.
    return { kind: 'files', url, files: parseProjectPage(body, contentType, response.url || url) }
  } catch (error) {
    return { kind: 'unreadable', url, contentType, error: error instanceof Error ? error.message : String(error) }
  }
}
