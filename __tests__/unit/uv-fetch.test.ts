/**
 * uv downloaded without pip: the real uv project page (captured), the wheel pip would pick,
 * its sha256 checked, only its executable written; and the pip settings that leave it to pip.
 * The index is a recorded Http serving the stub wheel; nothing reaches the network.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { HostPlatform } from '../../packages-shared/pypa/wheel-tags.js'
import { caBundle, directFetchBlocker, downloadUv } from '../../packages-shared/python/uv-fetch.js'
import { recordedHttp } from '../helpers/recorded.js'
import { scratchDirs } from '../helpers/scratch.js'
import { UV_STUB_WITHOUT_SCRIPTS, uvIndexRoutes } from '../helpers/uv-index.js'

const scratch = scratchDirs()
const LINUX: HostPlatform = { platform: 'linux', arch: 'x64', libc: { family: 'glibc', major: 2, minor: 36 } }
const LINUX_WHEEL = 'uv-0.13.8-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'
const NO_PIP_CONFIG = { PIP_CONFIG_FILE: '/dev/null' }

/** What Python's zipfile wrote into the stub (fixtures/wheels/README.md). */
const STUB_UV = Buffer.from("#!/bin/sh\necho 'uv 0.13.8 (stub)'\n")
const STUB_UV_EXE = Buffer.from('MZ stub uv.exe\n')

describe('downloadUv', () => {
  test('the wheel pip would pick, from PyPI by default, its sha256 checked, its uv written as bin/uv, executable', async () => {
    const http = recordedHttp(uvIndexRoutes())
    const into = scratch.tempDir('dk-uv-into-')
    const got = await downloadUv({ http, env: {}, host: LINUX, version: '0.13.8', into })
    expect(got).toEqual({
      ok: true,
      wheel: LINUX_WHEEL,
      url: expect.stringMatching(new RegExp(`^https://files\\.pythonhosted\\.org/.*/${LINUX_WHEEL}$`))
    })
    expect(http.requests.map((r) => r.url)).toEqual(['https://pypi.org/simple/uv/', (got as { url: string }).url])
    const exe = path.join(into, 'bin', 'uv')
    expect(fs.readFileSync(exe)).toEqual(STUB_UV)
    if (process.platform !== 'win32') expect(fs.statSync(exe).mode & 0o777).toBe(0o755)
    // Only the executable: not uvx, not the Python package, not the wheel.
    expect(fs.readdirSync(into)).toEqual(['bin'])
    expect(fs.readdirSync(path.join(into, 'bin'))).toEqual(['uv'])
  })

  test('Windows: the win_amd64 wheel, and uv.exe', async () => {
    const http = recordedHttp(uvIndexRoutes())
    const into = scratch.tempDir('dk-uv-into-')
    const got = await downloadUv({ http, env: {}, host: { platform: 'win32', arch: 'x64' }, version: '0.13.8', into })
    expect(got).toMatchObject({ ok: true, wheel: 'uv-0.13.8-py3-none-win_amd64.whl' })
    expect(fs.readFileSync(path.join(into, 'bin', 'uv.exe'))).toEqual(STUB_UV_EXE)
  })

  test('a sha256 other than the index gives is refused: nothing is written', async () => {
    const http = recordedHttp(uvIndexRoutes({ sha: 'f'.repeat(64) }))
    const into = scratch.tempDir('dk-uv-into-')
    const got = await downloadUv({ http, env: {}, host: LINUX, version: '0.13.8', into })
    expect(got.ok).toBe(false)
    expect((got as { reason: string }).reason).toMatch(
      new RegExp(
        `^${LINUX_WHEEL.replace(/\./g, '\\.')} has sha256 [0-9a-f]{64}, not the f{64} https://pypi\\.org/simple/uv/ gives: refused$`
      )
    )
    expect(fs.readdirSync(into)).toEqual([])
  })

  test('an index that gives no sha256 is not trusted for an executable', async () => {
    const http = recordedHttp(uvIndexRoutes({ sha: null }))
    const got = await downloadUv({ http, env: {}, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect(got).toEqual({ ok: false, reason: `https://pypi.org/simple/uv/ gives no sha256 for ${LINUX_WHEEL}` })
    expect(http.requests).toHaveLength(1)
  })

  test('no wheel for this machine: the reason names the machine and the page, and nothing is downloaded', async () => {
    const http = recordedHttp(uvIndexRoutes())
    const host: HostPlatform = { platform: 'linux', arch: 'loong64', libc: { family: 'glibc', major: 2, minor: 38 } }
    const got = await downloadUv({ http, env: {}, host, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect(got).toEqual({ ok: false, reason: 'no uv 0.13.8 wheel for linux loong64 (glibc 2.38) on https://pypi.org/simple/uv/' })
    expect(http.requests).toHaveLength(1)
    const none = await downloadUv({ http, env: {}, host: LINUX, version: '0.99.0', into: scratch.tempDir('dk-uv-into-') })
    expect(none).toEqual({ ok: false, reason: 'no uv 0.99.0 wheel for linux x64 (glibc 2.36) on https://pypi.org/simple/uv/' })
  })

  test('a wheel without the executable where the wheel spec puts scripts', async () => {
    const http = recordedHttp(uvIndexRoutes({ wheel: UV_STUB_WITHOUT_SCRIPTS }))
    const got = await downloadUv({ http, env: {}, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect(got).toEqual({ ok: false, reason: `${LINUX_WHEEL} holds no uv-0.13.8.data/scripts/uv` })
  })

  test('the page or the file not served: the status, or why it could not be reached', async () => {
    const busy = recordedHttp([{ match: /GET /, answer: () => new Response('busy', { status: 503, statusText: 'Service Unavailable' }) }])
    expect(await downloadUv({ http: busy, env: {}, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })).toEqual({
      ok: false,
      reason: 'https://pypi.org/simple/uv/ answered 503 Service Unavailable'
    })
    const offline = recordedHttp([])
    const got = await downloadUv({ http: offline, env: {}, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect((got as { reason: string }).reason).toMatch(/^https:\/\/pypi\.org\/simple\/uv\/ could not be reached \(fetch failed/)
    const [page] = uvIndexRoutes()
    const gone = recordedHttp([page!, { match: /\.whl$/, answer: () => new Response('', { status: 404, statusText: 'Not Found' }) }])
    const missing = await downloadUv({ http: gone, env: {}, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect((missing as { reason: string }).reason).toMatch(new RegExp(`/${LINUX_WHEEL.replace(/\./g, '\\.')} answered 404 Not Found$`))
  })

  test("the user's index, with its credentials in a header, sent to the file only on the index's own origin", async () => {
    const index = 'https://alice:s3cret@mirror.test/simple'
    const env = { PIP_INDEX_URL: index }
    const relative = recordedHttp(uvIndexRoutes({ index: 'https://mirror.test/simple', url: (f) => `../../files/${f.filename}` }))
    const got = await downloadUv({ http: relative, env, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect(got).toEqual({ ok: true, wheel: LINUX_WHEEL, url: `https://mirror.test/files/${LINUX_WHEEL}` })
    const auth = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`
    expect(relative.requests.map((r) => [r.url, (r.init.headers as Record<string, string>).Authorization])).toEqual([
      ['https://mirror.test/simple/uv/', auth],
      [`https://mirror.test/files/${LINUX_WHEEL}`, auth]
    ])
    // Files on another host (a CDN) get no credentials of the index's.
    const cdn = recordedHttp(uvIndexRoutes({ index: 'https://mirror.test/simple' }))
    await downloadUv({ http: cdn, env, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    expect((cdn.requests[1]!.init.headers as Record<string, string>).Authorization).toBeUndefined()
  })

  test('extra indexes are read too, as pip reads them: the best file of all, the first index on a tie', async () => {
    const env = { PIP_INDEX_URL: 'https://a.test/simple', PIP_EXTRA_INDEX_URL: 'https://b.test/simple' }
    const absentFirst = recordedHttp([
      { match: 'GET https://a.test/simple/uv/', answer: () => new Response('no such project', { status: 404 }) },
      ...uvIndexRoutes({ index: 'https://b.test/simple' })
    ])
    expect(
      await downloadUv({ http: absentFirst, env, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })
    ).toMatchObject({
      ok: true,
      wheel: LINUX_WHEEL
    })
    const both = recordedHttp([
      ...uvIndexRoutes({ index: 'https://a.test/simple', url: (f) => `https://a.test/files/${f.filename}` }),
      ...uvIndexRoutes({ index: 'https://b.test/simple', url: (f) => `https://b.test/files/${f.filename}` })
    ])
    expect(await downloadUv({ http: both, env, host: LINUX, version: '0.13.8', into: scratch.tempDir('dk-uv-into-') })).toMatchObject({
      url: `https://a.test/files/${LINUX_WHEEL}`
    })
  })

  test('an http index is read only on this machine, as pip reads one without a trusted host', async () => {
    const http = recordedHttp(uvIndexRoutes({ index: 'http://127.0.0.1:8080/simple' }))
    const local = await downloadUv({
      http,
      env: { PIP_INDEX_URL: 'http://127.0.0.1:8080/simple/' },
      host: LINUX,
      version: '0.13.8',
      into: scratch.tempDir('dk-uv-into-')
    })
    expect(local.ok).toBe(true)
    expect(
      await downloadUv({
        http: recordedHttp([]),
        env: { PIP_INDEX_URL: 'http://mirror.test/simple' },
        host: LINUX,
        version: '0.13.8',
        into: scratch.tempDir('dk-uv-into-')
      })
    ).toEqual({ ok: false, reason: 'the index http://mirror.test/simple is not https, which pip reads only from a trusted host' })
  })
})

describe('the pip settings a plain download cannot honour', () => {
  const none = (): undefined => undefined
  const empty = (): string[] | undefined => undefined

  test.each([
    [{ PIP_TRUSTED_HOST: 'mirror.test' }, 'PIP_TRUSTED_HOST is set, which a plain download does not honour'],
    [{ PIP_CLIENT_CERT: '/me.pem' }, 'PIP_CLIENT_CERT is set, which a plain download does not honour'],
    [{ PIP_PROXY: 'http://proxy.test:3128' }, 'PIP_PROXY is set, which a plain download does not honour'],
    [{ ALL_PROXY: 'socks5://proxy.test' }, 'ALL_PROXY is set without HTTPS_PROXY, which a plain download does not read'],
    [
      { PIP_FIND_LINKS: 'https://wheels.test/links.html' },
      'PIP_FIND_LINKS names https://wheels.test/links.html, a page pip reads beside the index'
    ]
  ])('%j', (env, reason) => {
    expect(directFetchBlocker({ ...NO_PIP_CONFIG, ...env }, '0.13.8', 'linux', none, empty)).toBe(reason)
  })

  test('what a plain download honours as pip would: proxies by variable, and find-links folders with no uv of ours', () => {
    expect(
      directFetchBlocker({ ...NO_PIP_CONFIG, ALL_PROXY: 'http://p.test', HTTPS_PROXY: 'http://p.test' }, '0.13.8', 'linux', none)
    ).toBe(undefined)
    const wheels = scratch.tempDir('dk-uv-links-')
    fs.writeFileSync(path.join(wheels, 'black-26.10.1-py3-none-any.whl'), '')
    fs.writeFileSync(path.join(wheels, 'uv-0.13.7-py3-none-manylinux_2_17_x86_64.whl'), '')
    const env = { ...NO_PIP_CONFIG, PIP_FIND_LINKS: `${wheels} ${path.join(wheels, 'absent')}` }
    expect(directFetchBlocker(env, '0.13.8', 'linux', none)).toBeUndefined()
    // A folder holding a uv wheel of our version: pip may take it, so pip does.
    fs.writeFileSync(path.join(wheels, 'uv-0.13.8-py3-none-manylinux_2_17_x86_64.whl'), '')
    expect(directFetchBlocker(env, '0.13.8', 'linux', none)).toBe(
      `PIP_FIND_LINKS folder ${wheels} holds uv-0.13.8-py3-none-manylinux_2_17_x86_64.whl, which pip may take instead`
    )
    expect(directFetchBlocker({ ...NO_PIP_CONFIG, PIP_FIND_LINKS: pathToFileURL(wheels).href }, '0.13.8', 'linux', none)).toMatch(
      /holds uv-0\.13\.8-/
    )
    // A file named as find-links is a page pip reads.
    const page = path.join(wheels, 'links.html')
    fs.writeFileSync(page, '<a href="x">x</a>')
    expect(directFetchBlocker({ ...NO_PIP_CONFIG, PIP_FIND_LINKS: page }, '0.13.8', 'linux', none)).toBe(
      `PIP_FIND_LINKS names the file ${page}, a page pip reads beside the index`
    )
  })

  test("a pip configuration file's proxy", () => {
    const read = (file: string): string | undefined => (file === '/etc/pip.conf' ? '[global]\nproxy = http://proxy.test:3128\n' : undefined)
    expect(directFetchBlocker({ HOME: '/home/me' }, '0.13.8', 'linux', read, empty)).toBe(
      '/etc/pip.conf sets proxy, which a plain download does not honour'
    )
  })

  test('the CA bundle pip verifies with is the one the download trusts; a folder of CAs is left to pip', () => {
    const dir = scratch.tempDir('dk-uv-ca-')
    const pem = path.join(dir, 'ca.pem')
    fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nstub\n-----END CERTIFICATE-----\n')
    expect(caBundle({})).toEqual({})
    expect(caBundle({ PIP_CERT: pem })).toEqual({ pem: fs.readFileSync(pem, 'utf8') })
    // PIP_CERT outranks what requests and OpenSSL read.
    expect(caBundle({ SSL_CERT_FILE: path.join(dir, 'absent.pem'), PIP_CERT: pem })).toEqual({ pem: fs.readFileSync(pem, 'utf8') })
    expect(caBundle({ REQUESTS_CA_BUNDLE: dir })).toEqual({
      blocker: `REQUESTS_CA_BUNDLE names a folder of CAs (${dir}), which a plain download does not read`
    })
    expect(caBundle({ SSL_CERT_FILE: path.join(dir, 'absent.pem') })).toEqual({
      blocker: `SSL_CERT_FILE names ${path.join(dir, 'absent.pem')}, which cannot be read`
    })
    expect(caBundle({ SSL_CERT_DIR: dir })).toEqual({ blocker: 'SSL_CERT_DIR names a folder of CAs, which a plain download does not read' })
  })
})
