/**
 * publish-pypi's whole flow (pre-flight, uploads, read-back) through recorded processes and
 * HTTP answers, on a copy of examples/monorepo whose packages' dist/ folders hold the dists uv
 * built from it (__tests__/fixtures/captured/dists). The index is a small in-memory one that
 * answers the simple API (PEP 691 JSON, or the page pypiserver gave for these dists); the
 * recorded `uv publish` puts the file on it, as an upload would. Trusted publishing's
 * endpoints are a named fake.
 */
import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { publishPypiAction } from '../../actions/publish-pypi/main.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { UV_VERSION } from '../../packages-shared/tools/uv-publish.js'
import { recordedExec, recordedHttp, testContext, type Answer, type ExecRule, type HttpRoute } from '../helpers/recorded.js'
import { scratchDirs } from '../helpers/scratch.js'

const CAPTURED = path.resolve('__tests__/fixtures/captured')
const DISTS = path.join(CAPTURED, 'dists')
const captured = (file: string): string => fs.readFileSync(path.join(CAPTURED, file), 'utf8')
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

const UPLOAD_URL = 'https://idx.test/legacy/'
const INDEX_URL = 'https://idx.test/simple/'
const TOKEN = 'pypi-AgEIcHlwaS5vcmcSECRET'

const scratch = scratchDirs()

/** Each package's captured dists, in its dist/ folder (the fallback source: no record, no dist-dir). */
const DISTS_OF: Record<string, string[]> = {
  common: ['dataknobs_common-1.0.0-py3-none-any.whl', 'dataknobs_common-1.0.0.tar.gz'],
  structures: ['dataknobs_structures-1.0.0-py3-none-any.whl', 'dataknobs_structures-1.0.0.tar.gz'],
  utils: ['dataknobs_utils-1.0.0.tar.gz'],
  xization: ['dataknobs_xization-1.0.0.tar.gz']
}
const ALL_FILES = Object.values(DISTS_OF).flat()

function monorepoWithDists(): string {
  const ws = scratch.tempDir('dk-publish-main-')
  fs.cpSync(path.resolve('examples/monorepo'), ws, { recursive: true })
  for (const [folder, files] of Object.entries(DISTS_OF)) {
    const dist = path.join(ws, 'packages', folder, 'dist')
    fs.mkdirSync(dist, { recursive: true })
    for (const f of files) fs.copyFileSync(path.join(DISTS, f), path.join(dist, f))
  }
  return ws
}

/** A PATH folder holding uv, so install: auto takes it from PATH; the recorded exec answers for it. */
function uvOnPath(): string {
  const bin = scratch.tempDir('dk-publish-bin-')
  fs.writeFileSync(path.join(bin, 'uv'), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  return bin
}

const projectOf = (filename: string): string => filename.split('-')[0]!.replace(/_/g, '-')

/**
 * The index: per project, the files it lists with their sha256. `html` projects answer with
 * the page pypiserver 2.4.2 gave for the captured dataknobs-common dists.
 */
class FakeIndex {
  readonly listed = new Map<string, { filename: string; sha256: string }[]>()
  constructor(readonly html: Set<string> = new Set()) {}

  add(filename: string, digest: string): void {
    const project = projectOf(filename)
    this.listed.set(project, [...(this.listed.get(project) ?? []).filter((f) => f.filename !== filename), { filename, sha256: digest }])
  }

  route(): HttpRoute {
    return {
      match: (url, init) => (init.method ?? 'GET') === 'GET' && url.startsWith(INDEX_URL),
      answer: (url) => {
        const project = url.slice(INDEX_URL.length).replace(/\/$/, '')
        if (this.html.has(project))
          return new Response(captured('simple-index/pypiserver-2.4.2-project.html'), {
            status: 200,
            headers: { 'content-type': 'text/html' }
          })
        const files = this.listed.get(project)
        if (!files) return new Response('Not Found', { status: 404 })
        const body = {
          meta: { 'api-version': '1.1' },
          name: project,
          files: files.map((f) => ({ filename: f.filename, url: `https://files.idx.test/${f.filename}`, hashes: { sha256: f.sha256 } }))
        }
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' } })
      }
    }
  }
}

/** What uv prints for a file that uploads (the shape of captured/uv-publish). */
function uploaded(file: string): Answer {
  const name = path.basename(file)
  return { stderr: `Publishing 1 file to ${UPLOAD_URL}\nHashing ${name} (3.2KiB)\nUploading ${name} (3.2KiB)\n` }
}

/** `uv publish` of a file: it lands on the index (with `landsAs` as its sha256 when given), unless `fails` answers for it. */
function uvPublish(
  index: FakeIndex,
  options: { fails?: (file: string) => Answer | undefined; landsAs?: (file: string) => string | undefined } = {}
): ExecRule {
  return {
    match: /\/uv publish /,
    answer: (spec: CommandSpec) => {
      const file = spec.argv[spec.argv.length - 1]!
      const failure = options.fails?.(file)
      if (failure) return failure
      index.add(path.basename(file), options.landsAs?.(file) ?? sha256(file))
      return uploaded(file)
    }
  }
}

/** A captured uv failure (the file ends with its exit code). */
function capturedFailure(rel: string): Answer {
  const text = captured(rel)
  return { exitCode: Number(/exit (\d+)\s*$/.exec(text)![1]), stderr: text.replace(/exit \d+\s*$/, '') }
}

const PROVISION: ExecRule[] = [
  { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.11.2\n' } },
  { match: /\/uv --version$/, answer: { stdout: 'uv 0.13.8\n' } }
]

/**
 * The named fake of trusted publishing: the index's audience and mint endpoints, and
 * GitHub's ID-token endpoint.
 */
function fakeTrustedPublishing(minted: string): HttpRoute[] {
  return [
    { match: 'GET https://idx.test/_/oidc/audience', answer: () => new Response('{"audience":"idx.test"}') },
    {
      match: /^GET https:\/\/token\.actions\.test\/id\?api-version=2\.0&audience=idx\.test$/,
      answer: () => new Response('{"value":"eyJ.fake-id-token.sig"}')
    },
    { match: 'POST https://idx.test/_/oidc/mint-token', answer: () => new Response(JSON.stringify({ success: true, token: minted })) }
  ]
}

async function run(inputs: Record<string, string>, rules: ExecRule[], routes: HttpRoute[], env: Record<string, string> = {}) {
  const ws = monorepoWithDists()
  const exec = recordedExec(rules)
  const http = recordedHttp(routes)
  const { ctx, io } = testContext({
    inputs: { 'repository-url': UPLOAD_URL, 'retry-delay': '1ms', ...inputs },
    env: { GITHUB_WORKSPACE: ws, PATH: uvOnPath(), RUNNER_TEMP: scratch.tempDir('dk-publish-temp-'), ...env },
    exec,
    http
  })
  const parsed = publishPypiAction.parseInputs(new InputReader(io), ctx.common, io)
  const result = await publishPypiAction.run(ctx, parsed)
  const statuses = Object.fromEntries(result.checks.map((c) => [c.package ? `${c.tool} ${c.package}` : c.tool, c.status]))
  const published = exec.calls.filter((c) => c.argv[1] === 'publish')
  return {
    ws,
    result,
    statuses,
    exec,
    http,
    io,
    published,
    outputs: (name: string): string[] => JSON.parse(result.outputs![name]!) as string[]
  }
}

describe('publish-pypi main through recorded uv and a recorded index', () => {
  test('every dist uploaded in dependency order, wheels first, with the URL in argv and the token in the environment only', async () => {
    const index = new FakeIndex()
    const { ws, result, statuses, exec, published, outputs, io } = await run(
      { token: TOKEN },
      [...PROVISION, uvPublish(index)],
      [index.route()]
    )

    expect(statuses).toEqual({
      preflight: 'passed',
      'upload dataknobs-common': 'passed',
      'upload dataknobs-structures': 'passed',
      'upload dataknobs-utils': 'passed',
      'upload dataknobs-xization': 'passed'
    })
    expect(result.passed).toBe(true)
    expect(result.failureMessage).toBeUndefined()
    expect(result.checks[1]!.toolVersion).toBe('0.13.8')
    expect(result.checks[0]!.message).toBe(`6 file(s) of 4 package(s) for idx.test (${UPLOAD_URL})`)
    expect(outputs('uploaded')).toEqual(ALL_FILES)
    expect(outputs('skipped')).toEqual([])
    expect(outputs('failed')).toEqual([])
    expect(result.data).toMatchObject({
      authentication: 'token',
      dryRun: false,
      repository: { uploadUrl: UPLOAD_URL, indexUrl: INDEX_URL },
      distSource: { kind: 'package-dist' }
    })

    expect(published.map((c) => path.basename(c.argv[c.argv.length - 1]!))).toEqual(ALL_FILES)
    for (const c of published) {
      expect(c.argv.slice(1, -1)).toEqual([
        'publish',
        '--no-config',
        '--color',
        'never',
        '--trusted-publishing',
        'never',
        '--publish-url',
        UPLOAD_URL,
        '--check-url',
        INDEX_URL
      ])
      expect(c.argv.join(' ')).not.toContain(TOKEN)
      expect(c.env?.UV_PUBLISH_TOKEN).toBe(TOKEN)
      expect(c.env?.UV_HTTP_RETRIES).toBe('0')
      expect(c.cwd).toBe(ws)
    }
    // The token is masked before first use, and no other command is given it.
    expect(io.secrets).toContain(TOKEN)
    expect(exec.calls.filter((c) => c.argv[1] !== 'publish').every((c) => !Object.values(c.env ?? {}).includes(TOKEN))).toBe(true)
    expect(result.sections![1]).toMatch(/^### Packages\n/)
  })

  test('a pre-flight error uploads nothing: the failed preflight check names it, and no process starts', async () => {
    const index = new FakeIndex()
    // The index already holds the common sdist under its name, with another file's bytes.
    index.add('dataknobs_common-1.0.0.tar.gz', 'f'.repeat(64))
    const exec = [...PROVISION, uvPublish(index)]
    const { result, statuses, published, exec: recorded, outputs } = await run({ token: TOKEN }, exec, [index.route()])

    expect(statuses).toEqual({ preflight: 'failed' })
    expect(result.passed).toBe(false)
    expect(published).toEqual([])
    expect(recorded.calls).toEqual([])
    const finding = result.checks[0]!.findings.find((f) => f.severity === 'error')!
    expect(finding).toMatchObject({ tool: 'preflight', package: 'dataknobs-common', file: 'dataknobs_common-1.0.0.tar.gz' })
    expect(finding.message).toBe(
      'dataknobs_common-1.0.0.tar.gz is already on the index with a different sha256 (index ffffffffffff…, local fe0f791ef352…). A file name can be used only once: bump the version and rebuild.'
    )
    expect(result.failureMessage).toBe(`publish-pypi pre-flight failed, nothing was uploaded: ${finding.message}`)
    expect(outputs('uploaded')).toEqual([])
    expect(result.sections![1]).toContain('conflict (different file on the index)')
  })

  test('a dry run uploads nothing and passes; missing credentials are only a warning there', async () => {
    const index = new FakeIndex()
    const { result, statuses, exec, io, http } = await run({ 'dry-run': 'true' }, [], [index.route()])

    expect(statuses).toEqual({ preflight: 'passed' })
    expect(result.passed).toBe(true)
    expect(exec.calls).toEqual([])
    expect(http.requests.map((r) => r.url)).toEqual(['common', 'structures', 'utils', 'xization'].map((p) => `${INDEX_URL}dataknobs-${p}/`))
    const warning = result.checks[0]!.findings.find(
      (f) => f.severity === 'warning' && f.message.startsWith('A real run would fail: No credentials')
    )
    expect(warning).toBeDefined()
    expect(io.logs).toContainEqual({ level: 'warning', message: warning!.message })
    expect(io.logs).toContainEqual({ level: 'notice', message: 'Dry run: pre-flight passed for 6 file(s); nothing was uploaded.' })
    expect(result.sections![1]).toMatch(/^### Plan \(dry run: nothing uploaded\)/)
    expect(result.data).toMatchObject({ authentication: 'none', dryRun: true })
    expect(result.outputs).toEqual({ uploaded: '[]', skipped: '[]', failed: '[]' })
  })

  test('missing credentials on a real run are a pre-flight error that names the fix, and nothing is uploaded', async () => {
    const index = new FakeIndex()
    const { result, statuses, exec } = await run({}, [...PROVISION, uvPublish(index)], [index.route()])

    expect(statuses).toEqual({ preflight: 'failed' })
    expect(exec.calls).toEqual([])
    const errors = result.checks[0]!.findings.filter((f) => f.severity === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(/^No credentials: give 'token'.*permissions: id-token: write/)
    expect(result.failureMessage).toMatch(/^publish-pypi pre-flight failed, nothing was uploaded: No credentials/)
  })

  test('files already on the index with the same sha256 (its HTML page) are skipped, the rest uploaded', async () => {
    const index = new FakeIndex(new Set(['dataknobs-common']))
    const { result, statuses, published, outputs } = await run({ token: TOKEN }, [...PROVISION, uvPublish(index)], [index.route()])

    expect(result.passed).toBe(true)
    expect(statuses['upload dataknobs-common']).toBe('passed')
    expect(result.checks.find((c) => c.package === 'dataknobs-common')!.message).toBe('already on the index')
    expect(outputs('skipped')).toEqual(DISTS_OF.common)
    expect(outputs('uploaded')).toEqual(ALL_FILES.filter((f) => !DISTS_OF.common!.includes(f)))
    expect(published.some((c) => c.argv[c.argv.length - 1]!.includes('dataknobs_common'))).toBe(false)
    expect(result.sections!.find((s) => s.startsWith('### Skipped files'))).toContain('already on the index (same sha256)')
  })

  test('a package that fails to upload holds back its dependents only; the others are published', async () => {
    const index = new FakeIndex()
    // structures' upload answers 503 (captured); with no retries, it fails on the first attempt.
    const fails = (file: string): Answer | undefined =>
      path.basename(file).startsWith('dataknobs_structures') ? capturedFailure('uv-publish/503.txt') : undefined
    const { result, statuses, published, outputs } = await run(
      { token: TOKEN, retries: '0' },
      [...PROVISION, uvPublish(index, { fails })],
      [index.route()]
    )

    expect(statuses).toEqual({
      preflight: 'passed',
      'upload dataknobs-common': 'passed',
      'upload dataknobs-structures': 'failed',
      // Held back: each says so with an error of its own.
      'upload dataknobs-utils': 'failed',
      'upload dataknobs-xization': 'failed'
    })
    expect(result.passed).toBe(false)
    // The wheel failed; the sdist after it was not attempted, nor were the dependents' files.
    expect(published.map((c) => path.basename(c.argv[c.argv.length - 1]!))).toEqual([...DISTS_OF.common!, DISTS_OF.structures![0]])
    expect(outputs('uploaded')).toEqual(DISTS_OF.common)
    expect(outputs('failed')).toEqual([...DISTS_OF.structures!, ...DISTS_OF.utils!, ...DISTS_OF.xization!])
    const utils = result.checks.find((c) => c.package === 'dataknobs-utils')!
    expect(utils.message).toBe('blocked by dataknobs-structures')
    expect(utils.findings.map((f) => f.message)).toEqual([
      'dataknobs-utils 1.0.0 was not published: held back: depends on dataknobs-structures, which failed to publish'
    ])
    expect(result.data!.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'dataknobs-xization', status: 'blocked', blockedBy: ['dataknobs-structures'] })
      ])
    )
    expect(result.checks.find((c) => c.package === 'dataknobs-structures')!.findings[0]!.message).toMatch(
      /^dataknobs-structures 1\.0\.0 failed to publish: gave up after 1 attempt\(s\): .*503 Service Unavailable/
    )
    expect(result.failureMessage).toMatch(
      /^publish-pypi: dataknobs-structures failed \(gave up after 1 attempt\(s\): .*\); held back: dataknobs-utils, dataknobs-xization\.$/
    )
  })

  test("a read-back that lists an uploaded file with another sha256 fails that package's upload check", async () => {
    const index = new FakeIndex()
    const landsAs = (file: string): string | undefined =>
      path.basename(file) === 'dataknobs_utils-1.0.0.tar.gz' ? '0'.repeat(64) : undefined
    const { result, statuses, outputs } = await run({ token: TOKEN }, [...PROVISION, uvPublish(index, { landsAs })], [index.route()])

    expect(statuses['upload dataknobs-utils']).toBe('failed')
    expect(statuses['upload dataknobs-xization']).toBe('passed')
    expect(result.passed).toBe(false)
    expect(result.checks.find((c) => c.package === 'dataknobs-utils')!.findings).toEqual([
      {
        tool: 'upload',
        package: 'dataknobs-utils',
        severity: 'error',
        message: 'dataknobs_utils-1.0.0.tar.gz is on the index with a different sha256 than the local file.'
      }
    ])
    // uv said it uploaded the file: it is counted as uploaded, and the check says what the index holds.
    expect(outputs('uploaded')).toContain('dataknobs_utils-1.0.0.tar.gz')
  })

  test('trusted publishing: the token minted through the fake endpoints reaches uv publish through its environment only', async () => {
    const index = new FakeIndex()
    const minted = 'pypi-minted-SHORTLIVED'
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.test/id?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
    }
    const { result, published, http, io } = await run(
      { packages: 'dataknobs-common' },
      [...PROVISION, uvPublish(index)],
      [index.route(), ...fakeTrustedPublishing(minted)],
      env
    )

    expect(result.passed).toBe(true)
    expect(result.data).toMatchObject({ authentication: 'trusted-publishing' })
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${INDEX_URL}dataknobs-common/`,
      'GET https://idx.test/_/oidc/audience',
      'GET https://token.actions.test/id?api-version=2.0&audience=idx.test',
      'POST https://idx.test/_/oidc/mint-token',
      // Before each file's upload, then the read-back.
      `GET ${INDEX_URL}dataknobs-common/`,
      `GET ${INDEX_URL}dataknobs-common/`,
      `GET ${INDEX_URL}dataknobs-common/`
    ])
    expect(published).toHaveLength(2)
    for (const c of published) {
      expect(c.env?.UV_PUBLISH_TOKEN).toBe(minted)
      expect(c.argv.join(' ')).not.toContain(minted)
    }
    expect(io.secrets).toEqual(expect.arrayContaining(['runner-request-token', 'eyJ.fake-id-token.sig', minted]))
    expect(io.logs).toContainEqual({ level: 'info', message: 'Trusted publishing: minted a short-lived upload token at https://idx.test.' })
  })

  test('without uv on PATH, the uv dk-actions brings in (pip --target into the tool cache) publishes: no venv of its own, one download', async () => {
    const index = new FakeIndex()
    const toolCache = scratch.tempDir('dk-publish-toolcache-')
    const bringIn: ExecRule = {
      match: new RegExp(`^/usr/bin/python3 -m pip install .*--target \\S+ uv==${UV_VERSION.replace(/\./g, '\\.')}$`),
      times: 1,
      answer: (spec: CommandSpec) => {
        const target = spec.argv[spec.argv.indexOf('--target') + 1]!
        fs.mkdirSync(path.join(target, 'bin'), { recursive: true })
        fs.writeFileSync(path.join(target, 'bin', 'uv'), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
        return {}
      }
    }
    const { result, exec, published } = await run({ token: TOKEN }, [...PROVISION, bringIn, uvPublish(index)], [index.route()], {
      PATH: scratch.tempDir('dk-publish-empty-path-'),
      RUNNER_TOOL_CACHE: toolCache,
      PIP_CONFIG_FILE: '/dev/null'
    })
    expect(result.passed).toBe(true)
    expect(published).toHaveLength(6)
    expect(published.every((c) => c.argv[0]!.startsWith(toolCache))).toBe(true)
    expect(exec.commands().filter((c) => / venv |-m venv/.test(c))).toEqual([])
    expect(exec.calls.filter((c) => c.argv.includes('--target'))).toHaveLength(1)
  })
})
