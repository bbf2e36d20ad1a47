import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { removeOwned } from '../../packages-shared/output-dirs.js'
import {
  INSTALL_MODES,
  applyPins,
  parseToolVersions,
  toolCacheRoot,
  toolEnv,
  type ToolRequirement
} from '../../packages-shared/python/toolbox.js'
import { createVenv, installInto, replaceVenv } from '../../packages-shared/python/venv.js'
import { recordedExec, type Answer } from '../helpers/recorded.js'
import { findPython } from '../../packages-shared/python/interpreter.js'
import { userError } from './helpers/assertions.js'
import { runCommand } from '../../packages-shared/exec.js'
import { childEnv } from '../../packages-shared/child-env.js'

describe('parseToolVersions', () => {
  test.each([
    ['black==26.10.1, mypy==2.4.1', { black: '26.10.1', mypy: '2.4.1' }],
    ['black==26.10.1\nmypy==2.4.1\n', { black: '26.10.1', mypy: '2.4.1' }],
    ['  black == 26.10.1 ,\n\n mypy==2.4.1', { black: '26.10.1', mypy: '2.4.1' }],
    ['Flake8_Bugbear==24.2.6', { 'flake8-bugbear': '24.2.6' }],
    [
      'ruff==0.6.0rc1, pytest==8.0.0.post1, torch==2.1.0+cpu, x==1!2.0',
      { ruff: '0.6.0rc1', pytest: '8.0.0.post1', torch: '2.1.0+cpu', x: '1!2.0' }
    ],
    ['', {}]
  ])('%j → %j', (raw, expected) => {
    expect(parseToolVersions('tool-versions', raw)).toEqual(expected)
  })

  test('a later pin of the same tool wins', () => {
    expect(parseToolVersions('tool-versions', 'black==1.0, Black==2.0')).toEqual({ black: '2.0' })
  })

  test.each([
    'black',
    'black>=26.10.1',
    'black=26.10.1',
    '==26.10.1',
    'black==',
    'black==26.10.1 mypy==2.4.1',
    'black[d]==24.1.0',
    'black==1.0;python_version<"3.9"'
  ])('rejects %j naming the input and the entry', (bad) => {
    const error = userError(() => parseToolVersions('tool-versions', `mypy==2.4.1, ${bad}`))
    expect(error.message).toContain("'tool-versions'")
    expect(error.message).toContain(JSON.stringify(bad))
    expect(error.message).toContain('name==version')
    expect(error.message).not.toMatch(/\n/)
  })
})

describe('applyPins', () => {
  const TOOLS: ToolRequirement[] = [
    { requirement: 'black', version: '24.1.0', executable: 'black' },
    { requirement: 'bandit[toml]', version: '1.7.5', executable: 'bandit' },
    { requirement: 'Flake8', version: '7.0.0', executable: 'flake8' },
    { requirement: 'mypy', version: '1.8.0', executable: 'mypy' }
  ]

  test('replaces pinned versions, matching normalised names and ignoring extras', () => {
    const pinned = applyPins(TOOLS, { black: '26.10.1', bandit: '1.8.0', flake8: '7.1.1' })
    expect(pinned).toEqual([
      { requirement: 'black', version: '26.10.1', executable: 'black' },
      { requirement: 'bandit[toml]', version: '1.8.0', executable: 'bandit' },
      { requirement: 'Flake8', version: '7.1.1', executable: 'flake8' },
      { requirement: 'mypy', version: '1.8.0', executable: 'mypy' }
    ])
  })

  test('does not change the input and ignores pins for unknown tools', () => {
    const before = JSON.parse(JSON.stringify(TOOLS)) as ToolRequirement[]
    const pinned = applyPins(TOOLS, { pylint: '3.0.0' })
    expect(pinned).toEqual(before)
    expect(TOOLS).toEqual(before)
  })

  test('works with parseToolVersions output', () => {
    const pinned = applyPins(TOOLS, parseToolVersions('tool-versions', 'black==26.10.1, mypy==2.4.1'))
    expect(pinned.map((t) => `${t.requirement}==${t.version}`)).toEqual([
      'black==26.10.1',
      'bandit[toml]==1.7.5',
      'Flake8==7.0.0',
      'mypy==2.4.1'
    ])
  })
})

describe('toolEnv', () => {
  const CACHE = path.join(path.sep, 'runner', 'temp', 'dk-actions-cache')

  test('linux: PATH led by the venv bin, VIRTUAL_ENV, caches and quiet settings', () => {
    const env = toolEnv({ PATH: '/usr/bin:/bin', HOME: '/home/me' }, CACHE, '/venvs/abc/bin', 'linux')
    expect(env.PATH).toBe('/venvs/abc/bin:/usr/bin:/bin')
    expect(env.VIRTUAL_ENV).toBe('/venvs/abc')
    expect(env.HOME).toBe('/home/me')
    expect(env.UV_CACHE_DIR).toBe(path.join(CACHE, 'uv'))
    expect(env.PIP_CACHE_DIR).toBe(path.join(CACHE, 'pip'))
    expect(env.PIP_DISABLE_PIP_VERSION_CHECK).toBe('1')
    expect(env.PYTHONDONTWRITEBYTECODE).toBe('1')
    expect(env.NO_COLOR).toBe('1')
    expect(env.Path).toBeUndefined()
  })

  test('bytecode goes to our cache even when the caller lets Python write it', () => {
    const env = toolEnv({ PYTHONDONTWRITEBYTECODE: '', PYTHONPYCACHEPREFIX: '' }, CACHE, undefined, 'linux')
    expect(env.PYTHONPYCACHEPREFIX).toBe(path.join(CACHE, 'pycache'))
  })

  test('with bytecode writing off no prefix is set, so Python still reads the __pycache__ it has', () => {
    expect('PYTHONPYCACHEPREFIX' in toolEnv({}, CACHE, undefined, 'linux')).toBe(false)
    expect('PYTHONPYCACHEPREFIX' in toolEnv({ PYTHONDONTWRITEBYTECODE: '1', PYTHONPYCACHEPREFIX: '/p' }, CACHE, undefined, 'linux')).toBe(
      false
    )
  })

  test('linux without PATH gets the bin dir alone', () => {
    expect(toolEnv({}, CACHE, '/v/bin', 'linux').PATH).toBe('/v/bin')
  })

  test('win32: keeps the existing Path key and uses ;', () => {
    const env = toolEnv({ Path: 'C:\\Windows;C:\\tools' }, CACHE, 'C:\\venvs\\abc\\Scripts', 'win32')
    expect(env.Path).toBe('C:\\venvs\\abc\\Scripts;C:\\Windows;C:\\tools')
    expect(env.PATH).toBeUndefined()
    expect(Object.keys(env).filter((k) => k.toUpperCase() === 'PATH')).toEqual(['Path'])
    expect(env.VIRTUAL_ENV).toBe('C:\\venvs\\abc')
  })

  test('win32: an upper-case PATH key is kept as it is', () => {
    const env = toolEnv({ PATH: 'C:\\Windows' }, CACHE, 'C:\\v\\Scripts', 'win32')
    expect(env.PATH).toBe('C:\\v\\Scripts;C:\\Windows')
    expect(env.Path).toBeUndefined()
  })

  test('win32 without any path key creates Path', () => {
    const env = toolEnv({}, CACHE, 'C:\\v\\Scripts', 'win32')
    expect(env.Path).toBe('C:\\v\\Scripts')
  })

  test('without a bin dir PATH and VIRTUAL_ENV are untouched', () => {
    const env = toolEnv({ PATH: '/usr/bin', VIRTUAL_ENV: '/mine' }, CACHE, undefined, 'linux')
    expect(env.PATH).toBe('/usr/bin')
    expect(env.VIRTUAL_ENV).toBe('/mine')
  })

  test("the user's own cache dirs and bytecode setting are respected", () => {
    const env = toolEnv({ UV_CACHE_DIR: '/c/uv', PIP_CACHE_DIR: '/c/pip', PYTHONDONTWRITEBYTECODE: '' }, CACHE, undefined, 'linux')
    expect(env.UV_CACHE_DIR).toBe('/c/uv')
    expect(env.PIP_CACHE_DIR).toBe('/c/pip')
    expect(env.PYTHONDONTWRITEBYTECODE).toBe('')
  })

  test("the runner's file commands are not passed on to tools", () => {
    const env = toolEnv(
      {
        GITHUB_OUTPUT: '/r/out',
        GITHUB_ENV: '/r/env',
        GITHUB_STATE: '/r/state',
        GITHUB_PATH: '/r/path',
        GITHUB_STEP_SUMMARY: '/r/summary',
        GITHUB_WORKSPACE: '/ws'
      },
      CACHE,
      '/v/bin',
      'linux'
    )
    for (const k of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
      expect(k in env).toBe(false)
    }
    expect(env.GITHUB_WORKSPACE).toBe('/ws')
  })

  test('does not modify the base environment', () => {
    const base = { PATH: '/usr/bin' }
    toolEnv(base, CACHE, '/v/bin', 'linux')
    expect(base).toEqual({ PATH: '/usr/bin' })
  })
})

describe('toolCacheRoot', () => {
  test('lives under RUNNER_TEMP, else the fallback', () => {
    expect(toolCacheRoot(createMemoryIO({}, { RUNNER_TEMP: '/rt' }), '/fallback')).toBe(path.join('/rt', 'dk-actions-cache'))
    expect(toolCacheRoot(createMemoryIO({}, {}), '/fallback')).toBe(path.join('/fallback', 'dk-actions-cache'))
  })
})

describe('INSTALL_MODES', () => {
  test('are auto, project, isolated, none', () => {
    expect(INSTALL_MODES).toEqual(['auto', 'project', 'isolated', 'none'])
  })
})

describe('findPython', () => {
  test('a missing interpreter gives a UserError telling how to fix it', async () => {
    let caught: unknown
    try {
      await findPython('dk-actions-no-such-python', { PATH: process.env.PATH }, runCommand)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(UserError)
    expect((caught as UserError).message).toContain("'dk-actions-no-such-python'")
    expect((caught as UserError).message).toContain('setup-python')
  })

  test('asked once per run for the same command and environment; another environment, or a failure, asks again', async () => {
    let answer: Answer = { stdout: '/usr/bin/python3\n3.11.7\n' }
    const exec = recordedExec([{ match: /^python3 -c /, answer: () => answer }])
    const env = { PATH: '/usr/bin' }
    const first = await findPython('python3', env, exec)
    expect(await findPython('python3', { ...env }, exec)).toEqual(first)
    // The step's environment and the same filtered for a child (a token left out) are one question.
    expect(await findPython('python3', { ...env, INPUT_TOKEN: 'x', GITHUB_TOKEN: 'y' }, exec)).toEqual(first)
    expect(await findPython('python3', childEnv({ ...env, GITHUB_TOKEN: 'y' }), exec)).toEqual(first)
    expect(exec.calls).toHaveLength(1)
    await findPython('python3', { PATH: '/opt/python/bin:/usr/bin' }, exec)
    expect(exec.calls).toHaveLength(2)

    answer = { exitCode: 127, stderr: 'not found' }
    const other = { PATH: '/nowhere' }
    await expect(findPython('python3', other, exec)).rejects.toThrow(UserError)
    answer = { stdout: '/nowhere/python3\n3.12.1\n' }
    expect((await findPython('python3', other, exec)).version).toBe('3.12.1')
    expect(exec.calls).toHaveLength(4)
  })
})

describe('createVenv', () => {
  test('a venv the suite made may be replaced by a later step, even under a cache root without a stamp', async () => {
    const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-cache-'))
    // A cache root that held files before the suite stamped it (an older RUNNER_TEMP).
    fs.writeFileSync(path.join(cacheRoot, 'left-by-someone.txt'), 'x')
    const venv = path.join(cacheRoot, 'envs', 'venv-1')
    fs.mkdirSync(path.dirname(venv), { recursive: true })
    const python = await findPython('python3', process.env, runCommand)
    await createVenv({ io: createMemoryIO({}, {}), exec: runCommand }, python, venv, { ...process.env }, undefined)
    expect(fs.existsSync(path.join(venv, '.dk-actions-output'))).toBe(true)
    expect(() => removeOwned(venv, cacheRoot)).not.toThrow()
    expect(fs.existsSync(venv)).toBe(false)
    // A folder the suite did not make is still refused.
    const foreign = path.join(cacheRoot, 'envs', 'theirs')
    fs.mkdirSync(foreign)
    fs.writeFileSync(path.join(foreign, 'keep.txt'), 'x')
    expect(() => removeOwned(foreign, cacheRoot)).toThrow(UserError)
    // A venv an older dk-actions left unstamped at the suite's venv path is replaced too.
    const older = path.join(cacheRoot, 'envs', 'venv-2')
    fs.mkdirSync(older)
    fs.writeFileSync(path.join(older, 'pyvenv.cfg'), 'home = /usr/bin\n')
    expect(() => replaceVenv(older, cacheRoot)).not.toThrow()
    expect(fs.existsSync(older)).toBe(false)
    expect(() => replaceVenv(foreign, cacheRoot)).toThrow(UserError)
    fs.rmSync(cacheRoot, { recursive: true, force: true })
  }, 120_000)
})

describe('installInto with pip', () => {
  const venvWith = (pip: boolean): string => {
    const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-venv-pip-'))
    fs.mkdirSync(path.join(venv, 'bin'))
    fs.writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\nimplementation = CPython\nuv = 0.13.8\nversion_info = 3.11.2\n')
    if (pip) fs.writeFileSync(path.join(venv, 'bin', 'pip'), '#!/bin/sh\n', { mode: 0o755 })
    return venv
  }
  test('a venv without pip (one uv made, restored from the cache) gets pip first, then installs with it', async () => {
    const venv = venvWith(false)
    const exec = recordedExec([
      { match: /-m ensurepip --default-pip$/, answer: {} },
      { match: /-m pip install --quiet black==1$/, answer: {} }
    ])
    await installInto({ io: createMemoryIO(), exec }, venv, ['black==1'], {}, venv, undefined)
    expect(exec.commands()).toEqual([`${venv}/bin/python -m ensurepip --default-pip`, `${venv}/bin/python -m pip install --quiet black==1`])
    fs.rmSync(venv, { recursive: true, force: true })
  })
  test('a venv python -m venv made (no `uv =` in pyvenv.cfg) is taken as it is', async () => {
    const venv = venvWith(false)
    fs.writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n')
    const exec = recordedExec([{ match: /-m pip install --quiet black==1$/, answer: {} }])
    await installInto({ io: createMemoryIO(), exec }, venv, ['black==1'], {}, venv, undefined)
    expect(exec.commands()).toEqual([`${venv}/bin/python -m pip install --quiet black==1`])
    fs.rmSync(venv, { recursive: true, force: true })
  })
  test('a venv with pip installs at once', async () => {
    const venv = venvWith(true)
    const exec = recordedExec([{ match: /-m pip install --quiet black==1$/, answer: {} }])
    await installInto({ io: createMemoryIO(), exec }, venv, ['black==1'], {}, venv, undefined)
    expect(exec.commands()).toEqual([`${venv}/bin/python -m pip install --quiet black==1`])
    fs.rmSync(venv, { recursive: true, force: true })
  })
})
