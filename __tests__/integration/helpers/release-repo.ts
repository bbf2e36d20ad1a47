/**
 * A monorepo with a release history, written by the tests with real git: acme-core
 * (Poetry-built, `[project]` version), acme-mid (hatchling, a version file) pinning core
 * below 2, acme-leaf (setuptools) on both, each tagged at 1.0.0 (and `v1.0.0` for lockstep).
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8'
  })
}

export function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
  fs.writeFileSync(path.join(dir, rel), text)
}

export function read(dir: string, rel: string): string {
  return fs.readFileSync(path.join(dir, rel), 'utf8')
}

/** Three packages: core (Poetry, [project] version), mid (hatchling, version file) pinning core below 2, leaf (setuptools) on both. */
export function monorepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-release-'))
  write(
    dir,
    'packages/core/pyproject.toml',
    '[build-system]\nrequires = ["poetry-core>=2.0"]\nbuild-backend = "poetry.core.masonry.api"\n\n' +
      '[project]\nname = "acme-core"\n# the version the release writes\nversion = "1.0.0"\ndependencies = []\n\n' +
      '[tool.poetry]\npackages = [{ include = "acme_core", from = "src" }]\n'
  )
  write(dir, 'packages/core/src/acme_core/__init__.py', 'VALUE = 1\n')
  write(
    dir,
    'packages/mid/pyproject.toml',
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n' +
      '[project]\nname = "acme-mid"\ndynamic = ["version"]\ndependencies = [\n    "acme-core>=1.0,<2",  # the pin a major breaks\n]\n\n' +
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
  write(dir, 'packages/leaf/CHANGELOG.md', '# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-01-01\n### Added\n- The first version.\n')
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'feat: the first versions')
  for (const tag of ['acme-core-v1.0.0', 'acme-mid-v1.0.0', 'acme-leaf-v1.0.0', 'v1.0.0']) git(dir, 'tag', tag)
  return dir
}

export function commit(dir: string, rel: string, message: string): string {
  fs.appendFileSync(path.join(dir, rel), '# changed\n')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', message)
  return git(dir, 'rev-parse', '--short=7', 'HEAD').trim()
}
