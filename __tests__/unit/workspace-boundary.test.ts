/**
 * Discovery stays inside the repository root, symlinks out of it are found, and a package
 * folder without a name is an error, never a silent skip. Real folders and real symlinks.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { changedFiles } from '../../packages-shared/changes.js'
import { UserError } from '../../packages-shared/errors.js'
import { parseInsidePath } from '../../packages-shared/inputs.js'
import { findUnsafeLinks, guardPackages } from '../../packages-shared/links.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { commitAll, git } from './helpers/git-repo.js'
import { runCommand } from '../../packages-shared/exec.js'

const tempDir = tempDirs('dk-boundary-')

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

const project = (name: string, extra = ''): string => `[project]\nname = "${name}"\nversion = "0.1.0"\n${extra}`

/** A parent folder holding the repository `repo` and a sibling `outside` package next to it. */
function layout(): { parent: string; repo: string; outside: string } {
  const parent = tempDir()
  const repo = path.join(parent, 'repo')
  const outside = path.join(parent, 'outside')
  write(outside, 'pyproject.toml', project('outside-pkg'))
  write(outside, 'outside_pkg/__init__.py', 'SECRET = 1\n')
  write(repo, 'packages/inner/pyproject.toml', project('inner'))
  write(repo, 'packages/inner/inner/__init__.py', '')
  return { parent, repo, outside }
}

describe('folders outside the repository are not followed', () => {
  test("a uv member glob '../*' is not expanded and is reported in one line", () => {
    const { repo } = layout()
    write(repo, 'pyproject.toml', '[tool.uv.workspace]\nmembers = ["packages/*", "../*"]\n')
    const ws = discoverWorkspace(repo)
    expect(ws.packages.map((p) => p.id)).toEqual(['inner'])
    expect(ws.skipped).toHaveLength(1)
    const [skipped] = ws.skipped!
    expect(skipped!.message).toContain("uv workspace member '../*'")
    expect(skipped!.message).toContain('outside the repository root')
    expect(skipped!.message).not.toMatch(/\n/)
    // Not even the names of the folders outside are read.
    expect(skipped!.message).not.toContain('outside-pkg')
    expect(skipped!.message).not.toMatch(/\boutside\b(?! the)/)
  })

  test("a Poetry path dependency '../outside' is not read, linked or reported twice", () => {
    const { repo } = layout()
    write(
      repo,
      'pyproject.toml',
      '[tool.poetry]\nname = "app"\nversion = "1.0.0"\n[tool.poetry.dependencies]\npython = "^3.11"\n' +
        'outside-pkg = { path = "../outside" }\ninner = { path = "packages/inner" }\n' +
        '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    const ws = discoverWorkspace(repo)
    expect(ws.packages.map((p) => p.id).sort()).toEqual(['app', 'inner'])
    expect(ws.get('app')!.internalDeps).toEqual(['inner'])
    expect(ws.skipped!.map((s) => s.message)).toEqual([expect.stringContaining("Poetry path dependency '../outside' in pyproject.toml")])
  })

  test('a symlinked package folder pointing outside is reported with its link, and not followed', () => {
    const { repo, outside } = layout()
    fs.symlinkSync(outside, path.join(repo, 'packages', 'linked'))
    const ws = discoverWorkspace(repo)
    expect(ws.packages.map((p) => p.id)).toEqual(['inner'])
    expect(ws.skipped).toHaveLength(1)
    expect(ws.skipped![0]!.message).toContain(`packages/linked (a symlink to ${outside})`)
  })

  test('a symlinked package folder pointing inside is the one package it points at', () => {
    const { repo } = layout()
    write(repo, 'libs/real/pyproject.toml', project('real'))
    fs.symlinkSync(path.join('..', 'libs', 'real'), path.join(repo, 'packages', 'alias'))
    write(repo, 'pyproject.toml', '[tool.uv.workspace]\nmembers = ["libs/*", "packages/*"]\n')
    const ws = discoverWorkspace(repo)
    expect(ws.packages.map((p) => `${p.id}@${p.relDir}`).sort()).toEqual(['inner@packages/inner', 'real@libs/real'])
    expect(ws.skipped).toEqual([])
  })

  test('an absolute member path is refused', () => {
    const { repo, outside } = layout()
    write(repo, 'pyproject.toml', `[tool.dk-actions]\npackages = [${JSON.stringify(outside)}]\n`)
    const ws = discoverWorkspace(repo)
    expect(ws.packages.map((p) => p.id)).toEqual(['inner'])
    expect(ws.skipped![0]!.message).toContain('[tool.dk-actions] packages entry')
  })
})

describe('a package folder without a name is an error, not a skip', () => {
  test.each([
    ['[project] without a name', '[project]\nversion = "1.0"\n', '[project]', 'under [project]'],
    ['[tool.poetry] without a name', '[tool.poetry]\nversion = "1.0"\n', '[tool.poetry]', 'under [tool.poetry]'],
    ['only a build system', '[build-system]\nrequires = ["setuptools"]\n', '[build-system]', 'under [project]']
  ])('a member with %s names the file and the fix', (_label, toml, table, fix) => {
    const dir = tempDir()
    write(dir, 'packages/good/pyproject.toml', project('good'))
    write(dir, 'packages/nameless/pyproject.toml', toml)
    const { message } = userError(() => discoverWorkspace(dir))
    expect(message).toContain(path.join(dir, 'packages', 'nameless', 'pyproject.toml'))
    expect(message).toContain(`has ${table} but no package name`)
    expect(message).toContain(fix)
    expect(message).toContain('package = false')
  })

  test('a root with a build system and a nameless [project] is an error', () => {
    const dir = tempDir()
    write(
      dir,
      'pyproject.toml',
      '[project]\nversion = "1.0"\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    expect(userError(() => discoverWorkspace(dir)).message).toContain('but no package name')
  })

  test.each([
    ['[tool.uv] package = false', '[project]\nname = "root"\n[tool.uv]\npackage = false\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'],
    [
      'a nameless [project] without a build system',
      '[project]\nrequires-python = ">=3.11"\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    ],
    ['tool configuration only', '[tool.black]\nline-length = 100\n']
  ])('a virtual root (%s) is not a distribution', (_label, toml) => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', toml)
    write(dir, 'packages/good/pyproject.toml', project('good'))
    expect(discoverWorkspace(dir).packages.map((p) => p.id)).toEqual(['good'])
  })

  test('a member whose metadata is only in setup.py is read through the build backend, not skipped', () => {
    const dir = tempDir()
    write(dir, 'packages/good/pyproject.toml', project('good'))
    write(dir, 'packages/legacy/pyproject.toml', '[tool.black]\nline-length = 100\n')
    write(dir, 'packages/legacy/setup.py', 'from setuptools import setup\nsetup(name="legacy", version="1.2")\n')
    const ws = discoverWorkspace(dir)
    expect(ws.packages.map((p) => [p.id, p.version, p.metadataSource])).toEqual([
      ['good', '0.1.0', 'static'],
      ['legacy', '1.2', 'pep517']
    ])
  })

  test('a setup.py the backend cannot run is an error naming the file and the backend', () => {
    const dir = tempDir()
    write(dir, 'packages/good/pyproject.toml', project('good'))
    write(dir, 'packages/broken/setup.py', 'raise SystemExit("no metadata here")\n')
    const { message } = userError(() => discoverWorkspace(dir))
    expect(message).toContain('packages/broken/setup.py')
    expect(message).toContain('setuptools.build_meta:__legacy__')
    expect(message).toContain('no metadata here')
  })

  test('a member marked package = false is not a distribution either', () => {
    const dir = tempDir()
    write(dir, 'packages/good/pyproject.toml', project('good'))
    write(dir, 'packages/scripts-only/pyproject.toml', '[project]\nversion = "0"\n[tool.uv]\npackage = false\n')
    expect(discoverWorkspace(dir).packages.map((p) => p.id)).toEqual(['good'])
  })
})

test('invalid TOML names the file, the line and the column', () => {
  const dir = tempDir()
  write(dir, 'packages/bad/pyproject.toml', '[project]\nname = "bad"\nversion = \n')
  const { message } = userError(() => discoverWorkspace(dir))
  expect(message).toMatch(
    new RegExp(
      `${path.join(dir, 'packages', 'bad', 'pyproject.toml').replace(/[/\\.]/g, '\\$&')} is not valid TOML at line 3, column \\d+: `
    )
  )
})

describe('path inputs are judged where they really resolve', () => {
  test('a path input that is a symlink out of the workspace is refused in one line', () => {
    const { parent, repo } = layout()
    fs.symlinkSync(parent, path.join(repo, 'up'))
    const { message } = userError(() => parseInsidePath('suites', 'up/outside', repo))
    expect(message).toContain("Input 'suites'")
    expect(message).toContain('resolves outside the workspace')
    // A symlink that stays inside, and a path that does not exist yet, are fine.
    fs.symlinkSync(path.join(repo, 'packages'), path.join(repo, 'pk'))
    expect(parseInsidePath('suites', 'pk/inner', repo)).toBe(path.join(repo, 'pk', 'inner'))
    expect(parseInsidePath('report-dir', 'not/yet', repo)).toBe(path.join(repo, 'not', 'yet'))
  })
})

describe('symlinks inside a package', () => {
  function pkgWithLinks(): { repo: string; outsideFile: string } {
    const { parent, repo } = layout()
    const outsideFile = path.join(parent, 'secret.txt')
    fs.writeFileSync(outsideFile, 'secret\n')
    fs.symlinkSync(outsideFile, path.join(repo, 'packages', 'inner', 'inner', 'secret.txt'))
    fs.symlinkSync(path.join('..', '..', '..', '..', 'nowhere.py'), path.join(repo, 'packages', 'inner', 'inner', 'gone.py'))
    // Dangling, but it would point inside the repository (a renamed example): left to the backend.
    fs.symlinkSync(path.join('..', 'renamed.ipynb'), path.join(repo, 'packages', 'inner', 'inner', 'moved.ipynb'))
    // Inside the repository: allowed.
    write(repo, 'shared/common.py', 'X = 1\n')
    fs.symlinkSync(path.join('..', '..', '..', 'shared', 'common.py'), path.join(repo, 'packages', 'inner', 'inner', 'common.py'))
    return { repo, outsideFile }
  }

  test('links out of the repository and dangling links that would point out are found; links inside are allowed', () => {
    const { repo, outsideFile } = pkgWithLinks()
    expect(findUnsafeLinks(repo, path.join(repo, 'packages', 'inner'))).toEqual([
      { file: 'packages/inner/inner/gone.py', target: path.join('..', '..', '..', '..', 'nowhere.py'), kind: 'dangling' },
      { file: 'packages/inner/inner/secret.txt', target: outsideFile, kind: 'outside' }
    ])
  })

  test('a linked folder out of the repository is found, a virtual environment is not walked', () => {
    const { repo, outside } = layout()
    fs.symlinkSync(outside, path.join(repo, 'packages', 'inner', 'inner', 'vendored'))
    fs.mkdirSync(path.join(repo, 'packages', 'inner', '.venv', 'bin'), { recursive: true })
    fs.symlinkSync('/usr/bin/python3', path.join(repo, 'packages', 'inner', '.venv', 'bin', 'python'))
    expect(findUnsafeLinks(repo, path.join(repo, 'packages', 'inner')).map((l) => l.file)).toEqual(['packages/inner/inner/vendored'])
  })

  test('guardPackages refuses the package with one error finding per link, never the content', () => {
    const { repo } = pkgWithLinks()
    write(repo, 'packages/clean/pyproject.toml', project('clean'))
    const ws = discoverWorkspace(repo)
    const guard = guardPackages(repo, ws.packages, 'built')
    expect(guard.safe.map((p) => p.id)).toEqual(['clean'])
    expect([...guard.refused.keys()]).toEqual(['inner'])
    expect(guard.check!.status).toBe('failed')
    expect(guard.check!.findings.map((f) => [f.file, f.severity, f.rule])).toEqual([
      ['packages/inner/inner/gone.py', 'error', 'symlink-dangling'],
      ['packages/inner/inner/secret.txt', 'error', 'symlink-outside']
    ])
    expect(guard.check!.findings[1]!.message).toMatch(
      /^packages\/inner\/inner\/secret\.txt is a symlink to .*secret\.txt, outside the repository: inner is not built\. /
    )
    expect(JSON.stringify(guard.check)).not.toContain('secret\\n')
  })

  test('a clean repository gives no check', () => {
    const { repo } = layout()
    const guard = guardPackages(repo, discoverWorkspace(repo).packages, 'built')
    expect(guard.check).toBeUndefined()
    expect(guard.safe.map((p) => p.id)).toEqual(['inner'])
  })
})

describe('packages: changed on a repository that cannot answer', () => {
  async function rejection(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).not.toMatch(/\n/)
    return (error as UserError).message
  }

  test('an empty repository (git init, no commit) says to commit or use all', async () => {
    const dir = tempDir()
    write(dir, 'packages/a/pyproject.toml', project('a'))
    git(dir, 'init', '-q', '-b', 'main')
    const message = await rejection(changedFiles(dir, 'HEAD~1', runCommand))
    expect(message).toContain('has no commit yet')
    expect(message).toContain("'packages: all'")
  })

  test('a shallow clone without the base says to fetch it or use fetch-depth: 0', async () => {
    const origin = tempDir()
    write(origin, 'packages/a/pyproject.toml', project('a'))
    git(origin, 'init', '-q', '-b', 'main')
    commitAll(origin, 'one')
    write(origin, 'packages/a/a.py', '')
    commitAll(origin, 'two')
    const clone = path.join(tempDir(), 'clone')
    git(path.dirname(clone), 'clone', '-q', '--depth', '1', `file://${origin}`, clone)
    const message = await rejection(changedFiles(clone, 'HEAD~1', runCommand))
    expect(message).toContain('missing from this shallow clone')
    expect(message).toContain("'fetch-depth: 0'")
    expect(message).toContain('git fetch origin HEAD~1')
  })
})
