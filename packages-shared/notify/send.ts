/**
 * Posting a run's notification: the policy (`notify`), and one POST to each webhook given,
 * through the context's HTTP client (the runner's proxies honoured), each attempt within a
 * time limit and retried once when the answer may change (a network error, no answer in
 * time, a 5xx). Nothing here throws and nothing here fails the step: a webhook that refuses
 * or cannot be reached is one warning naming the webhook by its host (the path is the
 * secret), the status and the service's own error string.
 */
import { errorMessage } from '../errors.js'
import type { Http } from '../github/http.js'
import { withRetry, type Attempt } from '../github/retry.js'
import type { RunnerIO } from '../io.js'
import { redact, splitUrlCredentials } from '../secrets.js'
import { VERSION } from '../version.js'
import { webhookHost, type NotifyConfig, type NotifyPolicy } from './inputs.js'
import { buildSlackMessage, buildWebhookPayload, clip, oneLine, runContext, type NotifiedRun, type RunOutcome } from './message.js'

/** Whether a run with this outcome is notified: `failure` covers a step that could not run as well as one that failed. */
export function shouldNotify(policy: NotifyPolicy, outcome: RunOutcome): boolean {
  if (policy === 'never') return false
  return policy === 'always' || outcome !== 'passed'
}

export interface SendOptions {
  /** The time limit of one attempt, answer body included (10 s unless given). */
  timeoutMs?: number
  /** The wait before the one retry (1 s unless given; jitter adds up to 25%). */
  retryDelayMs?: number
  sleep?: (ms: number) => Promise<void>
}

export type WebhookKind = 'Slack' | 'webhook'

/** What became of one webhook's message. */
export interface Delivery {
  kind: WebhookKind
  /** The webhook's host (and port): all a log line may say of its URL. */
  host: string
  delivered: boolean
  attempts: number
  status?: number
  /** Why it was not delivered, as the warning says it. */
  reason?: string
}

interface Answer {
  status: number
  text: string
}

class NoAnswerInTime extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${ms}ms`}`)
  }
}

/** One POST within `timeoutMs`: the client is aborted then, and one that ignores the abort is not waited for. */
async function post(http: Http, url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new NoAnswerInTime(timeoutMs))
    }, timeoutMs)
  })
  try {
    const response = await Promise.race([http(url, { ...init, signal: controller.signal }), late])
    const text = await Promise.race([response.text().catch(() => ''), late])
    return { status: response.status, text }
  } finally {
    clearTimeout(timer)
  }
}

/** Slack's error strings (its incoming-webhook docs), each with what to do about it. */
const SLACK_HINTS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message: please report this as a dk-actions bug',
  invalid_blocks: 'Slack refused the message layout: please report this as a dk-actions bug',
  no_text: 'Slack found no text in the message: please report this as a dk-actions bug',
  user_not_found: 'the webhook names a user that does not exist',
  invalid_token: "the webhook's token is not valid: make a new webhook and update the secret",
  action_prohibited: "the Slack workspace's admins restrict this webhook",
  no_service: 'the webhook does not exist (removed, or the URL is wrong): make a new webhook and update the secret',
  no_service_id: 'the webhook does not exist (removed, or the URL is wrong): make a new webhook and update the secret',
  no_team: 'the Slack workspace of the webhook does not exist',
  team_disabled: 'the Slack workspace of the webhook is disabled',
  channel_not_found: "the webhook's channel does not exist",
  channel_is_archived: "the webhook's channel is archived",
  posting_to_general_channel_denied: 'only admins may post to that channel',
  rollup_error: "Slack's own error; it usually passes"
}

/** The first line of an error body, redacted (it may echo the URL) and short. */
function bodyLine(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? ''
  return clip(oneLine(redact(first)), 200)
}

function refusal(kind: WebhookKind, answer: Answer): string {
  const said = bodyLine(answer.text)
  if (answer.status >= 300 && answer.status < 400)
    return `HTTP ${answer.status}, a redirect (not followed: a message goes only where the URL says)`
  const hint = kind === 'Slack' ? SLACK_HINTS[said] : undefined
  return `HTTP ${answer.status}${said ? ` ${JSON.stringify(said)}` : ''}${hint ? ` (${hint})` : ''}`
}

/** A network failure in one line: fetch's `fetch failed` says little, its cause says what (`getaddrinfo ENOTFOUND host`). */
function networkReason(error: unknown): string {
  const message = errorMessage(error)
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : ''
  return clip(oneLine(redact(cause && !message.includes(cause) ? `${message}: ${cause}` : message)), 300)
}

/** Posts one JSON body; never throws. */
export async function deliver(http: Http, kind: WebhookKind, rawUrl: string, body: unknown, options: SendOptions = {}): Promise<Delivery> {
  const host = webhookHost(rawUrl)
  const { url, authorization } = splitUrlCredentials(rawUrl)
  const init: RequestInit = {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': `dk-actions/${VERSION}`,
      ...(authorization ? { Authorization: authorization } : {})
    },
    body: JSON.stringify(body),
    // A webhook answers where it is; a redirect would carry the message somewhere else.
    redirect: 'manual'
  }
  const timeoutMs = options.timeoutMs ?? 10_000
  let attempts = 0
  try {
    const answer = await withRetry(
      async () => {
        attempts++
        return post(http, url, init, timeoutMs)
      },
      {
        retries: 1,
        baseMs: options.retryDelayMs ?? 1000,
        retriable: (outcome: Attempt<Answer>) => !outcome.ok || outcome.value.status >= 500,
        ...(options.sleep ? { sleep: options.sleep } : {})
      }
    )
    if (answer.status >= 200 && answer.status < 300) return { kind, host, delivered: true, attempts, status: answer.status }
    return { kind, host, delivered: false, attempts, status: answer.status, reason: refusal(kind, answer) }
  } catch (error) {
    return { kind, host, delivered: false, attempts, reason: networkReason(error) }
  }
}

/**
 * Sends a finished run's notification as `config` asks: to Slack, to the JSON webhook, or
 * both at once. Returns what became of each; never throws, never fails the step.
 */
export async function notifyRun(
  io: RunnerIO,
  http: Http,
  config: NotifyConfig | undefined,
  run: NotifiedRun,
  options: SendOptions = {}
): Promise<Delivery[]> {
  if (!config) return []
  const given = [config.slack ? 'slack-webhook' : '', config.webhook ? 'webhook-url' : ''].filter(Boolean)
  if (config.policy === 'never') {
    io.info(
      `Notifications: ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} set, but notify is never: nothing is sent. Set notify to failure or always.`
    )
    return []
  }
  if (!shouldNotify(config.policy, run.outcome)) {
    io.info(`Notifications: the step passed, and notify is ${config.policy}: nothing is sent.`)
    return []
  }
  if (given.length === 0) {
    // Pull requests from forks get no secrets: a missing webhook is said, not failed.
    io.info(
      `Notifications: notify is ${config.policy}, but neither slack-webhook nor webhook-url is set (secrets are empty in pull requests from forks): nothing is sent.`
    )
    return []
  }
  try {
    const where = runContext(io.env)
    const sends: Promise<Delivery>[] = []
    if (config.slack) sends.push(deliver(http, 'Slack', config.slack, buildSlackMessage(run, where), options))
    if (config.webhook) sends.push(deliver(http, 'webhook', config.webhook, buildWebhookPayload(run, where), options))
    const deliveries = await Promise.all(sends)
    for (const d of deliveries) {
      const name = d.kind === 'Slack' ? `Slack (${d.host})` : `the webhook at ${d.host}`
      if (d.delivered) io.info(`Notification sent to ${name}.`)
      else {
        const tries = d.attempts > 1 ? ` (tried ${d.attempts} times)` : ''
        io.warning(
          `The notification to ${name} was not delivered: ${d.reason ?? 'no reason given'}${tries}. The step's result is unchanged.`
        )
      }
    }
    return deliveries
  } catch (error) {
    // Building a message from a report should never fail; if it does, the step still stands.
    io.warning(`The notification could not be sent: ${redact(errorMessage(error))}. The step's result is unchanged.`)
    return []
  }
}
