/**
 * The HTTP client through a real proxy: a local HTTPS server with a certificate made by
 * openssl for this run, and a local proxy (node:http) that opens CONNECT tunnels and
 * forwards plain http, counting both and recording the Proxy-Authorization it receives.
 *
 * Loopback never goes through a proxy, so the server is addressed by a name that only the
 * proxy knows: it maps dk-proxy-target.test to 127.0.0.1 when it opens the tunnel. A client
 * that goes direct must resolve the name itself, and cannot (.test is reserved, RFC 2606).
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { createHttp } from '../../packages-shared/github/http.js'
import { copyFixture, nodeBinaries, runBundle } from './harness.js'

const TARGET = 'dk-proxy-target.test'
const SARIF_ID = '47177e22-5596-11eb-80a1-c1e54ef945c6'

interface Proxy {
  url: string
  /** `host:port` of every CONNECT, in order. */
  tunnels: string[]
  /** Absolute URLs of every forwarded plain-http request. */
  forwarded: string[]
  /** The Proxy-Authorization header of every request the proxy answered (undefined when absent). */
  authorizations: (string | undefined)[]
  close(): Promise<void>
}

/** The proxy; `requireAuth` (a Proxy-Authorization value) makes it answer 407 to anything else. */
async function startProxy(requireAuth?: string): Promise<Proxy> {
  const sockets = new Set<net.Socket>()
  const tunnels: string[] = []
  const forwarded: string[] = []
  const authorizations: (string | undefined)[] = []
  const mapHost = (host: string): string => (host === TARGET ? '127.0.0.1' : host)
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers['proxy-authorization'])
    if (requireAuth && req.headers['proxy-authorization'] !== requireAuth) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end()
      return
    }
    const target = new URL(req.url ?? '')
    forwarded.push(target.href)
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const upstream = http.request(
      { host: mapHost(target.hostname), port: target.port || 80, path: target.pathname + target.search, method: req.method, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      }
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    authorizations.push(req.headers['proxy-authorization'])
    if (requireAuth && req.headers['proxy-authorization'] !== requireAuth) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    tunnels.push(req.url ?? '')
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/)
    const upstream = net.connect(Number(port), mapHost(host!), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    forwarded,
    authorizations,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

let dir: string
let ca: string
let tls: https.Server
let plain: http.Server
let tlsPort: number
let plainPort: number

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-http-proxy-'))
  const key = path.join(dir, 'key.pem')
  const cert = path.join(dir, 'cert.pem')
  // A throwaway self-signed certificate for the target's name (and 127.0.0.1, for the loopback case).
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${TARGET}`,
      '-addext',
      `subjectAltName=DNS:${TARGET},IP:127.0.0.1`
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  ca = fs.readFileSync(cert, 'utf8')
  const answer = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.method === 'POST' && req.url === '/repos/octo/app/code-scanning/sarifs') {
      req.resume()
      req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: SARIF_ID })))
      return
    }
    if (req.method === 'GET' && req.url === `/repos/octo/app/code-scanning/sarifs/${SARIF_ID}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ processing_status: 'complete' }))
      return
    }
    res.setHeader('content-type', 'text/plain')
    res.end(`healthy ${req.method} ${req.url} via ${req.headers.host}`)
  }
  tls = https.createServer({ key: fs.readFileSync(key), cert: ca }, answer)
  plain = http.createServer(answer)
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
  tlsPort = (tls.address() as net.AddressInfo).port
  plainPort = (plain.address() as net.AddressInfo).port
})

afterAll(async () => {
  for (const s of [tls, plain]) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('createHttp and a real proxy', () => {
  test('HTTPS_PROXY: the request goes through one CONNECT tunnel, TLS end to end with the target', async () => {
    const proxy = await startProxy()
    try {
      const client = createHttp({ HTTPS_PROXY: proxy.url }, { ca })
      const response = await client(`https://${TARGET}:${tlsPort}/health?x=1`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe(`healthy GET /health?x=1 via ${TARGET}:${tlsPort}`)
      expect(proxy.tunnels).toEqual([`${TARGET}:${tlsPort}`])
      expect(proxy.forwarded).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  test('credentials in the proxy URL reach the proxy as Proxy-Authorization, never the target', async () => {
    const expected = `Basic ${Buffer.from('alice:p@ss word').toString('base64')}`
    const proxy = await startProxy(expected)
    try {
      const url = new URL(proxy.url)
      url.username = 'alice'
      url.password = encodeURIComponent('p@ss word')
      const client = createHttp({ https_proxy: url.href }, { ca })
      const response = await client(`https://${TARGET}:${tlsPort}/auth`)
      expect(await response.text()).toBe(`healthy GET /auth via ${TARGET}:${tlsPort}`)
      expect(proxy.authorizations).toEqual([expected])
      expect(proxy.tunnels).toEqual([`${TARGET}:${tlsPort}`])
    } finally {
      await proxy.close()
    }
  })

  test('wrong credentials: the proxy refuses the tunnel and the call fails', async () => {
    const proxy = await startProxy('Basic right')
    try {
      const client = createHttp({ HTTPS_PROXY: proxy.url.replace('http://', 'http://bob:wrong@') }, { ca })
      await expect(client(`https://${TARGET}:${tlsPort}/`)).rejects.toThrow()
      expect(proxy.authorizations.length).toBeGreaterThan(0)
      expect(proxy.tunnels).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  test('NO_PROXY naming the host: the proxy sees nothing, and the client cannot resolve the name itself', async () => {
    const proxy = await startProxy()
    try {
      const client = createHttp({ HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,${TARGET}` }, { ca })
      const error = (await client(`https://${TARGET}:${tlsPort}/`).then(
        () => undefined,
        (e: unknown) => e
      )) as (Error & { cause?: { code?: string } }) | undefined
      expect(error).toBeDefined()
      expect(error!.cause?.code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/)
      expect(proxy.authorizations).toEqual([])
      expect(proxy.tunnels).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  test('a loopback URL goes direct although HTTPS_PROXY is set', async () => {
    const proxy = await startProxy()
    try {
      const client = createHttp({ HTTPS_PROXY: proxy.url }, { ca })
      const response = await client(`https://127.0.0.1:${tlsPort}/local`)
      expect(await response.text()).toBe(`healthy GET /local via 127.0.0.1:${tlsPort}`)
      expect(proxy.authorizations).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  test('HTTP_PROXY: plain http is forwarded by the proxy, not tunnelled; HTTPS_PROXY alone leaves it direct', async () => {
    const proxy = await startProxy()
    try {
      const client = createHttp({ HTTP_PROXY: proxy.url })
      const response = await client(`http://${TARGET}:${plainPort}/plain`)
      expect(await response.text()).toBe(`healthy GET /plain via ${TARGET}:${plainPort}`)
      expect(proxy.forwarded).toEqual([`http://${TARGET}:${plainPort}/plain`])
      expect(proxy.tunnels).toEqual([])
      // The https proxy is not the http one: direct, so the name does not resolve.
      await expect(createHttp({ HTTPS_PROXY: proxy.url })(`http://${TARGET}:${plainPort}/plain`)).rejects.toThrow()
      expect(proxy.forwarded).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })
})

describe.each(nodeBinaries().map((n) => [n.label, n] as const))('a built bundle behind the proxy (%s)', (_label, node) => {
  test('run-security uploads its SARIF to a code-scanning API (a fake) reached only through HTTPS_PROXY', async () => {
    const proxy = await startProxy()
    const workspace = copyFixture('__tests__/fixtures/security/clean')
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-http-proxy-temp-'))
    try {
      const run = await runBundle(
        'run-security',
        { checks: 'workflows', 'optional-checks': '', 'upload-sarif': 'true', token: 'ghs_test_token' },
        {
          workspace,
          node: node.path,
          runnerTemp,
          env: {
            GITHUB_API_URL: `https://${TARGET}:${tlsPort}`,
            GITHUB_REPOSITORY: 'octo/app',
            GITHUB_SHA: 'a'.repeat(40),
            GITHUB_REF: 'refs/heads/main',
            GITHUB_EVENT_NAME: 'push',
            HTTPS_PROXY: proxy.url,
            ...{ https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined },
            // Read when the bundle's process starts: the way to trust the throwaway certificate there.
            NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem')
          }
        }
      )
      expect(run.outputs['sarif-id']).toBe(SARIF_ID)
      // The processing status is polled through the same proxy (one tunnel per connection).
      expect(run.summary).toContain('Code scanning has processed it.')
      expect(new Set(proxy.tunnels)).toEqual(new Set([`${TARGET}:${tlsPort}`]))
    } finally {
      await proxy.close()
      fs.rmSync(workspace, { recursive: true, force: true })
      fs.rmSync(runnerTemp, { recursive: true, force: true })
    }
  })
})
