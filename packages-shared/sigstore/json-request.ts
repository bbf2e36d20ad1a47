/**
 * One JSON request to a Sigstore service, with a time limit. No answer at all is a
 * SigstoreError naming the service; an answer of any status is returned for the caller
 * to judge, with the service's own words for an error (`{"code", "message"}`).
 */
import type { Http } from '../github/http.js'
import { redact } from '../secrets.js'
import { SigstoreError } from './sigstore-error.js'

export interface JsonAnswer {
  status: number
  /** The parsed body, or undefined when it was not JSON. */
  body: unknown
  /** What the service said went wrong, redacted and cut short, for a message. */
  reason: string
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function reasonOf(body: unknown, text: string): string {
  const said = isRecord(body) && typeof body.message === 'string' ? body.message : text
  const line = said.replace(/\s+/g, ' ').trim()
  // A service that echoes the request would repeat the OIDC token: redact() knows it.
  return redact(line.length > 300 ? `${line.slice(0, 297)}...` : line)
}

export async function postJson(http: Http, service: string, url: string, payload: unknown, timeoutMs = 60_000): Promise<JsonAnswer> {
  let response: Response
  let text: string
  try {
    response = await http(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs)
    })
    text = await response.text()
  } catch (error) {
    const cause =
      error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error)
    throw new SigstoreError(`could not reach ${service} at ${url} (${redact(cause)})`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    // Judged by the caller with the status; the text is kept for the reason.
  }
  return { status: response.status, body, reason: reasonOf(body, text) }
}
