/**
 * Notifications from the built bundles, against servers on this machine: the fake of
 * Slack's incoming webhook (helpers/fake-slack.ts) and a plain JSON webhook that records
 * what it is sent. run-security's workflow audit is the action under test: it needs no
 * Python, no tools and no network, and a script injection in a workflow fails it.
 * A failed step posts one message to each webhook with the run's facts; a passed one with
 * `notify: failure` posts none; a webhook answering 500 is a warning and changes nothing of
 * the step's result; the webhook URL's token appears nowhere; and the root action posts one
 * message for the whole pipeline, not one per stage.
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import type { WebhookPayload } from '../../packages-shared/notify/message.js'
import { controlSequences, startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js'
import { expectSecretNowhere, nodeBinaries, runBundle } from './harness.js'
import { git, write } from './helpers/release-repo.js'

const node = nodeBinaries()[0]!

const RUN_ENV = {
  GITHUB_REPOSITORY: 'dk-org/dataknobs',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_SHA: 'c0ffee0000000000000000000000000000000001',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_WORKFLOW: 'CI',
  GITHUB_JOB: 'security'
}
const RUN_URL = 'https://github.com/dk-org/dataknobs/actions/runs/4242'

const CLEAN_WORKFLOW = [
  'name: CI',
  'on: push',
  'permissions:',
  '  contents: read',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
  '      - run: echo hello',
  ''
].join('\n')

/** One error (a script injection) and nothing else. */
const INJECTED_WORKFLOW = CLEAN_WORKFLOW.replace('echo hello', 'echo "${{ github.event.issue.title }}"')

interface Received {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}

/** A webhook that takes JSON: records every request, answers `status` (200 unless told). */
interface JsonWebhook {
  url: string
  host: string
  received: Received[]
  status: number
  close(): Promise<void>
}

async function startJsonWebhook(secretPath: string): Promise<JsonWebhook> {
  const hook: Partial<JsonWebhook> & { received: Received[]; status: number } = { received: [], status: 200 }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      hook.received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8')
      })
      res.writeHead(hook.status, { 'Content-Type': 'application/json' })
      res.end(hook.status < 300 ? '{"ok":true}' : '{"error":"ingest is down"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(hook, {
    url: `http://${host}${secretPath}`,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }) as JsonWebhook
}

/** A repository with one workflow (and no Python package: the workflow audit needs none). */
function repository(workflow: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-notify-'))
  write(dir, '.github/workflows/ci.yml', workflow)
  return dir
}

const HOOK_SECRET = 'hookPathToken7f3a9c2e51b84d06'

let slack: FakeSlack
let hook: JsonWebhook
const dirs: string[] = []

beforeEach(async () => {
  slack = await startFakeSlack()
  hook = await startJsonWebhook(`/ingest/${HOOK_SECRET}`)
})

afterEach(async () => {
  await slack.close()
  await hook.close()
})

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

function ws(workflow: string): string {
  const dir = repository(workflow)
  dirs.push(dir)
  return dir
}

async function security(workflow: string, inputs: Record<string, string>) {
  return runBundle(
    'run-security',
    { checks: 'workflows', 'slack-webhook': slack.url, 'webhook-url': hook.url, ...inputs },
    { workspace: ws(workflow), node: node.path, env: RUN_ENV }
  )
}

describe(`notifications from the bundles (${node.label})`, () => {
  test('a failed step posts one message to Slack and one to the JSON webhook, with the run’s facts', async () => {
    const run = await security(INJECTED_WORKFLOW, { notify: 'failure' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')

    expect(slack.requests).toHaveLength(1)
    expect(slack.messages).toHaveLength(1)
    const message = slack.messages[0]!
    expect(message.text).toBe('Security failed on dk-org/dataknobs@main')
    const slackText = JSON.stringify(message)
    expect(slackText).toContain(':x: Security failed')
    expect(slackText).toContain('`workflows`: failed, 1 error, 0 warnings')
    expect(slackText).toContain('.github/workflows/ci.yml:10')
    expect(slackText).toContain('script-injection')
    expect(controlSequences(message)).toEqual([
      '<https://github.com/dk-org/dataknobs|dk-org/dataknobs>',
      `<https://github.com/dk-org/dataknobs/commit/${RUN_ENV.GITHUB_SHA}|c0ffee0>`,
      `<${RUN_URL}|View the run>`
    ])

    expect(hook.received).toHaveLength(1)
    const request = hook.received[0]!
    expect(request.method).toBe('POST')
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8')
    const payload = JSON.parse(request.body) as WebhookPayload
    expect(payload).toMatchObject({
      schema: 'dk-actions/notification/v1',
      action: 'run-security',
      title: 'Security',
      result: 'failed',
      passed: false,
      repository: 'dk-org/dataknobs',
      ref: 'main',
      sha: RUN_ENV.GITHUB_SHA,
      workflow: 'CI',
      job: 'security',
      runId: '4242',
      runUrl: RUN_URL,
      counts: { error: 1, warning: 0, note: 0 },
      failedChecks: [{ tool: 'workflows', status: 'failed', errors: 1, warnings: 0 }],
      findings: [{ tool: 'workflows', file: '.github/workflows/ci.yml', line: 10, rule: 'script-injection', severity: 'error' }]
    })
    // The message is the one the step fails with.
    expect(payload.message).toMatch(/^run-security found 1 problem\(s\)/)
    expect(run.stdout).toContain(`::error::${payload.message}`)

    expect(run.stdout).toContain(`Notification sent to Slack (${slack.host}).`)
    expect(run.stdout).toContain(`Notification sent to the webhook at ${hook.host}.`)
    // The webhooks' tokens: masked before anything, so nowhere in what the step leaves.
    expectSecretNowhere(run, slack.token)
    expectSecretNowhere(run, HOOK_SECRET)
    expect(run.stdout).toMatch(/^::add-mask::/m)
    // Neither message carries the other's URL, nor its own.
    for (const body of [slackText, request.body]) {
      expect(body).not.toContain(slack.token)
      expect(body).not.toContain(HOOK_SECRET)
    }
  })

  test('a passed step with notify: failure posts nothing', async () => {
    const run = await security(CLEAN_WORKFLOW, { notify: 'failure' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(slack.requests).toEqual([])
    expect(hook.received).toEqual([])
    expect(run.stdout).toContain('Notifications: the step passed, and notify is failure: nothing is sent.')
  })

  test('webhooks answering 500 are retried once, then a warning each; the step’s result is what it was', async () => {
    const baseline = await security(INJECTED_WORKFLOW, { notify: 'never' })
    slack.failWith(500, 'rollup_error')
    hook.status = 500
    const run = await security(INJECTED_WORKFLOW, { notify: 'failure' })
    expect(slack.requests.map((r) => r.status)).toEqual([500, 500])
    expect(hook.received).toHaveLength(2)
    expect(run.exitCode).toBe(baseline.exitCode)
    expect(run.outputs.passed).toBe(baseline.outputs.passed)
    const failed = (out: string) => out.split('\n').filter((l) => l.startsWith('::error::'))
    expect(failed(run.stdout)).toEqual(failed(baseline.stdout))
    expect(run.stdout).toContain(
      `::warning::The notification to Slack (${slack.host}) was not delivered: HTTP 500 "rollup_error" (Slack's own error; it usually passes) (tried 2 times). The step's result is unchanged.`
    )
    expect(run.stdout).toContain(
      `::warning::The notification to the webhook at ${hook.host} was not delivered: HTTP 500 "{\\"error\\":\\"ingest is down\\"}" (tried 2 times). The step's result is unchanged.`
    )
    expectSecretNowhere(run, slack.token)
    expectSecretNowhere(run, HOOK_SECRET)
  })

  test('a passed step with notify: always posts that it passed', async () => {
    const run = await security(CLEAN_WORKFLOW, { notify: 'always', 'webhook-url': '' })
    expect(run.exitCode).toBe(0)
    expect(slack.messages.map((m) => m.text)).toEqual(['Security passed on dk-org/dataknobs@main'])
    expect(hook.received).toEqual([])
  })
})

/** A repository the release stage can plan on: one package, tagged at 1.0.0, and a fix since. */
function releasable(workflow: string): string {
  const dir = repository(workflow)
  dirs.push(dir)
  write(dir, 'packages/tiny/pyproject.toml', '[project]\nname = "tiny"\nversion = "1.0.0"\ndependencies = []\n')
  write(dir, 'packages/tiny/src/tiny/__init__.py', 'VALUE = 1\n')
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'feat: the first version')
  git(dir, 'tag', 'tiny-v1.0.0')
  write(dir, 'packages/tiny/src/tiny/__init__.py', 'VALUE = 2\n')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'fix(tiny): a better value')
  return dir
}

describe(`the root action posts once for the whole pipeline (${node.label})`, () => {
  const STAGES = { stages: 'security,release', 'security-checks': 'workflows', 'release-dry-run': 'true' }

  test('two stages run, one message each to Slack and the webhook, about the pipeline', async () => {
    const run = await runBundle(
      'pipeline',
      { ...STAGES, notify: 'always', 'slack-webhook': slack.url, 'webhook-url': hook.url },
      { workspace: releasable(CLEAN_WORKFLOW), node: node.path, env: RUN_ENV }
    )
    if (run.exitCode !== 0) console.log(run.stdout.slice(-4000))
    expect(run.exitCode).toBe(0)
    const stages = (run.report!.stages as { stage: string; status: string }[]).map((s) => [s.stage, s.status])
    expect(stages).toEqual([
      ['security', 'passed'],
      ['release', 'passed']
    ])
    expect(slack.messages.map((m) => m.text)).toEqual(['dk-actions pipeline passed on dk-org/dataknobs@main'])
    expect(hook.received).toHaveLength(1)
    const payload = JSON.parse(hook.received[0]!.body) as WebhookPayload
    expect(payload).toMatchObject({ action: 'pipeline', result: 'passed', failedChecks: [] })
    expect(payload.checks.total).toBeGreaterThanOrEqual(2)
    expectSecretNowhere(run, slack.token)
  })

  test('a failed stage: one message naming the stage’s failed check and the blocked stage', async () => {
    const run = await runBundle(
      'pipeline',
      { ...STAGES, notify: 'failure', 'slack-webhook': slack.url, 'webhook-url': hook.url },
      { workspace: releasable(INJECTED_WORKFLOW), node: node.path, env: RUN_ENV }
    )
    expect(run.exitCode).toBe(1)
    expect(slack.requests).toHaveLength(1)
    expect(hook.received).toHaveLength(1)
    const payload = JSON.parse(hook.received[0]!.body) as WebhookPayload
    expect(payload).toMatchObject({
      action: 'pipeline',
      result: 'failed',
      message: 'The pipeline failed: security failed, release blocked. See the step summary.',
      failedChecks: [{ tool: 'security/workflows', status: 'failed', errors: 1 }]
    })
    expect(JSON.stringify(slack.messages[0])).toContain('The pipeline failed: security failed, release blocked.')
  })
})
