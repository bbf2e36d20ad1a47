/** The one simple-index client every action reads project pages through. */
import { fetchProjectPage, type ProjectPage } from '../../packages-shared/pypa/simple-index.js'
import { recordedHttp } from '../helpers/recorded.js'

const SHA = 'a'.repeat(64)
const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' } })
const html = (body: string, status = 200): Response => new Response(body, { status, headers: { 'content-type': 'text/html' } })

function filesOf(page: ProjectPage): Record<string, string | undefined> {
  if (page.kind !== 'files') throw new Error(`expected files, got ${page.kind}`)
  return Object.fromEntries([...page.files.values()].map((f) => [f.filename, f.sha256]))
}

describe('fetchProjectPage', () => {
  test('reads PEP 691 JSON at the normalised project URL, asking for JSON first', async () => {
    const http = recordedHttp([
      {
        match: 'GET https://idx.example/simple/dk-core/',
        answer: () => json({ files: [{ filename: 'dk_core-1.0-py3-none-any.whl', hashes: { sha256: SHA.toUpperCase() } }] })
      }
    ])
    const page = await fetchProjectPage(http, 'https://idx.example/simple//', 'DK_Core', { timeoutMs: 1000 })
    expect(filesOf(page)).toEqual({ 'dk_core-1.0-py3-none-any.whl': SHA })
    const accept = (http.requests[0]!.init.headers as Record<string, string>).Accept
    expect(accept.indexOf('v1+json')).toBeLessThan(accept.indexOf('text/html'))
  })

  test('reads PEP 503 HTML, with the hash from the URL fragment', async () => {
    const http = recordedHttp([
      {
        match: /GET .*\/dk-core\/$/,
        answer: () =>
          html(
            `<a href="../../p/dk_core-1.0.tar.gz#sha256=${SHA}">dk_core-1.0.tar.gz</a><a href="x/dk_core-0.9.tar.gz">dk_core-0.9.tar.gz</a>`
          )
      }
    ])
    const page = await fetchProjectPage(http, 'http://h/simple', 'dk-core', { timeoutMs: 1000 })
    expect(filesOf(page)).toEqual({
      'dk_core-1.0.tar.gz': SHA,
      'dk_core-0.9.tar.gz': undefined
    })
    // Links are relative to the page (PEP 503): resolved against its URL, the fragment dropped.
    expect(page.kind === 'files' && [...page.files.values()].map((f) => f.url)).toEqual([
      'http://h/p/dk_core-1.0.tar.gz',
      'http://h/simple/dk-core/x/dk_core-0.9.tar.gz'
    ])
  })

  test.each([404, 410])('%i means the index has no such project', async (status) => {
    const http = recordedHttp([{ match: /GET /, answer: () => html('gone', status) }])
    expect(await fetchProjectPage(http, 'http://h/simple', 'x', { timeoutMs: 1000 })).toEqual({
      kind: 'absent',
      url: 'http://h/simple/x/',
      status
    })
  })

  test('any other status is reported with its text, not read as a page', async () => {
    const http = recordedHttp([{ match: /GET /, answer: () => new Response('busy', { status: 503, statusText: 'Service Unavailable' }) }])
    expect(await fetchProjectPage(http, 'http://h/simple', 'x', { timeoutMs: 1000 })).toEqual({
      kind: 'status',
      url: 'http://h/simple/x/',
      status: 503,
      statusText: 'Service Unavailable'
    })
  })

  test('a network failure is an answer, not an exception', async () => {
    const http = recordedHttp([])
    const page = await fetchProjectPage(http, 'http://h/simple', 'x', { timeoutMs: 1000 })
    expect(page.kind).toBe('unreachable')
    expect(String((page as { error: unknown }).error)).toMatch(/fetch failed/)
  })

  test('a JSON page that does not parse is unreadable, with its content type', async () => {
    const http = recordedHttp([
      { match: /GET /, answer: () => new Response('{not json', { headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' } }) }
    ])
    const page = await fetchProjectPage(http, 'http://h/simple', 'x', { timeoutMs: 1000 })
    expect(page).toMatchObject({ kind: 'unreadable', contentType: 'application/vnd.pypi.simple.v1+json' })
  })

  test('credentials in the index URL travel in the Authorization header, never in the URL', async () => {
    const http = recordedHttp([{ match: 'GET https://idx.example/simple/x/', answer: () => json({ files: [] }) }])
    const page = await fetchProjectPage(http, 'https://alice:s%40cret@idx.example/simple', 'x', { timeoutMs: 1000 })
    expect(page.url).toBe('https://idx.example/simple/x/')
    const headers = http.requests[0]!.init.headers as Record<string, string>
    expect(headers.Authorization).toBe(`Basic ${Buffer.from('alice:s@cret').toString('base64')}`)
  })

  test('explicit credentials win; fresh asks caches to revalidate; the user agent is sent', async () => {
    const http = recordedHttp([{ match: /GET /, answer: () => json({ files: [] }) }])
    await fetchProjectPage(http, 'https://bob:old@idx.example/simple', 'x', {
      timeoutMs: 1000,
      auth: { username: '__token__', password: 'pypi-x' },
      fresh: true,
      userAgent: 'ua/1'
    })
    const headers = http.requests[0]!.init.headers as Record<string, string>
    expect(headers.Authorization).toBe(`Basic ${Buffer.from('__token__:pypi-x').toString('base64')}`)
    expect(headers['Cache-Control']).toBe('no-cache')
    expect(headers['User-Agent']).toBe('ua/1')
    const plain = recordedHttp([{ match: /GET /, answer: () => json({ files: [] }) }])
    await fetchProjectPage(plain, 'https://idx.example/simple', 'x', { timeoutMs: 1000 })
    expect(plain.requests[0]!.init.headers).toEqual({ Accept: expect.any(String) })
  })
})
