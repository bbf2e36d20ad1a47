/**
 * The build backends' answers kept across workflow runs: a fresh runner (an empty cache root)
 * restores them before discovery, so a setup.py-only repository's backends do not run again
 * (real discovery and real setuptools hooks on the fixture; the cache service is the fake of
 * helpers/fake-cache.ts, which answers by exact key or the newest entry with a restore key).
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { mayAskBackends, metadataAnswersFolder, restoreMetadataAnswers } from '../../packages-shared/metadata-cache.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { fakeCache } from '../helpers/fake-cache.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()
const FIXTURES = path.resolve('__tests__/fixtures/workspaces')

function tree(files: Record<string, string>): string {
  const dir = scratch.tempDir('dk-metadata-tree-')
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), text)
  }
  return dir
}

describe('whether discovery may ask a build backend', () => {
  test.each([
    ['a setup.py', { 'packages/a/setup.py': 'from setuptools import setup\nsetup()\n' }, true],
    ['a setup.cfg', { 'a/setup.cfg': '[metadata]\nname = a\n' }, true],
    ['a dynamic version', { 'a/pyproject.toml': '[project]\nname = "a"\ndynamic = ["version"]\n' }, true],
    ['static metadata only', { 'a/pyproject.toml': '[project]\nname = "a"\nversion = "1.0"\n', 'pyproject.toml': '[tool.uv]\n' }, false],
    ['no Python project', { 'README.md': '# hi\n' }, false]
  ])('%s', (_, files, expected) => {
    expect(mayAskBackends(tree(files))).toBe(expected)
  })

  test('a working directory that is not there: no, and nothing thrown (discovery says what is wrong)', () => {
    expect(mayAskBackends(path.join(scratch.tempDir('dk-metadata-'), 'missing'))).toBe(false)
  })
})

describe('the answers across workflow runs', () => {
  test('keyed by the commit, restored from the newest entry of another commit', () => {
    const folder = metadataAnswersFolder({ GITHUB_SHA: 'a'.repeat(40) }, '/tmp/cache')
    expect(folder).toMatchObject({ dir: 'pep517-metadata', root: '/tmp/cache' })
    expect(folder.key).toBe(`${folder.restoreKeys[0]}${'a'.repeat(40)}`)
    expect(folder.restoreKeys[0]).toBe(`dk-actions-pep517-metadata-${process.platform}-${process.arch}-`)
  })

  test('a fresh runner restores them before discovery: no backend runs again; caching off restores nothing', async () => {
    const repo = scratch.tempDir('dk-metadata-repo-')
    fs.cpSync(path.join(FIXTURES, 'setup-py-only'), repo, { recursive: true })
    const cache = fakeCache()

    // The first workflow run: nothing stored; discovery asks the backends, and the answers are saved.
    const first = path.join(scratch.tempDir('dk-metadata-runner-'), 'cache')
    const io1 = createMemoryIO({}, { GITHUB_SHA: '1'.repeat(40) })
    const kept1 = await restoreMetadataAnswers({ io: io1, cache }, repo, first)
    expect(kept1).toBeDefined()
    const version = discoverWorkspace(repo, { cacheDir: first }).get('wire')!.version
    expect(fs.readdirSync(path.join(first, 'venvs')).some((v) => v.startsWith('pep517-'))).toBe(true)
    await kept1!.save()
    expect(cache.keys()).toEqual([metadataAnswersFolder(io1.env, first).key])

    // The next commit, on a fresh runner: the answers come back, and no backend venv is made.
    const second = path.join(scratch.tempDir('dk-metadata-runner-'), 'cache')
    const io2 = createMemoryIO({}, { GITHUB_SHA: '2'.repeat(40) })
    const kept2 = await restoreMetadataAnswers({ io: io2, cache }, repo, second)
    expect(io2.logs.map((l) => l.message).join('\n')).toContain('Caches restored: build metadata (partial)')
    expect(discoverWorkspace(repo, { cacheDir: second }).get('wire')!.version).toBe(version)
    expect(fs.existsSync(path.join(second, 'venvs'))).toBe(false)
    await kept2!.save()
    // Nothing new was answered: nothing is saved again.
    expect(cache.keys()).toHaveLength(1)

    expect(await restoreMetadataAnswers({ io: io2, cache: fakeCache({ off: 'cache: false' }) }, repo, second)).toBeUndefined()
  })
})
