/**
 * Sending a notification: the policy (never, failure, always × passed, failed, could not
 * run), one POST per webhook with recorded answers, one retry on a 5xx, a network error or
 * no answer in time and none on a 4xx, redirects not followed, and every failure one
 * warning that names the webhook by its host only, never throwing.
 */
import type { Http } from '../../packages-shared/github/http.js'
import type { NotifyConfig, NotifyPolicy } from '../../packages-shared/notify/inputs.js'
import type { NotifiedRun, RunOutcome, SlackMessage, WebhookPayload } from '../../packages-shared/notify/message.js'
import { deliver, notifyRun, shouldNotify } from '../../packages-shared/notify/send.js'
import { VERSION } from '../../packages-shared/version.js'
import { createMemoryIO, type MemoryIO } from '../helpers/io-memory.js'
import { recordedHttp, type RecordedHttp } from '../helpers/recorded.js'

const SLACK = 'https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/notifysendtestsecrettoken'
const HOOK = 'https://ci-bot:hook-password-123@events.example.com/ingest/dk?key=hook-query-secret'
const NO_WAIT = { sleep: async () => undefined }

const ENV = { GITHUB_REPOSITORY: 'dk-org/dataknobs', GITHUB_REF_NAME: 'main', GITHUB_SHA: 'a'.repeat(40), GITHUB_RUN_ID: '7' }

function run(outcome: RunOutcome = 'failed'): NotifiedRun {
  return {
    action: 'run-security',
    title: 'Security',
    outcome,
    ...(outcome === 'passed' ? {} : { message: 'Security failed: 1 error(s), 0 warning(s).' }),
    packages: ['dataknobs-common'],
    checks: [
      {
        tool: 'workflows',
        status: outcome === 'passed' ? 'passed' : 'failed',
        durationMs: 1,
        findings:
          outcome === 'passed'
            ? []
            : [
                {
                  tool: 'workflows',
                  severity: 'error',
                  rule: 'unpinned-uses',
                  file: '.github/workflows/ci.yml',
                  line: 9,
                  message: 'not pinned'
                }
              ]
      }
    ],
    durationMs: 5
  }
}

function io(): MemoryIO {
  return createMemoryIO({}, ENV)
}

function text(status: number, body: string): Response {
  // A 204 has no body at all, as fetch's Response requires.
  return new Response(status === 204 ? null : body, { status, headers: { 'Content-Type': 'text/html' } })
}

function http(answers: Record<string, () => Response | Promise<Response>>): RecordedHttp {
  return recordedHttp([
    { match: (url) => url.startsWith('https://hooks.slack.com/'), answer: answers.slack ?? (() => text(200, 'ok')) },
    { match: (url) => url.startsWith('https://events.example.com/'), answer: answers.hook ?? (() => text(204, '')) }
  ])
}

const logs = (m: MemoryIO, level: string): string[] => m.logs.filter((l) => l.level === level).map((l) => l.message)

/** Nothing a log line says may hold more of a webhook URL than its host. */
function expectNoUrlSecrets(m: MemoryIO): void {
  const all = m.logs.map((l) => l.message).join('\n')
  for (const secret of ['notifysendtestsecrettoken', '/services/', 'hook-password-123', 'hook-query-secret', '/ingest/dk', 'ci-bot']) {
    expect(all).not.toContain(secret)
  }
}

describe('the policy', () => {
  const table: [NotifyPolicy, RunOutcome, boolean][] = [
    ['never', 'passed', false],
    ['never', 'failed', false],
    ['never', 'error', false],
    ['failure', 'passed', false],
    ['failure', 'failed', true],
    ['failure', 'error', true],
    ['always', 'passed', true],
    ['always', 'failed', true],
    ['always', 'error', true]
  ]
  test.each(table)('notify: %s, a run that %s → sent: %s', async (policy, outcome, sent) => {
    expect(shouldNotify(policy, outcome)).toBe(sent)
    const client = http({})
    const m = io()
    const deliveries = await notifyRun(m, client, { policy, slack: SLACK }, run(outcome), NO_WAIT)
    expect(client.requests).toHaveLength(sent ? 1 : 0)
    expect(deliveries.map((d) => d.delivered)).toEqual(sent ? [true] : [])
    expect(logs(m, 'warning')).toEqual([])
  })

  test('no config (notify never, no webhook): nothing is sent or said', async () => {
    const client = http({})
    const m = io()
    expect(await notifyRun(m, client, undefined, run())).toEqual([])
    expect(client.requests).toEqual([])
    expect(m.logs).toEqual([])
  })

  test('a webhook without notify says that nothing is sent, and how to change that', async () => {
    const m = io()
    await notifyRun(m, http({}), { policy: 'never', slack: SLACK }, run())
    expect(logs(m, 'info')).toEqual([
      'Notifications: slack-webhook is set, but notify is never: nothing is sent. Set notify to failure or always.'
    ])
  })

  test('notify without a webhook (a fork pull request gets no secrets) is said, not failed', async () => {
    const m = io()
    const client = http({})
    await notifyRun(m, client, { policy: 'failure' }, run())
    expect(client.requests).toEqual([])
    expect(logs(m, 'info')[0]).toMatch(/neither slack-webhook nor webhook-url is set/)
    expect(logs(m, 'warning')).toEqual([])
  })
})

describe('posting', () => {
  test('both webhooks get one POST each: Slack its message, the JSON webhook the documented body with its credentials as Basic authorization', async () => {
    const client = http({})
    const m = io()
    const deliveries = await notifyRun(m, client, { policy: 'failure', slack: SLACK, webhook: HOOK }, run(), NO_WAIT)
    expect(deliveries.map((d) => [d.kind, d.host, d.delivered, d.attempts])).toEqual([
      ['Slack', 'hooks.slack.com', true, 1],
      ['webhook', 'events.example.com', true, 1]
    ])
    expect(client.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', SLACK],
      ['POST', 'https://events.example.com/ingest/dk?key=hook-query-secret']
    ])
    const [slack, hook] = client.requests
    const headers = (r: typeof slack) => r!.init.headers as Record<string, string>
    expect(headers(slack)['Content-Type']).toBe('application/json; charset=utf-8')
    expect(headers(slack)['User-Agent']).toBe(`dk-actions/${VERSION}`)
    expect(headers(slack).Authorization).toBeUndefined()
    expect(headers(hook).Authorization).toBe(`Basic ${Buffer.from('ci-bot:hook-password-123').toString('base64')}`)
    expect(slack!.init.redirect).toBe('manual')
    const message = JSON.parse(slack!.init.body as string) as SlackMessage
    expect(message.text).toBe('Security failed on dk-org/dataknobs@main')
    const payload = JSON.parse(hook!.init.body as string) as WebhookPayload
    expect(payload).toMatchObject({ result: 'failed', repository: 'dk-org/dataknobs', failedChecks: [{ tool: 'workflows', errors: 1 }] })
    expect(logs(m, 'info')).toEqual([
      'Notification sent to Slack (hooks.slack.com).',
      'Notification sent to the webhook at events.example.com.'
    ])
    expectNoUrlSecrets(m)
  })

  test('a 5xx is retried once; a success on the retry is a delivery', async () => {
    let calls = 0
    const client = http({ slack: () => (++calls === 1 ? text(503, 'rollup_error') : text(200, 'ok')) })
    const m = io()
    const [d] = await notifyRun(m, client, { policy: 'always', slack: SLACK }, run('passed'), NO_WAIT)
    expect(d).toMatchObject({ delivered: true, attempts: 2, status: 200 })
    expect(logs(m, 'warning')).toEqual([])
  })

  test('a 5xx twice is one warning naming the host, the status and Slack’s error string, never the URL', async () => {
    const client = http({ slack: () => text(500, 'rollup_error') })
    const m = io()
    const [d] = await notifyRun(m, client, { policy: 'failure', slack: SLACK }, run(), NO_WAIT)
    expect(d).toMatchObject({ delivered: false, attempts: 2, status: 500 })
    expect(logs(m, 'warning')).toEqual([
      'The notification to Slack (hooks.slack.com) was not delivered: HTTP 500 "rollup_error" (Slack\'s own error; it usually passes) (tried 2 times). The step\'s result is unchanged.'
    ])
    expectNoUrlSecrets(m)
  })

  test.each([
    [404, 'no_service', 'the webhook does not exist'],
    [403, 'invalid_token', "the webhook's token is not valid"],
    [410, 'channel_is_archived', "the webhook's channel is archived"],
    [400, 'invalid_payload', 'Slack could not read the message: please report this as a dk-actions bug']
  ])('Slack answering %i %s is not retried, and the warning says what to do', async (status, error, hint) => {
    const client = http({ slack: () => text(status, error) })
    const m = io()
    const [d] = await notifyRun(m, client, { policy: 'failure', slack: SLACK }, run(), NO_WAIT)
    expect(d).toMatchObject({ delivered: false, attempts: 1, status })
    const [warning] = logs(m, 'warning')
    expect(warning).toContain(`HTTP ${status} "${error}" (${hint}`)
    expect(warning).not.toContain('tried')
    expectNoUrlSecrets(m)
  })

  test('a network failure is retried once, and the warning gives its cause', async () => {
    const client = http({
      slack: () => {
        throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND hooks.slack.com') })
      }
    })
    const m = io()
    const [d] = await notifyRun(m, client, { policy: 'failure', slack: SLACK }, run(), NO_WAIT)
    expect(d).toMatchObject({ delivered: false, attempts: 2 })
    expect(d!.status).toBeUndefined()
    expect(logs(m, 'warning')[0]).toContain('was not delivered: fetch failed: getaddrinfo ENOTFOUND hooks.slack.com (tried 2 times)')
  })

  test('no answer in time is abandoned, retried once, and said', async () => {
    const signals: AbortSignal[] = []
    const never: Http = async (_url, init) => {
      signals.push(init!.signal!)
      return new Promise<Response>(() => undefined)
    }
    const m = io()
    const started = Date.now()
    const [d] = await notifyRun(m, never, { policy: 'failure', slack: SLACK }, run(), { ...NO_WAIT, timeoutMs: 30 })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(d).toMatchObject({ delivered: false, attempts: 2, reason: 'no answer within 30ms' })
    // The client is told to give up too, so no connection is left behind.
    expect(signals.map((s) => s.aborted)).toEqual([true, true])
  })

  test('an answer whose body never ends is abandoned in time as well', async () => {
    const stalled: Http = async () => ({ status: 200, text: () => new Promise<string>(() => undefined) }) as unknown as Response
    const d = await deliver(stalled, 'webhook', 'https://events.example.com/x', {}, { ...NO_WAIT, timeoutMs: 20 })
    expect(d).toMatchObject({ delivered: false, reason: 'no answer within 20ms' })
  })

  test('a redirect is not followed: the message goes only where the URL says', async () => {
    const client = http({ hook: () => new Response('', { status: 302, headers: { Location: 'https://elsewhere.example/' } }) })
    const m = io()
    const [d] = await notifyRun(m, client, { policy: 'failure', webhook: HOOK }, run(), NO_WAIT)
    expect(d).toMatchObject({ delivered: false, attempts: 1, status: 302 })
    expect(client.requests).toHaveLength(1)
    expect(logs(m, 'warning')[0]).toContain('HTTP 302, a redirect (not followed')
  })

  test('a long error page is cut to its first line, and anything registered as a secret in it is masked', async () => {
    const client = http({ hook: () => text(400, `\n\n<html>bad request for ${HOOK}\n${'x'.repeat(5000)}`) })
    const m = io()
    await notifyRun(m, client, { policy: 'failure', webhook: HOOK }, run(), NO_WAIT)
    const [warning] = logs(m, 'warning')
    expect(warning!.length).toBeLessThan(400)
    expect(warning).toContain('HTTP 400 "<html>bad request for https://***@events.example.com')
    expect(warning).not.toContain('hook-password-123')
  })

  test('a client that cannot even be made (a bad proxy variable) is a warning, not a failure', async () => {
    const broken: Http = () => {
      throw new Error('HTTPS_PROXY is not a URL')
    }
    const m = io()
    const deliveries = await notifyRun(m, broken, { policy: 'failure', slack: SLACK, webhook: HOOK } satisfies NotifyConfig, run(), NO_WAIT)
    expect(deliveries.map((d) => d.delivered)).toEqual([false, false])
    expect(logs(m, 'warning')).toHaveLength(2)
    expect(logs(m, 'warning')[0]).toContain('HTTPS_PROXY is not a URL')
  })
})
