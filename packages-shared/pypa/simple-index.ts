/**
 * The simple repository API, read one way by every action: the project page's URL, what
 * to ask for (PEP 691 JSON first, then PEP 503 HTML, which pypiserver, devpi and
 * Artifactory serve), and the files it lists with their sha256 (JSON `hashes`, or the URL's
 * `#sha256=` fragment).
 */
import { normalizeName } from '../names.js'

/** `<index>/<normalized name>/`, whatever the index URL's trailing slashes. */
export function projectUrl(indexUrl: string, name: string): string {
  return `${indexUrl.replace(/\/+$/, '')}/${normalizeName(name)}/`
}

export interface IndexFile {
  filename: string
  sha256?: string
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

function filenameFromUrl(href: string): string {
  const clean = href.split('#')[0]!.split('?')[0]!
  return decodeURIComponent(clean.slice(clean.lastIndexOf('/') + 1))
}

/** PEP 503: every anchor is a file; its text (or URL) is the file name, its fragment the hash. */
export function parseSimpleHtml(html: string): ProjectFiles {
  const files: ProjectFiles = new Map()
  for (const m of html.matchAll(/<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a>/gi)) {
    const href = decodeEntities(m[2]!)
    const text = decodeEntities(m[3]!.replace(/<[^>]*>/g, '')).trim()
    const filename = text || filenameFromUrl(href)
    const hash = /#(?:.*&)?sha256=([0-9a-f]{64})/i.exec(href)
    files.set(filename, { filename, sha256: hash?.[1]?.toLowerCase() })
  }
  return files
}

/** PEP 691 JSON: `files[].filename` and `files[].hashes.sha256`. */
export function parseSimpleJson(text: string): ProjectFiles {
  const data = JSON.parse(text) as { files?: { filename?: unknown; hashes?: Record<string, unknown> }[] }
  const files: ProjectFiles = new Map()
  for (const f of data.files ?? []) {
    if (typeof f.filename !== 'string') continue
    const sha = f.hashes?.sha256
    files.set(f.filename, { filename: f.filename, sha256: typeof sha === 'string' ? sha.toLowerCase() : undefined })
  }
  return files
}

/** The files of a project page, JSON or HTML as its content type says. Throws on a body that is neither. */
export function parseProjectPage(body: string, contentType: string): ProjectFiles {
  return /json/i.test(contentType) ? parseSimpleJson(body) : parseSimpleHtml(body)
}
