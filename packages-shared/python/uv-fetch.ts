/**
 * uv brought in without pip: the `uv` wheel at our pin, read from the indexes the user's pip
 * reads (PIP_INDEX_URL, else PyPI, then PIP_EXTRA_INDEX_URL), the file pip would pick for this
 * machine, checked against the sha256 the index gives, and only its executable taken out.
 * pip's start-up and its own resolution are most of what bringing uv in with pip costs; one
 * page and one download are not. A pip setting that a plain request cannot honour, or any
 * failure, is a reason (one line) to leave it to pip, which honours them all.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorMessage } from '../errors.js'
import { isLoopback, type Http } from '../github/http.js'
import { normalizeName } from '../names.js'
import type { Platform } from '../paths.js'
import { withZip } from '../pypa/archive.js'
import { fetchProjectPage, projectUrl, type IndexFile, type ProjectPage } from '../pypa/simple-index.js'
import { sameVersion } from '../pypa/versions.js'
import { pickWheel, platformTags, wheelTags, type HostPlatform } from '../pypa/wheel-tags.js'
import { redactUrl, splitUrlCredentials } from '../secrets.js'
import { pipConfigFiles, pipConfigOptions, readText } from './pip-config.js'

type Env = Readonly<Record<string, string | undefined>>

export const PYPI_SIMPLE = 'https://pypi.org/simple/'

const PAGE_TIMEOUT_MS = 60_000
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000

const words = (v: string | undefined): string[] => (v ?? '').split(/\s+/).filter(Boolean)

/** What a folder holds, or undefined when it is not a folder (absent, a file). */
function listDir(dir: string): string[] | undefined {
  try {
    return fs.readdirSync(dir)
  } catch {
    return undefined
  }
}

/**
 * A find-links entry pip would read beside the index, or undefined when it offers pip nothing
 * a plain download would miss: a folder (or one that is not there) without a uv wheel of ours.
 */
function findLinksBlocker(entry: string, version: string, list: (dir: string) => string[] | undefined): string | undefined {
  let dir = entry
  if (/^[a-z][a-z0-9+.-]*:/i.test(entry) && !/^[a-z]:[\\/]/i.test(entry)) {
    if (!/^file:/i.test(entry)) return `PIP_FIND_LINKS names ${redactUrl(entry)}, a page pip reads beside the index`
    try {
      dir = fileURLToPath(entry)
    } catch {
      return `PIP_FIND_LINKS names ${entry}, which is not a file URL pip or we can read`
    }
  }
  const names = list(path.resolve(dir))
  if (names === undefined) return fs.existsSync(dir) ? `PIP_FIND_LINKS names the file ${dir}, a page pip reads beside the index` : undefined
  const wheel = names.find((n) => {
    const tags = wheelTags(n)
    return tags !== undefined && normalizeName(tags.name) === 'uv' && sameVersion(tags.version, version)
  })
  return wheel ? `PIP_FIND_LINKS folder ${dir} holds ${wheel}, which pip may take instead` : undefined
}

/**
 * Why a plain download cannot stand in for pip here, or undefined. Trusted hosts, client
 * certificates, pip's own proxy, a find-links page (or a folder holding uv) and a bundle of
 * CAs given as a folder change what pip fetches or how; a CA bundle file is honoured (caBundle).
 * What the pip configuration files say of sources keeps uv out altogether (uvSettingsFromPip).
 */
export function directFetchBlocker(
  env: Env,
  version: string,
  platform: Platform = process.platform,
  read: (file: string) => string | undefined = readText,
  list: (dir: string) => string[] | undefined = listDir
): string | undefined {
  for (const name of ['PIP_TRUSTED_HOST', 'PIP_CLIENT_CERT', 'PIP_PROXY'] as const) {
    if (env[name]?.trim()) return `${name} is set, which a plain download does not honour`
  }
  const allProxy = env.all_proxy?.trim() || env.ALL_PROXY?.trim()
  if (allProxy && !env.https_proxy?.trim() && !env.HTTPS_PROXY?.trim())
    return 'ALL_PROXY is set without HTTPS_PROXY, which a plain download does not read'
  for (const entry of words(env.PIP_FIND_LINKS)) {
    const why = findLinksBlocker(entry, version, list)
    if (why) return why
  }
  for (const file of pipConfigFiles(env, platform)) {
    const text = read(file)
    if (text !== undefined && pipConfigOptions(text, ['proxy']).length) return `${file} sets proxy, which a plain download does not honour`
  }
  return undefined
}

/** The variables that name the CA bundle pip (and the requests it is built on) verifies with, strongest first; uv reads SSL_CERT_FILE. */
const CA_VARIABLES = ['PIP_CERT', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE'] as const

/**
 * The CA bundle (PEM) a download must trust instead of Node's own, as pip would: none named,
 * the file's text, or why it cannot be used (a folder of certificates, an unreadable file).
 */
export function caBundle(env: Env, read: (file: string) => string | undefined = readText): { pem?: string } | { blocker: string } {
  const name = CA_VARIABLES.find((n) => env[n]?.trim())
  if (!name) return env.SSL_CERT_DIR?.trim() ? { blocker: 'SSL_CERT_DIR names a folder of CAs, which a plain download does not read' } : {}
  const file = env[name]!.trim()
  if (listDir(file) !== undefined) return { blocker: `${name} names a folder of CAs (${file}), which a plain download does not read` }
  const pem = read(file)
  return pem === undefined ? { blocker: `${name} names ${file}, which cannot be read` } : { pem }
}

/** pip reads an index over http only on this machine (its secure origins) or a trusted host. */
function indexBlocker(indexUrl: string): string | undefined {
  let url: URL
  try {
    url = new URL(indexUrl)
  } catch {
    return `the index URL ${JSON.stringify(redactUrl(indexUrl))} is not a URL`
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return undefined
  return `the index ${redactUrl(indexUrl)} is not https, which pip reads only from a trusted host`
}

function pageProblem(page: Exclude<ProjectPage, { kind: 'files' | 'absent' }>): string {
  const url = redactUrl(page.url)
  if (page.kind === 'status') return `${url} answered ${page.status}${page.statusText ? ` ${page.statusText}` : ''}`
  if (page.kind === 'unreadable') return `${url} is not a project page (${page.contentType || 'no content type'}: ${page.error})`
  const e = page.error as { cause?: { code?: string; message?: string } } | undefined
  return `${url} could not be reached (${e?.cause?.code ?? e?.cause?.message ?? errorMessage(page.error)})`
}

/** The host as a reason names it: `linux x64 (glibc 2.36)`, `darwin arm64 (macOS 14)`. */
function describeHost(host: HostPlatform): string {
  const libc = host.libc ? ` (${host.libc.family} ${host.libc.major}.${host.libc.minor})` : ''
  const mac = host.macos ? ` (macOS ${host.macos[0]}.${host.macos[1]})` : ''
  return `${host.platform} ${host.arch}${libc}${mac}`
}

export type UvDownload = { ok: true; wheel: string; url: string } | { ok: false; reason: string }

export interface UvDownloadOptions {
  http: Http
  /** The install environment: PIP_INDEX_URL, PIP_EXTRA_INDEX_URL. */
  env: Env
  host: HostPlatform
  version: string
  /** The folder the executable goes into, as `bin/uv` (`bin\uv.exe`): the layout pip's `--target` gives. */
  into: string
}

/**
 * Reads the indexes, picks the wheel, downloads and checks it, and writes its uv executable
 * into `into`. Never throws: any failure is the reason in the answer.
 */
export async function downloadUv(options: UvDownloadOptions): Promise<UvDownload> {
  const { http, env, host, version } = options
  const indexes = [env.PIP_INDEX_URL?.trim() || PYPI_SIMPLE, ...words(env.PIP_EXTRA_INDEX_URL)]
  for (const index of indexes) {
    const why = indexBlocker(index)
    if (why) return { ok: false, reason: why }
  }
  if (!platformTags(host).length) return { ok: false, reason: `no wheel tag is known for ${describeHost(host)}` }
  try {
    // pip reads every index and takes the best file of all; on a tie, the first index's.
    const pages = await Promise.all(indexes.map((i) => fetchProjectPage(http, i, 'uv', { timeoutMs: PAGE_TIMEOUT_MS })))
    const listed: { index: string; file: IndexFile }[] = []
    for (const [i, page] of pages.entries()) {
      if (page.kind === 'absent') continue
      if (page.kind !== 'files') return { ok: false, reason: pageProblem(page) }
      for (const file of page.files.values()) listed.push({ index: indexes[i]!, file })
    }
    const wheel = pickWheel(
      listed.map((l) => l.file.filename),
      'uv',
      version,
      host
    )
    const where = indexes.map((i) => redactUrl(projectUrl(i, 'uv'))).join(', ')
    if (!wheel) return { ok: false, reason: `no uv ${version} wheel for ${describeHost(host)} on ${where}` }
    const { index, file } = listed.find((l) => l.file.filename === wheel)!
    if (!file.sha256) return { ok: false, reason: `${redactUrl(projectUrl(index, 'uv'))} gives no sha256 for ${wheel}` }
    if (!file.url) return { ok: false, reason: `${redactUrl(projectUrl(index, 'uv'))} gives no URL for ${wheel}` }
    const data = await download(http, file.url, index)
    if (typeof data === 'string') return { ok: false, reason: data }
    const sha256 = createHash('sha256').update(data).digest('hex')
    if (sha256 !== file.sha256) {
      return {
        ok: false,
        reason: `${wheel} has sha256 ${sha256}, not the ${file.sha256} ${redactUrl(projectUrl(index, 'uv'))} gives: refused`
      }
    }
    const written = writeExecutable(data, wheel, options.into, host.platform)
    return written ? { ok: false, reason: written } : { ok: true, wheel, url: redactUrl(file.url) }
  } catch (error) {
    return { ok: false, reason: errorMessage(error) }
  }
}

/** The file's bytes, or why they could not be had. The index's credentials go only to the index's own origin, as pip sends them. */
async function download(http: Http, fileUrl: string, indexUrl: string): Promise<Buffer | string> {
  const file = splitUrlCredentials(fileUrl)
  const index = splitUrlCredentials(indexUrl)
  const authorization = file.authorization ?? (new URL(file.url).origin === new URL(index.url).origin ? index.authorization : undefined)
  let response: Response
  try {
    response = await http(file.url, {
      headers: authorization ? { Authorization: authorization } : {},
      redirect: 'follow',
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)
    })
  } catch (error) {
    const e = error as { cause?: { code?: string; message?: string } }
    return `${redactUrl(file.url)} could not be downloaded (${e.cause?.code ?? e.cause?.message ?? errorMessage(error)})`
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    return `${redactUrl(file.url)} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  }
  return Buffer.from(await response.arrayBuffer())
}

/** Writes the wheel's `<name>-<version>.data/scripts/uv[.exe]` as `into/bin/uv[.exe]`, executable; the problem, if any. */
function writeExecutable(wheelBytes: Buffer, wheel: string, into: string, platform: Platform): string | undefined {
  const exe = platform === 'win32' ? 'uv.exe' : 'uv'
  const tags = wheelTags(wheel)!
  const member = `${tags.name}-${tags.version}.data/scripts/${exe}`
  const bytes = withZip(wheelBytes, (zip) => (zip.names.includes(member) ? zip.read(member) : undefined))
  if (!bytes) return `${wheel} holds no ${member}`
  const target = path.join(into, 'bin', exe)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.writeFileSync(target, bytes, { mode: 0o755 })
  // The mode given on creation is cut by the umask.
  if (platform !== 'win32') fs.chmodSync(target, 0o755)
  return undefined
}
