/**
 * Polls the services deployed from the packages: GET each URL until it answers an
 * expected status (any 2xx by default) whose body holds `expect-body`, or the shared
 * deadline passes. A service that is restarting answers 502/503 for a while, so a bad
 * answer is retried like a refused connection, never judged on one try.
 */
import { isUserError } from '../../packages-shared/errors.js'
import type { Http } from '../../packages-shared/github/http.js'
import { withRetry, type RetryOptions } from '../../packages-shared/github/retry.js'
import { splitUrlCredentials } from '../../packages-shared/secrets.js'

export interface UrlExpectation {
  statuses: number[]
  body: string
}

export interface UrlResult {
  url: string
  ok: boolean
  /** The last status seen, when any answer came. */
  status?: number
  attempts: number
  durationMs: number
  /** Why the last attempt did not pass. */
  reason?: string
  /** The start of the last body, for the report. */
  bodySnippet?: string
}

export function statusOk(status: number, expected: number[]): boolean {
  return expected.length ? expected.includes(status) : status >= 200 && status < 300
}

type Answer = { ok: boolean; status?: number; reason?: string; body?: string }

async function once(http: Http, raw: string, expect: UrlExpectation, timeoutMs: number): Promise<Answer> {
  // fetch refuses a URL with credentials: they travel in the Authorization header instead.
  const { url, authorization } = splitUrlCredentials(raw)
  try {
    const response = await http(url, {
      headers: {
        'Cache-Control': 'no-cache',
        Pragma: 'no-cache',
        'User-Agent': 'dk-actions-health-check',
        ...(authorization ? { Authorization: authorization } : {})
      },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow'
    })
    const body = await response.text()
    if (!statusOk(response.status, expect.statuses)) {
      const wanted = expect.statuses.length ? expect.statuses.join(' or ') : 'a 2xx status'
      return { ok: false, status: response.status, reason: `HTTP ${response.status}, expected ${wanted}`, body }
    }
    if (expect.body && !body.includes(expect.body)) {
      return {
        ok: false,
        status: response.status,
        reason: `HTTP ${response.status} but the body does not contain ${JSON.stringify(expect.body)}`,
        body
      }
    }
    return { ok: true, status: response.status, body }
  } catch (error) {
    if (isUserError(error)) throw error
    const e = error as Error & { cause?: { code?: string; message?: string } }
    const reason =
      e.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)}s` : (e.cause?.code ?? e.cause?.message ?? e.message)
    return { ok: false, reason }
  }
}

export async function pollUrl(
  http: Http,
  url: string,
  expect: UrlExpectation,
  /** Read at each attempt: the caller may extend it. */
  deadline: () => number,
  retryIntervalMs: number,
  onAttempt?: (message: string) => void,
  /** Tests shorten the waits. */
  retry: Pick<RetryOptions<Answer>, 'sleep' | 'random'> = {}
): Promise<UrlResult> {
  const started = Date.now()
  let attempts = 0
  const r = await withRetry(
    async (n) => {
      attempts = n
      const left = deadline() - Date.now()
      const answer = await once(http, url, expect, Math.max(1000, Math.min(30_000, left)))
      if (!answer.ok) onAttempt?.(`GET ${url} attempt ${n}: ${answer.reason}`)
      return answer
    },
    // Until the deadline, however many tries it takes: the first wait is a second at most, doubling up to retry-interval.
    {
      retries: Number.POSITIVE_INFINITY,
      baseMs: Math.min(1000, retryIntervalMs),
      capMs: retryIntervalMs,
      deadline,
      retriable: (o) => o.ok && !o.value.ok,
      ...retry
    }
  )
  const snippet = r.body === undefined ? undefined : r.body.slice(0, 500)
  if (r.ok) return { url, ok: true, status: r.status, attempts, durationMs: Date.now() - started, bodySnippet: snippet }
  return { url, ok: false, status: r.status, attempts, durationMs: Date.now() - started, reason: r.reason, bodySnippet: snippet }
}
