/** The whole-run cache of mypy and pylint: findings stand only when nothing they could read has changed. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Finding } from '../../packages-shared/findings.js'
import { filesDigest, readWholeRun, wholeRunKey, writeWholeRun, type WholeRunIdentity } from '../../packages-shared/whole-run-cache.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()
const FINDING: Finding = {
  tool: 'pylint',
  severity: 'warning',
  message: 'W0611 unused import os',
  file: 'packages/a/src/a/m.py',
  line: 1,
  rule: 'W0611'
}

function repo(): { root: string; files: string[] } {
  const root = scratch.tempDir('dk-whole-')
  fs.mkdirSync(path.join(root, 'packages', 'a', 'src', 'a'), { recursive: true })
  fs.writeFileSync(path.join(root, 'packages', 'a', 'src', 'a', 'm.py'), 'import os\n')
  fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.pylint]\n')
  return { root, files: ['packages/a/src/a/m.py', 'pyproject.toml'] }
}

function identity(root: string, files: string[], over: Partial<WholeRunIdentity> = {}): WholeRunIdentity {
  return {
    tool: 'pylint',
    fingerprint: 'fp-1',
    argv: ['--output-format=json2', 'packages'],
    cwd: '.',
    env: {},
    files: filesDigest(root, files),
    ...over
  }
}

describe('whole-run keys', () => {
  test('the same files, options and installation give the same key; each of them changes it', () => {
    const { root, files } = repo()
    const key = wholeRunKey(identity(root, files))
    expect(wholeRunKey(identity(root, files))).toBe(key)
    expect(wholeRunKey(identity(root, files, { fingerprint: 'fp-2' }))).not.toBe(key)
    expect(wholeRunKey(identity(root, files, { argv: ['--output-format=json2', '--disable=W0611', 'packages'] }))).not.toBe(key)
    expect(wholeRunKey(identity(root, files, { env: { PYTHONPATH: 'src' } }))).not.toBe(key)
    expect(wholeRunKey(identity(root, files, { cwd: 'packages/a' }))).not.toBe(key)
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.pylint]\ndisable = ["W0611"]\n')
    expect(wholeRunKey(identity(root, files))).not.toBe(key)
  })

  test('a source edited, added or removed changes the digest; the listing order does not', () => {
    const { root, files } = repo()
    const digest = filesDigest(root, files)
    expect(filesDigest(root, [...files].reverse())).toBe(digest)
    fs.appendFileSync(path.join(root, 'packages', 'a', 'src', 'a', 'm.py'), 'X = 1\n')
    const edited = filesDigest(root, files)
    expect(edited).not.toBe(digest)
    fs.writeFileSync(path.join(root, 'packages', 'a', 'src', 'a', 'n.py'), '')
    expect(filesDigest(root, [...files, 'packages/a/src/a/n.py'])).not.toBe(edited)
    expect(filesDigest(root, files.slice(1))).not.toBe(edited)
  })
})

describe('whole-run entries', () => {
  test('stored findings come back under their key only', () => {
    const dir = scratch.tempDir('dk-whole-cache-')
    writeWholeRun(dir, 'pylint', '.', 'k1', [FINDING])
    expect(readWholeRun(dir, 'pylint', '.', 'k1')).toEqual([FINDING])
    expect(readWholeRun(dir, 'pylint', '.', 'k2')).toBeUndefined()
    expect(readWholeRun(dir, 'mypy', '.', 'k1')).toBeUndefined()
    expect(readWholeRun(dir, 'pylint', 'packages/a', 'k1')).toBeUndefined()
    // A clean run with no finding is an answer too.
    writeWholeRun(dir, 'pylint', '.', 'k2', [])
    expect(readWholeRun(dir, 'pylint', '.', 'k2')).toEqual([])
  })

  test('an entry that does not read, of another format, or with findings of another shape is a miss', () => {
    const dir = scratch.tempDir('dk-whole-cache-')
    writeWholeRun(dir, 'pylint', '.', 'k1', [FINDING])
    const [file] = fs.readdirSync(path.join(dir, 'whole')).map((f) => path.join(dir, 'whole', f))
    fs.writeFileSync(file!, '{not json')
    expect(readWholeRun(dir, 'pylint', '.', 'k1')).toBeUndefined()
    fs.writeFileSync(file!, JSON.stringify({ format: 'dk-actions-whole-run/0', key: 'k1', findings: [] }))
    expect(readWholeRun(dir, 'pylint', '.', 'k1')).toBeUndefined()
    fs.writeFileSync(file!, JSON.stringify({ format: 'dk-actions-whole-run/1', key: 'k1', findings: [{ line: 3 }] }))
    expect(readWholeRun(dir, 'pylint', '.', 'k1')).toBeUndefined()
  })
})
