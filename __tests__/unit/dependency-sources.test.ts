/**
 * Where run-security's dependency audit gets each package's dependency set: the lock file
 * readers (pylock.toml, requirements with hashes) and their lookup order, and, without a
 * lock, the requirements handed to `uv pip compile` (workspace packages left out).
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { thirdPartyRequirements } from '../../actions/run-security/dependencies.js'
import { parseCompiled } from '../../packages-shared/tools/uv-pip-compile.js'
import { closureOf, findLockFile, readHashedRequirements, readLockFile } from '../../actions/run-security/lock-files.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { scratchDirs } from '../helpers/scratch.js'

const LOCKS = path.resolve('__tests__/fixtures/security/locks')
const scratch = scratchDirs()

function write(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

const project = (name: string, deps: string[], extra = ''): string =>
  `[project]\nname = "${name}"\nversion = "1.0"\ndependencies = ${JSON.stringify(deps)}\n${extra}`

describe('pylock.toml (PEP 751)', () => {
  const file = path.join(LOCKS, 'pylock', 'pylock.toml')

  test('index entries are audited with the line of their name; directory, VCS and archive entries are not', () => {
    const lock = readLockFile(file, 'pylock')
    expect(lock.packages.map((p) => [p.id, p.version, p.line, p.registry])).toEqual([
      ['acme-app', '', 7, false],
      ['acme-core', '', 12, false],
      ['jinja2', '2.10', 17, true],
      ['markupsafe', '1.1.1', 25, true],
      ['tomli', '2.0.1', 31, true],
      ['vendored', '', 41, false],
      ['wheelhouse', '1.0', 45, false]
    ])
  })

  test('its dependency tables trace each locked package to the workspace members that need it', () => {
    const lock = readLockFile(file, 'pylock')
    expect([...closureOf(lock, 'acme-app', [])].sort()).toEqual(['acme-app', 'acme-core', 'jinja2', 'markupsafe', 'tomli'])
    expect([...closureOf(lock, 'acme-core', [])].sort()).toEqual(['acme-core', 'tomli'])
  })

  test('a lock without dependency tables (what uv export writes) still lists every locked package', () => {
    const dir = write(scratch.tempDir('dk-pylock-'), {
      'pylock.toml':
        'lock-version = "1.0"\n\n[[packages]]\nname = "demo"\ndirectory = { path = "." }\n\n[[packages]]\nname = "jinja2"\nversion = "2.10"\nwheels = [{ url = "https://x.invalid/j.whl", hashes = { sha256 = "00" } }]\n'
    })
    const lock = readLockFile(path.join(dir, 'pylock.toml'), 'pylock')
    expect(lock.packages.filter((p) => p.registry).map((p) => [p.id, p.version, p.line])).toEqual([['jinja2', '2.10', 8]])
  })
})

describe('requirements files with hashes', () => {
  test('every pinned, hashed requirement, at the line it starts on; options and comments are skipped', () => {
    const lock = readLockFile(path.join(LOCKS, 'hashed', 'requirements.txt'), 'requirements')
    expect(lock.packages.map((p) => [p.name, p.id, p.version, p.line, p.registry])).toEqual([
      ['Jinja2', 'jinja2', '2.10', 6, true],
      ['markupsafe', 'markupsafe', '1.1.1', 10, true],
      ['requests', 'requests', '2.31.0', 13, true]
    ])
  })

  test.each([
    ['jinja2==2.10\n', 'line 1 (jinja2==2.10) has no --hash'],
    ['jinja2>=2.10 --hash=sha256:00\n', 'line 1 (jinja2>=2.10) is not pinned with =='],
    ['jinja2==2.* --hash=sha256:00\n', 'line 1 (jinja2==2.*) is not pinned with =='],
    ['jinja2 @ https://x.invalid/j.whl --hash=sha256:00\n', 'line 1 (jinja2 @ https://x.invalid/j.whl) is not pinned with =='],
    ['a==1 --hash=sha256:00\n-r other.txt\n', 'line 2 (-r) includes another file'],
    ['-e ./local\n', 'line 1 (-e) is not a pinned requirement'],
    ['# nothing\n--index-url https://pypi.org/simple\n', 'it lists no requirement']
  ])('%j is not a lock: %s', (text, reason) => {
    expect(readHashedRequirements(text)).toEqual({ reason })
  })
})

describe('lock lookup', () => {
  test('a hashed requirements.txt is a lock; one without hashes is not, and the package goes on to resolution', () => {
    expect(findLockFile(path.join(LOCKS, 'hashed'), LOCKS)).toEqual({
      file: path.join(LOCKS, 'hashed', 'requirements.txt'),
      kind: 'requirements'
    })
    expect(findLockFile(path.join(LOCKS, 'unhashed'), path.join(LOCKS, 'unhashed'))).toBeUndefined()
  })

  test('in each folder poetry.lock, uv.lock, pylock.toml, then requirements.txt; the package folder before the root', () => {
    const hashed = fs.readFileSync(path.join(LOCKS, 'hashed', 'requirements.txt'), 'utf8')
    const root = write(scratch.tempDir('dk-lock-order-'), {
      'pylock.toml': 'lock-version = "1.0"\n',
      'uv.lock': 'version = 1\n',
      'packages/a/requirements.txt': hashed,
      'packages/a/pylock.toml': 'lock-version = "1.0"\n',
      'packages/b/requirements.txt': hashed,
      'packages/c/requirements.txt': 'jinja2==2.10\n',
      'packages/c/pylock.named.toml': 'lock-version = "1.0"\n'
    })
    expect(findLockFile(path.join(root, 'packages/a'), root)).toEqual({ file: path.join(root, 'packages/a/pylock.toml'), kind: 'pylock' })
    expect(findLockFile(path.join(root, 'packages/b'), root)).toEqual({
      file: path.join(root, 'packages/b/requirements.txt'),
      kind: 'requirements'
    })
    // Neither an unhashed requirements file nor a named pylock: the root's locks, uv.lock first.
    expect(findLockFile(path.join(root, 'packages/c'), root)).toEqual({ file: path.join(root, 'uv.lock'), kind: 'uv' })
    fs.rmSync(path.join(root, 'uv.lock'))
    expect(findLockFile(path.join(root, 'packages/c'), root)).toEqual({ file: path.join(root, 'pylock.toml'), kind: 'pylock' })
  })
})

describe('the requirements resolved without a lock', () => {
  test("a package's own and its workspace dependencies' requirements, the workspace packages left out, extras and markers kept", () => {
    const root = write(scratch.tempDir('dk-reqs-'), {
      'packages/core/pyproject.toml': project(
        'acme-core',
        ['tomli>=2; python_version < "3.11"'],
        '[project.optional-dependencies]\nspeed = ["markupsafe>=2"]\nunused = ["numpy"]\n'
      ),
      'packages/util/pyproject.toml': project('acme_util', ['acme-core', 'requests[socks]>=2.31']),
      'packages/app/pyproject.toml': project(
        'acme-app',
        ['Acme.Util>=1.0', 'acme-core[speed] ; sys_platform == "linux"', 'jinja2==2.10'],
        '[project.optional-dependencies]\ndocs = ["sphinx"]\n'
      ),
      'packages/lone/pyproject.toml': project('acme-lone', ['acme-core'])
    })
    const ws = discoverWorkspace(root)
    // Depth first, in the order the requirements are written.
    expect(thirdPartyRequirements(ws.get('acme-app')!, ws)).toEqual([
      'tomli>=2 ; python_version < "3.11"',
      'requests[socks]>=2.31',
      'markupsafe>=2 ; sys_platform == "linux"',
      'jinja2==2.10'
    ])
    expect(thirdPartyRequirements(ws.get('acme-util')!, ws)).toEqual(['tomli>=2 ; python_version < "3.11"', 'requests[socks]>=2.31'])
    expect(thirdPartyRequirements(ws.get('acme-lone')!, ws)).toEqual(['tomli>=2 ; python_version < "3.11"'])
  })

  test('a workspace dependency reached only under a marker brings its requirements under that marker; cycles through extras end', () => {
    const root = write(scratch.tempDir('dk-reqs-marker-'), {
      'packages/a/pyproject.toml': project('a', ['b[x]; python_version >= "3.10"']),
      'packages/b/pyproject.toml': project('b', ['click; os_name == "posix"'], '[project.optional-dependencies]\nx = ["c"]\n'),
      'packages/c/pyproject.toml': project('c', ['b[x]', 'attrs']),
      'packages/d/pyproject.toml': project('d', ['e[y]; os_name == "nt"']),
      'packages/e/pyproject.toml': project('e', [], '[project.optional-dependencies]\ny = ["e[y]; python_version > \'3\'", "six"]\n')
    })
    const ws = discoverWorkspace(root)
    expect(thirdPartyRequirements(ws.get('a')!, ws)).toEqual([
      'click ; (os_name == "posix") and (python_version >= "3.10")',
      'attrs ; python_version >= "3.10"'
    ])
    expect(thirdPartyRequirements(ws.get('c')!, ws)).toEqual(['click ; os_name == "posix"', 'attrs'])
    // Each time round e's extra the marker grows; the walk stops all the same.
    const d = thirdPartyRequirements(ws.get('d')!, ws)
    expect(d).toContain('six ; os_name == "nt"')
    expect(d.length).toBeLessThanOrEqual(ws.packages.length + 1)
    expect(d.every((r) => r.startsWith('six ; '))).toBe(true)
  })

  test('the example monorepo needs nothing from the index', () => {
    const ws = discoverWorkspace(path.resolve('examples/monorepo'))
    expect(ws.packages.length).toBeGreaterThan(1)
    for (const p of ws.packages) expect(thirdPartyRequirements(p, ws)).toEqual([])
  })

  test('uv pip compile output: pinned lines are the set; a URL requirement has no version to audit', () => {
    expect(
      parseCompiled(
        'jinja2==2.10\nMarkupSafe==3.0.4\n    # via jinja2\nrequests[socks]==2.31.0\nvendored @ git+https://x.invalid/v.git@0123\n'
      )
    ).toEqual({
      pinned: [
        { name: 'jinja2', version: '2.10' },
        { name: 'MarkupSafe', version: '3.0.4' },
        { name: 'requests', version: '2.31.0' }
      ],
      unpinned: ['vendored @ git+https://x.invalid/v.git@0123']
    })
  })
})
