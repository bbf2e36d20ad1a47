import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { uploadSarif } from '../../actions/run-security/sarif-upload.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import { createHttp, type Http } from '../../packages-shared/github/http.js'

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

describe('code-scanning upload retries (a local fake of the API)', () => {
  let server: http.Server
  let api: string
  let answers: number[] = []
  let requests = 0
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        const status = answers[requests++] ?? 500
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 202 ? { id: 'sarif-1' } : { message: 'try later' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const env = (): Record<string, string> => ({ GITHUB_API_URL: api, GITHUB_REPOSITORY: 'octo/app', GITHUB_SHA: 'a'.repeat(40), GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'push' })

  test('5xx answers are retried with the backoff, and a later 202 is the upload', async () => {
    answers = [503, 502, 202]
    requests = 0
    const waits: number[] = []
    const out = await uploadSarif('{}', 't', env(), createHttp({}), { sleep: async (ms) => void waits.push(ms), random: () => 0 })
    expect(out).toMatchObject({ uploaded: true, id: 'sarif-1' })
    expect(requests).toBe(3)
    expect(waits).toEqual([1000, 2000])
  })
  test('three 5xx: not uploaded, and the last answer is the reason', async () => {
    answers = [500, 500, 503]
    requests = 0
    const out = await uploadSarif('{}', 't', env(), createHttp({}), { sleep: async () => undefined })
    expect(out.uploaded).toBe(false)
    expect(out.reason).toBe('the code-scanning API did not accept the upload after 3 attempts (HTTP 503: try later)')
    expect(requests).toBe(3)
  })
  test('a 4xx is an answer: asked once', async () => {
    answers = [422, 202]
    requests = 0
    const out = await uploadSarif('{}', 't', env(), createHttp({}), { sleep: async () => undefined })
    expect(out).toMatchObject({ uploaded: false, reason: 'GitHub refused the upload (422: try later)' })
    expect(requests).toBe(1)
  })
})
