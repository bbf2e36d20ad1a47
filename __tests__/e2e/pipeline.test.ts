/**
 * The example one-step pipeline (examples/workflows/pipeline.yml) under act, on a pull
 * request with a seeded lint error: the root action fails, keeps ONE comment on the pull
 * request (a FAKE of GitHub's REST API for issue comments, __tests__/helpers/fake-github.ts)
 * and tells Slack (a FAKE of Slack's incoming webhook, __tests__/helpers/fake-slack.ts); the
 * next run, fixed, updates the same comment and sends nothing.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { startFakeSlack, type FakeSlack } from '../helpers/fake-slack.js'
import { failedJobsOutput, prepareStandIns, runAct } from './act.js'
import { commitAll, consumerRepo, git, job } from './consumer.js'

describe('pipeline.yml under act', () => {
  let standIns: string
  let github: FakeGitHub
  let slack: FakeSlack
  const token = 'ghs_e2e0pipeline0token0b41'
  beforeAll(async () => {
    standIns = prepareStandIns()
    github = await startFakeGitHub({ token, owner: 'octo-org', repo: 'dataknobs' })
    slack = await startFakeSlack()
  })
  afterAll(async () => {
    await github?.close()
    await slack?.close()
  })

  test('a pull request with a lint error: one comment, one Slack message; fixed: the same comment, updated, and no message', async () => {
    const { dir, base } = consumerRepo('pipeline.yml')
    // The pull request's base as a checkout has it: origin/main, what `packages: changed` compares with.
    const origin = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pipeline-e2e-origin-'))
    git(origin, 'init', '-q', '--bare', '-b', 'main')
    git(dir, 'remote', 'add', 'origin', origin)
    git(dir, 'push', '-q', 'origin', 'main')
    git(dir, 'fetch', '-q', 'origin')
    const file = path.join(dir, 'packages/common/src/dataknobs_common/text.py')
    const clean = fs.readFileSync(file, 'utf8')
    fs.appendFileSync(file, '\nimport os\n')
    const head = commitAll(dir, 'seed a lint error')
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pipeline-e2e-cache-'))
    const pullRequest = (sha: string): Promise<Awaited<ReturnType<typeof runAct>>> =>
      runAct({
        workspace: dir,
        workflow: '.github/workflows/pipeline.yml',
        event: 'pull_request',
        eventPayload: {
          number: 5,
          pull_request: {
            number: 5,
            base: { ref: 'main', sha: base, repo: { full_name: 'octo-org/dataknobs' } },
            head: { ref: 'feature', sha, repo: { full_name: 'octo-org/dataknobs', fork: false } }
          },
          repository: { default_branch: 'main', full_name: 'octo-org/dataknobs' }
        },
        standIns,
        secrets: { GITHUB_TOKEN: token, SLACK_WEBHOOK: slack.url },
        stepEnv: { GITHUB_API_URL: github.apiUrl, GITHUB_REPOSITORY: 'octo-org/dataknobs' },
        cacheServerPath: cache
      })

    const red = await pullRequest(head)
    if (job(red, 'pipeline') !== 'failed' || !red.output.includes('F401')) console.log(failedJobsOutput(red))
    expect(red.exitCode).not.toBe(0)
    expect(job(red, 'pipeline')).toBe('failed')
    const mine = github.comments.filter((c) => c.body.includes('<!-- dk-actions:pr-report '))
    expect(mine).toHaveLength(1)
    expect(mine[0]!.issue).toBe(5)
    expect(mine[0]!.body).toContain('## ❌ dk-actions pipeline: failed')
    expect(mine[0]!.body).toMatch(/F401 `packages\/common\/src\/dataknobs_common\/text\.py:\d+`/)
    expect(slack.messages).toHaveLength(1)
    expect(JSON.stringify(slack.messages[0])).toContain('octo-org/dataknobs')
    expect(red.output).not.toContain(slack.token)
    expect(red.output).not.toContain(token)

    fs.writeFileSync(file, clean)
    const fixed = commitAll(dir, 'fix the lint error')
    const green = await pullRequest(fixed)
    if (green.exitCode !== 0) console.log(failedJobsOutput(green))
    expect(green.exitCode).toBe(0)
    expect(github.comments.filter((c) => c.body.includes('<!-- dk-actions:pr-report '))).toHaveLength(1)
    expect(github.comments.find((c) => c.id === mine[0]!.id)!.body).toContain('## ✅ dk-actions pipeline: passed')
    expect(slack.messages).toHaveLength(1)
  })
})
