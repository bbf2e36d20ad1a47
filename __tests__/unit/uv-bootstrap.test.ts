/**
 * uv for venvs and tool installs: the user's uv on PATH as it is; without one, the pinned
 * uv wheel brought in once into the tool cache (restored from @actions/cache when there):
 * downloaded from the user's index, else installed with pip; then every venv and install
 * through it; pip when both fail, each step aside said in one line. Processes are recorded
 * (pip, uv and python never run), the index is a recorded Http serving a stub wheel under
 * the real uv page's file names, and the cache service is a folder copy.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { childEnv } from '../../packages-shared/child-env.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { findPython } from '../../packages-shared/python/interpreter.js'
import { provisionTools, startProvisioning, type ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { provisionEnvironment } from '../../packages-shared/python/project-env/provision.js'
import { planEnvironments } from '../../packages-shared/python/project-env/plan.js'
import { pipConfigFiles, pipSourceOptions } from '../../packages-shared/python/pip-config.js'
import { resolveUv, uvCacheKey, uvInToolDir, uvSettingsFromPip, uvToolDir, type DirCache } from '../../packages-shared/python/uv.js'
import { UV_VERSION } from '../../packages-shared/tools/uv-publish.js'
import { discoverWorkspace, type Workspace } from '../../packages-shared/workspace.js'
import {
  recordedExec,
  recordedHttp,
  testContext,
  type Answer,
  type ExecRule,
  type HttpRoute,
  type RecordedHttp
} from '../helpers/recorded.js'
import { uvIndexRoutes } from '../helpers/uv-index.js'
import { scratchDirs } from '../helpers/scratch.js'
import { escapeRegExp } from '../../packages-shared/regexp.js'

const scratch = scratchDirs()
const TOOLS: ToolRequirement[] = [
  { requirement: 'black', version: '26.10.1', executable: 'black' },
  { requirement: 'flake8', version: '7.3.0', executable: 'flake8' }
]
// No pip configuration file of this machine's is read: only what a test sets.
const NO_PIP_CONFIG = { PIP_CONFIG_FILE: '/dev/null' }

/** The bytecode of a venv uv made, compiled while its tools run (bytecode.ts). */
const compiles = (venv: string): unknown =>
  expect.stringMatching(new RegExp(`^${escapeRegExp(path.join(venv, 'bin', 'python'))} -c 'import compileall, `))
const PYTHON: ExecRule = { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.12.4\n' } }

function workspaceAt(root: string): Workspace {
  return { root } as Workspace
}

function binWith(...names: string[]): string {
  const bin = scratch.tempDir('dk-uv-bin-')
  for (const n of names) fs.writeFileSync(path.join(bin, n), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  return bin
}

/** pip's `--target` install of the uv wheel: the executable where pip puts scripts. */
function pipInstallsUv(spec: CommandSpec): Answer {
  const target = spec.argv[spec.argv.indexOf('--target') + 1]!
  fs.mkdirSync(path.join(target, 'bin'), { recursive: true })
  fs.writeFileSync(path.join(target, 'bin', 'uv'), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  fs.mkdirSync(path.join(target, `uv-${UV_VERSION}.dist-info`))
  return {}
}

/** `uv venv <dir>` and `python -m venv <dir>` make the folder. */
function makesVenv(spec: CommandSpec): Answer {
  if (spec.argv.includes('venv')) fs.mkdirSync(spec.argv.at(-1)!, { recursive: true })
  return {}
}

const PIP_UV: ExecRule = {
  match: new RegExp(`^/usr/bin/python3 -m pip install .*--target \\S+ uv==${UV_VERSION.replace(/\./g, '\\.')}$`),
  answer: pipInstallsUv,
  times: 1
}
const UV_VERSION_RULE: ExecRule = { match: /\/uv --version$/, answer: { stdout: `uv ${UV_VERSION} (x86_64-unknown-linux-gnu)\n` } }

/** Without routes, every request fails as an unreachable network does: the download gives way to pip. */
function context(env: Record<string, string>, rules: ExecRule[], routes: HttpRoute[] = [], inputs: Record<string, string> = {}) {
  const exec = recordedExec(rules)
  const http: RecordedHttp = recordedHttp(routes)
  const { ctx, io } = testContext({
    inputs: { install: 'isolated', ...inputs },
    env: { RUNNER_TEMP: scratch.tempDir('dk-uv-temp-'), ...NO_PIP_CONFIG, ...env },
    exec,
    http
  })
  return { ctx, io, exec, http }
}

const absent = (index: string): HttpRoute => ({ match: `GET ${index}/uv/`, answer: () => new Response('', { status: 404 }) })

const infoLines = (io: { logs: { level: string; message: string }[] }): string[] =>
  io.logs.filter((l) => l.level === 'info').map((l) => l.message)

describe('uv for the tools venv', () => {
  test('uv on PATH is used as it is: no pip, no uv brought in, the user settings untouched', async () => {
    const bin = binWith('uv')
    const { ctx, exec } = context({ PATH: `${bin}:/usr/bin`, PIP_INDEX_URL: 'https://mirror.test/simple' }, [
      PYTHON,
      { match: /\/uv venv --quiet --python \/usr\/bin\/python3 /, answer: makesVenv },
      { match: /\/uv pip install --quiet --python /, answer: {} }
    ])
    const box = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    const uv = path.join(bin, 'uv')
    expect(exec.commands().slice(1)).toEqual([
      `${uv} venv --quiet --python /usr/bin/python3 ${box.venv}`,
      `${uv} pip install --quiet --python ${path.join(box.venv!, 'bin', 'python')} black==26.10.1 flake8==7.3.0`,
      compiles(box.venv!)
    ])
    expect(box.installedWith).toEqual({ tool: 'uv', origin: 'path', path: uv, version: undefined })
    // The user's own uv gets their environment as it is: no pip setting is carried over.
    expect(exec.calls[2]!.env!.UV_INDEX_URL).toBeUndefined()
    expect((await box.uv())!.path).toBe(uv)
  })

  test("uv absent: the pinned uv wheel downloaded from the user's index into the tool cache, no pip, then the venv and tools through it", async () => {
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const { ctx, io, exec, http } = context(
      {
        PATH: binWith(),
        RUNNER_TOOL_CACHE: toolCache,
        PIP_INDEX_URL: 'https://mirror.test/simple',
        PIP_EXTRA_INDEX_URL: 'https://a.test/simple'
      },
      [PYTHON, UV_VERSION_RULE, { match: /\/uv venv --quiet /, answer: makesVenv }, { match: /\/uv pip install --quiet /, answer: {} }],
      [...uvIndexRoutes({ index: 'https://mirror.test/simple' }), absent('https://a.test/simple')]
    )
    const box = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    const dir = path.join(toolCache, 'dk-actions', 'uv', UV_VERSION, process.arch)
    const uv = path.join(dir, 'bin', 'uv')
    // The downloaded uv is run before it is moved in; pip never runs.
    expect(exec.commands().slice(1)).toEqual([
      `${dir}.partial-${process.pid}/bin/uv --version`,
      `${uv} venv --quiet --python /usr/bin/python3 ${box.venv}`,
      `${uv} pip install --quiet --python ${path.join(box.venv!, 'bin', 'python')} black==26.10.1 flake8==7.3.0`,
      compiles(box.venv!)
    ])
    const [mirror, extra, wheel] = http.requests.map((r) => r.url)
    expect([mirror, extra]).toEqual(['https://mirror.test/simple/uv/', 'https://a.test/simple/uv/'])
    expect(wheel).toMatch(/^https:\/\/files\.pythonhosted\.org\/.*\/uv-0\.13\.8-py3-none-\S+\.whl$/)
    expect(http.requests).toHaveLength(3)
    expect(fs.readFileSync(uv, 'utf8')).toContain('uv 0.13.8 (stub)')
    expect(fs.existsSync(path.join(dir, '.dk-actions-ready'))).toBe(true)
    expect(fs.existsSync(`${dir}.partial-${process.pid}`)).toBe(false)
    expect(box.installedWith).toEqual({ tool: 'uv', origin: 'dk-actions', version: UV_VERSION, path: uv })
    expect(infoLines(io)).toContain(`uv is not on PATH: uv ${UV_VERSION} downloaded from ${wheel} (sha256 checked) into ${dir}.`)
    for (const call of exec.calls.slice(2).filter((c) => c.argv[0] === uv))
      expect(call.env!.UV_INDEX_URL).toBe('https://mirror.test/simple')
  })

  test('the download failing (an index that answers 503), uv is installed with pip --target; the log says why in one line', async () => {
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const { ctx, io, exec } = context(
      {
        PATH: binWith(),
        RUNNER_TOOL_CACHE: toolCache,
        PIP_INDEX_URL: 'https://mirror.test/simple',
        PIP_EXTRA_INDEX_URL: 'https://a.test/simple  https://b.test/simple'
      },
      [
        PYTHON,
        PIP_UV,
        UV_VERSION_RULE,
        { match: /\/uv venv --quiet /, answer: makesVenv },
        { match: /\/uv pip install --quiet /, answer: {} }
      ],
      [
        {
          match: 'GET https://mirror.test/simple/uv/',
          answer: () => new Response('busy', { status: 503, statusText: 'Service Unavailable' })
        },
        absent('https://a.test/simple'),
        absent('https://b.test/simple')
      ]
    )
    const box = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    const dir = path.join(toolCache, 'dk-actions', 'uv', UV_VERSION, process.arch)
    const uv = path.join(dir, 'bin', 'uv')
    const commands = exec.commands().slice(1)
    expect(commands[0]).toBe(
      `/usr/bin/python3 -m pip install --quiet --no-input --disable-pip-version-check --no-deps --only-binary :all: --no-cache-dir --no-compile --target ${dir}.partial-${process.pid} uv==${UV_VERSION}`
    )
    expect(commands.slice(1)).toEqual([
      `${dir}.partial-${process.pid}/bin/uv --version`,
      `${uv} venv --quiet --python /usr/bin/python3 ${box.venv}`,
      `${uv} pip install --quiet --python ${path.join(box.venv!, 'bin', 'python')} black==26.10.1 flake8==7.3.0`,
      compiles(box.venv!)
    ])
    // pip reads the user's index settings itself; uv is given them the way it reads them.
    expect(exec.calls[1]!.env!.PIP_INDEX_URL).toBe('https://mirror.test/simple')
    expect(exec.calls[1]!.env!.PIP_CACHE_DIR).toBe(path.join(ctx.cacheRoot, 'pip'))
    for (const call of exec.calls.slice(3).filter((c) => c.argv[0] === uv)) {
      expect(call.env!.UV_INDEX_URL).toBe('https://mirror.test/simple')
      expect(call.env!.UV_EXTRA_INDEX_URL).toBe('https://a.test/simple https://b.test/simple')
    }
    // Moved into place whole, and marked ready.
    expect(fs.existsSync(uv)).toBe(true)
    expect(fs.existsSync(path.join(dir, '.dk-actions-ready'))).toBe(true)
    expect(fs.existsSync(`${dir}.partial-${process.pid}`)).toBe(false)
    expect(box.installedWith).toEqual({ tool: 'uv', origin: 'dk-actions', version: UV_VERSION, path: uv })
    expect(infoLines(io)).toContain(
      `uv is not on PATH and was not downloaded directly (https://mirror.test/simple/uv/ answered 503 Service Unavailable): installing uv ${UV_VERSION} with pip into ${dir}.`
    )
    expect(io.logs.find((l) => l.level === 'group')!.message).toBe(
      `Installing tools with uv ${UV_VERSION} (brought in by dk-actions): black==26.10.1, flake8==7.3.0`
    )

    // Brought in once: a second toolbox of the run installs with the same uv, no pip again,
    // and the interpreter is not asked again.
    const before = exec.calls.length
    const other = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: [TOOLS[0]!],
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    expect(exec.commands().slice(before)).toEqual([
      `${uv} venv --quiet --python /usr/bin/python3 ${other.venv}`,
      `${uv} pip install --quiet --python ${path.join(other.venv!, 'bin', 'python')} black==26.10.1`,
      compiles(other.venv!)
    ])
  })

  test('without RUNNER_TOOL_CACHE the tool folder is under the cache root', async () => {
    const { ctx, exec } = context({ PATH: binWith() }, [
      PYTHON,
      PIP_UV,
      UV_VERSION_RULE,
      { match: /\/uv (venv|pip install) --quiet /, answer: makesVenv }
    ])
    await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    const uv = path.join(ctx.cacheRoot, 'tools', 'uv', UV_VERSION, process.arch, 'bin', 'uv')
    expect(
      exec
        .commands()
        .filter((c) => c.startsWith(`${uv} `))
        .map((c) => c.split(' ')[1])
    ).toEqual(['venv', 'pip'])
  })

  test('bootstrap failure: pip makes the venv and installs the tools, and the log says why in one line', async () => {
    const { ctx, io, exec } = context({ PATH: binWith(), RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-') }, [
      PYTHON,
      {
        match: /-m pip install .* uv==/,
        answer: {
          exitCode: 1,
          stderr: `ERROR: Could not find a version that satisfies the requirement uv==${UV_VERSION} (from versions: none)\nERROR: No matching distribution found for uv==${UV_VERSION}\n`
        }
      },
      { match: /^\/usr\/bin\/python3 -m venv /, answer: makesVenv },
      { match: /\/bin\/python -m pip install --quiet black==26\.10\.1 flake8==7\.3\.0$/, answer: {} }
    ])
    const box = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    expect(exec.commands().slice(2)).toEqual([
      `/usr/bin/python3 -m venv ${box.venv}`,
      `${path.join(box.venv!, 'bin', 'python')} -m pip install --quiet black==26.10.1 flake8==7.3.0`
    ])
    const why = infoLines(io).filter((l) => l.includes('could not be brought in'))
    expect(why).toEqual([
      `uv is not on PATH and could not be brought in (pip install uv==${UV_VERSION} failed with exit 1: ERROR: No matching distribution found for uv==${UV_VERSION}): venvs are made and tools installed with pip.`
    ])
    expect(box.installedWith).toEqual({ tool: 'pip' })
    // Nothing half-made is left to look ready next time.
    expect(fs.readdirSync(path.join(ctx.io.env.RUNNER_TOOL_CACHE!, 'dk-actions', 'uv', UV_VERSION))).toEqual([])
  })

  test('a uv that does not run (another libc, a broken download) is not used: pip, with the reason', async () => {
    const { ctx, io, exec } = context({ PATH: binWith() }, [
      PYTHON,
      PIP_UV,
      { match: /\/uv --version$/, answer: { exitCode: 126, stderr: 'cannot execute binary file' } },
      { match: / -m venv | -m pip install --quiet black/, answer: makesVenv }
    ])
    await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    expect(exec.commands().filter((c) => /uv (venv|pip)/.test(c))).toEqual([])
    expect(infoLines(io).filter((l) => l.includes('could not be brought in'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\(the installed \\S+/bin/uv does not run as uv ${UV_VERSION.replace(/\./g, '\\.')}\\): venvs are made and tools installed with pip\\.$`
        )
      )
    ])
  })

  test('PIP_NO_INDEX, which uv has no variable for, keeps installs with pip without trying', async () => {
    const { ctx, io, exec } = context({ PATH: binWith(), PIP_NO_INDEX: '1', PIP_FIND_LINKS: '/wheels' }, [
      PYTHON,
      { match: / -m venv | -m pip install --quiet black/, answer: makesVenv }
    ])
    await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    expect(exec.commands().some((c) => c.includes('uv=='))).toBe(false)
    expect(infoLines(io)).toContain(
      'uv is not on PATH, and PIP_NO_INDEX is set, which uv has no variable for: venvs are made and tools installed with pip.'
    )
  })

  test('a cached tools venv needs no uv: nothing is brought in', async () => {
    const { ctx, exec } = context({ PATH: binWith() }, [
      PYTHON,
      PIP_UV,
      UV_VERSION_RULE,
      { match: /\/uv (venv|pip install) --quiet /, answer: makesVenv }
    ])
    const options = {
      mode: 'isolated' as const,
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    }
    await provisionTools(ctx, options)
    const again = testContext({
      inputs: { install: 'isolated' },
      env: { ...ctx.io.env, RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-') },
      exec: recordedExec([PYTHON])
    })
    const box = await provisionTools(again.ctx, { ...options, cacheRoot: ctx.cacheRoot })
    expect(box.installedWith).toBeUndefined()
    expect(exec.commands().filter((c) => c.includes('uv=='))).toHaveLength(1)
  })
})

describe('resolveUv and the cache service', () => {
  const python = { command: 'python3', path: '/usr/bin/python3', version: '3.12.4' }

  /** The cache service as a folder per key: restore copies it into place, save copies it out. */
  function folderCache(store: string): DirCache & { saved: string[]; restored: string[] } {
    const saved: string[] = []
    const restored: string[] = []
    return {
      saved,
      restored,
      restore: async (_io, paths, key) => {
        const from = path.join(store, key)
        if (!fs.existsSync(from)) return undefined
        fs.cpSync(from, paths[0]!, { recursive: true })
        restored.push(key)
        return key
      },
      save: async (_io, paths, key) => {
        fs.cpSync(paths[0]!, path.join(store, key), { recursive: true })
        saved.push(key)
        return true
      }
    }
  }

  test('a miss installs with pip and saves the folder under the uv version, OS and arch; the next fresh runner restores it and skips pip', async () => {
    const store = scratch.tempDir('dk-uv-store-')
    const cache = folderCache(store)
    const first = context({ PATH: binWith(), RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-') }, [PIP_UV, UV_VERSION_RULE])
    const uv = await resolveUv(first.ctx, python, { env: first.ctx.io.env, cacheRoot: first.ctx.cacheRoot, cache })
    expect(uv?.origin).toBe('dk-actions')
    expect(cache.saved).toEqual([`dk-actions-uv-${UV_VERSION}-${process.platform}-${process.arch}`])

    // A fresh runner: empty tool cache, the folder restored from the cache service.
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const second = context({ PATH: binWith(), RUNNER_TOOL_CACHE: toolCache }, [UV_VERSION_RULE])
    const restored = await resolveUv(second.ctx, python, { env: second.ctx.io.env, cacheRoot: second.ctx.cacheRoot, cache })
    const dir = path.join(toolCache, 'dk-actions', 'uv', UV_VERSION, process.arch)
    expect(restored).toEqual({ path: path.join(dir, 'bin', 'uv'), origin: 'dk-actions', version: UV_VERSION, env: {} })
    expect(second.exec.commands()).toEqual([`${path.join(dir, 'bin', 'uv')} --version`])
    expect(cache.restored).toHaveLength(1)
    expect(cache.saved).toHaveLength(1)
    expect(infoLines(second.io)).toContain(`uv is not on PATH: using uv ${UV_VERSION} restored from the cache into ${dir}.`)
  })

  test('with caching off (cache: false, a release, a tag, pull_request_target), uv is neither restored nor saved', async () => {
    const store = scratch.tempDir('dk-uv-store-')
    fs.mkdirSync(path.join(store, `dk-actions-uv-${UV_VERSION}-${process.platform}-${process.arch}`))
    const cache = folderCache(store)
    const exec = recordedExec([PIP_UV, UV_VERSION_RULE])
    const { ctx } = testContext({
      inputs: { install: 'isolated', cache: 'false' },
      env: {
        RUNNER_TEMP: scratch.tempDir('dk-uv-temp-'),
        ...NO_PIP_CONFIG,
        PATH: binWith(),
        RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-')
      },
      exec
    })
    expect(ctx.cache.off).toBeTruthy()
    const uv = await resolveUv(ctx, python, { env: ctx.io.env, cacheRoot: ctx.cacheRoot, cache })
    expect(uv?.origin).toBe('dk-actions')
    expect(cache.restored).toEqual([])
    expect(cache.saved).toEqual([])
    expect(exec.calls.filter((c) => c.argv.includes('--target'))).toHaveLength(1)
  })

  test('uv already in the tool cache (a self-hosted runner keeps it): no cache service, no pip', async () => {
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const dir = uvToolDir({ RUNNER_TOOL_CACHE: toolCache }, '/unused')
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'bin', 'uv'), '#!/bin/sh\n', { mode: 0o755 })
    fs.writeFileSync(path.join(dir, '.dk-actions-ready'), '')
    const cache = folderCache(scratch.tempDir('dk-uv-store-'))
    const { ctx, exec } = context({ PATH: binWith(), RUNNER_TOOL_CACHE: toolCache }, [UV_VERSION_RULE])
    expect((await resolveUv(ctx, python, { env: ctx.io.env, cacheRoot: ctx.cacheRoot, cache }))?.path).toBe(path.join(dir, 'bin', 'uv'))
    expect(exec.commands()).toEqual([`${path.join(dir, 'bin', 'uv')} --version`])
    expect(cache.restored).toEqual([])
  })
})

describe('the download, and pip where it cannot stand in', () => {
  const python = { command: 'python3', path: '/usr/bin/python3', version: '3.12.4' }
  const STAGED_VERSION = new RegExp(`\\.partial-${process.pid}/bin/uv --version$`)

  test("a wheel whose sha256 is not the index's is refused: pip installs uv, and the log says why", async () => {
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const { ctx, io, exec } = context(
      { PATH: binWith(), RUNNER_TOOL_CACHE: toolCache },
      [PIP_UV, UV_VERSION_RULE],
      uvIndexRoutes({ sha: '0'.repeat(64) })
    )
    const uv = await resolveUv(ctx, python, { env: ctx.io.env, cacheRoot: ctx.cacheRoot })
    expect(uv?.origin).toBe('dk-actions')
    expect(exec.commands()[0]).toMatch(/ -m pip install .*--target /)
    const why = infoLines(io).find((l) => l.includes('was not downloaded directly'))!
    expect(why).toMatch(
      /\(uv-0\.13\.8-py3-none-\S+\.whl has sha256 [0-9a-f]{64}, not the 0{64} https:\/\/pypi\.org\/simple\/uv\/ gives: refused\)/
    )
    expect(why).toMatch(/: installing uv 0\.13\.8 with pip into /)
    // What pip put there is what is used, never the refused download.
    expect(fs.readFileSync(uv!.path, 'utf8')).not.toContain('(stub)')
  })

  test("a downloaded uv that does not run (another libc than we read) gives way to pip's pick", async () => {
    const { ctx, io, exec } = context(
      { PATH: binWith(), RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-') },
      [{ match: STAGED_VERSION, answer: { exitCode: 126, stderr: 'cannot execute binary file' }, times: 1 }, PIP_UV, UV_VERSION_RULE],
      uvIndexRoutes()
    )
    const uv = await resolveUv(ctx, python, { env: ctx.io.env, cacheRoot: ctx.cacheRoot })
    expect(uv?.origin).toBe('dk-actions')
    expect(exec.commands()).toEqual([
      expect.stringMatching(STAGED_VERSION),
      expect.stringMatching(/^\/usr\/bin\/python3 -m pip install .*--target /),
      expect.stringMatching(STAGED_VERSION)
    ])
    expect(infoLines(io).find((l) => l.includes('was not downloaded directly'))).toMatch(
      new RegExp(`\\(the downloaded \\S+\\.partial-${process.pid}/bin/uv does not run as uv 0\\.13\\.8\\)`)
    )
  })

  test('PIP_TRUSTED_HOST: no request at all, pip installs uv, and the log names the variable', async () => {
    const { ctx, io, http } = context(
      { PATH: binWith(), RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-'), PIP_TRUSTED_HOST: 'mirror.test' },
      [PIP_UV, UV_VERSION_RULE],
      uvIndexRoutes()
    )
    expect((await resolveUv(ctx, python, { env: ctx.io.env, cacheRoot: ctx.cacheRoot }))?.origin).toBe('dk-actions')
    expect(http.requests).toEqual([])
    expect(infoLines(io)).toContainEqual(
      expect.stringMatching(
        /^uv is not on PATH and was not downloaded directly \(PIP_TRUSTED_HOST is set, which a plain download does not honour\): installing/
      )
    )
  })

  test('PIP_CERT: the download trusts that bundle, as pip does', async () => {
    const pem = path.join(scratch.tempDir('dk-uv-ca-'), 'ca.pem')
    fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nstub\n-----END CERTIFICATE-----\n')
    const { ctx, exec } = context({ PATH: binWith(), RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-'), PIP_CERT: pem }, [
      UV_VERSION_RULE
    ])
    const given: (string | undefined)[] = []
    const index = recordedHttp(uvIndexRoutes())
    const uv = await resolveUv(ctx, python, {
      env: ctx.io.env,
      cacheRoot: ctx.cacheRoot,
      http: (ca) => {
        given.push(ca)
        return index
      }
    })
    expect(given).toEqual([fs.readFileSync(pem, 'utf8')])
    expect(index.requests).toHaveLength(2)
    expect(uv?.origin).toBe('dk-actions')
    expect(exec.commands()).toEqual([expect.stringMatching(STAGED_VERSION)])
  })

  test('startProvisioning brings uv in by itself, before any toolbox asks; the toolbox then gets that same uv, downloaded once', async () => {
    let downloaded!: () => void
    const done = new Promise<void>((resolve) => (downloaded = resolve))
    const [page, wheel] = uvIndexRoutes()
    const { ctx, exec, http } = context(
      { PATH: binWith(), RUNNER_TOOL_CACHE: scratch.tempDir('dk-uv-toolcache-') },
      [PYTHON, UV_VERSION_RULE, { match: /\/uv (venv|pip install) --quiet /, answer: makesVenv }],
      [
        page!,
        {
          match: wheel!.match,
          answer: (url, init) => {
            downloaded()
            return wheel!.answer(url, init)
          }
        }
      ]
    )
    startProvisioning(ctx)
    await done
    const box = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: workspaceAt(ctx.cacheRoot)
    })
    expect(box.installedWith).toMatchObject({ tool: 'uv', origin: 'dk-actions' })
    expect(http.requests).toHaveLength(2)
    expect(exec.commands().filter((c) => c.endsWith('uv --version'))).toHaveLength(1)
  })

  test('startProvisioning only asks the interpreter for install: none, or with uv on PATH; the toolbox then gets that answer', async () => {
    const none = context({ PATH: binWith() }, [PYTHON], uvIndexRoutes(), { install: 'none' })
    startProvisioning(none.ctx)
    const onPath = context({ PATH: binWith('uv') }, [PYTHON], uvIndexRoutes())
    startProvisioning(onPath.ctx)
    await new Promise((resolve) => setImmediate(resolve))
    for (const c of [none, onPath]) {
      expect(c.exec.commands()).toEqual([expect.stringMatching(PYTHON.match as RegExp)])
      expect(c.http.requests).toEqual([])
    }
    await expect(findPython('python3', childEnv({ ...onPath.ctx.io.env }), onPath.ctx.exec)).resolves.toMatchObject({ command: 'python3' })
    expect(onPath.exec.calls).toHaveLength(1)
  })
})

describe('two jobs sharing a tool cache', () => {
  test("a staging folder left by a process that ended is removed; one whose process still runs is another job's, and stays", async () => {
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const dir = uvToolDir({ RUNNER_TOOL_CACHE: toolCache }, '/unused')
    // Past every system's largest process id: no process has it.
    const ended = `${dir}.partial-2147483646`
    const live = `${dir}.partial-${process.ppid}`
    for (const d of [ended, live]) fs.mkdirSync(path.join(d, 'bin'), { recursive: true })
    const { ctx } = context({ PATH: binWith(), RUNNER_TOOL_CACHE: toolCache }, [UV_VERSION_RULE], uvIndexRoutes())
    const uv = await resolveUv(
      ctx,
      { command: 'python3', path: '/usr/bin/python3', version: '3.12.4' },
      { env: ctx.io.env, cacheRoot: ctx.cacheRoot }
    )
    expect(uv?.path).toBe(path.join(dir, 'bin', 'uv'))
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual([path.basename(dir), path.basename(live)].sort())
  })

  test('a copy another job marked ready while ours was installing is kept (it may be running), ours is dropped', async () => {
    const toolCache = scratch.tempDir('dk-uv-toolcache-')
    const dir = uvToolDir({ RUNNER_TOOL_CACHE: toolCache }, '/unused')
    const theirs = (spec: CommandSpec): Answer => {
      pipInstallsUv(spec)
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true })
      fs.writeFileSync(path.join(dir, 'bin', 'uv'), '#!/bin/sh\n# theirs\n', { mode: 0o755 })
      fs.writeFileSync(path.join(dir, '.dk-actions-ready'), '')
      return {}
    }
    const { ctx } = context({ PATH: binWith(), RUNNER_TOOL_CACHE: toolCache }, [
      { match: / -m pip install .*uv==/, answer: theirs },
      UV_VERSION_RULE
    ])
    const uv = await resolveUv(
      ctx,
      { command: 'python3', path: '/usr/bin/python3', version: '3.12.4' },
      { env: ctx.io.env, cacheRoot: ctx.cacheRoot }
    )
    expect(uv?.path).toBe(path.join(dir, 'bin', 'uv'))
    expect(fs.readFileSync(path.join(dir, 'bin', 'uv'), 'utf8')).toContain('# theirs')
    expect(fs.readdirSync(path.dirname(dir))).toEqual([path.basename(dir)])
  })
})

describe('project environments use the same uv', () => {
  test('a uv.lock project without uv on PATH is synced with the uv brought in', async () => {
    const root = scratch.tempDir('dk-uv-project-')
    fs.writeFileSync(
      path.join(root, 'pyproject.toml'),
      '[project]\nname = "demo"\nversion = "1.0"\n[dependency-groups]\ndev = ["pytest"]\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    fs.writeFileSync(path.join(root, 'uv.lock'), 'version = 1\n')
    fs.mkdirSync(path.join(root, 'demo'))
    fs.writeFileSync(path.join(root, 'demo', '__init__.py'), '')
    const ws = discoverWorkspace(root, { env: { PATH: process.env.PATH } })
    const { ctx, exec } = context({ PATH: binWith() }, [
      PYTHON,
      PIP_UV,
      UV_VERSION_RULE,
      { match: /\/uv sync --all-packages --locked --group dev --python \/usr\/bin\/python3$/, answer: {} },
      { match: /\/bin\/python -c /, answer: { stdout: '{"pytest": "8.4.2"}\n' } }
    ])
    const plan = planEnvironments(ws, ws.packages)[0]!
    const env = await provisionEnvironment(ctx, {
      ws,
      plan,
      pythonCommand: 'python3',
      tools: [{ requirement: 'pytest', version: '8.4.2', executable: 'pytest' }],
      cacheRoot: ctx.cacheRoot
    })
    const uv = path.join(ctx.cacheRoot, 'tools', 'uv', UV_VERSION, process.arch, 'bin', 'uv')
    const sync = exec.calls.find((c) => c.argv[1] === 'sync')!
    expect(sync.argv[0]).toBe(uv)
    expect(sync.env!.UV_PROJECT_ENVIRONMENT).toBe(env.box.venv)
    expect((await env.box.uv())?.path).toBe(uv)
  })
})

describe('where uv lives, per platform', () => {
  const nothing = (): boolean => false
  test.each([
    [
      'linux',
      'x64',
      { RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' },
      '/opt/hostedtoolcache/dk-actions/uv/V/x64',
      '/opt/hostedtoolcache/dk-actions/uv/V/x64/bin/uv'
    ],
    ['darwin', 'arm64', {}, '/tmp/c/tools/uv/V/arm64', '/tmp/c/tools/uv/V/arm64/bin/uv'],
    [
      'win32',
      'x64',
      { RUNNER_TOOL_CACHE: 'C:\\hostedtoolcache\\windows' },
      'C:\\hostedtoolcache\\windows\\dk-actions\\uv\\V\\x64',
      'C:\\hostedtoolcache\\windows\\dk-actions\\uv\\V\\x64\\bin\\uv.exe'
    ],
    [
      'win32',
      'arm64',
      {},
      'D:\\a\\_temp\\dk-actions-cache\\tools\\uv\\V\\arm64',
      'D:\\a\\_temp\\dk-actions-cache\\tools\\uv\\V\\arm64\\bin\\uv.exe'
    ]
  ] as const)('%s %s %j', (platform, arch, env, dir, exe) => {
    const cacheRoot = platform === 'win32' ? 'D:\\a\\_temp\\dk-actions-cache' : '/tmp/c'
    expect(uvToolDir(env, cacheRoot, platform, arch, 'V')).toBe(dir)
    // pip's --target puts scripts in bin/ on every platform (the posix_home scheme), so that is where uv is looked for first.
    expect(uvInToolDir(dir, platform, nothing)).toBe(exe)
    expect(uvCacheKey(platform, arch, 'V')).toBe(`dk-actions-uv-V-${platform}-${arch}`)
  })

  test('win32: a folder laid out as a venv (Scripts\\uv.exe) is found too; bin\\uv.exe wins when both are there', () => {
    const dir = 'C:\\tc\\dk-actions\\uv\\V\\x64'
    expect(uvInToolDir(dir, 'win32', (f) => f === `${dir}\\Scripts\\uv.exe`)).toBe(`${dir}\\Scripts\\uv.exe`)
    expect(uvInToolDir(dir, 'win32', () => true)).toBe(`${dir}\\bin\\uv.exe`)
    // Never Scripts elsewhere.
    expect(uvInToolDir('/tc/uv', 'linux', (f) => f.includes('Scripts'))).toBe('/tc/uv/bin/uv')
  })
})

describe("the user's pip settings, for uv", () => {
  const none = (): undefined => undefined

  test('index, extra indexes, find-links, trusted hosts, CA bundle and timeout carry over; uv settings of the user win', () => {
    expect(
      uvSettingsFromPip(
        {
          PIP_INDEX_URL: 'https://m.test/simple',
          PIP_EXTRA_INDEX_URL: ' https://a.test/simple\nhttps://b.test/simple ',
          PIP_FIND_LINKS: '/w1 /w2',
          PIP_TRUSTED_HOST: 'm.test a.test',
          PIP_CERT: '/ca.pem',
          PIP_DEFAULT_TIMEOUT: '180'
        },
        'linux',
        none
      )
    ).toEqual({
      env: {
        UV_INDEX_URL: 'https://m.test/simple',
        UV_EXTRA_INDEX_URL: 'https://a.test/simple https://b.test/simple',
        UV_FIND_LINKS: '/w1,/w2',
        UV_INSECURE_HOST: 'm.test a.test',
        SSL_CERT_FILE: '/ca.pem',
        UV_HTTP_TIMEOUT: '180'
      }
    })
    expect(
      uvSettingsFromPip(
        { PIP_INDEX_URL: 'https://m.test/simple', UV_DEFAULT_INDEX: 'https://u.test/simple', PIP_CERT: '/a.pem', SSL_CERT_FILE: '/b.pem' },
        'linux',
        none
      )
    ).toEqual({ env: {} })
  })

  test('a pip configuration file naming an index or a CA bundle keeps pip, naming the file and the options', () => {
    const read = (file: string): string | undefined =>
      file === '/home/me/.config/pip/pip.conf'
        ? '[global]\ntimeout = 60\nindex_url = https://m.test/simple\n[install]\ntrusted-host: m.test\n'
        : file === '/etc/pip.conf'
          ? '[global]\ncert = /etc/ca.pem\n'
          : undefined
    expect(uvSettingsFromPip({ HOME: '/home/me' }, 'linux', read)).toEqual({ blocker: '/etc/pip.conf sets cert, which uv does not read' })
    // A CA bundle given by variable outranks the file's (and reaches uv as SSL_CERT_FILE).
    expect(uvSettingsFromPip({ HOME: '/home/me', PIP_CERT: '/ca.pem' }, 'linux', read)).toEqual({
      blocker: '/home/me/.config/pip/pip.conf sets index-url, trusted-host, which uv does not read'
    })
    expect(uvSettingsFromPip({ HOME: '/home/me', PIP_CONFIG_FILE: '/dev/null' }, 'linux', read)).toEqual({ env: {} })
  })

  test('options outside [global] and [install] are not pip install settings', () => {
    expect(pipSourceOptions('[download]\nindex-url = x\n[freeze]\nfind-links = y\n[global]\ntimeout = 5\n')).toEqual([])
    expect(pipSourceOptions('[install]\nno-index = true\nextra-index-url =\n    https://a\n')).toEqual(['no-index', 'extra-index-url'])
  })

  test.each([
    [
      'linux',
      { HOME: '/home/me', VIRTUAL_ENV: '/v', PIP_CONFIG_FILE: '/c/pip.conf' },
      ['/etc/xdg/pip/pip.conf', '/etc/pip.conf', '/home/me/.pip/pip.conf', '/home/me/.config/pip/pip.conf', '/v/pip.conf', '/c/pip.conf']
    ],
    [
      'linux',
      { HOME: '/home/me', XDG_CONFIG_DIRS: '/x1:/x2', XDG_CONFIG_HOME: '/cfg' },
      ['/x1/pip/pip.conf', '/x2/pip/pip.conf', '/etc/pip.conf', '/home/me/.pip/pip.conf', '/cfg/pip/pip.conf']
    ],
    [
      'darwin',
      { HOME: '/Users/me' },
      [
        '/etc/xdg/pip/pip.conf',
        '/etc/pip.conf',
        '/Library/Application Support/pip/pip.conf',
        '/Users/me/.pip/pip.conf',
        '/Users/me/Library/Application Support/pip/pip.conf',
        '/Users/me/.config/pip/pip.conf'
      ]
    ],
    [
      'win32',
      { PROGRAMDATA: 'C:\\ProgramData', USERPROFILE: 'C:\\Users\\me', APPDATA: 'C:\\Users\\me\\AppData\\Roaming', VIRTUAL_ENV: 'D:\\v' },
      ['C:\\ProgramData\\pip\\pip.ini', 'C:\\Users\\me\\pip\\pip.ini', 'C:\\Users\\me\\AppData\\Roaming\\pip\\pip.ini', 'D:\\v\\pip.ini']
    ],
    ['win32', { APPDATA: 'C:\\A', PIP_CONFIG_FILE: 'nul' }, []]
  ] as const)('%s reads the files pip reads: %j', (platform, env, files) => {
    expect(pipConfigFiles(env, platform)).toEqual(files)
  })
})
