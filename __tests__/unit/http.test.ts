import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import { createContext } from '../../packages-shared/context.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { bypassesProxy, createHttp, isLoopback, parseProxyUrl, proxyFor } from '../../packages-shared/github/http.js'
import { isUserError } from '../../packages-shared/errors.js'

describe('proxyFor: which proxy a URL goes through', () => {
  const P = 'http://proxy.corp:3128'
  test('https URLs read https_proxy before HTTPS_PROXY; http URLs read http_proxy before HTTP_PROXY', () => {
    expect(proxyFor('https://pypi.org/simple/', { HTTPS_PROXY: P })).toBe(P)
    expect(proxyFor('https://pypi.org/simple/', { https_proxy: 'http://lower:1', HTTPS_PROXY: P })).toBe('http://lower:1')
    expect(proxyFor('http://idx.corp/simple/', { HTTP_PROXY: P })).toBe(P)
    expect(proxyFor('http://idx.corp/simple/', { http_proxy: 'http://lower:1', HTTP_PROXY: P })).toBe('http://lower:1')
  })
  test('each scheme has its own variables: HTTP_PROXY never carries https, nor HTTPS_PROXY http', () => {
    expect(proxyFor('https://pypi.org/', { HTTP_PROXY: P, http_proxy: P })).toBeUndefined()
    expect(proxyFor('http://idx.corp/', { HTTPS_PROXY: P, https_proxy: P })).toBeUndefined()
  })
  test('no variable, an empty one, or a scheme that is not http(s): direct', () => {
    expect(proxyFor('https://pypi.org/', {})).toBeUndefined()
    expect(proxyFor('https://pypi.org/', { https_proxy: '  ', HTTPS_PROXY: P })).toBe(P)
    expect(proxyFor('https://pypi.org/', { HTTPS_PROXY: '' })).toBeUndefined()
    expect(proxyFor('file:///etc/hosts', { HTTPS_PROXY: P, HTTP_PROXY: P })).toBeUndefined()
    expect(proxyFor('not a url', { HTTPS_PROXY: P })).toBeUndefined()
  })
  test('loopback is never proxied: localhost, 127.0.0.0/8, ::1', () => {
    for (const url of [
      'https://localhost:8443/',
      'http://LOCALHOST/',
      'https://127.0.0.1:1/',
      'https://127.9.8.7/',
      'https://[::1]:8080/',
      'https://api.localhost/'
    ]) {
      expect(proxyFor(url, { HTTPS_PROXY: P, HTTP_PROXY: P })).toBeUndefined()
    }
    expect(proxyFor('https://128.0.0.1/', { HTTPS_PROXY: P })).toBe(P)
    expect(proxyFor('https://localhost.example.com/', { HTTPS_PROXY: P })).toBe(P)
  })
  test('no_proxy before NO_PROXY; comma or space separated', () => {
    expect(proxyFor('https://a.corp/', { HTTPS_PROXY: P, no_proxy: 'a.corp', NO_PROXY: 'b.corp' })).toBeUndefined()
    expect(proxyFor('https://b.corp/', { HTTPS_PROXY: P, no_proxy: 'a.corp', NO_PROXY: 'b.corp' })).toBe(P)
    expect(proxyFor('https://b.corp/', { HTTPS_PROXY: P, NO_PROXY: 'a.corp, b.corp' })).toBeUndefined()
    expect(proxyFor('https://c.corp/', { HTTPS_PROXY: P, NO_PROXY: 'a.corp b.corp\tc.corp' })).toBeUndefined()
    expect(proxyFor('https://d.corp/', { HTTPS_PROXY: P, NO_PROXY: 'a.corp,,b.corp' })).toBe(P)
  })
  test('`*` exempts every host', () => {
    expect(proxyFor('https://pypi.org/', { HTTPS_PROXY: P, NO_PROXY: '*' })).toBeUndefined()
    expect(proxyFor('http://idx.corp/', { HTTP_PROXY: P, no_proxy: 'x.corp,*' })).toBeUndefined()
  })
  test('an entry covers its host and subdomains, with or without a leading dot, never a longer name', () => {
    const env = (np: string) => ({ HTTPS_PROXY: P, NO_PROXY: np })
    expect(proxyFor('https://corp.example/', env('corp.example'))).toBeUndefined()
    expect(proxyFor('https://idx.corp.example/', env('corp.example'))).toBeUndefined()
    expect(proxyFor('https://idx.corp.example/', env('.corp.example'))).toBeUndefined()
    expect(proxyFor('https://corp.example/', env('.corp.example'))).toBeUndefined()
    expect(proxyFor('https://idx.corp.example/', env('*.corp.example'))).toBeUndefined()
    expect(proxyFor('https://notcorp.example/', env('corp.example'))).toBe(P)
    expect(proxyFor('https://corp.example.org/', env('corp.example'))).toBe(P)
    expect(proxyFor('https://IDX.Corp.Example/', env('CORP.EXAMPLE'))).toBeUndefined()
  })
  test('an entry with a port exempts only that port (the scheme default when the URL names none)', () => {
    const env = (np: string) => ({ HTTPS_PROXY: P, HTTP_PROXY: P, NO_PROXY: np })
    expect(proxyFor('https://idx.corp:8443/', env('idx.corp:8443'))).toBeUndefined()
    expect(proxyFor('https://idx.corp:9443/', env('idx.corp:8443'))).toBe(P)
    expect(proxyFor('https://idx.corp/', env('idx.corp:443'))).toBeUndefined()
    expect(proxyFor('http://idx.corp/', env('idx.corp:443'))).toBe(P)
    expect(proxyFor('http://idx.corp/', env('idx.corp:80'))).toBeUndefined()
  })
  test('IP addresses match exactly, IPv6 with or without brackets', () => {
    expect(proxyFor('https://10.1.2.3/', { HTTPS_PROXY: P, NO_PROXY: '10.1.2.3' })).toBeUndefined()
    expect(proxyFor('https://10.1.2.4/', { HTTPS_PROXY: P, NO_PROXY: '10.1.2.3' })).toBe(P)
    expect(proxyFor('https://[fd00::1]/', { HTTPS_PROXY: P, NO_PROXY: 'fd00::1' })).toBeUndefined()
    expect(proxyFor('https://[fd00::1]:8443/', { HTTPS_PROXY: P, NO_PROXY: '[fd00::1]:8443' })).toBeUndefined()
    expect(proxyFor('https://[fd00::1]:9443/', { HTTPS_PROXY: P, NO_PROXY: '[fd00::1]:8443' })).toBe(P)
  })
})

describe('the parts of the choice', () => {
  test('isLoopback', () => {
    expect(isLoopback('localhost')).toBe(true)
    expect(isLoopback('localhost.')).toBe(true)
    expect(isLoopback('127.0.0.53')).toBe(true)
    expect(isLoopback('[::1]')).toBe(true)
    expect(isLoopback('10.0.0.1')).toBe(false)
    expect(isLoopback('127.example')).toBe(false)
  })
  test('bypassesProxy ignores empty entries and a bare dot', () => {
    expect(bypassesProxy('pypi.org', '443', ' , . ,')).toBe(false)
  })
})

describe('proxy URLs', () => {
  test('credentials move into Proxy-Authorization; the URI keeps scheme, host and port', () => {
    expect(parseProxyUrl('HTTPS_PROXY', 'http://proxy.corp:3128')).toEqual({ uri: 'http://proxy.corp:3128' })
    expect(parseProxyUrl('HTTPS_PROXY', 'http://us%40er:p%3Ass@proxy.corp:3128/')).toEqual({
      uri: 'http://proxy.corp:3128',
      authorization: `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`
    })
    // A token given as the user alone still reaches the proxy.
    expect(parseProxyUrl('HTTPS_PROXY', 'https://tok@proxy.corp')).toEqual({
      uri: 'https://proxy.corp',
      authorization: `Basic ${Buffer.from('tok:').toString('base64')}`
    })
  })
  test('a value without a scheme is an http proxy, as curl reads it', () => {
    expect(parseProxyUrl('https_proxy', 'proxy.corp:3128')).toEqual({ uri: 'http://proxy.corp:3128' })
  })
  test.each([
    ['socks5://proxy.corp:1080', /names a socks5 proxy .*not supported/],
    ['http://proxy corp:3128', /is not a URL/],
    ['http://proxy.corp:3128/path', /has a path/],
    ['http://:3128', /is not a URL|has no host/]
  ])("%s is the user's error, naming the variable and the fix", (value, reason) => {
    let caught: unknown
    try {
      parseProxyUrl('HTTPS_PROXY', value)
    } catch (error) {
      caught = error
    }
    expect(isUserError(caught)).toBe(true)
    const message = (caught as Error).message
    expect(message).toMatch(/^HTTPS_PROXY /)
    expect(message).toMatch(reason)
    expect(message).toContain('Set HTTPS_PROXY to')
  })
  test('the password of a bad proxy URL is not in the message', () => {
    expect(() => createHttp({ HTTPS_PROXY: 'socks5://alice:s3cret@proxy.corp:1080' })).toThrow(/socks5:\/\/\*\*\*@proxy\.corp:1080/)
    expect(() => createHttp({ HTTPS_PROXY: 'socks5://alice:s3cret@proxy.corp:1080' })).not.toThrow(/s3cret/)
    expect(() => createHttp({ http_proxy: 'alice:s3cret@proxy corp' })).toThrow(/^http_proxy is not a URL: "\*\*\*@proxy corp"/)
  })
  test('only the variable that would be used is judged', () => {
    expect(() => createHttp({ https_proxy: 'http://proxy.corp:3128', HTTPS_PROXY: 'socks5://stale:1080' })).not.toThrow()
    expect(() => createHttp({ HTTPS_PROXY: 'socks5://stale:1080' })).toThrow(/^HTTPS_PROXY /)
  })
})

describe('createHttp without a proxy', () => {
  let server: http.Server
  let base: string
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.end(`${req.method} ${req.url} ${req.headers['x-probe'] ?? ''}`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  test('answers like fetch: status, headers, body, method and headers sent', async () => {
    // The proxy is set, but loopback never goes through one; port 9 would refuse the connection.
    const client = createHttp({ HTTP_PROXY: 'http://127.0.0.1:9' })
    const response = await client(`${base}/x?y=1`, { method: 'POST', headers: { 'x-probe': 'yes' }, body: 'b' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe('POST /x?y=1 yes')
  })
})

describe("the context's client", () => {
  const common = (dir: string) => ({
    workspace: dir,
    workingDirectory: dir,
    packages: { mode: 'all' as const },
    baseRef: 'HEAD~1',
    python: 'python3',
    install: 'auto' as const,
    reportDir: dir,
    artifactName: '',
    maxParallel: 1,
    cache: true
  })
  test("a bad proxy variable fails the first request as the user's error, not the making of the context", async () => {
    const io = createMemoryIO({}, { RUNNER_TEMP: os.tmpdir(), HTTPS_PROXY: 'socks5://u:pw@proxy.corp:1080' })
    const ctx = createContext(io, common(os.tmpdir()))
    const failure = await ctx.http('https://pypi.org/simple/').then(
      () => undefined,
      (e: unknown) => e
    )
    expect(isUserError(failure)).toBe(true)
    expect((failure as Error).message).toMatch(/^HTTPS_PROXY names a socks5 proxy \("socks5:\/\/\*\*\*@proxy\.corp:1080"\)/)
  })
  test("a stage of the pipeline uses the parent context's client", () => {
    const io = createMemoryIO({}, { RUNNER_TEMP: os.tmpdir() })
    const parent = createContext(io, common(os.tmpdir()))
    expect(createContext(io, common(os.tmpdir()), { shared: parent }).http).toBe(parent.http)
  })
})
