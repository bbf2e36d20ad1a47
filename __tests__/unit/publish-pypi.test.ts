/**
 * publish-pypi's pure parts: archive and metadata readers on dists built by real build
 * backends, the simple-API parsers on pages captured from pypiserver and pypi.org, uv's
 * captured failure output, repository resolution, the dists input, ordering and blocking.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DependencyGraph } from '../../packages-shared/graph.js'
import { IndexClient } from '../../actions/publish-pypi/index-client.js'
import { parseSimpleHtml, parseSimpleJson } from '../../packages-shared/pypa/simple-index.js'
import { parseDists } from '../../packages-shared/dist-inputs.js'
import { inspectDist, parseDistFilename, parseMetadata } from '../../actions/publish-pypi/metadata.js'
import { canonicalVersion, isValidVersion } from '../../packages-shared/pypa/versions.js'
import { blockersOf, orderPackages, type DistFile } from '../../actions/publish-pypi/plan.js'
import { inspectCandidates } from '../../actions/publish-pypi/preflight.js'
import { resolveRepository } from '../../actions/publish-pypi/repository.js'
import type { Uploader } from '../../actions/publish-pypi/uploader.js'
import { classifyUvResult, uvPublishArgv, uvPublishEnv } from '../../packages-shared/tools/uv-publish.js'
import { publishAll } from '../../actions/publish-pypi/publisher.js'
import { missingCredentialsMessage, mintUploadToken } from '../../actions/publish-pypi/oidc.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import type { Http } from '../../packages-shared/github/http.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import type { CommonInputs } from '../../packages-shared/context.js'

const CAPTURED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captured')
const DISTS = path.join(CAPTURED, 'dists')

function captured(rel: string): string {
  return fs.readFileSync(path.join(CAPTURED, rel), 'utf8')
}

function uvResult(rel: string): { exitCode: number; stdout: string; stderr: string; timedOut: boolean } {
  const text = captured(rel)
  const exit = Number(/exit (\d+)\s*$/.exec(text)![1])
  return { exitCode: exit, stdout: '', stderr: text, timedOut: false }
}

describe('distribution readers (real dists)', () => {
  test('reads a poetry-core wheel and sdist: no errors, name and version from the metadata', () => {
    for (const f of ['dataknobs_common-1.0.0-py3-none-any.whl', 'dataknobs_common-1.0.0.tar.gz']) {
      const r = inspectDist(path.join(DISTS, f))
      if (typeof r === 'string') throw new Error(r)
      expect(r.name).toBe('dataknobs-common')
      expect(r.version).toBe('1.0.0')
      expect(r.problems.filter((p) => p.severity === 'error')).toEqual([])
    }
  })

  test('a hatchling sdist with Metadata-Version 2.5 is accepted', () => {
    const r = inspectDist(path.join(DISTS, 'dataknobs_utils-1.0.0.tar.gz'))
    if (typeof r === 'string') throw new Error(r)
    expect(r.problems).toEqual([])
  })

  test('a wheel whose metadata disagrees with its name, without a description, fails with each reason', () => {
    const r = inspectDist(path.join(DISTS, 'bad', 'dataknobs_common-1.0.0-py3-none-any.whl'))
    if (typeof r === 'string') throw new Error(r)
    // No description: the content type it lacks too is not reported, there is nothing to render.
    expect(r.problems.map((p) => [p.severity, p.message.split(':')[0]])).toEqual([
      ['error', 'the file name says version 1.0.0 but the metadata says 1.0.1'],
      [
        'error',
        'the long description is missing, so the project page would be empty. Point `readme` in [project] at a README that has content (an empty file gives none), or set `long_description` (in setup() of setup.py, or [metadata] of setup.cfg), or set strict-metadata'
      ]
    ])
  })

  test('a description without Description-Content-Type fails under strict-metadata, and is a warning without it', () => {
    const file = path.join(DISTS, 'bad', 'dataknobs_structures-1.0.0-py3-none-any.whl')
    const strict = inspectDist(file)
    const lenient = inspectDist(file, false)
    if (typeof strict === 'string' || typeof lenient === 'string') throw new Error('unreadable')
    expect(strict.problems.map((p) => p.severity)).toEqual(['error'])
    expect(strict.problems[0]!.message).toMatch(
      /^Description-Content-Type is missing; indexes will render the description as reStructuredText\. Name the README/
    )
    expect(lenient.problems).toEqual([{ ...strict.problems[0]!, severity: 'warning' }])
  })

  test('strict-metadata: false makes the missing description a warning, never the version mismatch', () => {
    const r = inspectDist(path.join(DISTS, 'bad', 'dataknobs_common-1.0.0-py3-none-any.whl'), false)
    if (typeof r === 'string') throw new Error(r)
    expect(r.problems.filter((p) => p.severity === 'error').map((p) => p.message)).toEqual([
      'the file name says version 1.0.0 but the metadata says 1.0.1'
    ])
    expect(r.problems.filter((p) => p.severity === 'warning').map((p) => p.message.split(',')[0])).toEqual([
      'the long description is missing'
    ])
  })

  test('an sdist without <name>-<version>/PKG-INFO cannot be read, and says so', () => {
    const r = inspectDist(path.join(DISTS, 'bad', 'dataknobs_common-1.0.0.tar.gz'))
    expect(r).toContain('has no dataknobs_common-1.0.0/PKG-INFO')
  })

  test('a file that is not a zip is reported, not thrown', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pub-'))
    fs.writeFileSync(path.join(dir, 'x-1.0-py3-none-any.whl'), 'not a zip')
    expect(inspectDist(path.join(dir, 'x-1.0-py3-none-any.whl'))).toContain('cannot be read: not a zip file')
    expect(inspectDist(path.join(dir, 'x-1.0.zip'))).toContain('only wheels (.whl) and sdists (.tar.gz)')
  })

  test('wheel and sdist of one package disagreeing on the version, and a file given twice', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pub-'))
    fs.copyFileSync(path.join(DISTS, 'dataknobs_common-1.0.0.tar.gz'), path.join(dir, 'dataknobs_common-1.0.0.tar.gz'))
    fs.copyFileSync(
      path.join(DISTS, 'bad', 'dataknobs_common-1.0.0-py3-none-any.whl'),
      path.join(dir, 'dataknobs_common-1.0.0-py3-none-any.whl')
    )
    const cands = [
      { path: path.join(dir, 'dataknobs_common-1.0.0.tar.gz') },
      { path: path.join(dir, 'dataknobs_common-1.0.0-py3-none-any.whl') },
      { path: path.join(DISTS, 'dataknobs_common-1.0.0.tar.gz') }
    ]
    const r = inspectCandidates(cands, (p) => path.basename(path.dirname(p)) + '/' + path.basename(p))
    const msgs = r.problems.filter((p) => p.severity === 'error').map((p) => p.message)
    expect(msgs.some((m) => m.startsWith('The dists of dataknobs-common disagree on the version'))).toBe(true)
    expect(msgs.some((m) => m.startsWith('dataknobs_common-1.0.0.tar.gz is given 2 times'))).toBe(true)
  })
})

describe('metadata parsing and names', () => {
  test('headers, multiple values, body description', () => {
    const m = parseMetadata(
      'Metadata-Version: 2.1\nName: x\nClassifier: a\nClassifier: b\nDescription-Content-Type: text/markdown\n\n# Title\n\nbody\n'
    )
    expect(m.fields.get('classifier')).toEqual(['a', 'b'])
    expect(m.description).toBe('# Title\n\nbody')
  })
  test('old-style Description header with continuation lines', () => {
    const m = parseMetadata('Metadata-Version: 1.1\nName: x\nDescription: first\n        |second\nPlatform: any\n')
    expect(m.description).toBe('first\nsecond')
  })
  test.each([
    ['pkg-1.0.0-py3-none-any.whl', { kind: 'wheel', name: 'pkg', version: '1.0.0' }],
    ['pkg_x-2.0rc1-1-cp312-cp312-manylinux_2_17_x86_64.whl', { kind: 'wheel', name: 'pkg_x', version: '2.0rc1' }],
    ['my_pkg-1.0.post1.tar.gz', { kind: 'sdist', name: 'my_pkg', version: '1.0.post1' }],
    ['old-style-name-0.1.tar.gz', { kind: 'sdist', name: 'old-style-name', version: '0.1' }]
  ])('%s', (file, expected) => {
    expect(parseDistFilename(file)).toEqual(expected)
  })
  test('PEP 440 versions', () => {
    for (const v of ['1.0', '1.0.0', '2!1.0', '1.0a1', '1.0.post1', '1.0.dev3', '1.0+local.7', 'v1.2', '1.0-1'])
      expect(isValidVersion(v)).toBe(true)
    for (const v of ['1.0.x', 'latest', '', '1..0']) expect(isValidVersion(v)).toBe(false)
    expect(canonicalVersion('1.0-alpha1')).toBe(canonicalVersion('1.0a1'))
    expect(canonicalVersion('1.0_post2')).toBe(canonicalVersion('1.0.post2'))
  })
})

describe('simple API parsers (captured pages)', () => {
  test('pypiserver PEP 503 HTML: file name, sha256 fragment, and the link resolved against the page', () => {
    const files = parseSimpleHtml(captured('simple-index/pypiserver-2.4.2-project.html'), 'http://127.0.0.1:8080/simple/dataknobs-common/')
    expect([...files.values()]).toEqual([
      {
        filename: 'dataknobs_common-1.0.0-py3-none-any.whl',
        sha256: '1b57a4fdbabab2382594869881996d95ce896e5d3e371665a2bdc474434ab320',
        url: 'http://127.0.0.1:8080/packages/dataknobs_common-1.0.0-py3-none-any.whl'
      },
      {
        filename: 'dataknobs_common-1.0.0.tar.gz',
        sha256: 'fe0f791ef352a2e9950712551ed87818e3a9fcd8eacd985a761d38947a02e4b6',
        url: 'http://127.0.0.1:8080/packages/dataknobs_common-1.0.0.tar.gz'
      }
    ])
    // Without the page's URL the link stays as the page gives it, less its fragment.
    expect(parseSimpleHtml(captured('simple-index/pypiserver-2.4.2-project.html')).get('dataknobs_common-1.0.0.tar.gz')?.url).toBe(
      '/packages/dataknobs_common-1.0.0.tar.gz'
    )
  })
  test('pypi.org PEP 691 JSON: every file with its sha256', () => {
    const text = captured('simple-index/pypi-org-pypiserver.json')
    const files = parseSimpleJson(text)
    const raw = JSON.parse(text) as { files: { filename: string; hashes: { sha256: string }; url: string }[] }
    expect(files.size).toBe(raw.files.length)
    const first = raw.files[0]!
    expect(files.get(first.filename)).toEqual({ filename: first.filename, sha256: first.hashes.sha256, url: first.url })
  })
  test('HTML entities and hrefs without text', () => {
    const files = parseSimpleHtml('<a href="../../p/a%2Bb-1.0.tar.gz#sha256=' + 'a'.repeat(64) + '" data-requires-python="&gt;=3.8"></a>')
    expect(files.get('a+b-1.0.tar.gz')?.sha256).toBe('a'.repeat(64))
  })
  test('IndexClient: JSON when offered, 404 is an empty project, 5xx is retriable', async () => {
    const answers: Record<string, Response> = {
      'https://idx/simple/a/': new Response('{"files":[{"filename":"a-1.tar.gz","hashes":{"sha256":"AB"}}]}', {
        headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' }
      }),
      'https://idx/simple/b/': new Response('nope', { status: 404 }),
      'https://idx/simple/c/': new Response('busy', { status: 503 })
    }
    const client = new IndexClient(
      { label: 'x', uploadUrl: 'https://idx/legacy/', indexUrl: 'https://idx/simple/', oidcBase: 'https://idx' },
      { http: async (u: string) => answers[u]! }
    )
    expect([...(await client.projectFiles('a')).values()]).toEqual([{ filename: 'a-1.tar.gz', sha256: 'ab' }])
    expect((await client.projectFiles('b')).size).toBe(0)
    await expect(client.projectFiles('c')).rejects.toMatchObject({ retriable: true })
  })
})

describe('uv publish output (captured)', () => {
  test.each([
    ['uv-publish/403-forbidden.txt', 'auth'],
    ['uv-publish/503.txt', 'retriable'],
    ['uv-publish/connection-dropped.txt', 'retriable'],
    ['uv-publish/connection-refused.txt', 'retriable'],
    ['uv-publish/409-conflict.txt', 'exists'],
    ['uv-publish/exists-skipping.txt', 'exists'],
    // uv's --check-url saw another sha256 under the name: the publisher reads the index and names both.
    ['uv-publish/exists-different-hash.txt', 'exists'],
    ['uv-publish/400-already-exists.txt', 'exists'],
    ['uv-publish/race-409-same-hash.txt', 'exists'],
    ['uv-publish/race-400-same-hash.txt', 'exists'],
    ['uv-publish/race-409-different-hash.txt', 'exists'],
    ['uv-publish/race-400-different-hash.txt', 'exists']
  ])('%s → %s', (file, kind) => {
    expect(classifyUvResult(uvResult(file)).kind).toBe(kind)
  })
  test('the 403 reason carries the status line', () => {
    const r = classifyUvResult(uvResult('uv-publish/403-forbidden.txt'))
    expect(r.kind === 'auth' && r.reason).toContain('403 Forbidden')
  })
  test('secrets go through the environment, never argv; job settings cannot leak in', () => {
    const repo = resolveRepository('pypi', '')
    const env = uvPublishEnv({ UV_PUBLISH_URL: 'https://evil/', UV_PUBLISH_USERNAME: 'x' }, { kind: 'token', token: 'pypi-secret' })
    expect(env).toMatchObject({ UV_PUBLISH_TOKEN: 'pypi-secret', UV_HTTP_RETRIES: '0' })
    expect(env.UV_PUBLISH_URL).toBeUndefined()
    expect(env.UV_PUBLISH_USERNAME).toBeUndefined()
    const argv = uvPublishArgv('uv', repo, '/d/x.whl')
    expect(argv.join(' ')).not.toContain('pypi-secret')
    expect(argv).toEqual(
      expect.arrayContaining([
        '--publish-url',
        'https://upload.pypi.org/legacy/',
        '--check-url',
        'https://pypi.org/simple/',
        '--trusted-publishing',
        'never'
      ])
    )
  })
})

describe('an "already exists" answer is settled by the index listing (captured uv output and pypiserver page)', () => {
  const WHEEL = 'dataknobs_common-1.0.0-py3-none-any.whl'
  const repo = { label: 'x', uploadUrl: 'https://idx/', indexUrl: 'https://idx/simple/', oidcBase: 'https://idx' }
  const page = captured('simple-index/pypiserver-2.4.2-project.html')
  const wheel = (sha256: string): DistFile => ({
    path: `/d/${WHEEL}`,
    filename: WHEEL,
    kind: 'wheel',
    id: 'dataknobs-common',
    name: 'dataknobs-common',
    version: '1.0.0',
    sha256,
    size: 1
  })
  const plan = (f: DistFile) => [{ id: f.id, name: f.name, version: f.version, files: [f], dependsOn: [] }]
  /** The index lists nothing for the first `absentReads` reads, then the captured page. */
  function index(absentReads: number): { client: IndexClient; reads: () => number } {
    let reads = 0
    const http = async (): Promise<Response> =>
      reads++ < absentReads ? new Response('', { status: 404 }) : new Response(page, { headers: { 'content-type': 'text/html' } })
    return { client: new IndexClient(repo, { http }), reads: () => reads }
  }
  function replay(rel: string): Uploader & { calls: number } {
    const u = {
      calls: 0,
      upload: async () => {
        u.calls++
        return { outcome: classifyUvResult(uvResult(rel)), command: 'uv publish', output: '' }
      }
    }
    return u
  }
  const opts = { retries: 2, retryDelayMs: 1, skipExisting: true }

  test.each(['race-409-same-hash.txt', 'race-400-same-hash.txt', '409-conflict.txt'])(
    '%s, then the page lists the same sha256: skipped as a concurrent upload',
    async (rel) => {
      const { client } = index(rel.startsWith('race') ? 1 : 2)
      const uploader = replay(`uv-publish/${rel}`)
      const [r] = await publishAll(
        createMemoryIO(),
        plan(wheel('1b57a4fdbabab2382594869881996d95ce896e5d3e371665a2bdc474434ab320')),
        client,
        uploader,
        opts
      )
      expect(r!.status).toBe('skipped')
      expect(r!.files[0]).toMatchObject({ status: 'skipped', skipped: 'concurrent', attempts: 1 })
      expect(uploader.calls).toBe(1)
    }
  )

  test('race-409-different-hash.txt: a failure naming the file and both hashes', async () => {
    const uploader = replay('uv-publish/race-409-different-hash.txt')
    const [r] = await publishAll(
      createMemoryIO(),
      plan(wheel('7835c25f7a6795d422ced018feb9bb4fefedf102c184aa02e94f1245e9417bc4')),
      index(1).client,
      uploader,
      opts
    )
    expect(r!.status).toBe('failed')
    expect(r!.reason).toContain(`${WHEEL} is already on the index with a different sha256 (index 1b57a4fdbaba…, local 7835c25f7a67…)`)
  })

  test('409 while the page never lists the file: read again a bounded number of times, never uploaded again, then a failure', async () => {
    const { client, reads } = index(Number.MAX_SAFE_INTEGER)
    const uploader = replay('uv-publish/409-conflict.txt')
    const [r] = await publishAll(
      createMemoryIO(),
      plan(wheel('1b57a4fdbabab2382594869881996d95ce896e5d3e371665a2bdc474434ab320')),
      client,
      uploader,
      opts
    )
    expect(uploader.calls).toBe(1)
    // One read before the upload, then 1 + retries reads of the listing.
    expect(reads()).toBe(1 + 1 + opts.retries)
    expect(r!.status).toBe('failed')
    expect(r!.reason).toContain(`the index answered that ${WHEEL} already exists, but its listing does not show it`)
  })

  test('already on the index before the first attempt: skipped without an upload', async () => {
    const uploader = replay('uv-publish/race-409-same-hash.txt')
    const [r] = await publishAll(
      createMemoryIO(),
      plan(wheel('1b57a4fdbabab2382594869881996d95ce896e5d3e371665a2bdc474434ab320')),
      index(0).client,
      uploader,
      opts
    )
    expect(r!.files[0]).toMatchObject({ status: 'skipped', skipped: 'on-index', attempts: 0 })
    expect(uploader.calls).toBe(0)
  })
})

describe('repository-url', () => {
  test.each([
    ['', '', 'https://upload.pypi.org/legacy/', 'https://pypi.org/simple/', 'https://pypi.org'],
    ['testpypi', '', 'https://test.pypi.org/legacy/', 'https://test.pypi.org/simple/', 'https://test.pypi.org'],
    ['http://127.0.0.1:8080', '', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080/simple/', 'http://127.0.0.1:8080'],
    [
      'https://pkgs.example.com/legacy/',
      '',
      'https://pkgs.example.com/legacy/',
      'https://pkgs.example.com/simple/',
      'https://pkgs.example.com'
    ],
    [
      'https://devpi.example/u/i/',
      'https://devpi.example/u/i/+simple',
      'https://devpi.example/u/i/',
      'https://devpi.example/u/i/+simple/',
      'https://devpi.example'
    ]
  ])('%j (index %j)', (url, index, upload, simple, oidc) => {
    expect(resolveRepository(url, index)).toMatchObject({ uploadUrl: upload, indexUrl: simple, oidcBase: oidc })
  })
  test('bad values are one-line input errors; credentials in the URL are refused without echoing them', () => {
    expect(() => resolveRepository('ftp://x', '')).toThrow("Input 'repository-url' has an invalid value")
    expect(() => resolveRepository('https://u:secretpw@x/', '')).toThrow(/credentials do not belong in the URL/)
    try {
      resolveRepository('https://u:secretpw@x/', '')
    } catch (e) {
      expect(String(e)).not.toContain('secretpw')
    }
  })
})

describe('dists input', () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pub-ws-'))
  const common = { workspace: ws, workingDirectory: ws } as CommonInputs
  test('build-packages objects: wheel and sdist paths, sha256 per role or per file name', () => {
    const out = parseDists(
      JSON.stringify([
        {
          package: 'a',
          version: '1.0',
          wheel: 'dist/a-1.0-py3-none-any.whl',
          sdist: 'dist/a-1.0.tar.gz',
          sha256: { wheel: 'AA', 'a-1.0.tar.gz': 'BB' }
        },
        { package: 'b', version: '2.0', sdist: 'dist/b-2.0.tar.gz', sha256: 'CC' }
      ]),
      common,
      os.tmpdir()
    )
    expect(out.map((d) => [path.relative(ws, d.path), d.package, d.sha256])).toEqual([
      ['dist/a-1.0-py3-none-any.whl', 'a', 'aa'],
      ['dist/a-1.0.tar.gz', 'a', 'bb'],
      ['dist/b-2.0.tar.gz', 'b', 'cc']
    ])
  })
  test('not JSON, no files, or outside the workspace: one-line errors naming the input', () => {
    expect(() => parseDists('dist/*.whl', common, os.tmpdir())).toThrow("Input 'dists' has an invalid value")
    expect(() => parseDists('[{"package":"a"}]', common, os.tmpdir())).toThrow('names no wheel or sdist')
    expect(() => parseDists('["/etc/passwd.whl"]', common, path.join(os.tmpdir(), 'nope'))).toThrow('must be inside the workspace')
  })
})

describe('plan: dependency order and blocking', () => {
  const graph = new DependencyGraph([
    { id: 'common', deps: [] },
    { id: 'structures', deps: ['common'] },
    { id: 'utils', deps: ['common', 'structures'] },
    { id: 'xization', deps: ['structures', 'utils'] },
    { id: 'zeta', deps: ['common'] }
  ])
  const file = (id: string, kind: 'wheel' | 'sdist'): DistFile => ({
    path: `/d/${id}.${kind}`,
    filename: `${id}-1.0${kind === 'wheel' ? '-py3-none-any.whl' : '.tar.gz'}`,
    kind,
    id,
    name: id,
    version: '1.0',
    sha256: 'x',
    size: 1
  })
  test('packages in dependency order, wheels before sdists, unknown packages last', () => {
    const plan = orderPackages(
      [
        file('xization', 'sdist'),
        file('other', 'wheel'),
        file('utils', 'wheel'),
        file('common', 'sdist'),
        file('common', 'wheel'),
        file('structures', 'wheel')
      ],
      graph
    )
    expect(plan.map((p) => p.id)).toEqual(['common', 'structures', 'utils', 'xization', 'other'])
    expect(plan[0]!.files.map((f) => f.kind)).toEqual(['wheel', 'sdist'])
  })
  test('a failure blocks exactly its transitive dependents', () => {
    expect(blockersOf('utils', ['structures'], graph)).toEqual(['structures'])
    expect(blockersOf('xization', ['structures'], graph)).toEqual(['structures'])
    expect(blockersOf('zeta', ['structures'], graph)).toEqual([])
    expect(blockersOf('common', ['structures'], graph)).toEqual([])
  })
})

describe('trusted publishing messages and protocol', () => {
  test('fork pull requests are recognised from the event payload', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-ev-'))
    const ev = path.join(dir, 'e.json')
    fs.writeFileSync(
      ev,
      JSON.stringify({ pull_request: { head: { repo: { full_name: 'me/fork', fork: true } }, base: { repo: { full_name: 'org/repo' } } } })
    )
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: ev }))).toBe(true)
    expect(isForkPullRequest(githubContext({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: ev }))).toBe(false)
    expect(missingCredentialsMessage({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: ev })).toContain('pull request from a fork')
    expect(missingCredentialsMessage({})).toContain('permissions: id-token: write')
  })
  test('a local fake of the published protocol: audience, GitHub ID token, mint; both tokens masked', async () => {
    const calls: string[] = []
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${url}`)
      if (url.endsWith('/_/oidc/audience')) return new Response('{"audience":"pypi"}')
      if (url.startsWith('https://gh/token')) return new Response('{"value":"JWT"}')
      return new Response(JSON.stringify({ success: true, token: 'pypi-MINTED' }))
    }) as Http
    const io = createMemoryIO(
      {},
      { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://gh/token?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'REQ' }
    )
    expect(await mintUploadToken(io, 'https://pypi.org', fake)).toBe('pypi-MINTED')
    expect(calls).toEqual([
      'GET https://pypi.org/_/oidc/audience',
      'GET https://gh/token?api-version=2.0&audience=pypi',
      'POST https://pypi.org/_/oidc/mint-token'
    ])
    // The request token, the ID token and the minted one, each with its Basic-header form.
    const b64 = (s: string): string => Buffer.from(s).toString('base64')
    expect(io.secrets).toEqual(['REQ', 'JWT', b64('__token__:JWT'), 'pypi-MINTED', b64('__token__:pypi-MINTED')])
  })
  test('no OIDC environment: the missing permission is named', async () => {
    await expect(
      mintUploadToken(createMemoryIO(), 'https://pypi.org', () => Promise.reject(new Error('no request expected')))
    ).rejects.toThrow('permissions: id-token: write')
  })
})
