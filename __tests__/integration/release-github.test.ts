/**
 * release `mode: github-release`, bundled, against a FAKE of GitHub's REST API for releases
 * and assets (__tests__/helpers/fake-github.ts, which follows GitHub's documented endpoints):
 * after a prepare run tags acme-core 2.0.0 and acme-mid 1.0.1 and the dists are built with
 * uv, one release is made per tag with exactly that package's dists (checked by sha256),
 * notes from its changelog section and a SLSA provenance statement; a re-run changes
 * nothing and uploads nothing; a dist rebuilt with other bytes fails and changes nothing.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { expectSecretNowhere, runBundle } from './harness.js'
import { commit, git, monorepo } from './helpers/release-repo.js'

jest.setTimeout(10 * 60_000)

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

let dir: string
let github: FakeGitHub
let env: Record<string, string>

beforeAll(async () => {
  dir = monorepo()
  commit(dir, 'packages/core/src/acme_core/__init__.py', 'feat(core)!: VALUE is now a string\n\nBREAKING CHANGE: VALUE changed type.')
  const prepared = await runBundle('release', {}, { workspace: dir })
  expect(prepared.exitCode).toBe(0)
  expect(prepared.outputs.tags!.split(',').sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1'])
  // Every package's dists, the leaf's too: a release must take only its own package's.
  for (const pkg of ['core', 'mid', 'leaf']) {
    execFileSync('uv', ['build', '-q', '--out-dir', path.join(dir, 'dist'), path.join(dir, 'packages', pkg)], { cwd: dir, stdio: 'pipe' })
  }
  github = await startFakeGitHub({ token: TOKEN })
  env = {
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_API_URL: github.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW_REF: `${github.owner}/${github.repo}/.github/workflows/release.yml@refs/heads/main`,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1'
  }
}, 600_000)

afterAll(async () => {
  await github?.close()
})

const distNames = (): string[] => fs.readdirSync(path.join(dir, 'dist')).sort()
const inputs = { mode: 'github-release', token: TOKEN, 'dist-dir': 'dist' }

describe('release mode github-release, against a fake of GitHub REST API (releases and assets)', () => {
  test('one release per tag, with its own dists (by sha256), its changelog section and a provenance statement', async () => {
    const run = await runBundle('release', inputs, { workspace: dir, env })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(github.releases.map((r) => [r.tag_name, r.name, r.draft, r.prerelease]).sort()).toEqual([
      ['acme-core-v2.0.0', 'acme-core 2.0.0', false, false],
      ['acme-mid-v1.0.1', 'acme-mid 1.0.1', false, false]
    ])
    const head = git(dir, 'rev-parse', 'HEAD').trim()
    for (const release of github.releases) {
      const prefix = release.tag_name.startsWith('acme-core') ? 'acme_core-2.0.0' : 'acme_mid-1.0.1'
      const local = distNames().filter((n) => n.startsWith(prefix))
      expect(local).toHaveLength(2)
      expect(release.assets.map((a) => a.name).sort()).toEqual(local)
      for (const a of release.assets) expect(sha256(a.content)).toBe(sha256(fs.readFileSync(path.join(dir, 'dist', a.name))))
      // The provenance statement: the same files and hashes, the tag's commit, the workflow.
      const statement = JSON.parse(fs.readFileSync(path.join(dir, 'dist', `${release.tag_name}.intoto.json`), 'utf8')) as {
        subject: { name: string; digest: { sha256: string } }[]
        predicateType: string
        predicate: {
          buildDefinition: { resolvedDependencies: { uri: string; digest: { gitCommit: string } }[] }
          runDetails: Record<string, unknown>
        }
      }
      expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1')
      expect(statement.subject.map((s) => [s.name, s.digest.sha256]).sort()).toEqual(
        release.assets.map((a) => [a.name, sha256(a.content)]).sort()
      )
      expect(statement.predicate.buildDefinition.resolvedDependencies).toEqual([
        { uri: `git+https://github.com/${github.owner}/${github.repo}@refs/tags/${release.tag_name}`, digest: { gitCommit: head } }
      ])
      expect(statement.predicate.runDetails).toEqual({
        builder: { id: `https://github.com/${env.GITHUB_WORKFLOW_REF}` },
        metadata: { invocationId: `https://github.com/${github.owner}/${github.repo}/actions/runs/4242/attempts/1` }
      })
    }
    const core = github.releases.find((r) => r.tag_name === 'acme-core-v2.0.0')!
    const mid = github.releases.find((r) => r.tag_name === 'acme-mid-v1.0.1')!
    expect(core.body).toContain('### Changed\n- **Breaking:** VALUE changed type.')
    expect(core.body).not.toMatch(/^## \[/m)
    expect(mid.body).toContain('- Requires `acme-core>=2.0.0,<3` (was `acme-core>=1.0,<2`).')
    expect(run.outputs['release-url']!.split(',')).toHaveLength(2)
    expect(JSON.parse(run.outputs.releases!)).toEqual(
      expect.arrayContaining([expect.objectContaining({ tag: 'acme-core-v2.0.0', created: true })])
    )
    expect(run.masks).toContain(TOKEN)
    expectSecretNowhere(run, TOKEN)
  })

  test('a re-run finds both releases, leaves every asset as it is and uploads nothing', async () => {
    const before = github.releases.map((r) => ({ id: r.id, assets: r.assets.map((a) => a.id) }))
    const requests = github.requests.length
    const run = await runBundle('release', inputs, { workspace: dir, env })
    expect(run.exitCode).toBe(0)
    expect(github.releases.map((r) => ({ id: r.id, assets: r.assets.map((a) => a.id) }))).toEqual(before)
    const sent = github.requests.slice(requests)
    expect(sent.filter((r) => r.method !== 'GET')).toEqual([])
    const releases = JSON.parse(run.outputs.releases!) as { created: boolean; updated: boolean; assets: { action: string }[] }[]
    expect(releases.every((r) => !r.created && !r.updated && r.assets.every((a) => a.action === 'unchanged'))).toBe(true)
  })

  test('a dist rebuilt with other bytes under the same name fails the run and changes nothing', async () => {
    const wheel = distNames().find((n) => n.startsWith('acme_core-2.0.0') && n.endsWith('.whl'))!
    const file = path.join(dir, 'dist', wheel)
    const original = fs.readFileSync(file)
    fs.writeFileSync(file, Buffer.concat([original, Buffer.from('rebuilt')]))
    try {
      const before = JSON.stringify(github.releases.map((r) => r.assets.map((a) => [a.id, sha256(a.content)])))
      const run = await runBundle('release', inputs, { workspace: dir, env })
      expect(run.exitCode).toBe(1)
      const errors = run.annotations.filter((a) => a.severity === 'error').map((a) => a.message)
      expect(errors.join('\n')).toContain(wheel)
      expect(errors.join('\n')).toMatch(/sha256/)
      expect(JSON.stringify(github.releases.map((r) => r.assets.map((a) => [a.id, sha256(a.content)])))).toBe(before)
    } finally {
      fs.writeFileSync(file, original)
    }
  })

  test("a checkout without the tags (actions/checkout's default) fetches them from the remote, and the notes are the tag's", async () => {
    const shallow = fs.mkdtempSync(path.join(path.dirname(dir), 'dk-release-depth1-'))
    execFileSync('git', ['clone', '-q', '--depth', '1', '--no-tags', `file://${dir}`, shallow])
    fs.cpSync(path.join(dir, 'dist'), path.join(shallow, 'dist'), { recursive: true })
    // What is checked out may differ from the release: the notes still come from the tag.
    fs.writeFileSync(path.join(shallow, 'packages', 'core', 'CHANGELOG.md'), '# Changelog\n')
    const requests = github.requests.length
    const run = await runBundle('release', { ...inputs, tags: 'acme-core-v2.0.0,acme-mid-v1.0.1' }, { workspace: shallow, env })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('The tag acme-core-v2.0.0 is not in this checkout: fetching it from origin.')
    const releases = JSON.parse(run.outputs.releases!) as { created: boolean; updated: boolean }[]
    expect(releases.map((r) => [r.created, r.updated])).toEqual([
      [false, false],
      [false, false]
    ])
    expect(github.requests.slice(requests).filter((r) => r.method !== 'GET')).toEqual([])
  })

  test('without a token it says what to set; a named tag of no package is an error', async () => {
    const none = await runBundle('release', { mode: 'github-release' }, { workspace: dir, env })
    expect(none.exitCode).toBe(1)
    expect(none.stdout + none.stderr).toContain("set 'token: ${{ github.token }}'")
    expect(none.stdout + none.stderr).not.toMatch(/\n\s+at /)
    const other = await runBundle('release', { ...inputs, tags: 'nightly-2026' }, { workspace: dir, env })
    expect(other.exitCode).toBe(1)
    expect(other.annotations.map((a) => a.message).join('\n')).toContain(
      "The tag nightly-2026 is not a release tag of this repository in the form '{name}-v{version}'"
    )
  })
})
