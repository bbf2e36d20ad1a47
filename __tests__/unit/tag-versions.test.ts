/**
 * build-packages' version-from-tag (actions/build-packages/tag-versions.ts): what each
 * release tag binds, in both of the release action's forms and in a given format; the tags
 * of the commit being built read with real git in a scratch repository; and the findings
 * a built version that disagrees with its tag gives.
 */
import { describe, expect, test } from '@jest/globals'
import * as path from 'node:path'
import type { BuiltPackage } from '../../actions/build-packages/built.js'
import { expectedVersions, readBuildTags, versionsFromTags, type FoundTag } from '../../actions/build-packages/tag-versions.js'
import { describeExpected, verifyExpectedVersions, type ExpectedVersions } from '../../actions/build-packages/verify-versions.js'
import { parseCoreMetadata } from '../../packages-shared/core-metadata.js'
import { runCommand } from '../../packages-shared/exec.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { scratchDirs } from '../helpers/scratch.js'
import { commitAll, git, writeFile } from './helpers/git-repo.js'

const scratch = scratchDirs()

const PACKAGES = [
  { id: 'acme-core', name: 'acme_core' },
  { id: 'acme-mid', name: 'acme-mid' },
  { id: 'foo', name: 'foo' },
  { id: 'foo-v2', name: 'foo-v2' }
]

const head = (...tags: string[]): FoundTag[] => tags.map((tag) => ({ tag, from: 'head' }))
const ref = (tag: string): FoundTag[] => [{ tag, from: 'ref' }]

/** Each package id with the versions bound to it, for compact assertions. */
function bound(expected: ExpectedVersions): Record<string, string[]> {
  return Object.fromEntries([...expected.byPackage].map(([id, list]) => [id, list.map((e) => e.version)]))
}

describe('versionsFromTags, default format', () => {
  test('independent tags bind the package they name, in any spelling; the others are free', () => {
    const r = versionsFromTags(head('Acme-Core-v2.0.0', 'acme_mid-v1.0.1'), '', PACKAGES)
    expect(r.matched).toBe(2)
    expect(r.expected.every).toEqual([])
    expect(bound(r.expected)).toEqual({ 'acme-core': ['2.0.0'], 'acme-mid': ['1.0.1'] })
    expect(r.expected.byPackage.get('acme-core')![0]!.source).toBe('tag Acme-Core-v2.0.0, which points at the commit being built')
    expect(r.notes).toEqual([])
  })

  test('a lockstep tag binds every package', () => {
    const r = versionsFromTags(head('v3.1.0'), '', PACKAGES)
    expect(r.expected.every.map((e) => e.version)).toEqual(['3.1.0'])
    expect(r.expected.byPackage.size).toBe(0)
  })

  test('a package named like a version owns its own tags, and only those', () => {
    expect(bound(versionsFromTags(head('foo-v2-v1.0.0'), '', PACKAGES).expected)).toEqual({ 'foo-v2': ['1.0.0'] })
    expect(bound(versionsFromTags(head('foo-v2.0.0'), '', PACKAGES).expected)).toEqual({ foo: ['2.0.0'] })
  })

  test('pre-release versions are kept as the tag spells them', () => {
    const r = versionsFromTags(head('acme-core-v1.0.0rc1', 'v2.0.0b2'), '', PACKAGES)
    expect(bound(r.expected)).toEqual({ 'acme-core': ['1.0.0rc1'] })
    expect(r.expected.every.map((e) => e.version)).toEqual(['2.0.0b2'])
  })

  test('a tag of an unknown package is ignored with a note; tags that are no release tags, silently', () => {
    const r = versionsFromTags(head('acme-gone-v1.0.0', 'nightly', 'deploy-2024', 'acme-core-vnext'), '', PACKAGES)
    expect(r.matched).toBe(0)
    expect(r.expected.byPackage.size).toBe(0)
    expect(r.notes).toHaveLength(1)
    expect(r.notes[0]).toContain(
      'tag acme-gone-v1.0.0 is a release tag of acme-gone, which is no package of this workspace, so it is ignored'
    )
  })

  test('a bare version is a lockstep tag on a tag ref (as version-from-tag always read it), not at HEAD', () => {
    const onRef = versionsFromTags(ref('1.2.3'), '', PACKAGES)
    expect(onRef.expected.every).toEqual([{ version: '1.2.3', source: 'tag refs/tags/1.2.3' }])
    expect(versionsFromTags(head('1.2.3'), '', PACKAGES).matched).toBe(0)
  })

  test('two tags for one package both bind it, so a contradiction is reported, not picked from', () => {
    expect(bound(versionsFromTags(head('acme-core-v2.0.0', 'acme-core-v2.1.0'), '', PACKAGES).expected)).toEqual({
      'acme-core': ['2.0.0', '2.1.0']
    })
  })
})

describe('versionsFromTags, a given format', () => {
  test('a {name} format reads only its own form', () => {
    const r = versionsFromTags(head('acme-core/2.0.0', 'acme-mid-v1.0.1', 'v9.0.0'), '{name}/{version}', PACKAGES)
    expect(bound(r.expected)).toEqual({ 'acme-core': ['2.0.0'] })
    expect(r.expected.every).toEqual([])
  })

  test('a format without {name} is lockstep', () => {
    const r = versionsFromTags(ref('release-4.0'), 'release-{version}', PACKAGES)
    expect(r.expected.every).toEqual([{ version: '4.0', source: 'tag refs/tags/release-4.0' }])
    // Not the default forms any more: v4.0 is no tag of this format.
    expect(versionsFromTags(ref('v4.0'), 'release-{version}', PACKAGES).matched).toBe(0)
  })
})

describe('readBuildTags and expectedVersions with real git', () => {
  function repo(): string {
    const dir = scratch.tempDir('dk-tag-versions-')
    git(dir, 'init', '-q', '-b', 'main')
    writeFile(dir, 'README.md', 'first\n')
    commitAll(dir, 'first')
    git(dir, 'tag', 'acme-core-v1.0.0')
    writeFile(dir, 'README.md', 'second\n')
    commitAll(dir, 'second')
    git(dir, 'tag', 'acme-core-v2.0.0')
    git(dir, 'tag', '-a', '-m', 'release', 'acme-mid-v1.0.1')
    git(dir, 'tag', 'nightly')
    return dir
  }

  test('on a branch ref: the tags pointing at HEAD, lightweight and annotated, not older ones', async () => {
    const dir = repo()
    const read = await readBuildTags(runCommand, dir, 'refs/heads/main')
    expect(read.tags.map((t) => t.tag).sort()).toEqual(['acme-core-v2.0.0', 'acme-mid-v1.0.1', 'nightly'])
    expect(read.tags.every((t) => t.from === 'head')).toBe(true)
    expect(read.problem).toBeUndefined()
  })

  test('on a tag ref: that tag alone, git not asked', async () => {
    const read = await readBuildTags(
      () => {
        throw new Error('git must not run on a tag ref')
      },
      '/nowhere',
      'refs/tags/v1.2.3'
    )
    expect(read.tags).toEqual([{ tag: 'v1.2.3', from: 'ref' }])
  })

  test('the versions the tags at HEAD bind, from a folder below the top', async () => {
    const dir = repo()
    const io = createMemoryIO({}, { GITHUB_REF: 'refs/heads/main' })
    writeFile(dir, 'packages/core/x.txt', '')
    const expected = await expectedVersions({ exec: runCommand, io }, path.join(dir, 'packages'), PACKAGES, {
      versionFromTag: true,
      tagFormat: ''
    })
    expect(bound(expected!)).toEqual({ 'acme-core': ['2.0.0'], 'acme-mid': ['1.0.1'] })
    expect(io.logs.filter((l) => l.level === 'notice')).toEqual([])
  })

  test('no release tag at HEAD: a notice naming both forms, nothing bound', async () => {
    const dir = repo()
    writeFile(dir, 'README.md', 'third\n')
    commitAll(dir, 'third')
    const io = createMemoryIO({}, { GITHUB_REF: 'refs/heads/main' })
    expect(await expectedVersions({ exec: runCommand, io }, dir, PACKAGES, { versionFromTag: true, tagFormat: '' })).toBeUndefined()
    const notices = io.logs.filter((l) => l.level === 'notice').map((l) => l.message)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain("no release tag of this workspace ('v{version}' for every package, or '{name}-v{version}'")
    expect(notices[0]).toContain('on refs/heads/main')
    expect(notices[0]).toContain('so versions are not checked against a tag')
  })

  test('outside a git checkout: a notice with what git said, not a failure', async () => {
    const io = createMemoryIO({}, {})
    const dir = scratch.tempDir('dk-no-git-')
    const result = await expectedVersions({ exec: runCommand, io }, dir, PACKAGES, { versionFromTag: true, tagFormat: '' })
    expect(result).toBeUndefined()
    const notice = io.logs.find((l) => l.level === 'notice')!.message
    expect(notice).toContain('could not be read')
    expect(notice.toLowerCase()).toContain('not a git repository')
  })

  test('a tag ref that is no release tag is said as such', async () => {
    const io = createMemoryIO({}, { GITHUB_REF: 'refs/tags/nightly' })
    expect(await expectedVersions({ exec: runCommand, io }, '/nowhere', PACKAGES, { versionFromTag: true, tagFormat: '' })).toBeUndefined()
    expect(io.logs.find((l) => l.level === 'notice')!.message).toContain('refs/tags/nightly is not a release tag of this workspace')
  })

  test('expected-version wins: the tags are not read', async () => {
    const io = createMemoryIO({}, { GITHUB_REF: 'refs/tags/v9.9.9' })
    const never = (): never => {
      throw new Error('no command may run')
    }
    const expected = await expectedVersions({ exec: never, io }, '/nowhere', PACKAGES, {
      expected: { version: '1.0.0', source: 'expected-version' },
      versionFromTag: true,
      tagFormat: ''
    })
    expect(expected).toEqual({ every: [{ version: '1.0.0', source: 'expected-version' }], byPackage: new Map() })
  })
})

describe('the versions check', () => {
  function built(id: string, name: string, version: string, relDir: string): BuiltPackage {
    const pkg = { id, name, relDir, dir: `/repo/${relDir}`, version: '0.0.0', metadataSource: 'static' } as PythonPackage
    const metadata = parseCoreMetadata(`Metadata-Version: 2.4\nName: ${name}\nVersion: ${version}\n`)
    const wheel = { path: '', file: '', kind: 'wheel' as const, size: 0, sha256: '', files: [], metadata }
    return { pkg, selected: true, outDir: '', ok: true, command: '', durationMs: 0, log: '', wheel }
  }

  const mine = [
    built('acme-core', 'acme_core', '2.0.1', 'packages/core'),
    built('acme-mid', 'acme-mid', '1.0.1', 'packages/mid'),
    built('acme-leaf', 'acme-leaf', '7.0', 'packages/leaf')
  ]

  test('a package built at another version than its tag is an error naming the package, the tag, the version and the fix', () => {
    const tags = versionsFromTags(head('acme-core-v2.0.0', 'acme-mid-v1.0.1.0'), '', PACKAGES)
    const findings = verifyExpectedVersions(mine, tags.expected)
    expect(findings).toEqual([
      {
        tool: 'versions',
        package: 'acme-core',
        file: 'packages/core/pyproject.toml',
        severity: 'error',
        message:
          'acme_core was built as version 2.0.1, but the release expects 2.0.0 (from tag acme-core-v2.0.0, which points at the commit being built). ' +
          'Set the version in packages/core/pyproject.toml to 2.0.0, or if a new version is meant, release it (a commit and a tag of its own) and build that commit.'
      }
    ])
    // 1.0.1.0 equals 1.0.1 (PEP 440), and the leaf has no tag: neither is a finding.
    expect(describeExpected(mine, tags.expected)).toBe(
      'expected acme_core 2.0.0 (from tag acme-core-v2.0.0, which points at the commit being built), acme-mid 1.0.1.0 (from tag acme-mid-v1.0.1.0, which points at the commit being built)'
    )
  })

  test('a lockstep tag ref holds every package, as before', () => {
    const tags = versionsFromTags(ref('v2.0.1'), '', PACKAGES)
    const findings = verifyExpectedVersions(mine, tags.expected)
    expect(findings.map((f) => f.package)).toEqual(['acme-mid', 'acme-leaf'])
    expect(findings[0]!.message).toBe(
      'acme-mid was built as version 1.0.1, but the release expects 2.0.1 (from tag refs/tags/v2.0.1). Set the version in packages/mid/pyproject.toml to 2.0.1, or build from the right tag.'
    )
    expect(describeExpected(mine, tags.expected)).toBe('expected 2.0.1 (from tag refs/tags/v2.0.1)')
  })

  test('every tag that binds a package is checked', () => {
    const tags = versionsFromTags(head('acme-mid-v1.0.1', 'acme-mid-v1.0.2'), '', PACKAGES)
    const findings = verifyExpectedVersions(mine, tags.expected)
    expect(findings).toHaveLength(1)
    expect(findings[0]!.message).toContain('expects 1.0.2 (from tag acme-mid-v1.0.2')
  })
})
