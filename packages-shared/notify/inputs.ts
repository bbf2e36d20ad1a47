/**
 * The notification inputs every action shares: `notify` (never, failure, always), and where
 * to post: `slack-webhook` (a Slack incoming webhook) and `webhook-url` (any webhook that
 * takes JSON). Both URLs are secrets: a Slack webhook URL is its own credential (the path
 * is the token), and a generic webhook often carries one in its path, query or user info.
 * They are masked before any input is parsed, and no message ever quotes more of them than
 * the scheme and host.
 */
import { isLoopback } from '../github/http.js'
import { invalidInput, type InputReader } from '../inputs.js'
import type { RunnerIO } from '../io.js'
import { maskToken, maskUrlCredentials, registerSecret } from '../secrets.js'

export const NOTIFY_POLICIES = ['never', 'failure', 'always'] as const
export type NotifyPolicy = (typeof NOTIFY_POLICIES)[number]

export const NOTIFY_INPUTS = ['notify', 'slack-webhook', 'webhook-url'] as const

export interface NotifyConfig {
  policy: NotifyPolicy
  /** The Slack incoming webhook URL, as given (a secret). */
  slack?: string
  /** The JSON webhook URL, as given (it may carry credentials). */
  webhook?: string
}

/**
 * A path or query shorter than this is not masked on its own: `/hook` is no secret, and
 * masking it would blank every `/hook` in the log. A Slack webhook's path is about 70.
 */
const MIN_SECRET_PART = 16

/**
 * Masks a webhook URL whole, its path and query, each long part of them on its own (Slack's
 * token is the last path segment, a Discord or Teams token a segment too, others a query
 * value), and any credentials it carries.
 */
export function maskWebhookUrl(io: Pick<RunnerIO, 'setSecret'>, raw: string): void {
  const value = raw.trim()
  // An unevaluated expression (`${{ secrets.SLACK }}` outside a runner) is no secret.
  if (!value || /^\$\{\{[^}]*\}\}$/.test(value)) return
  maskToken(io, value)
  maskUrlCredentials(io, value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return
  }
  const parts = [`${url.pathname}${url.search}`, url.search, ...url.pathname.split('/'), ...[...url.searchParams.values()]]
  for (const part of parts) {
    if (part.length < MIN_SECRET_PART) continue
    registerSecret(io, part)
    if (encodeURIComponent(part) !== part) registerSecret(io, encodeURIComponent(part))
  }
}

/** Masks both webhook inputs: the frame calls this first, before any input is parsed. */
export function maskNotifyInputs(io: RunnerIO): void {
  maskWebhookUrl(io, io.getInput('slack-webhook'))
  maskWebhookUrl(io, io.getInput('webhook-url'))
}

/** What a message may say of a webhook URL: its scheme and host, never its path (the secret). */
export function webhookHost(raw: string): string {
  try {
    return new URL(raw).host || 'an unnamed host'
  } catch {
    return 'an unparsable URL'
  }
}

function shown(url: URL | undefined): string {
  return url ? `${url.protocol}//${url.host}/…` : '<redacted>'
}

/**
 * A webhook URL: https, or plain http for this machine only (a local server in tests; a
 * message sent in clear text elsewhere would give away the webhook's token on the way).
 */
export function parseWebhookUrl(name: string, raw: string, options: { credentials: boolean }): string | undefined {
  const value = raw.trim()
  if (!value) return undefined
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  const expected = "expected an https URL (plain http only for localhost: the URL is the webhook's credential)"
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) throw invalidInput(name, shown(undefined), expected)
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw invalidInput(name, shown(url), expected)
  if (!options.credentials && (url.username || url.password)) {
    throw invalidInput(name, shown(url), 'credentials do not belong in the URL (a Slack webhook URL carries its token in its path)')
  }
  return value
}

/**
 * Reads the three inputs. Undefined when nothing is asked (`never` and no webhook), so that
 * the common inputs of a run without notifications stay as they were.
 */
export function parseNotifyInputs(reader: InputReader): NotifyConfig | undefined {
  const policy = reader.enumeration('notify', NOTIFY_POLICIES, 'never')
  const slack = parseWebhookUrl('slack-webhook', reader.raw('slack-webhook'), { credentials: false })
  const webhook = parseWebhookUrl('webhook-url', reader.raw('webhook-url'), { credentials: true })
  if (policy === 'never' && !slack && !webhook) return undefined
  return { policy, ...(slack ? { slack } : {}), ...(webhook ? { webhook } : {}) }
}
