import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { changedFiles, defaultBaseRef, detectChanges, selectByFiles } from '../../packages-shared/changes.js'
import { UserError } from '../../packages-shared/errors.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { FIXTURES, commitAll, git, repoFromFixture, writeFile } from './helpers/git-repo.js'
import { runCommand } from '../../packages-shared/exec.js'

const temps: string[] = []
function repo(fixture: string): string {
  const dir = repoFromFixture(fixture)
  temps.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
})

async function userError(promise: Promise<unknown>): Promise<UserError> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(UserError)
  return caught as UserError
}

describe('defaultBaseRef', () => {
  const SHA = '3f786850e387550fdab836ed7e6dc881de23001b'

  test.each([
    ['a pull request uses its base branch', { GITHUB_BASE_REF: 'main' }, SHA, 'origin/main'],
    ['a pull request into a release branch', { GITHUB_BASE_REF: 'release/1.x' }, undefined, 'origin/release/1.x'],
    ['a push uses the before sha', { GITHUB_EVENT_NAME: 'push' }, SHA, SHA],
    ['an empty GITHUB_BASE_REF is ignored', { GITHUB_BASE_REF: '' }, SHA, SHA],
    ['a new branch (zero before sha) falls back to HEAD~1', {}, '0000000000000000000000000000000000000000', 'HEAD~1'],
    ['no event information falls back to HEAD~1', {}, undefined, 'HEAD~1'],
    ['an empty before falls back to HEAD~1', {}, '', 'HEAD~1']
  ])('%s', (_label, env, before, expected) => {
    expect(defaultBaseRef(env, before)).toBe(expected)
  })
})

describe('detectChanges with real git', () => {
  test('a change in a leaf package selects only it', async () => {
    const dir = repo('pep621')
    writeFile(dir, 'packages/two/src/two/__init__.py', '"""changed"""\nVALUE = 2\n')
    commitAll(dir, 'change two')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.files).toEqual(['packages/two/src/two/__init__.py'])
    expect(changes.direct).toEqual(['two'])
    expect(changes.selected).toEqual(['two'])
    expect(changes.sharedChange).toBeUndefined()
    expect(changes.base).toBe(git(dir, 'rev-parse', 'HEAD~1').trim())
  })

  test('a change in a base package selects it and its dependents', async () => {
    const dir = repo('pep621')
    writeFile(dir, 'packages/one/src/one/__init__.py', 'X = 1\n')
    commitAll(dir, 'change one')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.direct).toEqual(['one'])
    expect(changes.selected).toEqual(['one', 'two'])
  })

  test('in a chain only the changed package and those above it are selected', async () => {
    const dir = repo('uv-hatch')
    writeFile(dir, 'libs/beta/src/beta_lib/extra.py', 'Y = 2\n')
    commitAll(dir, 'change beta')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.files).toEqual(['libs/beta/src/beta_lib/extra.py'])
    expect(changes.direct).toEqual(['beta-lib'])
    expect(changes.selected).toEqual(['beta-lib', 'gamma-lib'])
    expect(changes.selected).not.toContain('alpha-lib')
  })

  test('no change selects nothing', async () => {
    const dir = repo('uv-hatch')
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'empty')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.files).toEqual([])
    expect(changes.selected).toEqual([])
  })

  test('a change outside every package selects nothing', async () => {
    const dir = repo('pep621')
    writeFile(dir, 'docs/index.md', '# docs\n')
    writeFile(dir, 'packages/not-a-package/README.md', 'changed\n')
    commitAll(dir, 'docs')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.files).toEqual(['docs/index.md', 'packages/not-a-package/README.md'])
    expect(changes.direct).toEqual([])
    expect(changes.selected).toEqual([])
  })

  test('a change to the root pyproject.toml selects every package', async () => {
    const dir = repo('pep621')
    writeFile(dir, 'pyproject.toml', '[tool.black]\nline-length = 100\n')
    commitAll(dir, 'root config')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.sharedChange).toBe('pyproject.toml')
    expect(changes.direct).toEqual([])
    expect(changes.selected).toEqual(['one', 'two'])
  })

  test.each(['uv.lock', 'poetry.lock', 'requirements-dev.txt', '.flake8'])('a change to %s selects every package', async (file) => {
    const dir = repo('uv-hatch')
    writeFile(dir, file, 'content\n')
    commitAll(dir, `add ${file}`)
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.sharedChange).toBe(file)
    expect(changes.selected).toEqual(['alpha-lib', 'beta-lib', 'gamma-lib'])
  })

  test('a nested config file of the same name is not shared configuration', async () => {
    const dir = repo('pep621')
    writeFile(dir, 'packages/one/requirements.txt', 'requests\n')
    commitAll(dir, 'nested requirements')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.sharedChange).toBeUndefined()
    expect(changes.selected).toEqual(['one', 'two'])
  })

  test('uncommitted and untracked work is counted', async () => {
    const dir = repo('uv-hatch')
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'second')
    writeFile(dir, 'libs/gamma/src/gamma_lib/new_module.py', 'Z = 3\n')
    const changes = await detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand)
    expect(changes.files).toEqual(['libs/gamma/src/gamma_lib/new_module.py'])
    expect(changes.selected).toEqual(['gamma-lib'])
  })

  test('the comparison is with the merge base, so base-branch progress is not a change', async () => {
    const dir = repo('pep621')
    git(dir, 'checkout', '-q', '-b', 'feature')
    writeFile(dir, 'packages/two/src/two/feature.py', 'F = 1\n')
    commitAll(dir, 'feature work')
    git(dir, 'checkout', '-q', 'main')
    writeFile(dir, 'packages/one/src/one/main_only.py', 'M = 1\n')
    commitAll(dir, 'main moves on')
    git(dir, 'checkout', '-q', 'feature')
    const changes = await detectChanges(discoverWorkspace(dir), 'main', runCommand)
    expect(changes.files).toEqual(['packages/two/src/two/feature.py'])
    expect(changes.selected).toEqual(['two'])
  })

  test('paths are relative to a workspace in a subdirectory of the repository', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-git-sub-'))
    temps.push(dir)
    fs.cpSync(path.join(FIXTURES, 'pep621'), path.join(dir, 'python'), { recursive: true })
    writeFile(dir, 'README.md', 'top\n')
    git(dir, 'init', '-q', '-b', 'main')
    commitAll(dir, 'initial')
    writeFile(dir, 'python/packages/one/src/one/x.py', 'X = 1\n')
    writeFile(dir, 'README.md', 'changed top\n')
    commitAll(dir, 'change')
    const changes = await detectChanges(discoverWorkspace(path.join(dir, 'python')), 'HEAD~1', runCommand)
    expect(changes.files).toEqual(['packages/one/src/one/x.py'])
    expect(changes.selected).toEqual(['one', 'two'])
  })

  test('an unknown base ref gives a UserError mentioning fetch-depth', async () => {
    const dir = repo('pep621')
    const error = await userError(detectChanges(discoverWorkspace(dir), 'origin/does-not-exist', runCommand))
    expect(error.message).toContain("'origin/does-not-exist'")
    expect(error.message).toContain('fetch-depth')
  })

  test('HEAD~1 in a single-commit clone is an unknown base ref', async () => {
    const dir = repo('single')
    const error = await userError(changedFiles(dir, 'HEAD~1', runCommand))
    expect(error.message).toContain('fetch-depth: 0')
  })

  test('a directory that is not a git checkout gives a UserError', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-nogit-'))
    temps.push(dir)
    fs.cpSync(path.join(FIXTURES, 'pep621'), dir, { recursive: true })
    const error = await userError(detectChanges(discoverWorkspace(dir), 'HEAD~1', runCommand))
    expect(error.message).toContain('needs a git checkout')
    expect(error.message).toContain(dir)
  })
})

describe('selectByFiles', () => {
  test('a root package owns every file, so any change selects it', () => {
    const ws = discoverWorkspace(path.join(FIXTURES, 'poetry-path'))
    expect(selectByFiles(ws, ['poetry_app/__init__.py'])).toEqual({
      direct: ['poetry-app'],
      selected: ['poetry-app']
    })
    // A nested package wins over the root one for its own files.
    expect(selectByFiles(ws, ['components/core-lib/core_lib/__init__.py'])).toEqual({
      direct: ['core-lib'],
      selected: ['core-lib', 'api-lib', 'poetry-app']
    })
  })

  test('a sibling whose name starts the same is not matched', () => {
    const ws = discoverWorkspace(path.join(FIXTURES, 'pep621'))
    expect(selectByFiles(ws, ['packages/one-extra/x.py']).selected).toEqual([])
  })

  test('selected follows dependency order', () => {
    const ws = discoverWorkspace(path.join(FIXTURES, 'uv-hatch'))
    expect(selectByFiles(ws, ['libs/gamma/a.py', 'libs/alpha/b.py']).selected).toEqual(['alpha-lib', 'beta-lib', 'gamma-lib'])
  })
})
