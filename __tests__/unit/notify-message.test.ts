/**
 * The notification's two shapes, built from a run: what the Slack message and the JSON body
 * say, that a finding cannot mention anyone or add a link in Slack, that secrets never get
 * in, and that both stay within bounds however large the report (Slack: 3000 characters a
 * section, 50 blocks a message; the JSON body: bounded lists and strings).
 */
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import {
  buildSlackMessage,
  buildWebhookPayload,
  clip,
  escapeMrkdwn,
  fitLines,
  runContext,
  SLACK_LIMITS,
  WEBHOOK_LIMITS,
  WEBHOOK_SCHEMA,
  type NotifiedRun,
  type SlackBlock
} from '../../packages-shared/notify/message.js'
import { registerSecret } from '../../packages-shared/secrets.js'
import { VERSION } from '../../packages-shared/version.js'
import { blocksError, controlSequences } from '../helpers/fake-slack.js'

const ENV = {
  GITHUB_REPOSITORY: 'dk-org/dataknobs',
  GITHUB_REF_NAME: 'main',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_WORKFLOW: 'CI',
  GITHUB_JOB: 'quality',
  GITHUB_EVENT_NAME: 'push'
}
const WHERE = runContext(ENV)
const RUN_URL = 'https://github.com/dk-org/dataknobs/actions/runs/4242'

function finding(over: Partial<Finding> = {}): Finding {
  return {
    tool: 'flake8',
    package: 'dataknobs-common',
    file: 'packages/common/src/dataknobs_common/text.py',
    line: 3,
    rule: 'F401',
    severity: 'error',
    message: "'os' imported but unused",
    ...over
  }
}

function check(over: Partial<CheckResult> = {}): CheckResult {
  return { tool: 'flake8', status: 'failed', durationMs: 10, findings: [finding()], ...over }
}

function run(over: Partial<NotifiedRun> = {}): NotifiedRun {
  return {
    action: 'run-quality',
    title: 'Code quality',
    outcome: 'failed',
    message: 'Code quality failed: 1 error(s), 0 warning(s). See the step summary for details.',
    packages: ['dataknobs-common', 'dataknobs-utils'],
    checks: [check(), check({ tool: 'black', status: 'passed', findings: [] })],
    durationMs: 1234.4,
    ...over
  }
}

/** Every mrkdwn and plain text of a message's blocks. */
function texts(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'header') return [b.text.text]
    if (b.type === 'context') return b.elements.map((e) => e.text)
    return [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)]
  })
}

function sectionTexts(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []))
}

describe('runContext: where the run happened', () => {
  test('the repository, ref, commit, workflow and the link to the run, from the runner', () => {
    expect(WHERE).toEqual({
      repository: 'dk-org/dataknobs',
      ref: 'main',
      sha: ENV.GITHUB_SHA,
      workflow: 'CI',
      job: 'quality',
      event: 'push',
      runId: '4242',
      runAttempt: '2',
      repositoryUrl: 'https://github.com/dk-org/dataknobs',
      commitUrl: `https://github.com/dk-org/dataknobs/commit/${ENV.GITHUB_SHA}`,
      runUrl: RUN_URL
    })
  })

  test('GITHUB_REF gives the ref when GITHUB_REF_NAME is absent; GitHub Enterprise keeps its own server', () => {
    const ctx = runContext({ ...ENV, GITHUB_REF_NAME: undefined, GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_SERVER_URL: 'https://ghe.corp/' })
    expect(ctx.ref).toBe('v1.2.0')
    expect(ctx.runUrl).toBe('https://ghe.corp/dk-org/dataknobs/actions/runs/4242')
  })

  test('no link from values that are not what GitHub sets (outside a runner)', () => {
    const ctx = runContext({
      GITHUB_REPOSITORY: 'not a/repo<x>',
      GITHUB_RUN_ID: 'x',
      GITHUB_SHA: 'zz',
      GITHUB_SERVER_URL: 'javascript:alert(1)'
    })
    expect(ctx.runUrl).toBeUndefined()
    expect(ctx.repositoryUrl).toBeUndefined()
    expect(ctx.commitUrl).toBeUndefined()
    expect(runContext({}).runUrl).toBeUndefined()
  })
})

describe('the Slack message', () => {
  test('says what failed where, with counts, the failed checks, the first findings and a link to the run', () => {
    const message = buildSlackMessage(run(), WHERE)
    expect(message.text).toBe('Code quality failed on dk-org/dataknobs@main')
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':x: Code quality failed', emoji: true } })
    const all = texts(message.blocks).join('\n')
    expect(all).toContain('*Repository*\n<https://github.com/dk-org/dataknobs|dk-org/dataknobs>')
    expect(all).toContain('*Ref*\n`main`')
    expect(all).toContain(`*Commit*\n<https://github.com/dk-org/dataknobs/commit/${ENV.GITHUB_SHA}|0123456>`)
    expect(all).toContain('*Workflow*\nCI / quality')
    expect(all).toContain('Code quality failed: 1 error(s), 0 warning(s).')
    expect(all).toContain('*Errors:* 1   *Warnings:* 0   *Notes:* 0   *Checks failed:* 1 of 2')
    expect(all).toContain('*Failed checks*\n• `flake8`: failed, 1 error, 0 warnings')
    expect(all).toContain(
      "*First findings* (1)\n• error: `packages/common/src/dataknobs_common/text.py:3` flake8 [F401] 'os' imported but unused"
    )
    expect(all).toContain(`<${RUN_URL}|View the run> · dk-actions ${VERSION}`)
    expect(blocksError(message.blocks)).toBeUndefined()
  })

  test('a passed run says so, with no failed checks or findings sections', () => {
    const message = buildSlackMessage(
      run({ outcome: 'passed', message: undefined, checks: [check({ status: 'passed', findings: [] })] }),
      WHERE
    )
    expect(message.text).toBe('Code quality passed on dk-org/dataknobs@main')
    expect(message.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: Code quality passed' } })
    const all = texts(message.blocks).join('\n')
    expect(all).not.toContain('Failed checks')
    expect(all).not.toContain('First findings')
    expect(all).toContain('*Checks failed:* 0 of 1')
  })

  test('a step that could not run says why, with no counts', () => {
    const message = buildSlackMessage(
      run({ outcome: 'error', message: 'Input \'checks\' has an invalid value "x": allowed values are black.', checks: [], packages: [] }),
      WHERE
    )
    expect(message.text).toBe('Code quality could not run on dk-org/dataknobs@main')
    const all = texts(message.blocks).join('\n')
    expect(all).toContain('Input \'checks\' has an invalid value "x": allowed values are black.')
    expect(all).not.toContain('*Errors:*')
  })

  test('a check that errored is named with its package and why it could not run', () => {
    const message = buildSlackMessage(
      run({
        checks: [
          check({ tool: 'tests/pytest', package: 'dataknobs-utils', status: 'error', findings: [], message: 'pytest\ncrashed:\tsegfault' })
        ]
      }),
      WHERE
    )
    expect(sectionTexts(message.blocks).join('\n')).toContain('• `tests/pytest` (dataknobs-utils): could not run: pytest crashed: segfault')
  })

  test('errors come first among the findings shown', () => {
    const checks = [
      check({ findings: [finding({ severity: 'note', message: 'a note' }), finding({ severity: 'warning', message: 'a warning' })] }),
      check({ tool: 'mypy', findings: [finding({ tool: 'mypy', message: 'an error' })] })
    ]
    const section = sectionTexts(buildSlackMessage(run({ checks }), WHERE).blocks).find((t) => t.startsWith('*First findings*'))!
    expect(section.split('\n').slice(1)).toEqual([
      expect.stringContaining('an error'),
      expect.stringContaining('a warning'),
      expect.stringContaining('a note')
    ])
  })

  test.each([
    ['a mention of the whole channel', '<!channel> deploy now'],
    ['a user mention', 'ping <@U024BE7LH>'],
    ['a link', 'see <https://evil.example/phish|the fix>'],
    ['a bare URL in brackets', '<https://evil.example>'],
    ['an entity', 'a &lt;b&gt; c && d']
  ])('a finding holding %s is shown as text: nothing but our links gets through', (_what, text) => {
    const hostile = finding({ message: text, rule: '<!here>', file: 'src/<!subteam^S1>.py', package: '<@U1>', tool: '<#C1>' })
    const message = buildSlackMessage(
      run({
        message: `failed: ${text}`,
        checks: [
          check({ tool: '<!everyone>', package: '<@U2>', findings: [hostile] }),
          check({ status: 'error', message: text, findings: [] })
        ]
      }),
      runContext({ ...ENV, GITHUB_REF_NAME: '<!channel>', GITHUB_WORKFLOW: '<https://evil.example|CI>', GITHUB_JOB: '<@U3>' })
    )
    const sequences = controlSequences(message)
    expect(sequences).toEqual([
      '<https://github.com/dk-org/dataknobs|dk-org/dataknobs>',
      `<https://github.com/dk-org/dataknobs/commit/${ENV.GITHUB_SHA}|0123456>`,
      `<${RUN_URL}|View the run>`
    ])
    const all = [message.text, ...texts(message.blocks)].join('\n')
    expect(all).toContain(escapeMrkdwn(text))
    expect(all).toContain('`&lt;!channel&gt;`')
  })

  test('escapeMrkdwn turns exactly Slack’s three control characters into entities', () => {
    expect(escapeMrkdwn('a & b < c > d <!here>')).toBe('a &amp; b &lt; c &gt; d &lt;!here&gt;')
    expect(escapeMrkdwn('*bold* _it_ `code` @here')).toBe('*bold* _it_ `code` @here')
  })

  test('a backtick in a file name cannot end the code span early', () => {
    const message = buildSlackMessage(run({ checks: [check({ findings: [finding({ file: 'a`b.py', line: 1 })] })] }), WHERE)
    expect(sectionTexts(message.blocks).join('\n')).toContain("`a'b.py:1`")
  })

  test('a registered secret in a finding, a message or a ref is replaced by ***', () => {
    const secret = 'xoxb-notify-test-secret-123456'
    registerSecret({ setSecret: () => undefined }, secret)
    const checks = [check({ findings: [finding({ message: `token=${secret}` })], message: secret })]
    const where = runContext({ ...ENV, GITHUB_REF_NAME: `feature/${secret}` })
    const slack = JSON.stringify(buildSlackMessage(run({ checks, message: `failed with ${secret}` }), where))
    const json = JSON.stringify(buildWebhookPayload(run({ checks, message: `failed with ${secret}` }), where))
    for (const body of [slack, json]) {
      expect(body).not.toContain(secret)
      expect(body).toContain('***')
    }
  })

  test('however large the report, every section keeps within 3000 characters and the message within 50 blocks', () => {
    const long = '&<>'.repeat(2000)
    const findings = Array.from({ length: 500 }, (_, i) => finding({ message: `${i} ${long}`, file: `${'d/'.repeat(300)}f${i}.py` }))
    const checks = Array.from({ length: 200 }, (_, i) =>
      check({
        tool: `tool-${i}-${'x'.repeat(300)}`,
        package: `pkg-${i}`,
        findings: i === 0 ? findings : [],
        status: i % 2 ? 'error' : 'failed',
        message: long
      })
    )
    const message = buildSlackMessage(
      run({ title: 'T'.repeat(400), message: long, checks, packages: Array.from({ length: 1000 }, (_, i) => `p${i}`) }),
      runContext({ ...ENV, GITHUB_REF_NAME: 'r'.repeat(5000), GITHUB_WORKFLOW: '&'.repeat(5000) })
    )
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
    expect(blocksError(message.blocks)).toBeUndefined()
    for (const t of sectionTexts(message.blocks)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText)
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text)
    const all = sectionTexts(message.blocks).join('\n')
    // What is left off is counted: 200 failed checks, 10 listed at most; 500 findings, 5 at most.
    const failedMore = /…and (\d+) more failed check\(s\)/.exec(all)
    const findingsMore = /…and (\d+) more finding\(s\)/.exec(all)
    const listed = (heading: string): number =>
      sectionTexts(message.blocks)
        .find((t) => t.startsWith(heading))!
        .split('\n')
        .filter((l) => l.startsWith('• ')).length
    expect(Number(failedMore![1]) + listed('*Failed checks*')).toBe(200)
    expect(Number(findingsMore![1]) + listed('*First findings*')).toBe(500)
    // No entity is cut in half.
    for (const t of texts(message.blocks)) expect(t).not.toMatch(/&(?!amp;|lt;|gt;)/)
    // The whole message stays small: Slack refuses far smaller aggregates than 50 full sections.
    expect(JSON.stringify(message).length).toBeLessThan(16_000)
  })
})

describe('the JSON webhook body', () => {
  test('carries the documented fields', () => {
    const payload = buildWebhookPayload(run(), WHERE)
    expect(payload).toEqual({
      schema: WEBHOOK_SCHEMA,
      action: 'run-quality',
      title: 'Code quality',
      result: 'failed',
      passed: false,
      message: 'Code quality failed: 1 error(s), 0 warning(s). See the step summary for details.',
      repository: 'dk-org/dataknobs',
      ref: 'main',
      sha: ENV.GITHUB_SHA,
      workflow: 'CI',
      job: 'quality',
      event: 'push',
      runId: '4242',
      runAttempt: '2',
      runUrl: RUN_URL,
      version: VERSION,
      durationMs: 1234,
      packages: ['dataknobs-common', 'dataknobs-utils'],
      counts: { error: 1, warning: 0, note: 0 },
      checks: { total: 2, failed: 1, errored: 0 },
      failedChecks: [{ tool: 'flake8', status: 'failed', errors: 1, warnings: 0 }],
      findings: [
        {
          tool: 'flake8',
          package: 'dataknobs-common',
          file: 'packages/common/src/dataknobs_common/text.py',
          line: 3,
          rule: 'F401',
          severity: 'error',
          message: "'os' imported but unused"
        }
      ],
      omitted: { packages: 0, failedChecks: 0, findings: 0 }
    })
  })

  test('text is sent as it is (JSON needs no mrkdwn escaping)', () => {
    const payload = buildWebhookPayload(run({ checks: [check({ findings: [finding({ message: '<!channel> & co' })] })] }), WHERE)
    expect(payload.findings[0]!.message).toBe('<!channel> & co')
  })

  test('is bounded: at most 10 findings, 20 failed checks, 100 packages, strings clipped, the rest counted', () => {
    const big = 'y'.repeat(50_000)
    const findings = Array.from({ length: 1000 }, (_, i) => finding({ message: `${i}${big}`, rule: big, tool: big }))
    const checks = Array.from({ length: 300 }, (_, i) => check({ tool: `t${i}${big}`, findings: i === 0 ? findings : [], message: big }))
    const payload = buildWebhookPayload(
      run({ message: big, checks, packages: Array.from({ length: 5000 }, (_, i) => `p${i}`) }),
      runContext({ ...ENV, GITHUB_REF_NAME: big, GITHUB_WORKFLOW: big })
    )
    expect(payload.findings).toHaveLength(WEBHOOK_LIMITS.findings)
    expect(payload.failedChecks).toHaveLength(WEBHOOK_LIMITS.failedChecks)
    expect(payload.packages).toHaveLength(WEBHOOK_LIMITS.packages)
    expect(payload.omitted).toEqual({ packages: 4900, failedChecks: 280, findings: 990 })
    expect(payload.counts.error).toBe(1000)
    expect(payload.message!.length).toBeLessThanOrEqual(WEBHOOK_LIMITS.message)
    expect(JSON.stringify(payload).length).toBeLessThan(64 * 1024)
  })
})

describe('text helpers', () => {
  test('clip cuts by characters, never inside an emoji, and marks the cut', () => {
    expect(clip('abcdef', 4)).toBe('abc…')
    expect(clip('abc', 4)).toBe('abc')
    expect(clip('😀😀😀😀😀', 3)).toBe('😀😀…')
  })

  test('fitLines keeps whole lines within the limit and counts the rest', () => {
    expect(fitLines(['aaa', 'bbb', 'ccc'], 7)).toEqual({ text: 'aaa\nbbb', left: 1 })
    expect(fitLines(['aaa', 'bbb'], 100)).toEqual({ text: 'aaa\nbbb', left: 0 })
    expect(fitLines(['toolong'], 3)).toEqual({ text: '', left: 1 })
  })
})
