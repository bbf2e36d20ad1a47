import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { missingCredentialsMessage } from '../../actions/publish-pypi/oidc.js'
import { uploadSarif } from '../../actions/run-security/sarif-upload.js'
import {
  defaultBranch,
  githubContext,
  isForkPullRequest,
  isPullRequestEvent,
  pushBefore,
  type EventPayload
} from '../../packages-shared/github/event.js'

let temp: string
beforeEach(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-event-'))
})
afterEach(() => fs.rmSync(temp, { recursive: true, force: true }))

function eventFile(payload: unknown): string {
  const file = path.join(temp, `event-${Math.random().toString(36).slice(2)}.json`)
  fs.writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload))
  return file
}

const pr = (head: unknown, base: unknown = { full_name: 'octo/app', fork: false }): EventPayload =>
  ({
    pull_request: { head: { repo: head }, base: { repo: base } }
  }) as EventPayload

describe('the GitHub event payload', () => {
  test('is read from GITHUB_EVENT_PATH once per environment', () => {
    const file = eventFile({ before: 'a'.repeat(40), repository: { default_branch: 'trunk' } })
    const env = { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: file }
    const first = githubContext(env)
    expect(first.eventName).toBe('push')
    expect(pushBefore(first)).toBe('a'.repeat(40))
    expect(defaultBranch(first)).toBe('trunk')
    // A second reader of the same run gets the payload already read, not the file again.
    fs.writeFileSync(file, JSON.stringify({ before: 'b'.repeat(40) }))
    expect(githubContext(env)).toBe(first)
    // Another run's environment reads its own file.
    expect(pushBefore(githubContext({ GITHUB_EVENT_PATH: file }))).toBe('b'.repeat(40))
  })

  test('no file, a missing file, bad JSON or a non-object give an empty payload', () => {
    for (const env of [
      {},
      { GITHUB_EVENT_PATH: path.join(temp, 'absent.json') },
      { GITHUB_EVENT_PATH: eventFile('not json') },
      { GITHUB_EVENT_PATH: eventFile('[1]') },
      { GITHUB_EVENT_PATH: eventFile('null') }
    ]) {
      const context = githubContext(env)
      expect(context.payload).toEqual({})
      expect(context.eventName).toBe('')
      expect(pushBefore(context)).toBeUndefined()
      expect(defaultBranch(context)).toBeUndefined()
    }
  })

  test('a non-string before or default branch is no answer', () => {
    const context = githubContext({ GITHUB_EVENT_PATH: eventFile({ before: 7, repository: { default_branch: '' } }) })
    expect(pushBefore(context)).toBeUndefined()
    expect(defaultBranch(context)).toBeUndefined()
  })

  test('pull_request and pull_request_target are pull-request events; a review is not', () => {
    expect(isPullRequestEvent({ eventName: 'pull_request', payload: {} })).toBe(true)
    expect(isPullRequestEvent({ eventName: 'pull_request_target', payload: {} })).toBe(true)
    expect(isPullRequestEvent({ eventName: 'push', payload: {} })).toBe(false)
  })
})

describe('isForkPullRequest', () => {
  const fork = (eventName: string, payload: EventPayload): boolean => isForkPullRequest({ eventName, payload })

  test('a head repository marked fork, or named differently from the base, is a fork', () => {
    expect(fork('pull_request', pr({ full_name: 'someone/app', fork: true }))).toBe(true)
    expect(fork('pull_request', pr({ full_name: 'someone/app' }))).toBe(true)
    expect(fork('pull_request_review', pr({ full_name: 'someone/app', fork: true }))).toBe(true)
    expect(fork('pull_request_review_comment', pr({ full_name: 'someone/app', fork: true }))).toBe(true)
  })

  test('regression: a deleted fork (head.repo null) is a fork, so no secrets are expected', () => {
    expect(fork('pull_request', pr(null))).toBe(true)
    expect(fork('pull_request_review', pr(null))).toBe(true)
    expect(fork('pull_request', { pull_request: { head: {}, base: { repo: { full_name: 'octo/app' } } } })).toBe(true)
  })

  test('a branch of the same repository is not a fork', () => {
    expect(fork('pull_request', pr({ full_name: 'octo/app', fork: false }))).toBe(false)
    // Without the base's name, only the fork flag can tell.
    expect(fork('pull_request', pr({ full_name: 'octo/app', fork: false }, null))).toBe(false)
  })

  test('only events that run with the head repository rights count', () => {
    expect(fork('push', pr({ full_name: 'someone/app', fork: true }))).toBe(false)
    expect(fork('push', pr(null))).toBe(false)
    // pull_request_target runs with the base repository's token and secrets.
    expect(fork('pull_request_target', pr({ full_name: 'someone/app', fork: true }))).toBe(false)
    expect(fork('pull_request_target', pr(null))).toBe(false)
  })

  test('a payload without the pull request tells nothing (a local run)', () => {
    expect(fork('pull_request', {})).toBe(false)
    expect(fork('pull_request', { pull_request: {} })).toBe(false)
  })

  test('publish-pypi and run-security give the same answer for a deleted fork', async () => {
    const file = eventFile(pr(null))
    expect(missingCredentialsMessage({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file })).toContain('pull request from a fork')
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: file,
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_REF: 'refs/pull/1/merge',
      GITHUB_API_URL: 'http://127.0.0.1:9'
    }
    // The fork check comes before any request: port 9 would refuse the connection.
    expect((await uploadSarif('{}', 't', env, () => Promise.reject(new Error('no request expected')))).reason).toContain(
      'pull request from a fork'
    )
  })
})
