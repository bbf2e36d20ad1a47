import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { uploadSarif } from '../../actions/run-security/sarif-upload.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import type { Http } from '../../packages-shared/github/http.js'

const noRequest: Http = () => Promise.reject(new Error('no request expected'))

describe('code-scanning upload preconditions', () => {
  test('a pull request from a fork is recognised from the event payload', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-'))
    const event = path.join(dir, 'event.json')
    fs.writeFileSync(event, JSON.stringify({ pull_request: { head: { repo: { full_name: 'someone/app', fork: true } }, base: { repo: { full_name: 'octo/app' } } } }))
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event }))).toBe(true)
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event }))).toBe(false)
    fs.writeFileSync(event, JSON.stringify({ pull_request: { head: { repo: { full_name: 'octo/app', fork: false } }, base: { repo: { full_name: 'octo/app' } } } }))
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event }))).toBe(false)
    fs.rmSync(dir, { recursive: true, force: true })
  })
  test('says why it does not upload, without calling any API', async () => {
    expect((await uploadSarif('{}', '', {}, noRequest)).reason).toMatch(/^no token/)
    expect((await uploadSarif('{}', 't', {}, noRequest)).reason).toContain('not running in a GitHub workflow')
  })
})
