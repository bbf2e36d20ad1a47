import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { uploadSarif, waitForProcessing } from '../../actions/run-security/sarif-upload.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import { createHttp, type Http } from '../../packages-shared/github/http.js'
import { recordedHttp } from '../helpers/recorded.js'

const noRequest: Http = () => Promise.reject(new Error('no request expected'))

describe('code-scanning upload preconditions', () => {
  test('a pull request from a fork is recognised from the event payload', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-'))
    const event = path.join(dir, 'event.json')
    fs.writeFileSync(
      event,
      JSON.stringify({
        pull_request: { head: { repo: { full_name: 'someone/app', fork: true } }, base: { repo: { full_name: 'octo/app' } } }
      })
    )
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event }))).toBe(true)
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event }))).toBe(false)
    fs.writeFileSync(
      event,
      JSON.stringify({
        pull_request: { head: { repo: { full_name: 'octo/app', fork: false } }, base: { repo: { full_name: 'octo/app' } } }
      })
    )
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
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(status === 202 ? { id: 'sarif-1' } : { message: 'try later' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const env = (): Record<string, string> => ({
    GITHUB_API_URL: api,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push'
  })

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

describe('waiting for code scanning to process the upload (a fake of the API: recorded answers)', () => {
  const env = { GITHUB_API_URL: 'https://api.github.test', GITHUB_REPOSITORY: 'octo/app' }
  const status = 'GET https://api.github.test/repos/octo/app/code-scanning/sarifs/sarif-1'
  const uploaded = { uploaded: true, id: 'sarif-1' }
  /** A clock the waits move forward, so the deadline is reached without real time passing. */
  function clock(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
    let t = 0
    const waits: number[] = []
    return { now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)), waits }
  }
  const answers = (...bodies: [number, unknown][]): ReturnType<typeof recordedHttp> => {
    let i = 0
    return recordedHttp([
      {
        match: status,
        answer: () => {
          const [code, body] = bodies[Math.min(i++, bodies.length - 1)]!
          return new Response(JSON.stringify(body), { status: code })
        }
      }
    ])
  }

  test('pending, then complete: polled every interval until stored', async () => {
    const c = clock()
    const http = answers([404, { message: 'Not Found' }], [200, { processing_status: 'pending' }], [200, { processing_status: 'complete' }])
    expect(await waitForProcessing(uploaded, 't', env, http, { ...c, intervalMs: 5000 })).toEqual({ ...uploaded, processing: 'complete' })
    expect(http.requests).toHaveLength(3)
    expect(c.waits).toEqual([5000, 5000])
  })

  test("failed processing carries GitHub's errors", async () => {
    const http = answers([200, { processing_status: 'failed', errors: ['locationFromSarifResult: expected artifact location'] }])
    expect(await waitForProcessing(uploaded, 't', env, http, clock())).toEqual({
      ...uploaded,
      processing: 'failed',
      processingErrors: ['locationFromSarifResult: expected artifact location']
    })
  })

  test('still pending at the deadline is pending; no wait goes past it', async () => {
    const c = clock()
    const http = answers([200, { processing_status: 'pending' }])
    expect(await waitForProcessing(uploaded, 't', env, http, { ...c, timeoutMs: 12_000, intervalMs: 5000 })).toEqual({
      ...uploaded,
      processing: 'pending'
    })
    expect(c.waits).toEqual([5000, 5000, 2000])
  })

  test('a 403 is unknown at once; network errors are polled again until the deadline', async () => {
    expect(
      await waitForProcessing(uploaded, 't', env, answers([403, { message: 'Resource not accessible by integration' }]), clock())
    ).toEqual({
      ...uploaded,
      processing: 'unknown',
      processingErrors: ["GitHub refused to show the upload's status (403: Resource not accessible by integration)"]
    })
    const c = clock()
    const down = recordedHttp([])
    const out = await waitForProcessing(uploaded, 't', env, down, { ...c, timeoutMs: 10_000, intervalMs: 5000 })
    expect(out.processing).toBe('unknown')
    expect(out.processingErrors![0]).toMatch(/^no status within 10 s \(fetch failed/)
    expect(down.requests.length).toBe(3)
  })

  test('nothing to wait for when the upload did not happen or has no id', async () => {
    const none = recordedHttp([])
    expect(await waitForProcessing({ uploaded: false, reason: 'no token' }, 't', env, none)).toEqual({
      uploaded: false,
      reason: 'no token'
    })
    expect(await waitForProcessing({ uploaded: true }, 't', env, none)).toEqual({ uploaded: true })
    expect(none.requests).toEqual([])
  })
})
