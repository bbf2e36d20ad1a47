/**
 * A recorded index serving uv: the real uv 0.13.8 project page captured from pypi.org (PEP 691
 * JSON), each wheel's sha256 made the stub's, and the stub wheel (fixtures/wheels) at every
 * wheel's URL, so whichever wheel a machine picks, the download is the stub.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HttpRoute } from './recorded.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
export const UV_PAGE = path.join(FIXTURES, 'captured', 'simple-index', 'pypi-org-uv-0.13.8.json')
export const UV_STUB = path.join(FIXTURES, 'wheels', 'uv-0.13.8-stub.whl')
export const UV_STUB_WITHOUT_SCRIPTS = path.join(FIXTURES, 'wheels', 'uv-0.13.8-stub-without-scripts.whl')

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

interface PageFile {
  filename: string
  url: string
  hashes: Record<string, string>
}

export interface UvIndexOptions {
  /** The simple index URL; PyPI's when absent. */
  index?: string
  /** The sha256 the page gives for every wheel; the stub's when absent (null: none given). */
  sha?: string | null
  /** The wheel served; the stub when absent. */
  wheel?: string
  /** Rewrites each file's URL (relative links, another host). */
  url?: (file: PageFile) => string
}

/** Routes of a recorded Http: the page at `<index>/uv/`, the wheel at each file URL the page gives. */
export function uvIndexRoutes(options: UvIndexOptions = {}): HttpRoute[] {
  const index = (options.index ?? 'https://pypi.org/simple').replace(/\/+$/, '')
  const wheel = fs.readFileSync(options.wheel ?? UV_STUB)
  const page = JSON.parse(fs.readFileSync(UV_PAGE, 'utf8')) as { files: PageFile[] }
  const sha = options.sha === undefined ? sha256(wheel) : options.sha
  const files = page.files.map((f) => ({
    ...f,
    url: options.url ? options.url(f) : f.url,
    hashes: f.filename.endsWith('.whl') ? (sha === null ? {} : { sha256: sha }) : f.hashes
  }))
  const pageUrl = `${index}/uv/`
  const fileUrls = new Set(files.filter((f) => f.filename.endsWith('.whl')).map((f) => new URL(f.url, pageUrl).href))
  return [
    {
      match: `GET ${pageUrl}`,
      answer: () => new Response(JSON.stringify({ ...page, files }), { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' } })
    },
    { match: (url) => fileUrls.has(url), answer: () => new Response(new Uint8Array(wheel)) }
  ]
}
