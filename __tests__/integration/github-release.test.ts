/**
 * The GitHub Release through @actions/github's octokit, against the fake of GitHub's REST
 * API (helpers/fake-github.ts), with real files in a temp folder: what a re-run does, what a
 * changed file does, and what the user is told when the token or the server is not right.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isUserError } from '../../packages-shared/errors.js'
import { createHttp } from '../../packages-shared/github/http.js'
import {
  githubClient,
  upsertRelease,
  type GitHubClient,
  type ReleaseOutcome,
  type ReleaseRequest
} from '../../packages-shared/github/releases.js'
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../helpers/fake-github.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()
const TOKEN = `ghs_${randomBytes(16).toString('hex')}`
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

const servers: FakeGitHub[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

async function fake(options: Partial<FakeGitHubOptions> = {}): Promise<FakeGitHub> {
  const server = await startFakeGitHub({ token: TOKEN, ...options })
  servers.push(server)
  return server
}

/** Files with random content in a new temp folder, by name. */
function writeFiles(names: readonly string[]): Record<string, string> {
  const dir = scratch.tempDir('dk-release-')
  const out: Record<string, string> = {}
  for (const name of names) {
    out[name] = path.join(dir, name)
    fs.writeFileSync(out[name], randomBytes(2048 + Math.floor(Math.random() * 4096)))
  }
  return out
}

const DISTS = ['demo_pkg-1.2.0-py3-none-any.whl', 'demo_pkg-1.2.0.tar.gz', 'provenance.json']

function request(server: FakeGitHub, files: Record<string, string>, extra: Partial<ReleaseRequest> = {}): ReleaseRequest {
  return {
    owner: server.owner,
    repo: server.repo,
    tag: 'v1.2.0',
    name: 'demo 1.2.0',
    body: '## Changes\n\n- first release\n',
    targetCommitish: 'main',
    assets: Object.values(files).map((p) => ({ path: p })),
    ...extra
  }
}

function run(server: FakeGitHub, req: ReleaseRequest, token = TOKEN): Promise<ReleaseOutcome> {
  return upsertRelease(githubClient(token, server.apiUrl), req)
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the call to fail')
}

const writes = (server: FakeGitHub): string[] => server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)

describe("GitHub Release against the fake of GitHub's REST API", () => {
  it("creates the release and uploads 3 assets that download back from the fake of GitHub's REST API with the same sha256", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const lines: string[] = []
    const outcome = await upsertRelease(githubClient(TOKEN, server.apiUrl), request(server, files), (l) => lines.push(l))

    expect(outcome).toMatchObject({ tag: 'v1.2.0', created: true, updated: false })
    expect(outcome.url).toBe(`${server.apiUrl}/${server.owner}/${server.repo}/releases/tag/v1.2.0`)
    expect(outcome.assets.map((a) => [a.name, a.action])).toEqual(DISTS.map((n) => [n, 'uploaded']))
    expect(server.releases).toHaveLength(1)
    const release = server.releases[0]!
    expect(release).toMatchObject({ id: outcome.id, tag_name: 'v1.2.0', name: 'demo 1.2.0', target_commitish: 'main', draft: false })
    expect(Object.fromEntries(release.assets.map((a) => [a.name, a.content_type]))).toEqual({
      'demo_pkg-1.2.0-py3-none-any.whl': 'application/zip',
      'demo_pkg-1.2.0.tar.gz': 'application/gzip',
      'provenance.json': 'application/json'
    })
    // Downloaded back the way users get them: by the public download URL.
    for (const name of DISTS) {
      const local = sha256(fs.readFileSync(files[name]!))
      const response = await fetch(`${server.apiUrl}/${server.owner}/${server.repo}/releases/download/v1.2.0/${name}`)
      expect(response.status).toBe(200)
      expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(local)
      expect(outcome.assets.find((a) => a.name === name)?.sha256).toBe(local)
    }
    expect(writes(server)).toEqual([
      `POST /repos/${server.owner}/${server.repo}/releases`,
      ...DISTS.map(() => `POST /uploads/repos/${server.owner}/${server.repo}/releases/${outcome.id}/assets`)
    ])
    expect(lines.join('\n')).toContain('created')
  })

  it("changes nothing on a second identical run against the fake of GitHub's REST API: no POST, every asset unchanged", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const first = await run(server, request(server, files))
    server.requests.length = 0

    const second = await run(server, request(server, files))
    expect(second).toMatchObject({ id: first.id, url: first.url, created: false, updated: false })
    expect(second.assets).toEqual(first.assets.map((a) => ({ ...a, action: 'unchanged' })))
    expect(writes(server)).toEqual([])
    // The digests answered the comparison: no asset was downloaded.
    expect(server.requests.some((r) => r.path.includes('/releases/assets/'))).toBe(false)
    expect(server.releases).toHaveLength(1)
    expect(server.releases[0]!.assets).toHaveLength(3)
  })

  it("PATCHes a changed body on the fake of GitHub's REST API and uploads nothing", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const first = await run(server, request(server, files))
    server.requests.length = 0

    const body = '## Changes\n\n- first release\n- notes fixed\n'
    const outcome = await run(server, request(server, files, { body }))
    expect(outcome).toMatchObject({ id: first.id, created: false, updated: true })
    expect(outcome.assets.every((a) => a.action === 'unchanged')).toBe(true)
    expect(writes(server)).toEqual([`PATCH /repos/${server.owner}/${server.repo}/releases/${first.id}`])
    expect(server.releases[0]!.body).toBe(body)

    server.requests.length = 0
    expect((await run(server, request(server, files, { body }))).updated).toBe(false)
    expect(writes(server)).toEqual([])
  })

  it("refuses an asset of the same name with other content on the fake of GitHub's REST API, naming it, and changes nothing", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    await run(server, request(server, files))
    const before = sha256(fs.readFileSync(files['demo_pkg-1.2.0.tar.gz']!))
    fs.writeFileSync(files['demo_pkg-1.2.0.tar.gz']!, randomBytes(3000))
    const after = sha256(fs.readFileSync(files['demo_pkg-1.2.0.tar.gz']!))
    // A new file and new notes too: neither may land when another file is refused.
    const extra = writeFiles(['demo_pkg-1.2.0-py3-none-manylinux_2_17_x86_64.whl'])
    server.requests.length = 0

    const error = await failureOf(run(server, request(server, { ...files, ...extra }, { body: 'other notes' })))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toContain('demo_pkg-1.2.0.tar.gz')
    expect(error.message).toContain('v1.2.0')
    expect(error.message).toContain(before)
    expect(error.message).toContain(after)
    expect(error.message).toMatch(/must not change once published/)
    expect(error.message).toMatch(/new version/)
    expect(writes(server)).toEqual([])
    expect(server.releases[0]!.assets.map((a) => a.name)).toEqual(DISTS)
    expect(sha256(server.releases[0]!.assets.find((a) => a.name === 'demo_pkg-1.2.0.tar.gz')!.content)).toBe(before)
  })

  it("finds a draft release again on the fake of GitHub's REST API rather than making a second one", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const first = await run(server, request(server, files, { draft: true }))
    expect(first.created).toBe(true)
    expect(server.releases[0]!.draft).toBe(true)
    expect(first.url).toContain('/releases/tag/untagged-')
    server.requests.length = 0

    const second = await run(server, request(server, files, { draft: true }))
    expect(second).toMatchObject({ id: first.id, created: false, updated: false })
    expect(second.assets.every((a) => a.action === 'unchanged')).toBe(true)
    expect(server.releases).toHaveLength(1)
    expect(writes(server)).toEqual([])
    // The tags endpoint never returns drafts, so the list was read.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toContain(`GET /repos/${server.owner}/${server.repo}/releases`)

    // Publishing it later is an update of the same release.
    const published = await run(server, request(server, files, { draft: false }))
    expect(published).toMatchObject({ id: first.id, created: false, updated: true })
    expect(server.releases[0]!.draft).toBe(false)
  })

  it("downloads and hashes assets when the fake of GitHub's REST API gives no digest (older GitHub Enterprise Server)", async () => {
    const server = await fake({ digests: false })
    const files = writeFiles(DISTS)
    const first = await run(server, request(server, files))
    expect(first.assets.every((a) => a.action === 'uploaded')).toBe(true)
    server.requests.length = 0

    const second = await run(server, request(server, files))
    expect(second.assets.every((a) => a.action === 'unchanged')).toBe(true)
    expect(writes(server)).toEqual([])
    const assetGets = server.requests.filter((r) => /\/releases\/assets\/\d+$/.test(r.path))
    const storageGets = server.requests.filter((r) => r.path.startsWith('/storage/assets/'))
    expect(assetGets).toHaveLength(3)
    expect(storageGets).toHaveLength(3)

    fs.writeFileSync(files['provenance.json']!, '{"changed": true}\n')
    const error = await failureOf(run(server, request(server, files)))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toContain('provenance.json')
    expect(error.message).toContain(sha256(server.releases[0]!.assets.find((a) => a.name === 'provenance.json')!.content))
  })

  it("creates and re-runs through the proxy-aware HTTP client of the actions against the fake of GitHub's REST API", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    // A proxy that does not exist: loopback must never be sent through it.
    const http = createHttp({ HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' })
    const client = githubClient(TOKEN, server.apiUrl, { fetch: http })
    const first = await upsertRelease(client, request(server, files))
    expect(first.assets.map((a) => a.action)).toEqual(['uploaded', 'uploaded', 'uploaded'])
    const stored = server.releases[0]!.assets
    for (const name of DISTS) expect(sha256(stored.find((a) => a.name === name)!.content)).toBe(sha256(fs.readFileSync(files[name]!)))
    const second = await upsertRelease(client, request(server, files))
    expect(second.assets.map((a) => a.action)).toEqual(['unchanged', 'unchanged', 'unchanged'])
  })

  it("reports a wrong token clearly on the fake of GitHub's REST API, without the token", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const wrong = `ghp_${randomBytes(18).toString('hex')}`
    const error = await failureOf(run(server, request(server, files), wrong))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toMatch(/401/)
    expect(error.message).toMatch(/Bad credentials/)
    expect(error.message).toMatch(/token/)
    expect(error.message).not.toContain(wrong)
    expect(error.message).not.toContain(TOKEN)
    expect(server.releases).toHaveLength(0)
  })

  it("tells a read-only token (a fork's pull request) to ask for contents: write on the fake of GitHub's REST API", async () => {
    const server = await fake({ readOnly: true })
    const error = await failureOf(run(server, request(server, writeFiles(DISTS))))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toMatch(/403/)
    expect(error.message).toContain('permissions: contents: write')
    expect(error.message).toMatch(/fork/)
    expect(error.message).not.toContain(TOKEN)
  })

  it("names the repository and the likely cause when the fake of GitHub's REST API does not know it (404)", async () => {
    const server = await fake()
    const error = await failureOf(run(server, request(server, writeFiles(DISTS), { repo: 'no-such-repo' })))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toContain(`${server.owner}/no-such-repo`)
    expect(error.message).toMatch(/404/)
    expect(error.message).toMatch(/does not exist or the token cannot see it/)
  })

  it("says GitHub could not be reached when nothing answers at the API URL of the fake of GitHub's REST API", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const req = request(server, files)
    const apiUrl = server.apiUrl
    await server.close()
    const error = await failureOf(upsertRelease(githubClient(TOKEN, apiUrl), req))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toContain(apiUrl)
    expect(error.message).toMatch(/could not be reached/)
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(error.message).not.toContain(TOKEN)
  })

  it("follows pagination over several pages of assets on the fake of GitHub's REST API", async () => {
    const server = await fake({ maxPerPage: 2 })
    const names = ['a-1.0-py3-none-any.whl', 'b-1.0-py3-none-any.whl', 'c-1.0-py3-none-any.whl', 'd-1.0.tar.gz', 'e-1.0.tar.gz']
    const files = writeFiles(names)
    await run(server, request(server, files))
    server.requests.length = 0

    const second = await run(server, request(server, files))
    expect(second.assets.map((a) => a.action)).toEqual(names.map(() => 'unchanged'))
    expect(writes(server)).toEqual([])
    const pages = server.requests
      .filter((r) => /\/releases\/\d+\/assets$/.test(r.path))
      .map((r) => new URLSearchParams(r.query).get('page') ?? '1')
    expect(pages).toEqual(['1', '2', '3'])
  })

  it("finds a draft past the first page of releases on the fake of GitHub's REST API", async () => {
    const server = await fake({ maxPerPage: 2 })
    const files = writeFiles(DISTS)
    const first = await run(server, request(server, files, { draft: true }))
    for (let i = 0; i < 5; i++) server.addRelease({ tag_name: `v0.${i}.0`, name: `old ${i}`, body: '' })
    server.requests.length = 0

    const second = await run(server, request(server, files, { draft: true }))
    expect(second).toMatchObject({ id: first.id, created: false })
    expect(server.releases.filter((r) => r.tag_name === 'v1.2.0')).toHaveLength(1)
    expect(server.requests.filter((r) => r.path.endsWith('/releases')).length).toBeGreaterThan(1)
  })

  it("explains a 422 already_exists from the fake of GitHub's REST API when another job uploads the same name meanwhile", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const release = server.addRelease({ tag_name: 'v1.2.0', name: 'demo 1.2.0', body: '## Changes\n\n- first release\n' })
    const real = githubClient(TOKEN, server.apiUrl)
    // Another job's upload lands between our listing of the assets and our upload.
    const racing: GitHubClient = {
      apiUrl: real.apiUrl,
      request: (route, params) => real.request(route, params),
      paginate: async (route, params) => {
        const items = await real.paginate(route, params)
        if (route.endsWith('/assets')) server.addAsset(release, 'demo_pkg-1.2.0.tar.gz', randomBytes(100))
        return items
      }
    }
    const error = await failureOf(upsertRelease(racing, request(server, files)))
    expect(isUserError(error)).toBe(true)
    expect(error.message).toContain('demo_pkg-1.2.0.tar.gz')
    expect(error.message).toMatch(/422/)
    expect(error.message).toMatch(/Another job/)
  })

  it("replaces an interrupted upload's leftover asset on the fake of GitHub's REST API", async () => {
    const server = await fake()
    const files = writeFiles(DISTS)
    const release = server.addRelease({ tag_name: 'v1.2.0', name: 'demo 1.2.0', body: '## Changes\n\n- first release\n' })
    const leftover = server.addAsset(release, 'demo_pkg-1.2.0.tar.gz', Buffer.alloc(0), 'starter')

    const outcome = await run(server, request(server, files))
    expect(outcome).toMatchObject({ id: release.id, created: false, updated: false })
    expect(outcome.assets.map((a) => a.action)).toEqual(['uploaded', 'uploaded', 'uploaded'])
    expect(writes(server)).toContain(`DELETE /repos/${server.owner}/${server.repo}/releases/assets/${leftover.id}`)
    const stored = server.releases[0]!.assets.find((a) => a.name === 'demo_pkg-1.2.0.tar.gz')!
    expect(stored.state).toBe('uploaded')
    expect(sha256(stored.content)).toBe(sha256(fs.readFileSync(files['demo_pkg-1.2.0.tar.gz']!)))
  })
})
