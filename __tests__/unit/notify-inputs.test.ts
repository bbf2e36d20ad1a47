/**
 * The notification inputs: parsed with the common inputs (undefined when nothing is asked,
 * so a run without notifications has the common inputs it always had), refused in one line
 * that never quotes a webhook's path, and masked whole, path and query, and credentials.
 */
import { parseCommonInputs } from '../../packages-shared/context.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { maskNotifyInputs, maskWebhookUrl, parseNotifyInputs, webhookHost } from '../../packages-shared/notify/inputs.js'
import { redact } from '../../packages-shared/secrets.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { userError } from './helpers/assertions.js'

const SLACK = 'https://hooks.slack.com/services/T0INPUTS1/B0INPUTS1/inputsTestSlackToken0123'

function parse(inputs: Record<string, string>) {
  return parseNotifyInputs(new InputReader(createMemoryIO(inputs)))
}

describe('parseNotifyInputs', () => {
  test('nothing asked: undefined, and the common inputs carry no notify', () => {
    expect(parse({})).toBeUndefined()
    expect(parse({ notify: 'never' })).toBeUndefined()
    const io = createMemoryIO({}, { GITHUB_WORKSPACE: process.cwd(), RUNNER_TEMP: process.cwd() })
    expect('notify' in parseCommonInputs(new InputReader(io), io)).toBe(false)
  })

  test('the policy in any case, and the webhooks as given', () => {
    expect(parse({ notify: 'Failure', 'slack-webhook': SLACK })).toEqual({ policy: 'failure', slack: SLACK })
    expect(parse({ notify: 'always', 'webhook-url': 'https://u:p@events.example.com/hook' })).toEqual({
      policy: 'always',
      webhook: 'https://u:p@events.example.com/hook'
    })
    // Given but not asked for: kept, so the run can say that nothing is sent.
    expect(parse({ 'slack-webhook': SLACK })).toEqual({ policy: 'never', slack: SLACK })
    // Asked for with no webhook (a fork's pull request has no secrets): not an error.
    expect(parse({ notify: 'failure' })).toEqual({ policy: 'failure' })
  })

  test('plain http only for this machine', () => {
    expect(parse({ notify: 'always', 'webhook-url': 'http://127.0.0.1:8080/hook' })?.webhook).toBe('http://127.0.0.1:8080/hook')
    expect(parse({ notify: 'always', 'slack-webhook': 'http://localhost:9/services/T/B/x' })?.slack).toBe(
      'http://localhost:9/services/T/B/x'
    )
    expect(parse({ notify: 'always', 'webhook-url': 'http://[::1]:8080/hook' })?.webhook).toBe('http://[::1]:8080/hook')
  })

  test.each([
    ['slack-webhook', 'http://hooks.slack.com/services/T0/B0/plainHttpSecretPath0', '"http://hooks.slack.com/…"'],
    ['slack-webhook', 'hooks.slack.com/services/T0/B0/noSchemeSecretPath00', '"<redacted>"'],
    ['webhook-url', 'ftp://files.example.com/drop/ftpSecretPath000000', '"<redacted>"'],
    ['webhook-url', 'http://10.0.0.8/hooks/lanSecretPath000000', '"http://10.0.0.8/…"']
  ])('%s %j is refused, quoting no more than the scheme and host', (name, value, shown) => {
    const error = userError(() => parse({ [name]: value }))
    expect(error.message).toBe(
      `Input '${name}' has an invalid value ${shown}: expected an https URL (plain http only for localhost: the URL is the webhook's credential).`
    )
    expect(error.message).not.toContain('SecretPath')
  })

  test('a Slack webhook URL with credentials is refused (it carries its token in its path); a JSON webhook may have them', () => {
    const error = userError(() => parse({ 'slack-webhook': 'https://me:pw@hooks.slack.com/services/T/B/x' }))
    expect(error.message).toContain('credentials do not belong in the URL')
    expect(error.message).not.toContain('pw')
  })

  test('a bad notify lists the allowed values', () => {
    expect(userError(() => parse({ notify: 'sometimes' })).message).toBe(
      'Input \'notify\' has an invalid value "sometimes": allowed values are never, failure, always.'
    )
  })
})

describe('masking', () => {
  test('a Slack webhook is masked whole and by its path, before anything else reads it', () => {
    const io = createMemoryIO({ 'slack-webhook': ` ${SLACK} ` })
    maskNotifyInputs(io)
    expect(io.secrets).toEqual(
      expect.arrayContaining([SLACK, '/services/T0INPUTS1/B0INPUTS1/inputsTestSlackToken0123', 'inputsTestSlackToken0123'])
    )
    // The team and bot ids are short and no secret: `/services/` and the ids stay readable.
    expect(io.secrets).not.toContain('T0INPUTS1')
    expect(redact(`POST /services/T0INPUTS1/B0INPUTS1/inputsTestSlackToken0123 failed`)).toBe('POST *** failed')
  })

  test('a JSON webhook: its credentials (and their Basic form), its path and query', () => {
    const io = createMemoryIO({ 'webhook-url': 'https://bot:maskPw-0987@events.example.com/ingest/abc?token=maskQueryToken-1234' })
    maskNotifyInputs(io)
    expect(io.secrets).toEqual(
      expect.arrayContaining([
        'maskPw-0987',
        Buffer.from('bot:maskPw-0987').toString('base64'),
        '/ingest/abc?token=maskQueryToken-1234',
        '?token=maskQueryToken-1234',
        'maskQueryToken-1234'
      ])
    )
    expect(redact('sent ?token=maskQueryToken-1234 and maskPw-0987')).toBe('sent *** and ***')
    expect(redact('the token maskQueryToken-1234 alone')).toBe('the token *** alone')
  })

  test('a short path is not a secret of its own (masking `/hook` would blank it everywhere)', () => {
    const io = createMemoryIO()
    maskWebhookUrl(io, 'http://127.0.0.1:9000/hook')
    expect(io.secrets).not.toContain('/hook')
  })

  test('empty and unevaluated values are not masked', () => {
    const io = createMemoryIO({ 'slack-webhook': '${{ secrets.SLACK_WEBHOOK_URL }}' })
    maskNotifyInputs(io)
    expect(io.secrets).toEqual([])
  })

  test('webhookHost says the host and port, never the path', () => {
    expect(webhookHost(SLACK)).toBe('hooks.slack.com')
    expect(webhookHost('http://u:p@127.0.0.1:8080/a/b?c')).toBe('127.0.0.1:8080')
    expect(webhookHost('not a url')).toBe('an unparsable URL')
  })
})
