/**
 * The root action's release stages in one step, against a FAKE of GitHub's REST API for
 * releases (__tests__/helpers/fake-github.ts): `release` commits and tags a `feat!:` in the
 * core, `build` then builds the new versions (the repository is read again after the
 * release commit) and holds them to the tags, and `github-release` makes a release per tag
 * from the tags and dists the earlier stages hand over.
 */
import { jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { expectSecretNowhere, runBundle } from './harness.js'
import { commit, git, monorepo } from './helpers/release-repo.js'

jest.setTimeout(10 * 60_000)

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`

let github: FakeGitHub
beforeAll(async () => {
  github = await startFakeGitHub({ token: TOKEN })
})
afterAll(async () => {
  await github?.close()
})

interface StageData {
  stage: string
  status: string
}

test('release, build and github-release stages: the new versions are built, held to their tags, and released on GitHub', async () => {
  const dir = monorepo()
  commit(dir, 'packages/core/src/acme_core/__init__.py', 'feat(core)!: VALUE is now a string\n\nBREAKING CHANGE: VALUE changed type.')
  const run = await runBundle(
    'pipeline',
    {
      stages: 'release,build,github-release',
      'build-version-from-tag': 'true',
      // The fixture has no README and no import worth testing: only the versions matter here.
      'build-strict-metadata': 'false',
      'build-test-install': 'false',
      'build-twine-check': 'false',
      'github-release-token': TOKEN
    },
    {
      workspace: dir,
      env: { GITHUB_REPOSITORY: `${github.owner}/${github.repo}`, GITHUB_API_URL: github.apiUrl, GITHUB_REF: 'refs/heads/main' }
    }
  )
  if (run.exitCode !== 0) console.log(run.stdout.slice(-6000))
  expect(run.exitCode).toBe(0)
  expect((run.report!.stages as StageData[]).map((s) => [s.stage, s.status])).toEqual([
    ['release', 'passed'],
    ['build', 'passed'],
    ['github-release', 'passed']
  ])
  expect(run.outputs['release-tags']!.split(',').sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1'])
  expect(git(dir, 'tag', '--points-at', 'HEAD').trim().split('\n').sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1'])
  const dists = JSON.parse(run.outputs['build-dists']!) as { package: string; version: string }[]
  expect(Object.fromEntries(dists.map((d) => [d.package, d.version]))).toEqual({
    'acme-core': '2.0.0',
    'acme-mid': '1.0.1',
    'acme-leaf': '1.0.0'
  })
  // The unchanged leaf is a note of the plan, not a warning.
  const warnings = run.annotations.filter((a) => a.severity === 'warning').map((a) => a.message)
  expect(warnings.filter((m) => m.includes('not released'))).toEqual([])
  expect(run.stdout).toContain('acme-leaf: not released: no commit touched it since acme-leaf-v1.0.0')
  expect(github.releases.map((r) => [r.tag_name, r.assets.map((a) => a.name).sort()]).sort()).toEqual([
    ['acme-core-v2.0.0', ['acme_core-2.0.0-py2.py3-none-any.whl', 'acme_core-2.0.0.tar.gz']],
    ['acme-mid-v1.0.1', ['acme_mid-1.0.1-py2.py3-none-any.whl', 'acme_mid-1.0.1.tar.gz']]
  ])
  expect(run.outputs['github-release-release-url']!.split(',')).toHaveLength(2)
  expectSecretNowhere(run, TOKEN)
})
