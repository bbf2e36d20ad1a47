/**
 * The release bundle on a monorepo whose history the test writes with real git: a `fix:`
 * in a leaf releases it as a patch, a `feat!:` in the core releases it as a major and the
 * dependent whose pin it breaks as a patch, lockstep moves every package to one version,
 * and a dry run writes nothing. Versions, requirements, changelogs and tags are checked
 * file by file.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { nodeBinaries, runBundle } from './harness.js'
import { commit, git, monorepo, read, write } from './helpers/release-repo.js'

describe.each(nodeBinaries())('release on $label', (node) => {
  test('a fix: in the leaf releases it alone, as a patch', async () => {
    const dir = monorepo()
    const sha = commit(dir, 'packages/leaf/src/acme_leaf/__init__.py', 'fix(leaf): keep the name stable')
    commit(dir, 'packages/core/src/acme_core/__init__.py', 'docs: explain VALUE')
    const run = await runBundle('release', {}, { workspace: dir, node: node.path })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.released!)).toEqual([
      { package: 'acme-leaf', 'old-version': '1.0.0', 'new-version': '1.0.1', tag: 'acme-leaf-v1.0.1' }
    ])
    expect(read(dir, 'packages/leaf/pyproject.toml')).toContain('version = "1.0.1"')
    expect(read(dir, 'packages/core/pyproject.toml')).toContain('version = "1.0.0"')
    const changelog = read(dir, 'packages/leaf/CHANGELOG.md')
    expect(changelog).toMatch(
      new RegExp(
        `## \\[Unreleased\\]\\n\\n## \\[1\\.0\\.1\\] - \\d{4}-\\d\\d-\\d\\d\\n### Fixed\\n- \\*\\*leaf:\\*\\* keep the name stable \\(${sha}\\)\\n\\n## \\[1\\.0\\.0\\]`
      )
    )
    expect(git(dir, 'tag', '--points-at', 'HEAD').trim().split('\n')).toEqual(['acme-leaf-v1.0.1'])
    expect(git(dir, 'log', '-1', '--format=%s').trim()).toBe('chore(release): acme-leaf 1.0.1')
    expect(git(dir, 'status', '--porcelain').trim()).toBe('')
  })

  test('a feat!: in the core releases it as a major and the dependent whose pin it breaks as a patch', async () => {
    const dir = monorepo()
    commit(dir, 'packages/core/src/acme_core/__init__.py', 'feat(core)!: VALUE is now a string\n\nBREAKING CHANGE: VALUE changed type.')
    const run = await runBundle('release', {}, { workspace: dir, node: node.path })
    expect(run.exitCode).toBe(0)
    const released = JSON.parse(run.outputs.released!) as { package: string; 'new-version': string }[]
    expect(released.map((r) => [r.package, r['new-version']])).toEqual([
      ['acme-core', '2.0.0'],
      ['acme-mid', '1.0.1']
    ])
    expect(read(dir, 'packages/core/pyproject.toml')).toContain('# the version the release writes\nversion = "2.0.0"\n')
    expect(read(dir, 'packages/mid/src/acme_mid/__init__.py')).toBe('__version__ = "1.0.1"\n')
    // The pin is rewritten in place, its comment kept; the leaf's `>=1.0` still holds 2.0.0 and is left alone.
    expect(read(dir, 'packages/mid/pyproject.toml')).toContain('    "acme-core>=2.0.0,<3",  # the pin a major breaks\n')
    expect(read(dir, 'packages/leaf/pyproject.toml')).toContain('dependencies = ["acme-core>=1.0", "acme-mid>=1.0"]')
    expect(read(dir, 'packages/core/CHANGELOG.md')).toContain('### Changed\n- **Breaking:** VALUE changed type.')
    expect(read(dir, 'packages/mid/CHANGELOG.md')).toContain('- Requires `acme-core>=2.0.0,<3` (was `acme-core>=1.0,<2`).')
    expect(git(dir, 'tag', '--points-at', 'HEAD').trim().split('\n').sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1'])
    expect(run.report?.plan).toMatchObject({
      releases: [
        { id: 'acme-core', bump: 'major' },
        { id: 'acme-mid', bump: 'patch' }
      ]
    })
    expect(JSON.stringify(run.report)).toContain('does not hold acme-core 2.0.0')
    // Run again on the release commit: nothing new to release, nothing written.
    const again = await runBundle('release', {}, { workspace: dir, node: node.path })
    expect(again.exitCode).toBe(0)
    expect(JSON.parse(again.outputs.released!)).toEqual([])
    expect(git(dir, 'log', '-1', '--format=%s').trim()).toBe('chore(release): acme-core 2.0.0, acme-mid 1.0.1')
  })
})

describe('release, lockstep and dry run', () => {
  test('lockstep bumps every package to one version with one tag', async () => {
    const dir = monorepo()
    write(dir, 'packages/mid/src/acme_mid/helpers.py', 'def helper() -> int:\n    return 1\n')
    commit(dir, 'packages/mid/src/acme_mid/helpers.py', 'feat(mid): a new helper')
    const run = await runBundle('release', { versioning: 'lockstep' }, { workspace: dir })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.tags).toBe('v1.1.0')
    expect(read(dir, 'packages/core/pyproject.toml')).toContain('version = "1.1.0"')
    expect(read(dir, 'packages/mid/src/acme_mid/__init__.py')).toBe('__version__ = "1.1.0"\n')
    expect(read(dir, 'packages/leaf/pyproject.toml')).toContain('version = "1.1.0"')
    expect(read(dir, 'packages/core/CHANGELOG.md')).toContain('- No changes of its own; released with the other packages at 1.1.0.')
    expect(read(dir, 'packages/mid/CHANGELOG.md')).toContain('### Added\n- **mid:** a new helper')
    expect(git(dir, 'tag', '--points-at', 'HEAD').trim()).toBe('v1.1.0')
  })

  test('a dry run prints the plan and the diff and writes nothing', async () => {
    const dir = monorepo()
    commit(dir, 'packages/core/src/acme_core/__init__.py', 'feat!: drop VALUE')
    const head = git(dir, 'rev-parse', 'HEAD')
    const run = await runBundle('release', { 'dry-run': 'true' }, { workspace: dir })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.tags).toBe('acme-core-v2.0.0,acme-mid-v1.0.1')
    expect(run.stdout).toContain('+version = "2.0.0"')
    expect(run.stdout).toContain('+    "acme-core>=2.0.0,<3",  # the pin a major breaks')
    // The printed diff is a patch git applies as it is, new changelogs included.
    const diff = run.stdout.slice(run.stdout.indexOf('diff --git '), run.stdout.indexOf('::notice::Dry run'))
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-release-apply-'))
    execFileSync('git', ['clone', '-q', dir, clone])
    fs.writeFileSync(path.join(clone, 'release.patch'), diff)
    git(clone, 'apply', 'release.patch')
    expect(read(clone, 'packages/core/pyproject.toml')).toContain('version = "2.0.0"')
    expect(read(clone, 'packages/mid/src/acme_mid/__init__.py')).toBe('__version__ = "1.0.1"\n')
    expect(read(clone, 'packages/core/CHANGELOG.md')).toContain('## [2.0.0] - ')
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head)
    expect(git(dir, 'status', '--porcelain').trim()).toBe('')
    expect(git(dir, 'tag', '--points-at', 'HEAD').trim()).toBe('')
  })

  test('a bad input is a clear error, and a shallow clone is refused with the fix', async () => {
    const dir = monorepo()
    const bad = await runBundle('release', { bump: 'sideways' }, { workspace: dir })
    expect(bad.exitCode).not.toBe(0)
    expect(bad.stdout + bad.stderr).toMatch(/bump.*auto, patch, minor, major/)
    expect(bad.stdout + bad.stderr).not.toMatch(/\n\s+at /)
    const shallow = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-release-shallow-'))
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${dir}`, shallow])
    const run = await runBundle('release', {}, { workspace: shallow })
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout + run.stderr).toContain('fetch-depth: 0')
  })
})
