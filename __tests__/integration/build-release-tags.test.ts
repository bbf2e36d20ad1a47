/**
 * release, then build-packages with version-from-tag, as a release workflow runs them: the
 * release job commits and tags on the branch, and the build job that follows runs on the
 * branch ref (refs/heads/main), so the build reads the tags pointing at the commit it builds.
 * It builds exactly the released versions, and fails naming the package whose version no
 * longer matches its tag.
 */
import { nodeBinaries, runBundle } from './harness.js'
import { commit, git, monorepo, write } from './helpers/release-repo.js'

const NODE = nodeBinaries()[0]!
// jest ignores the project's testTimeout when a path pattern is given; the test says its own.
const TIMEOUT = 15 * 60_000
const ON_BRANCH = { GITHUB_REF: 'refs/heads/main' }
// Only the versions matter here: no twine, no test install, no README (the fixture has none).
const BUILD = { 'version-from-tag': 'true', 'twine-check': 'false', 'test-install': 'false', 'strict-metadata': 'false' }

interface Dist {
  package: string
  version: string
}

describe(`release, then build-packages with version-from-tag, on ${NODE.label}`, () => {
  test(
    'the build on the branch holds each package to its release tag at HEAD, and fails naming the one that drifted',
    async () => {
      const dir = monorepo()
      commit(dir, 'packages/core/src/acme_core/__init__.py', 'feat(core)!: VALUE is now a string\n\nBREAKING CHANGE: VALUE changed type.')
      const release = await runBundle('release', {}, { workspace: dir, node: NODE.path })
      expect(release.exitCode).toBe(0)
      expect(git(dir, 'tag', '--points-at', 'HEAD').trim().split('\n').sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1'])

      const build = await runBundle('build-packages', BUILD, { workspace: dir, node: NODE.path, env: ON_BRANCH })
      if (build.outputs.passed !== 'true') console.log(build.stdout)
      expect(build.stderr).toBe('')
      expect(build.outputs.passed).toBe('true')
      expect(build.exitCode).toBe(0)
      const dists = JSON.parse(build.outputs.dists!) as Dist[]
      expect(Object.fromEntries(dists.map((d) => [d.package, d.version]))).toEqual({
        'acme-core': '2.0.0',
        'acme-mid': '1.0.1',
        'acme-leaf': '1.0.0'
      })
      const versions = build.report!.checks.find((c) => c.tool === 'versions')!
      expect(versions.status).toBe('passed')
      expect(versions.message).toContain('acme-core 2.0.0 (from tag acme-core-v2.0.0, which points at the commit being built)')
      expect(versions.message).toContain('acme-mid 1.0.1 (from tag acme-mid-v1.0.1, which points at the commit being built)')
      // The leaf was not released: no tag binds it, and nothing says it lacks one.
      expect(versions.message).not.toContain('acme-leaf')
      expect(build.stdout).not.toContain('versions are not checked against a tag')

      // The version moves on without a release: HEAD still carries acme-mid-v1.0.1.
      write(dir, 'packages/mid/src/acme_mid/__init__.py', '__version__ = "1.0.2"\n')
      const drifted = await runBundle('build-packages', BUILD, { workspace: dir, node: NODE.path, env: ON_BRANCH })
      expect(drifted.exitCode).toBe(1)
      expect(drifted.outputs.passed).toBe('false')
      const errors = drifted.report!.checks.flatMap((c) => c.findings).filter((f) => f.tool === 'versions' && f.severity === 'error')
      expect(errors.map((f) => f.package)).toEqual(['acme-mid'])
      expect(errors[0]!.message).toContain('acme-mid was built as version 1.0.2, but the release expects 1.0.1 (from tag acme-mid-v1.0.1')
      expect(errors[0]!.message).toContain('Set the version in packages/mid/pyproject.toml to 1.0.1')
      expect(drifted.stdout + drifted.stderr).not.toMatch(/\n\s+at /)
    },
    TIMEOUT
  )
})
