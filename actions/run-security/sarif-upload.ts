/**
 * Uploads SARIF through the code-scanning API (POST /repos/{owner}/{repo}/code-scanning/sarifs
 * with the gzipped, base64-encoded SARIF, the commit and the ref), or says why it did not:
 * no token, no repository context (a local run), a pull request from a fork (its token is
 * read-only), or the API's refusal (403: code scanning off or no security-events: write).
 * Then, as codeql-action does, it polls the upload (GET …/code-scanning/sarifs/{id}) until
 * GitHub has processed it: a 202 only says the file arrived, and a SARIF GitHub cannot
 * process (a bad location, too many results) shows no alert and no error anywhere else.
 */
import { gzipSync } from 'node:zlib'
import { isUserError } from '../../packages-shared/errors.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import type { Http } from '../../packages-shared/github/http.js'
import { sleep as realSleep, withRetry, type RetryOptions } from '../../packages-shared/github/retry.js'

export interface UploadOutcome {
  uploaded: boolean
  /** The SARIF upload id GitHub returns (202). */
  id?: string
  url?: string
  /** Why it was not uploaded. */
  reason?: string
  /** What GitHub made of it, when the run waited: stored (`complete`), refused (`failed`), or not known in time. */
  processing?: 'complete' | 'failed' | 'pending' | 'unknown'
  /** GitHub's errors for a failed processing, or why the state is unknown. */
  processingErrors?: string[]
}

type Env = Readonly<Record<string, string | undefined>>

const ATTEMPTS = 3

/** One answer from the API: an outcome to report, or a failure worth another attempt. */
type Answer = { done: UploadOutcome } | { transient: string }

function apiHeaders(token: string): Record<string, string> {
  return {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'dk-actions'
  }
}

export async function uploadSarif(
  sarifText: string,
  token: string,
  env: Env,
  http: Http,
  /** Tests shorten the waits. */
  retry: Pick<RetryOptions<Answer>, 'sleep' | 'random'> = {}
): Promise<UploadOutcome> {
  if (!token) return { uploaded: false, reason: "no token: set the 'token' input (it defaults to github.token)" }
  const repo = env.GITHUB_REPOSITORY
  const sha = env.GITHUB_SHA
  const ref = env.GITHUB_REF
  if (!repo || !sha || !ref)
    return { uploaded: false, reason: 'not running in a GitHub workflow (GITHUB_REPOSITORY, GITHUB_SHA or GITHUB_REF is not set)' }
  if (isForkPullRequest(githubContext(env)))
    return { uploaded: false, reason: 'a pull request from a fork gets a read-only token, which cannot upload to code scanning' }
  const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
  const body = JSON.stringify({
    commit_sha: sha,
    ref,
    sarif: gzipSync(Buffer.from(sarifText, 'utf8')).toString('base64'),
    tool_name: 'dk-actions run-security',
    ...(env.GITHUB_WORKSPACE ? { checkout_uri: `file://${env.GITHUB_WORKSPACE}` } : {})
  })
  const attempt = async (): Promise<Answer> => {
    let res: Response
    let text: string
    try {
      res = await http(`${api}/repos/${repo}/code-scanning/sarifs`, {
        method: 'POST',
        headers: { ...apiHeaders(token), 'content-type': 'application/json' },
        body
      })
      text = await res.text()
    } catch (error) {
      if (isUserError(error)) throw error
      return { transient: error instanceof Error ? error.message : String(error) }
    }
    let data: { id?: string; url?: string; message?: string } = {}
    try {
      data = JSON.parse(text) as typeof data
    } catch {
      data = {}
    }
    if (res.status === 202 || res.ok) return { done: { uploaded: true, id: data.id, url: data.url } }
    const msg = data.message ? `: ${data.message}` : ''
    if (res.status === 403)
      return {
        done: {
          uploaded: false,
          reason: `GitHub refused the upload (403${msg}): code scanning is not enabled for ${repo}, or the token lacks security-events: write`
        }
      }
    if (res.status === 404)
      return {
        done: {
          uploaded: false,
          reason: `GitHub answered 404${msg}: the repository ${repo} was not found for this token, or code scanning is not available for it`
        }
      }
    if (res.status < 500) return { done: { uploaded: false, reason: `GitHub refused the upload (${res.status}${msg})` } }
    return { transient: `HTTP ${res.status}${msg}` }
  }
  // Retry what GitHub may answer transiently (5xx, network); 4xx are answers.
  const last = await withRetry(attempt, { retries: ATTEMPTS - 1, baseMs: 1000, retriable: (o) => o.ok && 'transient' in o.value, ...retry })
  if ('done' in last) return last.done
  return { uploaded: false, reason: `the code-scanning API did not accept the upload after ${ATTEMPTS} attempts (${last.transient})` }
}

export interface WaitOptions {
  /** How long to wait for GitHub to process the upload (codeql-action waits up to 2 minutes). */
  timeoutMs?: number
  /** Between two polls. */
  intervalMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/**
 * Polls an upload's processing status until it is `complete` or `failed`, or the time is up
 * (`pending`). A status the API will not give (no read access: 403/404) is `unknown` with
 * the reason; network errors and 5xx are polled again.
 */
export async function waitForProcessing(
  upload: UploadOutcome,
  token: string,
  env: Env,
  http: Http,
  options: WaitOptions = {}
): Promise<UploadOutcome> {
  if (!upload.uploaded || !upload.id) return upload
  const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
  const url = `${api}/repos/${env.GITHUB_REPOSITORY}/code-scanning/sarifs/${encodeURIComponent(upload.id)}`
  const now = options.now ?? Date.now
  const wait = options.sleep ?? realSleep
  const interval = options.intervalMs ?? 5000
  const deadline = now() + (options.timeoutMs ?? 120_000)
  let last = 'no answer yet'
  for (;;) {
    try {
      const res = await http(url, { headers: apiHeaders(token) })
      const text = await res.text()
      let data: { processing_status?: string; errors?: string[] | null; message?: string } = {}
      try {
        data = JSON.parse(text) as typeof data
      } catch {
        data = {}
      }
      if (res.ok && data.processing_status === 'complete') return { ...upload, processing: 'complete' }
      if (res.ok && data.processing_status === 'failed')
        return { ...upload, processing: 'failed', processingErrors: data.errors?.length ? data.errors : ['GitHub gave no reason'] }
      // Just after the upload, the id may not be known yet: a 404 then means "not yet".
      if (res.status === 403)
        return {
          ...upload,
          processing: 'unknown',
          processingErrors: [`GitHub refused to show the upload's status (403${data.message ? `: ${data.message}` : ''})`]
        }
      last = res.ok ? `still ${data.processing_status ?? 'pending'}` : `HTTP ${res.status}${data.message ? `: ${data.message}` : ''}`
    } catch (error) {
      if (isUserError(error)) throw error
      last = error instanceof Error ? error.message : String(error)
    }
    const remaining = deadline - now()
    if (remaining <= 0) {
      const seconds = Math.round((options.timeoutMs ?? 120_000) / 1000)
      return last.startsWith('still ')
        ? { ...upload, processing: 'pending' }
        : { ...upload, processing: 'unknown', processingErrors: [`no status within ${seconds} s (${last})`] }
    }
    await wait(Math.min(interval, remaining))
  }
}
