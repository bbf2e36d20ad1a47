import * as fs from 'node:fs'
import * as path from 'node:path'
import { executableNames, findExecutable, pathEntries, prependPath, toPosix, venvBinDir, venvPython } from '../../packages-shared/paths.js'

describe('toPosix', () => {
  test.each([
    ['a\\b\\c', 'a/b/c'],
    ['a/b', 'a/b'],
    ['C:\\x\\y', 'C:/x/y']
  ])('%j → %j', (raw, expected) => {
    expect(toPosix(raw)).toBe(expected)
  })
})

describe('venv layout per platform', () => {
  test.each([
    ['linux', '/tmp/venv', '/tmp/venv/bin', '/tmp/venv/bin/python'],
    ['darwin', '/Users/me/.venv', '/Users/me/.venv/bin', '/Users/me/.venv/bin/python'],
    ['win32', 'C:\\work\\.venv', 'C:\\work\\.venv\\Scripts', 'C:\\work\\.venv\\Scripts\\python.exe']
  ] as const)('%s', (platform, venv, bin, python) => {
    expect(venvBinDir(venv, platform)).toBe(bin)
    expect(venvPython(venv, platform)).toBe(python)
  })
})

describe('executableNames', () => {
  test('posix names are used as they are', () => {
    expect(executableNames('black', 'linux', '.EXE;.CMD')).toEqual(['black'])
    expect(executableNames('black', 'darwin')).toEqual(['black'])
  })

  test('win32 adds each PATHEXT extension, lower-cased', () => {
    expect(executableNames('black', 'win32', '.COM;.EXE;.BAT;.CMD')).toEqual(['black', 'black.com', 'black.exe', 'black.bat', 'black.cmd'])
    expect(executableNames('tool', 'win32', '.EXE;;.PS1')).toEqual(['tool', 'tool.exe', 'tool.ps1'])
  })

  test('win32 without PATHEXT uses the default extensions', () => {
    expect(executableNames('black', 'win32', '')).toEqual(['black', 'black.com', 'black.exe', 'black.bat', 'black.cmd'])
  })

  test('win32 keeps a name that already has an executable extension', () => {
    expect(executableNames('black.EXE', 'win32', '.COM;.EXE')).toEqual(['black.EXE'])
    expect(executableNames('run.cmd', 'win32', '.EXE;.CMD')).toEqual(['run.cmd'])
  })
})

describe('pathEntries', () => {
  test('splits on the platform separator and drops blanks', () => {
    expect(pathEntries('/a:/b::/c', 'linux')).toEqual(['/a', '/b', '/c'])
    expect(pathEntries('C:\\tools;D:\\bin;', 'win32')).toEqual(['C:\\tools', 'D:\\bin'])
    expect(pathEntries(undefined, 'linux')).toEqual([])
  })
})

describe('findExecutable', () => {
  test('win32: searches each PATH entry with PATHEXT', () => {
    const probed: string[] = []
    const exists = (file: string): boolean => {
      probed.push(file)
      return file === 'D:\\bin\\black.exe'
    }
    const found = findExecutable('black', {
      platform: 'win32',
      pathValue: 'C:\\tools;D:\\bin',
      pathext: '.COM;.EXE;.BAT;.CMD',
      exists
    })
    expect(found).toBe('D:\\bin\\black.exe')
    expect(probed).toEqual([
      'C:\\tools\\black',
      'C:\\tools\\black.com',
      'C:\\tools\\black.exe',
      'C:\\tools\\black.bat',
      'C:\\tools\\black.cmd',
      'D:\\bin\\black',
      'D:\\bin\\black.com',
      'D:\\bin\\black.exe'
    ])
  })

  test('win32: the first PATH entry wins', () => {
    const present = new Set(['C:\\tools\\black.cmd', 'D:\\bin\\black.exe'])
    expect(
      findExecutable('black', {
        platform: 'win32',
        pathValue: 'C:\\tools;D:\\bin',
        pathext: '.EXE;.CMD',
        exists: (f) => present.has(f)
      })
    ).toBe('C:\\tools\\black.cmd')
  })

  test('win32: a name with a backslash is checked directly, not on PATH', () => {
    const present = new Set(['C:\\py\\python.exe'])
    expect(
      findExecutable('C:\\py\\python', {
        platform: 'win32',
        pathValue: 'D:\\bin',
        pathext: '.EXE',
        exists: (f) => present.has(f)
      })
    ).toBe('C:\\py\\python.exe')
  })

  test('posix: searches PATH in order, with the name only', () => {
    const probed: string[] = []
    const found = findExecutable('black', {
      platform: 'linux',
      pathValue: '/usr/local/bin:/opt/venv/bin:/usr/bin',
      exists: (f) => {
        probed.push(f)
        return f.startsWith('/opt/venv/bin/') || f.startsWith('/usr/bin/')
      }
    })
    expect(found).toBe('/opt/venv/bin/black')
    expect(probed).toEqual(['/usr/local/bin/black', '/opt/venv/bin/black'])
  })

  test('posix: a path with a slash is checked directly', () => {
    expect(
      findExecutable('./tools/run', {
        platform: 'linux',
        pathValue: '/usr/bin',
        exists: (f) => f === './tools/run'
      })
    ).toBe('./tools/run')
    expect(
      findExecutable('./tools/run', {
        platform: 'linux',
        pathValue: '/usr/bin',
        exists: () => false
      })
    ).toBeUndefined()
  })

  test('returns undefined when nothing matches or PATH is empty', () => {
    expect(findExecutable('black', { platform: 'linux', pathValue: '/a:/b', exists: () => false })).toBeUndefined()
    expect(findExecutable('black', { platform: 'linux', pathValue: '', exists: () => true })).toBeUndefined()
  })

  test('finds node on this machine', () => {
    const found = findExecutable('node', {
      pathValue: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`
    })
    expect(found).toBeDefined()
    expect(path.isAbsolute(found!)).toBe(true)
    expect(fs.statSync(found!).isFile()).toBe(true)
    expect(path.basename(found!).toLowerCase()).toMatch(/^node(\.exe)?$/)
  })

  test('does not find a missing command, nor a directory of that name', () => {
    const dir = path.dirname(process.execPath)
    expect(findExecutable('definitely-not-a-command-dk-actions', { pathValue: dir })).toBeUndefined()
    // The parent directory holds a directory named after the bin dir: not an executable.
    expect(findExecutable(path.basename(dir), { pathValue: path.dirname(dir) })).toBeUndefined()
  })
})

describe('prependPath', () => {
  test.each([
    ['/venv/bin', '/usr/bin:/bin', 'linux', '/venv/bin:/usr/bin:/bin'],
    ['/venv/bin', '/usr/bin', 'darwin', '/venv/bin:/usr/bin'],
    ['C:\\venv\\Scripts', 'C:\\Windows;C:\\tools', 'win32', 'C:\\venv\\Scripts;C:\\Windows;C:\\tools'],
    ['/venv/bin', undefined, 'linux', '/venv/bin'],
    ['C:\\venv\\Scripts', '', 'win32', 'C:\\venv\\Scripts']
  ] as const)('%j + %j on %s → %j', (dir, value, platform, expected) => {
    expect(prependPath(dir, value, platform)).toBe(expected)
  })
})

describe('commonRoot', () => {
  test('the deepest directory holding every path', async () => {
    const { commonRoot } = await import('../../packages-shared/paths.js')
    expect(commonRoot(['/w/dist', '/w/dist-dependencies'])).toBe('/w')
    expect(commonRoot(['/w/a/b', '/w/a/b/c'])).toBe('/w/a/b')
    expect(commonRoot(['/x', '/y'])).toBe('/')
  })
})
