/**
 * The output-folder guard: the pure rules (POSIX and Windows paths), symlink resolution,
 * and the on-disk guard on real git repositories and plain folders.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { OutputDirs, STAMP, SourceIndex, parseName, removeOwned, resolveReal, type Protected } from '../../packages-shared/output-dirs.js'
import { parseBaseline } from '../../actions/run-tests/inputs.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { commitAll, git } from './helpers/git-repo.js'
import { runCommand } from '../../packages-shared/exec.js'

const temp = tempDirs('dk-outdirs-')

describe('SourceIndex (POSIX paths)', () => {
  const prot: Protected = {
    workspace: '/w',
    root: '/w',
    tempDir: '/t',
    packages: [{ name: 'hm-core', dir: '/w/packages/hm-core', moduleDirs: ['/w/packages/hm-core/src/hm_core', '/w/packages/hm-core/src'] }],
    files: ['/w/packages/hm-core/pyproject.toml', '/w/packages/hm-core/src/hm_core/__init__.py', '/w/README.md', '/w/docs/index.md'],
    filesAre: 'tracked'
  }
  const index = new SourceIndex(prot, 'linux')

  test.each([
    ['/w/packages', 'holds the sources of the package hm-core (packages/hm-core)'],
    ['/w/packages/hm-core', 'holds the sources of the package hm-core'],
    ['/w/packages/hm-core/src', 'inside the sources of the package hm-core'],
    ['/w/packages/hm-core/dist', 'inside the sources of the package hm-core'],
    ['/w', 'holds the whole repository (/w)'],
    ['/', 'holds the whole repository'],
    ['/w/docs', "holds the repository's tracked files (such as docs/index.md)"],
    ['/w/README.md', "it is one of the repository's tracked files"],
    ['/w/README.md/x', "it is inside README.md, one of the repository's tracked files"]
  ])('%s is refused: %s', (dir, why) => {
    expect(index.conflict(dir, 'write')).toContain(why)
    expect(index.conflict(dir, 'clear')).toContain(why)
  })

  test('a new folder at the root, or under the temp dir, is fine', () => {
    expect(index.conflict('/w/dist-out', 'clear')).toBeUndefined()
    expect(index.conflict('/w/dist-out/', 'clear')).toBeUndefined()
    expect(index.conflict('/t/dk-actions-dist', 'clear')).toBeUndefined()
    // A folder differing only in case is another folder on Linux.
    expect(index.conflict('/w/Packages', 'clear')).toBeUndefined()
  })

  test('the temp dir itself may be written to, never cleared', () => {
    expect(index.conflict('/t', 'write')).toBeUndefined()
    expect(index.conflict('/t', 'clear')).toContain("runner's temp directory")
    expect(index.conflict('/', 'clear')).toContain('whole repository')
  })

  test('a package at the working directory owns its module folders, not the whole repository', () => {
    const single = new SourceIndex(
      {
        ...prot,
        packages: [{ name: 'single', dir: '/w', moduleDirs: ['/w/single'] }],
        files: ['/w/pyproject.toml', '/w/single/__init__.py']
      },
      'linux'
    )
    expect(single.conflict('/w/dist', 'clear')).toBeUndefined()
    expect(single.conflict('/w/single/out', 'clear')).toContain('inside the sources of the package single')
    expect(single.conflict('/w', 'clear')).toContain('whole repository')
  })

  test('without git, the files found are named as such', () => {
    const plain = new SourceIndex({ ...prot, files: ['/w/notes/a.txt'], filesAre: 'present' }, 'linux')
    expect(plain.conflict('/w/notes', 'write')).toBe("it holds the working directory's files (such as notes/a.txt)")
  })
})

describe('SourceIndex (Windows paths)', () => {
  const index = new SourceIndex(
    {
      workspace: 'C:\\a\\repo',
      root: 'C:\\a\\repo',
      tempDir: 'D:\\runner\\_temp',
      packages: [{ name: 'hm-core', dir: 'C:\\a\\repo\\packages\\hm-core', moduleDirs: ['C:\\a\\repo\\packages\\hm-core\\src'] }],
      files: ['C:\\a\\repo\\packages\\hm-core\\pyproject.toml', 'C:\\a\\repo\\README.md'],
      filesAre: 'tracked'
    },
    'win32'
  )

  test('case and trailing separators do not hide a package', () => {
    expect(index.conflict('c:\\A\\Repo\\PACKAGES', 'clear')).toContain('holds the sources of the package hm-core (packages/hm-core)')
    expect(index.conflict('C:\\a\\repo\\packages\\hm-core\\src\\', 'clear')).toContain('inside the sources')
    expect(index.conflict('C:\\a\\repo\\readme.md', 'write')).toContain('tracked files')
  })

  test('drive roots and the temp dir', () => {
    expect(index.conflict('C:\\', 'write')).toContain('whole repository')
    expect(index.conflict('c:\\a', 'write')).toContain('whole repository')
    expect(index.conflict('D:\\runner', 'clear')).toContain("runner's temp directory")
    expect(index.conflict('D:\\runner\\_temp\\dk-actions-dist', 'clear')).toBeUndefined()
    expect(index.conflict('C:\\a\\repo\\dist-out', 'clear')).toBeUndefined()
    // Another drive holds nothing of the repository.
    expect(index.conflict('E:\\out', 'clear')).toBeUndefined()
  })
})

describe('resolveReal', () => {
  test('a path that does not exist yet resolves through its nearest existing ancestor', () => {
    const dir = temp()
    fs.mkdirSync(path.join(dir, 'pkg'))
    fs.symlinkSync(path.join(dir, 'pkg'), path.join(dir, 'link'))
    const real = fs.realpathSync(dir)
    expect(resolveReal(path.join(dir, 'link', 'a', 'b'))).toBe(path.join(real, 'pkg', 'a', 'b'))
    expect(resolveReal(path.join(dir, 'nope', '..', 'link'))).toBe(path.join(real, 'pkg'))
  })

  test('a dangling symlink is followed to where it would point', () => {
    const dir = temp()
    fs.mkdirSync(path.join(dir, 'pkg'))
    fs.symlinkSync(path.join(dir, 'pkg', 'new'), path.join(dir, 'dangling'))
    expect(resolveReal(path.join(dir, 'dangling', 'x'))).toBe(path.join(fs.realpathSync(dir), 'pkg', 'new', 'x'))
  })
})

describe('parseName: names only, never paths', () => {
  test.each(['..', '.', '../x', 'a/b', 'a\\b', '', '-x', 'a b', 'x'.repeat(101)])('%j is refused', (bad) => {
    expect(userError(() => parseName('benchmark-baseline', bad)).message).toContain('letters, digits')
  })
  test.each(['bench', 'bench-linux.py3_12', 'A1'])('%j is a name', (good) => {
    expect(parseName('x', good)).toBe(good)
  })
  test.each(['cache:..', 'cache:../x', 'cache:a/b', 'cache:.'])('benchmark-baseline %j is refused with the allowed form', (bad) => {
    const message = userError(() => parseBaseline(bad, '/w', '/w')).message
    expect(message).toContain("Input 'benchmark-baseline'")
    expect(message).toContain('cache:benchmarks-linux')
  })
})

/** A git repository with packages named like their folders, and an untracked file. */
function repo(): string {
  const dir = temp()
  for (const name of ['hm-core', 'hm-extra']) {
    const pkg = path.join(dir, 'packages', name)
    fs.mkdirSync(path.join(pkg, 'src', name.replace('-', '_')), { recursive: true })
    fs.writeFileSync(path.join(pkg, 'pyproject.toml'), `[project]\nname = "${name}"\nversion = "1.0.0"\n`)
    fs.writeFileSync(path.join(pkg, 'src', name.replace('-', '_'), '__init__.py'), '')
  }
  fs.mkdirSync(path.join(dir, 'docs'))
  fs.writeFileSync(path.join(dir, 'docs', 'index.md'), '# docs\n')
  git(dir, 'init', '-q', '-b', 'main')
  commitAll(dir, 'initial')
  return dir
}

function packagesOf(dir: string): { name: string; dir: string; importDir: string; modules: string[] }[] {
  return ['hm-core', 'hm-extra'].map((name) => ({
    name,
    dir: path.join(dir, 'packages', name),
    importDir: path.join(dir, 'packages', name, 'src'),
    modules: [name.replace('-', '_')]
  }))
}

describe('OutputDirs on disk', () => {
  test('folders over the sources are refused with one line, and nothing is created', async () => {
    const ws = repo()
    const runner = temp()
    fs.symlinkSync(path.join(ws, 'packages', 'hm-core'), path.join(ws, 'linked'))
    const guard = await OutputDirs.create({
      workspace: ws,
      workingDirectory: ws,
      tempDir: runner,
      exec: runCommand,
      packages: packagesOf(ws)
    })
    const cases: [string, RegExp][] = [
      ['packages', /holds the sources of the package hm-core/],
      ['.', /holds the whole repository/],
      ['packages/hm-core/src/new', /inside the sources of the package hm-core/],
      ['linked/dist', /inside the sources of the package hm-core/],
      ['docs', /tracked files \(such as docs\/index.md\)/]
    ]
    for (const [value, why] of cases) {
      const message = userError(() => guard.claim({ input: 'dist-dir', value }, path.join(ws, value), 'clear')).message
      expect(message).toMatch(why)
      expect(message).toContain(`Input 'dist-dir' has an invalid value ${JSON.stringify(value)}`)
      expect(message).toContain('choose a new or empty folder')
    }
    expect(fs.existsSync(path.join(ws, 'packages', 'hm-core', 'src', 'new'))).toBe(false)
    expect(fs.existsSync(path.join(ws, 'packages', 'hm-core', 'dist'))).toBe(false)
    expect(fs.readdirSync(path.join(ws, 'packages'))).toEqual(['hm-core', 'hm-extra'])
    expect(userError(() => guard.claim({ what: 'the tool cache', value: ws }, ws, 'write')).message).toContain(
      'point RUNNER_TEMP at a folder outside'
    )
  })

  test('a new folder is created and stamped; a stamped folder is cleared and reused', async () => {
    const ws = repo()
    const guard = await OutputDirs.create({
      workspace: ws,
      workingDirectory: ws,
      tempDir: temp(),
      exec: runCommand,
      packages: packagesOf(ws)
    })
    const out = path.join(ws, 'dist-out')
    expect(guard.claim({ input: 'dist-dir', value: 'dist-out' }, out, 'clear')).toBe(path.join(fs.realpathSync(ws), 'dist-out'))
    expect(fs.readdirSync(out)).toEqual([STAMP])
    fs.mkdirSync(path.join(out, 'hm-core'))
    fs.writeFileSync(path.join(out, 'hm-core', 'old.whl'), 'x')
    // The next run, with a new guard: the stamp says the folder is the suite's.
    const next = await OutputDirs.create({
      workspace: ws,
      workingDirectory: ws,
      tempDir: temp(),
      exec: runCommand,
      packages: packagesOf(ws)
    })
    next.claim({ input: 'dist-dir', value: 'dist-out' }, out, 'clear')
    next.clearChild(out, 'hm-core')
    expect(fs.readdirSync(out)).toEqual([STAMP])
    expect(userError(() => next.clearChild(out, '..')).message).toContain('not a name')
  })

  test('a non-empty folder without the stamp may be written to, never cleared', async () => {
    const ws = repo()
    const notes = path.join(ws, 'notes')
    fs.mkdirSync(notes)
    fs.writeFileSync(path.join(notes, 'todo.txt'), 'mine, untracked\n')
    const guard = await OutputDirs.create({
      workspace: ws,
      workingDirectory: ws,
      tempDir: temp(),
      exec: runCommand,
      packages: packagesOf(ws)
    })
    const message = userError(() => guard.claim({ input: 'dist-dir', value: 'notes' }, notes, 'clear')).message
    expect(message).toContain(`already holds files that dk-actions did not create (it has no ${STAMP} stamp)`)
    guard.claim({ input: 'report-dir', value: 'notes' }, notes, 'write')
    expect(fs.readdirSync(notes)).toEqual(['todo.txt'])
  })

  test('claimAll checks every folder before it creates any', async () => {
    const ws = repo()
    const guard = await OutputDirs.create({
      workspace: ws,
      workingDirectory: ws,
      tempDir: temp(),
      exec: runCommand,
      packages: packagesOf(ws)
    })
    const message = userError(() =>
      guard.claimAll([
        { origin: { input: 'dist-dir', value: 'dist-out' }, dir: path.join(ws, 'dist-out'), kind: 'clear' },
        { origin: { input: 'dependencies-dir', value: 'packages' }, dir: path.join(ws, 'packages'), kind: 'clear' }
      ])
    ).message
    expect(message).toContain("Input 'dependencies-dir'")
    expect(fs.existsSync(path.join(ws, 'dist-out'))).toBe(false)
  })

  test('a file to write (a benchmark baseline) must not lead out of the workspace through a symlink', async () => {
    const ws = repo()
    const outside = temp()
    fs.symlinkSync(outside, path.join(ws, 'perf'))
    const guard = await OutputDirs.create({
      workspace: ws,
      workingDirectory: ws,
      tempDir: temp(),
      exec: runCommand,
      packages: packagesOf(ws)
    })
    const origin = { input: 'benchmark-baseline', value: 'perf/baseline.json' }
    expect(userError(() => guard.checkFile(origin, path.join(ws, 'perf', 'baseline.json'))).message).toContain('outside the workspace')
    expect(userError(() => guard.checkFile(origin, path.join(ws, 'docs'))).message).toContain('is a folder, not a file')
    expect(guard.checkFile(origin, path.join(ws, 'bench.json'))).toBe(path.join(fs.realpathSync(ws), 'bench.json'))
  })

  test('outside git, the working directory files are protected, the suite own folders are not', async () => {
    const ws = temp()
    fs.mkdirSync(path.join(ws, 'data'))
    fs.writeFileSync(path.join(ws, 'data', 'a.csv'), '1\n')
    const own = path.join(ws, 'reports')
    const first = await OutputDirs.create({ workspace: ws, workingDirectory: ws, tempDir: temp(), exec: runCommand })
    first.claim({ input: 'report-dir', value: 'reports' }, own, 'write')
    fs.writeFileSync(path.join(own, 'run.json'), '{}')
    const guard = await OutputDirs.create({ workspace: ws, workingDirectory: ws, tempDir: temp(), exec: runCommand })
    expect(userError(() => guard.claim({ input: 'report-dir', value: 'data' }, path.join(ws, 'data'), 'write')).message).toContain(
      "working directory's files (such as data/a.csv)"
    )
    expect(guard.claim({ input: 'report-dir', value: 'reports' }, own, 'clear')).toBe(path.join(fs.realpathSync(ws), 'reports'))
  })
})

describe('removeOwned', () => {
  test('only inside the root, and only what the suite made', () => {
    const root = temp()
    const elsewhere = temp()
    fs.writeFileSync(path.join(elsewhere, 'keep.txt'), 'keep')
    expect(userError(() => removeOwned(elsewhere, root)).message).toContain('is not inside')
    expect(userError(() => removeOwned(path.join(root, '..'), root)).message).toContain('is not inside')
    fs.mkdirSync(path.join(root, 'venv'))
    fs.writeFileSync(path.join(root, 'venv', 'x'), 'x')
    expect(userError(() => removeOwned(path.join(root, 'venv'), root)).message).toContain('did not create')
    fs.writeFileSync(path.join(root, STAMP), '')
    removeOwned(path.join(root, 'venv'), root)
    expect(fs.existsSync(path.join(root, 'venv'))).toBe(false)
    // A symlink is removed itself; what it points at stays.
    fs.symlinkSync(elsewhere, path.join(root, 'link'))
    removeOwned(path.join(root, 'link'), root)
    expect(fs.readFileSync(path.join(elsewhere, 'keep.txt'), 'utf8')).toBe('keep')
    removeOwned(path.join(root, 'missing'), root)
  })
})
