/**
 * Build leftovers on real folders: what a build creates and is named like a leftover goes,
 * everything that was there before, or is new but not a leftover, stays.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  isLeftoverName,
  listTree,
  nestedPackageDirs,
  newLeftovers,
  removeNewLeftovers,
  withoutBuildLeftovers
} from '../../packages-shared/build-leftovers.js'
import { tempDirs } from './helpers/assertions.js'

const temp = tempDirs('dk-leftovers-')

function write(root: string, rel: string, text = 'x'): void {
  const file = path.join(root, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

function exists(root: string, rel: string): boolean {
  return fs.existsSync(path.join(root, rel))
}

/** A setuptools package in a src layout, as checked out. */
function pkg(): string {
  const dir = temp()
  write(dir, 'pyproject.toml')
  write(dir, 'setup.cfg')
  write(dir, 'src/mypkg/__init__.py')
  return dir
}

describe('isLeftoverName', () => {
  test.each(['build', '.eggs', '__pycache__', 'mypkg.egg-info'])('%s is a leftover', (name) => {
    expect(isLeftoverName(name)).toBe(true)
  })
  test.each(['src', 'dist', 'builder', 'build.py', 'egg-info-notes', 'tests'])('%s is not', (name) => {
    expect(isLeftoverName(name)).toBe(false)
  })
})

describe('removeNewLeftovers', () => {
  test('removes the build/ and egg-info a setuptools build creates, top-most folder only', () => {
    const dir = pkg()
    const before = listTree([dir])
    write(dir, 'build/lib/mypkg/__init__.py')
    write(dir, 'build/bdist.linux-x86_64/x')
    write(dir, 'src/mypkg.egg-info/PKG-INFO')
    write(dir, '.eggs/setuptools_scm-1.0.egg/x')
    write(dir, 'src/mypkg/__pycache__/__init__.cpython-311.pyc')
    expect(newLeftovers(before).map((p) => path.relative(dir, p))).toEqual([
      '.eggs',
      'build',
      path.join('src', 'mypkg.egg-info'),
      path.join('src', 'mypkg', '__pycache__')
    ])
    removeNewLeftovers(before)
    expect(['build', '.eggs', 'src/mypkg.egg-info', 'src/mypkg/__pycache__'].filter((p) => exists(dir, p))).toEqual([])
    expect(exists(dir, 'src/mypkg/__init__.py')).toBe(true)
  })

  test('never removes what existed before, even a leftover-named folder of the user', () => {
    const dir = pkg()
    write(dir, 'build/notes.txt', 'mine')
    write(dir, 'src/mypkg.egg-info/PKG-INFO', 'mine')
    write(dir, 'src/mypkg/build/__init__.py', 'a subpackage named build')
    const before = listTree([dir])
    // The build adds inside the user's build/: only its additions go.
    write(dir, 'build/lib/mypkg/__init__.py')
    write(dir, 'src/mypkg.egg-info/SOURCES.txt')
    expect(removeNewLeftovers(before).map((p) => path.relative(dir, p))).toEqual([
      path.join('build', 'lib'),
      path.join('src', 'mypkg.egg-info', 'SOURCES.txt')
    ])
    expect(fs.readFileSync(path.join(dir, 'build/notes.txt'), 'utf8')).toBe('mine')
    expect(fs.readFileSync(path.join(dir, 'src/mypkg.egg-info/PKG-INFO'), 'utf8')).toBe('mine')
    expect(exists(dir, 'src/mypkg/build/__init__.py')).toBe(true)
  })

  test('keeps new files that are not leftovers, and what holds them', () => {
    const dir = pkg()
    const before = listTree([dir])
    write(dir, 'src/mypkg/_version.py')
    write(dir, 'generated/build/x')
    expect(removeNewLeftovers(before)).toEqual([])
    expect(exists(dir, 'src/mypkg/_version.py')).toBe(true)
    expect(exists(dir, 'generated/build/x')).toBe(true)
  })

  test('leaves excluded folders (dist-dir, nested packages built at the same time) alone', () => {
    const dir = pkg()
    const nested = path.join(dir, 'packages', 'inner')
    write(nested, 'pyproject.toml')
    const out = path.join(dir, 'build')
    const before = listTree([dir], [nested, out])
    write(nested, 'build/lib/inner.py')
    write(dir, 'build/mypkg/mypkg-1.0.tar.gz')
    expect(removeNewLeftovers(before)).toEqual([])
    expect(exists(nested, 'build/lib/inner.py')).toBe(true)
    expect(exists(dir, 'build/mypkg/mypkg-1.0.tar.gz')).toBe(true)
  })

  test('does not follow a symlink out of the package', () => {
    const dir = pkg()
    const elsewhere = temp()
    fs.symlinkSync(elsewhere, path.join(dir, 'link'))
    const before = listTree([dir])
    write(elsewhere, 'build/x')
    expect(removeNewLeftovers(before)).toEqual([])
    expect(exists(elsewhere, 'build/x')).toBe(true)
  })
})

describe('withoutBuildLeftovers', () => {
  test('cleans up after a build that fails, and passes its error on', async () => {
    const dir = pkg()
    await expect(
      withoutBuildLeftovers([dir], [], async () => {
        write(dir, 'build/lib/mypkg/__init__.py')
        throw new Error('backend crashed')
      })
    ).rejects.toThrow('backend crashed')
    expect(exists(dir, 'build')).toBe(false)
  })

  test('returns what the build returns', async () => {
    const dir = pkg()
    await expect(withoutBuildLeftovers([dir], [], () => Promise.resolve(42))).resolves.toBe(42)
  })
})

test('nestedPackageDirs: the packages strictly inside a folder', () => {
  const root = path.resolve('/repo')
  const dirs = [root, path.join(root, 'packages', 'a'), path.join(root, 'packages', 'ab'), path.resolve('/other')]
  expect(nestedPackageDirs(root, dirs)).toEqual([path.join(root, 'packages', 'a'), path.join(root, 'packages', 'ab')])
  expect(nestedPackageDirs(path.join(root, 'packages', 'a'), dirs)).toEqual([])
})
