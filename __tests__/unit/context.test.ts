import * as fs from 'node:fs'
import * as path from 'node:path'
import { createContext, parseCommonInputs, parsePackageSpec, selectPackages } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { FIXTURES, commitAll, repoFromFixture, writeFile } from './helpers/git-repo.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { runCommand } from '../../packages-shared/exec.js'

const tempDir = tempDirs()

describe('parsePackageSpec', () => {
  test.each([
    ['', { mode: 'all' }],
    ['  ', { mode: 'all' }],
    ['all', { mode: 'all' }],
    ['ALL', { mode: 'all' }],
    ['changed', { mode: 'changed' }],
    [' Changed ', { mode: 'changed' }],
    ['core', { mode: 'list', items: ['core'] }],
    ['core, api', { mode: 'list', items: ['core', 'api'] }],
    ['packages/core\npackages/api\n# not this one\n', { mode: 'list', items: ['packages/core', 'packages/api'] }],
    ['all, core', { mode: 'list', items: ['all', 'core'] }]
  ])('%j → %j', (raw, expected) => {
    expect(parsePackageSpec(raw)).toEqual(expected)
  })
})

describe('parseCommonInputs', () => {
  let workspace: string
  let temp: string
  beforeEach(() => {
    workspace = tempDir('dk-ctx-ws-')
    temp = tempDir('dk-ctx-tmp-')
  })

  function parse(inputs: Record<string, string>, env: Record<string, string | undefined> = {}, cwd = '/nowhere') {
    const io = createMemoryIO(inputs, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp, ...env })
    return parseCommonInputs(new InputReader(io), io, cwd)
  }

  test('defaults', () => {
    const common = parse({})
    expect(common.workspace).toBe(workspace)
    expect(common.workingDirectory).toBe(workspace)
    expect(common.packages).toEqual({ mode: 'all' })
    expect(common.baseRef).toBe('HEAD~1')
    expect(common.python).toBe('python3')
    expect(common.install).toBe('auto')
    expect(common.reportDir).toBe(path.join(temp, 'dk-actions'))
    expect(common.artifactName).toBe('')
    expect(Number.isInteger(common.maxParallel)).toBe(true)
    expect(common.maxParallel).toBeGreaterThanOrEqual(1)
  })

  test('reads every input', () => {
    const common = parse({
      'working-directory': 'python',
      packages: 'changed',
      'base-ref': 'origin/develop',
      python: 'python3.12',
      install: 'Isolated',
      'report-dir': 'reports/quality',
      'artifact-name': 'quality-report',
      'max-parallel': '3',
      cache: 'false'
    })
    expect(common).toEqual({
      workspace,
      workingDirectory: path.join(workspace, 'python'),
      packages: { mode: 'changed' },
      baseRef: 'origin/develop',
      python: 'python3.12',
      install: 'isolated',
      reportDir: path.join(workspace, 'reports', 'quality'),
      artifactName: 'quality-report',
      maxParallel: 3,
      cache: false
    })
  })

  test('without GITHUB_WORKSPACE the workspace is the current directory', () => {
    const cwd = tempDir('dk-ctx-cwd-')
    const io = createMemoryIO({ 'working-directory': 'sub' }, { RUNNER_TEMP: temp })
    const common = parseCommonInputs(new InputReader(io), io, cwd)
    expect(common.workspace).toBe(cwd)
    expect(common.workingDirectory).toBe(path.join(cwd, 'sub'))
  })

  test.each(['..', '../elsewhere', 'a/../../b'])('working-directory %j outside the workspace is refused', (bad) => {
    const error = userError(() => parse({ 'working-directory': bad }))
    expect(error.message).toContain("'working-directory'")
    expect(error.message).toContain(bad)
    expect(error.message).toContain(workspace)
  })

  test('an absolute working-directory outside the workspace is refused', () => {
    const error = userError(() => parse({ 'working-directory': temp }))
    expect(error.message).toContain("'working-directory'")
    expect(error.message).toContain(temp)
  })

  test('an absolute working-directory inside the workspace is accepted', () => {
    expect(parse({ 'working-directory': path.join(workspace, 'x') }).workingDirectory).toBe(path.join(workspace, 'x'))
  })

  test('report-dir may be in the runner temp directory', () => {
    expect(parse({ 'report-dir': path.join(temp, 'mine') }).reportDir).toBe(path.join(temp, 'mine'))
  })

  test.each(['../reports', path.join(path.parse(process.cwd()).root, 'etc', 'dk-reports')])(
    'report-dir %j outside both the workspace and temp is refused',
    (bad) => {
      const error = userError(() => parse({ 'report-dir': bad }))
      expect(error.message).toContain("'report-dir'")
      expect(error.message).toContain(bad)
      expect(error.message).toContain(workspace)
      expect(error.message).toContain(temp)
    }
  )

  test('install enum error lists the allowed values', () => {
    const error = userError(() => parse({ install: 'conda' }))
    expect(error.message).toBe(`Input 'install' has an invalid value "conda": allowed values are auto, project, isolated, none.`)
  })

  test.each(['0', '65', 'many', '2.5'])('max-parallel %j is refused', (bad) => {
    const error = userError(() => parse({ 'max-parallel': bad }))
    expect(error.message).toContain("'max-parallel'")
    expect(error.message).toContain('from 1 to 64')
  })

  test('the default base ref follows a pull request', () => {
    expect(parse({}, { GITHUB_BASE_REF: 'main' }).baseRef).toBe('origin/main')
  })

  test("the default base ref is a push's before sha from the event file", () => {
    const event = path.join(temp, 'event.json')
    const before = 'a'.repeat(40)
    fs.writeFileSync(event, JSON.stringify({ before }))
    expect(parse({}, { GITHUB_EVENT_PATH: event }).baseRef).toBe(before)
    fs.writeFileSync(event, JSON.stringify({ before: '0'.repeat(40) }))
    expect(parse({}, { GITHUB_EVENT_PATH: event }).baseRef).toBe('HEAD~1')
    fs.writeFileSync(event, 'not json')
    expect(parse({}, { GITHUB_EVENT_PATH: event }).baseRef).toBe('HEAD~1')
  })
})

describe('selectPackages', () => {
  const ws = discoverWorkspace(path.join(FIXTURES, 'uv-hatch'))
  const ids = async (spec: Parameters<typeof selectPackages>[1]): Promise<string[]> =>
    (await selectPackages(ws, spec, 'HEAD~1', runCommand)).packages.map((p) => p.id)

  test('all selects every package in dependency order', async () => {
    expect(await ids({ mode: 'all' })).toEqual(['alpha-lib', 'beta-lib', 'gamma-lib'])
  })

  test('a list of names (any spelling) and paths, in dependency order', async () => {
    expect(await ids({ mode: 'list', items: ['gamma-lib', 'Alpha_Lib'] })).toEqual(['alpha-lib', 'gamma-lib'])
    expect(await ids({ mode: 'list', items: ['libs/beta', './libs/gamma/', 'BETA.LIB'] })).toEqual(['beta-lib', 'gamma-lib'])
    expect(await ids({ mode: 'list', items: [path.join(ws.root, 'libs', 'alpha')] })).toEqual(['alpha-lib'])
  })

  test('a list does not add dependents or dependencies', async () => {
    expect(await ids({ mode: 'list', items: ['beta-lib'] })).toEqual(['beta-lib'])
  })

  test('an unknown name is refused with the known packages listed', async () => {
    let caught: unknown
    try {
      await selectPackages(ws, { mode: 'list', items: ['alpha-lib', 'delta-lib'] }, 'HEAD~1', runCommand)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(UserError)
    const message = (caught as UserError).message
    expect(message).toContain("'packages'")
    expect(message).toContain('"delta-lib"')
    expect(message).toContain('Known packages: Alpha_Lib (libs/alpha), beta-lib (libs/beta), gamma-lib (libs/gamma)')
  })

  test('changed selects the changed package and its dependents (real git)', async () => {
    const dir = repoFromFixture('uv-hatch')
    tempDir.track(dir)
    writeFile(dir, 'libs/alpha/src/alpha_lib/new.py', 'N = 1\n')
    commitAll(dir, 'change alpha')
    const selection = await selectPackages(discoverWorkspace(dir), { mode: 'changed' }, 'HEAD~1', runCommand)
    expect(selection.packages.map((p) => p.id)).toEqual(['alpha-lib', 'beta-lib', 'gamma-lib'])
    expect(selection.changes?.direct).toEqual(['alpha-lib'])
    expect(selection.changes?.files).toEqual(['libs/alpha/src/alpha_lib/new.py'])
  })
})

describe('createContext', () => {
  test('discovers the workspace lazily, once, from the working directory', async () => {
    const temp = tempDir('dk-ctx-rt-')
    const io = createMemoryIO({}, { RUNNER_TEMP: temp })
    const ctx = createContext(io, {
      workspace: FIXTURES,
      workingDirectory: path.join(FIXTURES, 'pep621'),
      packages: { mode: 'list', items: ['two'] },
      baseRef: 'HEAD~1',
      python: 'python3',
      install: 'auto',
      reportDir: path.join(temp, 'dk-actions'),
      artifactName: '',
      maxParallel: 2,
      cache: true
    })
    expect(ctx.tempDir).toBe(temp)
    expect(ctx.cacheRoot).toBe(path.join(temp, 'dk-actions-cache'))
    const ws = ctx.workspace()
    expect(ws).toBe(ctx.workspace())
    expect(ws.packages.map((p) => p.id)).toEqual(['one', 'two'])
    const first = ctx.selection()
    expect(ctx.selection()).toBe(first)
    expect((await first).packages.map((p) => p.id)).toEqual(['two'])
  })

  test('a context for a directory without packages fails only when the workspace is needed', () => {
    const empty = tempDir('dk-ctx-empty-')
    const io = createMemoryIO({}, { RUNNER_TEMP: empty })
    const ctx = createContext(io, {
      workspace: empty,
      workingDirectory: empty,
      packages: { mode: 'all' },
      baseRef: 'HEAD~1',
      python: 'python3',
      install: 'auto',
      reportDir: empty,
      artifactName: '',
      maxParallel: 1,
      cache: true
    })
    expect(() => ctx.workspace()).toThrow('No Python packages found')
  })
})
