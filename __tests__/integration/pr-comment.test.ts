/**
 * The root pipeline's pull-request comment, against a FAKE of GitHub's REST API for issue
 * comments (__tests__/helpers/fake-github.ts): one comment, found again by its marker and
 * updated in place on the next run, never a second one; on a fork's pull request it is
 * skipped with a notice, and nothing is sent.
 */
import { jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { copyFixture, expectSecretNowhere, runBundle } from './harness.js'

jest.setTimeout(10 * 60_000)

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`
let github: FakeGitHub
let ws: string

beforeAll(async () => {
  github = await startFakeGitHub({ token: TOKEN })
  ws = copyFixture('examples/monorepo')
  // A finding for the comment to carry: an unused import.
  fs.writeFileSync(path.join(ws, 'packages', 'common', 'src', 'dataknobs_common', 'unused.py'), 'import os\n')
})
afterAll(async () => {
  await github?.close()
})

function event(fork: boolean): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pr-event-')), 'event.json')
  const base = { repo: { full_name: `${github.owner}/${github.repo}` } }
  const head = { repo: { full_name: fork ? 'someone/fork' : `${github.owner}/${github.repo}`, fork } }
  fs.writeFileSync(file, JSON.stringify({ number: 12, pull_request: { number: 12, head, base } }))
  return file
}

const run = (fork: boolean) =>
  runBundle(
    'pipeline',
    { stages: 'quality', 'quality-checks': 'ruff', 'pr-comment': 'true', 'pr-comment-token': TOKEN },
    {
      workspace: ws,
      env: {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event(fork),
        GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
        GITHUB_API_URL: github.apiUrl,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '77',
        GITHUB_WORKFLOW: 'ci',
        GITHUB_JOB: 'pipeline'
      }
    }
  )

test('one comment on the pull request, updated in place by the next run; a fork gets none, with a notice', async () => {
  github.addComment(12, 'Looks good to me', 'octocat')
  const first = await run(false)
  expect(first.exitCode).toBe(1)
  const mine = github.comments.filter((c) => c.body.includes('<!-- dk-actions:pr-report ci/pipeline -->'))
  expect(mine).toHaveLength(1)
  expect(mine[0]!.issue).toBe(12)
  expect(mine[0]!.body).toContain('## ❌ dk-actions pipeline: failed')
  expect(mine[0]!.body).toContain('| quality | failed |')
  expect(mine[0]!.body).toMatch(/\*\*quality\/ruff\*\* F401 `packages\/common\/src\/dataknobs_common\/unused\.py:1`/)
  expect(mine[0]!.body).toContain("[the run's summary](https://github.com/octo-org/octo-repo/actions/runs/77)")
  expect(first.outputs['pr-comment-url']).toContain(`#issuecomment-${mine[0]!.id}`)

  fs.rmSync(path.join(ws, 'packages', 'common', 'src', 'dataknobs_common', 'unused.py'))
  const second = await run(false)
  expect(second.exitCode).toBe(0)
  expect(github.comments).toHaveLength(2)
  const updated = github.comments.find((c) => c.id === mine[0]!.id)!
  expect(updated.body).toContain('## ✅ dk-actions pipeline: passed')
  expect(github.comments.find((c) => c.user === 'octocat')!.body).toBe('Looks good to me')
  expectSecretNowhere(second, TOKEN)

  const requests = github.requests.length
  const fork = await run(true)
  expect(fork.exitCode).toBe(0)
  expect(fork.stdout).toContain('pr-comment: skipped: a pull request from a fork gets a read-only token')
  expect(github.requests.length).toBe(requests)
})
