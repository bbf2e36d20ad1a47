/**
 * The example release workflow (examples/workflows/release.yml) under act: release (plan,
 * write, commit, tag), build exactly the released versions, push; publish to a local
 * pypiserver with a token in dependency order; one GitHub Release per tag against a FAKE
 * of GitHub's REST API for releases (__tests__/helpers/fake-github.ts); then health-check
 * the released versions from that index.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { startPypiServer, type LocalIndex } from '../integration/helpers/package-index.js'
import { failedJobsOutput, prepareStandIns, runAct } from './act.js'
import { consumerRepo, git, job } from './consumer.js'

const PACKAGES = ['common', 'structures', 'utils', 'xization']
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

describe('release.yml under act', () => {
  let standIns: string
  let index: LocalIndex
  let github: FakeGitHub
  const token = 'pypi-e2e-secret-token-9f8e7d'
  const githubToken = 'ghs_e2e0secret0github0token0517'
  beforeAll(async () => {
    standIns = prepareStandIns()
    index = await startPypiServer({ __token__: token })
    github = await startFakeGitHub({ token: githubToken, owner: 'octo-org', repo: 'dataknobs' })
  })
  afterAll(async () => {
    await index?.stop()
    await github?.close()
  })

  test('release, build, push; publish in dependency order; a GitHub Release per tag; health-check from the index', async () => {
    const { dir } = consumerRepo('release.yml')
    // The remote the release commit and its tags are pushed to.
    const origin = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-consumer-origin-'))
    git(origin, 'init', '-q', '--bare', '-b', 'main')
    git(dir, 'remote', 'add', 'origin', origin)
    git(dir, 'push', '-q', 'origin', 'main')
    const run = await runAct({
      workspace: dir,
      workflow: '.github/workflows/release.yml',
      event: 'push',
      eventPayload: { ref: 'refs/heads/main', repository: { default_branch: 'main' } },
      standIns,
      vars: { PYPI_REPOSITORY_URL: index.url, PYPI_INDEX_URL: index.simpleUrl },
      secrets: { PYPI_TOKEN: token, GITHUB_TOKEN: githubToken },
      stepEnv: { GITHUB_API_URL: github.apiUrl, GITHUB_REPOSITORY: 'octo-org/dataknobs' }
    })
    if (run.exitCode !== 0) console.log(failedJobsOutput(run))
    expect(run.exitCode).toBe(0)
    expect(['release', 'publish', 'github-release', 'health'].map((name) => job(run, name))).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded'
    ])
    // No tag yet: each package's first release, at the version its metadata states.
    const tags = PACKAGES.map((p) => `dataknobs-${p}-v1.0.0`)
    expect(git(origin, 'tag').trim().split('\n').sort()).toEqual(tags)
    expect(git(origin, 'log', '-1', '--format=%s', 'main').trim()).toMatch(/^chore\(release\): /)
    expect(index.files().filter((f) => f.endsWith('.whl'))).toHaveLength(4)
    expect(index.files().filter((f) => f.endsWith('.tar.gz'))).toHaveLength(4)
    // One release per tag, holding exactly the files the index got, byte for byte.
    expect(github.releases.map((r) => r.tag_name).sort()).toEqual(tags)
    for (const release of github.releases) {
      expect(release.assets).toHaveLength(2)
      for (const asset of release.assets) {
        expect(sha256(asset.content)).toBe(sha256(fs.readFileSync(path.join(index.packagesDir, asset.name))))
      }
    }
    expect(run.output).not.toContain(token)
    expect(run.output).not.toContain(githubToken)
  })
})
