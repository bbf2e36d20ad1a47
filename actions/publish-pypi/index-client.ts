/**
 * What the index already holds: the project's page on the simple API, as PEP 691 JSON
 * when the index speaks it, else PEP 503 HTML (pypiserver, devpi, Artifactory...). Each
 * file comes with its sha256 (JSON `hashes`, or the URL's `#sha256=` fragment).
 */
import { isUserError } from '../../packages-shared/errors.js'
import type { Http } from '../../packages-shared/github/http.js'
import { withRetry } from '../../packages-shared/github/retry.js'
import { fetchProjectPage, type ProjectFiles } from '../../packages-shared/pypa/simple-index.js'
import type { Repository } from './repository.js'

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
    const page = await fetchProjectPage(this.options.http, this.repo.indexUrl, normalizedName, {
      timeoutMs: this.options.timeoutMs ?? 30_000,
      auth: this.options.auth,
      fresh: true,
      userAgent: 'dk-actions-publish-pypi'
    })
    const url = page.url
    switch (page.kind) {
      case 'files':
        return page.files
      case 'absent':
        return new Map()
      case 'unreachable': {
        // A proxy setting the user must fix is no transient failure of the index.
        if (isUserError(page.error)) throw page.error
        const error = page.error
        const cause =
          error instanceof Error
            ? error.cause instanceof Error
              ? `${error.message}: ${error.cause.message}`
              : error.message
            : String(error)
        throw new IndexError(`GET ${url} failed: ${cause}`, true)
      }
      case 'status':
        if (page.status >= 500 || page.status === 429) throw new IndexError(`GET ${url} answered ${page.status} ${page.statusText}`, true)
        if (page.status === 401 || page.status === 403) {
          throw new IndexError(
            `GET ${url} answered ${page.status}: the index refuses to list files without credentials; give 'username'/'password' that may read it, or set 'index-url'`,
            false
          )
        }
        throw new IndexError(`GET ${url} answered ${page.status} ${page.statusText}`, false)
      case 'unreadable':
        throw new IndexError(`GET ${url} gave an unreadable answer (${page.contentType || 'no content type'}): ${page.error}`, false)
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
