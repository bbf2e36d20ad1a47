/**
 * What the index already holds: the project's page on the simple API, as PEP 691 JSON
 * when the index speaks it, else PEP 503 HTML (pypiserver, devpi, Artifactory...). Each
 * file comes with its sha256 (JSON `hashes`, or the URL's `#sha256=` fragment).
 */
import { isUserError } from '../../packages-shared/errors.js'
import type { Http } from '../../packages-shared/github/http.js'
import { withRetry } from '../../packages-shared/github/retry.js'
import { PROJECT_PAGE_ACCEPT, parseProjectPage, type ProjectFiles } from '../../packages-shared/pypa/simple-index.js'
import { projectUrl, type Repository } from './repository.js'

export type { IndexFile, ProjectFiles } from '../../packages-shared/pypa/simple-index.js'

/** A failure to get an answer (network, timeout, 5xx, unexpected status). */
export class IndexError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean
  ) {
    super(message)
  }
}

export interface IndexClientOptions {
  /** Basic credentials for private indexes that guard reads too. */
  auth?: { username: string; password: string }
  timeoutMs?: number
  /** The run's client (proxy-aware). */
  http: Http
}

export class IndexClient {
  constructor(
    readonly repo: Repository,
    private readonly options: IndexClientOptions
  ) {}

  /**
   * One answer from the index about a project: its files (empty when the project does
   * not exist yet). Throws IndexError when there is no usable answer.
   */
  async projectFiles(normalizedName: string): Promise<ProjectFiles> {
    const url = projectUrl(this.repo, normalizedName)
    const headers: Record<string, string> = { Accept: PROJECT_PAGE_ACCEPT, 'Cache-Control': 'no-cache', 'User-Agent': 'dk-actions-publish-pypi' }
    if (this.options.auth) {
      headers.Authorization = `Basic ${Buffer.from(`${this.options.auth.username}:${this.options.auth.password}`).toString('base64')}`
    }
    let response: Response
    let body: string
    try {
      response = await this.options.http(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) })
      body = await response.text()
    } catch (error) {
      // A proxy setting the user must fix is no transient failure of the index.
      if (isUserError(error)) throw error
      const cause = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error)
      throw new IndexError(`GET ${url} failed: ${cause}`, true)
    }
    if (response.status === 404 || response.status === 410) return new Map()
    if (response.status >= 500 || response.status === 429) throw new IndexError(`GET ${url} answered ${response.status} ${response.statusText}`, true)
    if (response.status === 401 || response.status === 403) {
      throw new IndexError(`GET ${url} answered ${response.status}: the index refuses to list files without credentials; give 'username'/'password' that may read it, or set 'index-url'`, false)
    }
    if (response.status !== 200) throw new IndexError(`GET ${url} answered ${response.status} ${response.statusText}`, false)
    const type = (response.headers.get('content-type') ?? '').toLowerCase()
    try {
      return parseProjectPage(body, type)
    } catch (error) {
      throw new IndexError(`GET ${url} gave an unreadable answer (${type || 'no content type'}): ${error instanceof Error ? error.message : String(error)}`, false)
    }
  }
}

/** Asks the index, retrying answers that may be transient (network, 5xx). */
export async function projectFilesWithRetry(
  client: IndexClient,
  name: string,
  retries: number,
  baseMs: number,
  onRetry?: (error: IndexError, attempt: number, delayMs: number) => void
): Promise<ProjectFiles> {
  return withRetry(() => client.projectFiles(name), {
    retries,
    baseMs,
    retriable: (o) => !o.ok && o.error instanceof IndexError && o.error.retriable,
    onRetry: (o, n, delay) => {
      if (!o.ok) onRetry?.(o.error as IndexError, n, delay)
    }
  })
}
