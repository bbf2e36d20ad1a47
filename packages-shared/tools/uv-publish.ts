/**
 * `uv publish`: how it is called for one file (settings and secrets through UV_PUBLISH_*
 * variables only, never argv) and what its failure means: retriable (network, timeout,
 * 5xx), the credentials (401/403), "already there" (409 or an "exists" answer), or refused
 * for good (other 4xx).
 */
import { tail, type CommandResult } from '../exec.js'

export const UV_VERSION = '0.13.8'

export type UploadAuth = { kind: 'token'; token: string } | { kind: 'password'; username: string; password: string }

export type AttemptOutcome =
  | { kind: 'uploaded' }
  | { kind: 'exists' }
  | { kind: 'retriable'; reason: string }
  | { kind: 'auth'; reason: string }
  | { kind: 'rejected'; reason: string }

/** The variables uv reads its publish settings from; ours replace whatever the job set. */
const UV_PUBLISH_VARS = [
  'UV_PUBLISH_URL',
  'UV_PUBLISH_TOKEN',
  'UV_PUBLISH_USERNAME',
  'UV_PUBLISH_PASSWORD',
  'UV_PUBLISH_CHECK_URL',
  'UV_PUBLISH_INDEX'
]

export function uvPublishEnv(base: Record<string, string | undefined>, auth: UploadAuth): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base }
  for (const k of UV_PUBLISH_VARS) delete env[k]
  if (auth.kind === 'token') env.UV_PUBLISH_TOKEN = auth.token
  else {
    env.UV_PUBLISH_USERNAME = auth.username
    env.UV_PUBLISH_PASSWORD = auth.password
  }
  // Our loop retries, and re-checks the index before each retry; uv's own retries would not.
  env.UV_HTTP_RETRIES = '0'
  env.UV_NO_PROGRESS = '1'
  return env
}

/** Where to upload, and the index uv checks first for a file already there. */
export interface UvPublishTarget {
  uploadUrl: string
  indexUrl: string
}

export function uvPublishArgv(uv: string, repo: UvPublishTarget, file: string): string[] {
  return [
    uv,
    'publish',
    '--no-config',
    '--color',
    'never',
    '--trusted-publishing',
    'never',
    '--publish-url',
    repo.uploadUrl,
    '--check-url',
    repo.indexUrl,
    file
  ]
}

/** Reads uv's report of a failed upload. */
export function classifyUvResult(r: Pick<CommandResult, 'exitCode' | 'stdout' | 'stderr' | 'spawnError' | 'timedOut'>): AttemptOutcome {
  const text = `${r.stdout}\n${r.stderr}`
  if (r.exitCode === 0) return /already exists, skipping/i.test(text) ? { kind: 'exists' } : { kind: 'uploaded' }
  if (r.timedOut) return { kind: 'retriable', reason: r.spawnError ?? 'timed out' }
  if (r.spawnError && r.exitCode === 127) return { kind: 'rejected', reason: r.spawnError }
  const status = /status code (\d{3})/i.exec(text)
  const reason = summarizeUvError(text)
  if (status) {
    const code = Number(status[1])
    if (code === 401 || code === 403) return { kind: 'auth', reason }
    if (code === 409 || (code === 400 && /already exist/i.test(text))) return { kind: 'exists' }
    if (code >= 500 || code === 429 || code === 408) return { kind: 'retriable', reason }
    return { kind: 'rejected', reason }
  }
  // uv's --check-url found the name with another hash (before the upload, or after losing a
  // race to another publisher): "already there". The publisher reads the index and names
  // the file and both hashes; never retriable.
  if (/do not match|already exists.*(hash|different)/i.test(text)) return { kind: 'exists' }
  // No HTTP status: the request never got an answer (reset, refused, closed, timed out).
  return { kind: 'retriable', reason }
}

/** The useful lines of uv's error: `error:` and `cause:` lines, and what the server said. */
export function summarizeUvError(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim())
  const keep: string[] = []
  for (const l of lines) {
    if (/^(error|cause|caused by):/i.test(l)) keep.push(l)
    const pre = /^<pre>(.*?)(<\/pre>)?$/.exec(l)
    if (pre?.[1] && pre[1] !== 'None') keep.push(`server: ${pre[1].replace(/&#0?39;/g, "'")}`)
    const h1 = /<h1>(.*)<\/h1>/.exec(l)
    if (h1 && !keep.some((k) => k.includes(h1[1]!))) keep.push(`server: ${h1[1]}`)
  }
  return keep.length ? keep.join(' | ') : tail(text, 5).replace(/\n/g, ' | ')
}
