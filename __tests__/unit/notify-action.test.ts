/**
 * Notifications through the frame every action runs in (runAction), against the fake of
 * Slack's incoming webhook on this machine: sent once the result is final, as the policy
 * says, for a step that failed, passed or could not run; a webhook that fails changes
 * nothing of the step's result; the webhook URL never reaches the log, summary or outputs.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runAction, type ActionDefinition } from '../../packages-shared/action.js'
import { UserError } from '../../packages-shared/errors.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js'
import { createMemoryIO, type MemoryIO } from '../helpers/io-memory.js'

let workspace: string
let temp: string
let slack: FakeSlack

beforeEach(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-notify-ws-'))
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-notify-tmp-'))
  slack = await startFakeSlack()
})

afterEach(async () => {
  await slack.close()
  fs.rmSync(workspace, { recursive: true, force: true })
  fs.rmSync(temp, { recursive: true, force: true })
})

const FAILED: CheckResult[] = [
  {
    tool: 'flake8',
    package: 'one',
    status: 'failed',
    durationMs: 3,
    findings: [
      { tool: 'flake8', package: 'one', file: 'packages/one/a.py', line: 1, rule: 'F401', severity: 'error', message: 'unused import' }
    ]
  }
]

function memoryIO(inputs: Record<string, string>): MemoryIO {
  return createMemoryIO(inputs, {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: temp,
    GITHUB_REPOSITORY: 'dk-org/dataknobs',
    GITHUB_REF_NAME: 'main',
    GITHUB_SHA: 'b'.repeat(40),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '99'
  })
}

function definition(passed: boolean, overrides: Partial<ActionDefinition<object>> = {}): ActionDefinition<object> {
  return {
    name: 'fake-action',
    title: 'Fake action',
    parseInputs: () => ({}),
    run: async () => ({ passed, packages: ['one'], checks: passed ? [] : FAILED }),
    ...overrides
  }
}

function everything(io: MemoryIO): string {
  return [io.logs.map((l) => l.message).join('\n'), io.summary, JSON.stringify(io.outputs), io.failed ?? ''].join('\n')
}

describe('runAction notifies once the result is final', () => {
  test('notify: failure, a failed step: one message, and the step fails as it would have', async () => {
    const io = memoryIO({ notify: 'failure', 'slack-webhook': slack.url })
    await runAction(io, definition(false))
    expect(slack.messages).toHaveLength(1)
    expect(slack.messages[0]!.text).toBe('Fake action failed on dk-org/dataknobs@main')
    expect(JSON.stringify(slack.messages[0])).toContain('<https://github.com/dk-org/dataknobs/actions/runs/99|View the run>')
    expect(io.failed).toBe('Fake action failed: 1 error(s), 0 warning(s). See the step summary for details.')
    expect(io.outputs.passed).toBe('false')
    expect(io.logs).toContainEqual({ level: 'info', message: `Notification sent to Slack (${slack.host}).` })
  })

  test('notify: failure, a passed step: nothing is sent', async () => {
    const io = memoryIO({ notify: 'failure', 'slack-webhook': slack.url })
    await runAction(io, definition(true))
    expect(slack.requests).toEqual([])
    expect(io.failed).toBeUndefined()
  })

  test('notify: always, a passed step: one message saying it passed', async () => {
    const io = memoryIO({ notify: 'always', 'slack-webhook': slack.url })
    await runAction(io, definition(true))
    expect(slack.messages.map((m) => m.text)).toEqual(['Fake action passed on dk-org/dataknobs@main'])
  })

  test('notify: never (the default), a failed step: nothing is sent', async () => {
    const io = memoryIO({ 'slack-webhook': slack.url })
    await runAction(io, definition(false))
    expect(slack.requests).toEqual([])
  })

  test('a step that could not run (a UserError from its inputs) is a failure to notify, with the reason', async () => {
    const io = memoryIO({ notify: 'failure', 'slack-webhook': slack.url })
    await runAction(
      io,
      definition(true, {
        parseInputs: () => {
          throw new UserError('Input \'level\' has an invalid value "loud": allowed values are quiet.')
        }
      })
    )
    expect(io.failed).toBe('Input \'level\' has an invalid value "loud": allowed values are quiet.')
    expect(slack.messages).toHaveLength(1)
    expect(slack.messages[0]!.text).toBe('Fake action could not run on dk-org/dataknobs@main')
    expect(JSON.stringify(slack.messages[0])).toContain('allowed values are quiet.')
  })

  test('another common input refused (install) is still a failure to notify', async () => {
    const io = memoryIO({ notify: 'failure', 'slack-webhook': slack.url, install: 'everything' })
    await runAction(io, definition(true))
    expect(io.failed).toMatch(/^Input 'install' has an invalid value "everything"/)
    expect(slack.messages.map((m) => m.text)).toEqual(['Fake action could not run on dk-org/dataknobs@main'])
  })

  test('a bad notify input is the one clear error, and nothing is sent', async () => {
    const io = memoryIO({ notify: 'loudly', 'slack-webhook': slack.url })
    await runAction(io, definition(false))
    expect(io.failed).toBe('Input \'notify\' has an invalid value "loudly": allowed values are never, failure, always.')
    expect(slack.requests).toEqual([])
  })

  test('a webhook answering 500 (twice: one retry) is a warning; the step passed and still passes', async () => {
    slack.failWith(500, 'rollup_error')
    const io = memoryIO({ notify: 'always', 'slack-webhook': slack.url })
    await runAction(io, definition(true))
    expect(slack.requests.map((r) => r.status)).toEqual([500, 500])
    expect(io.failed).toBeUndefined()
    expect(io.outputs.passed).toBe('true')
    const warnings = io.logs.filter((l) => l.level === 'warning').map((l) => l.message)
    expect(warnings).toEqual([
      `The notification to Slack (${slack.host}) was not delivered: HTTP 500 "rollup_error" (Slack's own error; it usually passes) (tried 2 times). The step's result is unchanged.`
    ])
  })

  test('a removed webhook (404 no_service) on a failed step: a warning, and the failure message is the step’s own', async () => {
    slack.remove()
    const io = memoryIO({ notify: 'failure', 'slack-webhook': slack.url })
    await runAction(io, definition(false))
    expect(slack.requests).toHaveLength(1)
    expect(io.failed).toBe('Fake action failed: 1 error(s), 0 warning(s). See the step summary for details.')
    expect(io.logs.find((l) => l.level === 'warning')?.message).toContain('HTTP 404 "no_service" (the webhook does not exist')
  })

  test('the webhook URL and its token are masked first and appear nowhere', async () => {
    const io = memoryIO({ notify: 'always', 'slack-webhook': slack.url })
    await runAction(
      io,
      definition(false, {
        // A tool that prints the URL it was somehow given, and a finding that holds it.
        run: async (ctx) => {
          ctx.io.info(`tool output: ${slack.url}`)
          return {
            passed: false,
            packages: [],
            checks: [{ ...FAILED[0]!, findings: [{ ...FAILED[0]!.findings[0]!, message: `leaked ${slack.token}` }] }]
          }
        }
      })
    )
    expect(io.secrets).toContain(slack.url)
    expect(everything(io)).not.toContain(slack.token)
    expect(JSON.stringify(slack.messages)).not.toContain(slack.token)
    expect(JSON.stringify(slack.messages)).toContain('leaked ***')
  })

  test('a fan-out plan step that planned sends nothing: its jobs and merge-reports report', async () => {
    fs.mkdirSync(path.join(workspace, 'packages', 'one'), { recursive: true })
    fs.writeFileSync(path.join(workspace, 'packages', 'one', 'pyproject.toml'), '[project]\nname = "one"\nversion = "1.0"\n')
    const io = memoryIO({ notify: 'always', 'slack-webhook': slack.url, shards: '1' })
    await runAction(io, definition(true))
    expect(io.failed).toBeUndefined()
    expect(io.outputs.matrix).toBeDefined()
    expect(slack.requests).toEqual([])
  })
})
