/**
 * release, then build-packages with version-from-tag, as a release workflow runs them: the
 * release job commits and tags on the branch, and the build job that follows runs on the
 * branch ref (refs/heads/main), so the build reads the tags pointing at the commit it builds.
 * It builds exactly the released versions, and fails naming the package whose version no
 * longer matches its tag.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { nodeBinaries, runBundle } from './harness.js'

const NODE = nodeBinaries()[0]!
// jest ignores the project's testTimeout when a path pattern is given; the test says its own.
const TIMEOUT = 15 * 60_000
const ON_BRANCH = { GITHUB_REF: 'refs/heads/main' }
// Only the versions matter here: no twine, no test install.
const BUILD = { 'version-from-tag': 'true', 'twine-check': 'false', 'test-install': 'false' }

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8'
  })
}

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
  fs.writeFileSync(path.join(dir, rel), text)
}

/**
 * The release test's monorepo: core (Poetry, [project] version), mid (hatchling, version in
 * its module) pinning core below 2, leaf (setuptools) on both; each released once at 1.0.0.
 */
function monorepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-build-release-'))
  write(
    dir,
    'packages/core/pyproject.toml',
    '[build-system]\nrequires = ["poetry-core>=2.0"]\nbuild-backend = "poetry.core.masonry.api"\n\n' +
      '[project]\nname = "acme-core"\nversion = "1.0.0"\ndependencies = []\n\n' +
      '[tool.poetry]\npackages = [{ include = "acme_core", from = "src" }]\n'
  )
  write(dir, 'packages/core/src/acme_core/__init__.py', 'VALUE = 1\n')
  write(
    dir,
    'packages/mid/pyproject.toml',
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n' +
      '[project]\nname = "acme-mid"\ndynamic = ["version"]\ndependencies = ["acme-core>=1.0,<2"]\n\n' +
      '[tool.hatch.version]\npath = "src/acme_mid/__init__.py"\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/acme_mid"]\n'
  )
  write(dir, 'packages/mid/src/acme_mid/__init__.py', '__version__ = "1.0.0"\n')
  write(
    dir,
    'packages/leaf/pyproject.toml',
    '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n' +
      '[project]\nname = "acme-leaf"\nversion = "1.0.0"\ndependencies = ["acme-core>=1.0", "acme-mid>=1.0"]\n'
  )
  write(dir, 'packages/leaf/src/acme_leaf/__init__.py', 'NAME = "leaf"\n')
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'feat: the first versions')
  for (const tag of ['acme-core-v1.0.0', 'acme-mid-v1.0.0', 'acme-leaf-v1.0.0']) git(dir, 'tag', tag)
  fs.appendFileSync(path.join(dir, 'packages/core/src/acme_core/__init__.py'), '# now a string\n')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'feat(core)!: VALUE is now a string\n\nBREAKING CHANGE: VALUE changed type.')
  return dir
}

interface Dist {
  package: string
  version: string
}

describe(`release, then build-packages with version-from-tag, on ${NODE.label}`, () => {
  test(
    'the build on the branch holds each package to its release tag at HEAD, and fails naming the one that drifted',
    async () => {
      const dir = monorepo()
      const release = await runBundle('release', {}, { workspace: dir, node: NODE.path })
      expect(release.exitCode).toBe(0)
      expect(git(dir, 'tag', '--points-at', 'HEAD').trim().split('\n').sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1'])

      const build = await runBundle('build-packages', BUILD, { workspace: dir, node: NODE.path, env: ON_BRANCH })
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
