/**
 * What the index already holds: the project's page on the simple API, as PEP 691 JSON
 * when the index speaks it, else PEP 503 HTML (pypiserver, devpi, Artifactory...). Each
 * file comes with its sha256 (JSON `hashes`, or the URL's `#sha256=` fragment).
 */
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
  fetchImpl?: typeof fetch
}

export class IndexClient {
  constructor(
    readonly repo: Repository,
    private readonly options: IndexClientOptions = {}
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
      response = await (this.options.fetchImpl ?? fetch)(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) })
      body = await response.text()
    } catch (error) {
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Delay before retry `attempt` (1-based): doubling from `baseMs`, with up to 25% jitter. */
export function backoff(attempt: number, baseMs: number, random = Math.random): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 1)
  return Math.round(Math.min(exp, 60_000) * (1 + random() * 0.25))
}

/** Asks the index, retrying answers that may be transient (network, 5xx). */
export async function projectFilesWithRetry(
  client: IndexClient,
  name: string,
  retries: number,
  baseMs: number,
  onRetry?: (error: IndexError, attempt: number, delayMs: number) => void
): Promise<ProjectFiles> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.projectFiles(name)
    } catch (error) {
      if (!(error instanceof IndexError) || !error.retriable || attempt >= retries) throw error
      const delay = backoff(attempt + 1, baseMs)
      onRetry?.(error, attempt + 1, delay)
      await sleep(delay)
    }
  }
}
