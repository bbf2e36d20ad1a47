import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pollUrl } from '../../actions/health-check/urls.js'
import { createHttp } from '../../packages-shared/github/http.js'

describe('pollUrl (a local service that restarts)', () => {
  let server: http.Server
  let base: string
  let answers: number[] = []
  let requests = 0
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      const status = answers[requests++] ?? 503
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ready' : 'starting')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  test('bad answers are retried, waits doubling from a second up to retry-interval, until one passes', async () => {
    answers = [503, 502, 503, 200]
    requests = 0
    const waits: number[] = []
    const said: string[] = []
    const r = await pollUrl(
      createHttp({}),
      `${base}/health`,
      { statuses: [], body: 'ready' },
      () => Date.now() + 60_000,
      1500,
      (m) => said.push(m),
      {
        sleep: async (ms) => void waits.push(ms),
        random: () => 0
      }
    )
    expect(r).toMatchObject({ ok: true, status: 200, attempts: 4, bodySnippet: 'ready' })
    expect(waits).toEqual([1000, 1500, 1500])
    expect(said).toEqual([1, 2, 3].map((n) => `GET ${base}/health attempt ${n}: HTTP ${answers[n - 1]}, expected a 2xx status`))
  })

  test('a deadline already passed: one attempt, and its answer is the reason', async () => {
    answers = [503]
    requests = 0
    const waits: number[] = []
    const r = await pollUrl(createHttp({}), `${base}/health`, { statuses: [], body: '' }, () => Date.now() - 1, 1000, undefined, {
      sleep: async (ms) => void waits.push(ms)
    })
    expect(r).toMatchObject({ ok: false, status: 503, attempts: 1, reason: 'HTTP 503, expected a 2xx status', bodySnippet: 'starting' })
    expect(waits).toEqual([])
  })
})
