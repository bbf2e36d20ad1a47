/**
 * A fake of Slack's incoming webhooks, for tests: a local HTTP server (127.0.0.1, a free
 * port) standing in for `https://hooks.slack.com/services/T…/B…/<token>`, which a test
 * cannot reach and should not post to.
 *
 * It follows Slack's documentation of incoming webhooks ("Sending messages using incoming
 * webhooks", and the changelog "Improving error conditions for Incoming Webhooks",
 * https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks):
 * - a message is a POST of JSON (`Content-Type: application/json`, or a form with a
 *   `payload` field) with `text` and/or `blocks`;
 * - success is HTTP 200 with the body `ok`; failures are a status and a plain string:
 *   400 `invalid_payload` (not JSON, or not an object), 400 `no_text` (neither text nor
 *   blocks), 400 `invalid_blocks` (a layout Block Kit refuses: more than 50 blocks, a
 *   section's text over 3000 characters, a header's over 150 or not plain_text, more than
 *   10 fields or a field over 2000, an unknown block type), 403 `invalid_token` (a known
 *   webhook with another token), 404 `no_service` (no such webhook), 410
 *   `channel_is_archived`, 500 `rollup_error`.
 * A method other than POST answers 405 `invalid_method` (Slack documents none; chosen here).
 * Tests can make the webhook answer as it would when archived, removed or failing.
 */
import { randomBytes } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SlackRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  /** What the fake answered. */
  status: number
  answer: string
}

export interface SlackPayload {
  text?: string
  blocks?: Record<string, unknown>[]
  [key: string]: unknown
}

export interface FakeSlack {
  /** The webhook's URL, the secret a workflow keeps in `secrets.SLACK_WEBHOOK_URL`. */
  url: string
  /** Its token, the last part of the path. */
  token: string
  /** `127.0.0.1:<port>`: all a log line may say of the URL. */
  host: string
  /** Every request, in order, with what it was answered. */
  requests: SlackRequest[]
  /** The messages accepted (answered `ok`). */
  messages: SlackPayload[]
  /** The next `times` requests (every one when absent) get this status and error string. */
  failWith(status: number, error: string, times?: number): void
  /** As after the channel is archived: 410 `channel_is_archived`. */
  archive(): void
  /** As after the webhook is removed: 404 `no_service`. */
  remove(): void
  close(): Promise<void>
}

const LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, fields: 10, fieldText: 2000, contextElements: 10 }
const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions', 'image', 'rich_text', 'markdown'])

function textOf(value: unknown): { type?: unknown; text?: unknown } | undefined {
  return value !== null && typeof value === 'object' ? (value as { type?: unknown; text?: unknown }) : undefined
}

function textLength(value: unknown): number {
  const t = textOf(value)
  return typeof t?.text === 'string' ? t.text.length : 0
}

/** Whether Block Kit accepts these blocks, as far as the documented limits go. */
export function blocksError(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks is not a list'
  if (blocks.length > LIMITS.blocks) return `${blocks.length} blocks (at most ${LIMITS.blocks})`
  for (const [i, raw] of blocks.entries()) {
    const block = raw as Record<string, unknown>
    if (!block || typeof block !== 'object' || !BLOCK_TYPES.has(String(block.type))) return `block ${i}: unknown type`
    if (block.type === 'header') {
      if (textOf(block.text)?.type !== 'plain_text') return `block ${i}: a header's text must be plain_text`
      if (textLength(block.text) > LIMITS.headerText) return `block ${i}: header text over ${LIMITS.headerText}`
    }
    if (block.type === 'section') {
      if (block.text === undefined && block.fields === undefined) return `block ${i}: a section needs text or fields`
      if (textLength(block.text) > LIMITS.sectionText) return `block ${i}: section text over ${LIMITS.sectionText}`
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length > LIMITS.fields) return `block ${i}: more than ${LIMITS.fields} fields`
        if (block.fields.some((f) => textLength(f) > LIMITS.fieldText)) return `block ${i}: a field over ${LIMITS.fieldText}`
      }
    }
    if (block.type === 'context') {
      if (!Array.isArray(block.elements) || block.elements.length > LIMITS.contextElements) return `block ${i}: context elements`
    }
  }
  return undefined
}

/**
 * Every `<…>` sequence of a message's text and blocks: what Slack would turn into a link, a
 * mention (`<@U1>`, `<!here>`) or a channel. Tests use it to check that nothing but the
 * links a message means to carry got through.
 */
export function controlSequences(payload: { text?: unknown; blocks?: unknown }): string[] {
  const texts: string[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>
      if (o.type === 'mrkdwn' && typeof o.text === 'string') texts.push(o.text)
      Object.values(o).forEach(walk)
    }
  }
  if (typeof payload.text === 'string') texts.push(payload.text)
  walk(payload.blocks)
  return texts.flatMap((t) => t.match(/<[^>]*>/g) ?? [])
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parsePayload(contentType: string, body: string): SlackPayload | undefined {
  let json = body
  if (contentType.startsWith('application/x-www-form-urlencoded')) json = new URLSearchParams(body).get('payload') ?? ''
  else if (!contentType.startsWith('application/json')) return undefined
  try {
    const value: unknown = JSON.parse(json)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SlackPayload) : undefined
  } catch {
    return undefined
  }
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const team = 'T0DKTEST01'
  const bot = 'B0DKTEST01'
  const token = randomBytes(18).toString('base64url')
  const requests: SlackRequest[] = []
  const messages: SlackPayload[] = []
  let scripted: { status: number; error: string; times: number } | undefined
  let state: 'live' | 'archived' | 'removed' = 'live'

  const answer = (method: string, path: string, headers: http.IncomingHttpHeaders, body: string): [number, string] => {
    const match = /^\/services\/([^/]+)\/([^/]+)\/([^/?]+)$/.exec(path)
    if (!match || match[1] !== team || match[2] !== bot || state === 'removed') return [404, 'no_service']
    if (match[3] !== token) return [403, 'invalid_token']
    if (method !== 'POST') return [405, 'invalid_method']
    if (scripted && scripted.times > 0) {
      scripted.times--
      return [scripted.status, scripted.error]
    }
    if (state === 'archived') return [410, 'channel_is_archived']
    const payload = parsePayload(String(headers['content-type'] ?? '').toLowerCase(), body)
    if (!payload) return [400, 'invalid_payload']
    const hasText = typeof payload.text === 'string' && payload.text.trim() !== ''
    if (!hasText && payload.blocks === undefined) return [400, 'no_text']
    if (payload.blocks !== undefined && blocksError(payload.blocks)) return [400, 'invalid_blocks']
    messages.push(payload)
    return [200, 'ok']
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const path = (req.url ?? '/').split('?')[0]!
      const method = req.method ?? 'GET'
      const [status, text] = answer(method, path, req.headers, body)
      requests.push({ method, path, headers: req.headers, body, status, answer: text })
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' })
      res.end(text)
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const host = `127.0.0.1:${port}`
  return {
    url: `http://${host}/services/${team}/${bot}/${token}`,
    token,
    host,
    requests,
    messages,
    failWith: (status, error, times = Number.POSITIVE_INFINITY) => {
      scripted = { status, error, times }
    },
    archive: () => {
      state = 'archived'
    },
    remove: () => {
      state = 'removed'
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
