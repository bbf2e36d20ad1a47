/**
 * A fresh runner without uv on PATH: run-quality's bundle brings uv in from the package
 * index (PyPI, or the index the machine's pip settings name), then makes the tools venv and
 * installs the tools with it. A second run on another fresh RUNNER_TEMP sharing the tool
 * cache (a self-hosted runner keeps it) uses that uv as it is. Then resolveUv itself, against
 * a local pypiserver serving the real uv wheel: downloaded without pip and run; and with a
 * pip setting a plain download cannot honour, installed from the same index by the real pip.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runCommand } from '../../packages-shared/exec.js'
import { findPython } from '../../packages-shared/python/interpreter.js'
import { resolveUv, type DirCache } from '../../packages-shared/python/uv.js'
import { UV_VERSION } from '../../packages-shared/tools/uv-publish.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { copyFixture, nodeBinaries, runBundle } from './harness.js'
import { ciVenv, startPypiServer, type LocalIndex } from './helpers/package-index.js'
import { escapeRegExp } from '../../packages-shared/regexp.js'

/** PATH without any folder that holds a uv. */
function pathWithoutUv(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !fs.existsSync(path.join(dir, process.platform === 'win32' ? 'uv.exe' : 'uv')))
    .join(path.delimiter)
}

const made: string[] = []
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

describe('uv brought in when it is not on PATH', () => {
  const node = nodeBinaries()[0]!

  test('run-quality on a fresh runner ends with the tools installed by the uv it brought in, and reuses it from the tool cache', async () => {
    const toolCache = tempDir('dk-toolcache-')
    const env = { PATH: pathWithoutUv(), RUNNER_TOOL_CACHE: toolCache }
    const uvDir = path.join(toolCache, 'dk-actions', 'uv', UV_VERSION, process.arch)
    const uv = path.join(uvDir, 'bin', process.platform === 'win32' ? 'uv.exe' : 'uv')

    const ws = copyFixture('__tests__/fixtures/quality/clean')
    const first = await runBundle(
      'run-quality',
      { checks: 'black,flake8', install: 'isolated' },
      { workspace: ws, node: node.path, env, runnerTemp: tempDir('dk-uv-rt-') }
    )
    expect(first.stderr).toBe('')
    expect(first.exitCode).toBe(0)
    expect(first.report!.checks.map((c) => [c.tool, c.status, c.toolVersion])).toEqual([
      ['black', 'passed', expect.any(String)],
      ['flake8', 'passed', expect.any(String)]
    ])
    // uv brought in once (downloaded, or with pip where a pip setting of this machine asks for pip); uv made the venv and installed the tools.
    const broughtIn = first.stdout.match(
      new RegExp(
        `^uv is not on PATH(: uv ${UV_VERSION} downloaded from \\S+ \\(sha256 checked\\)| and was not downloaded directly \\(.*\\): installing uv ${UV_VERSION} with pip) into ${escapeRegExp(uvDir)}\\.$`,
        'gm'
      )
    )
    expect(broughtIn).toHaveLength(1)
    expect(first.stdout).toContain(`Installing tools with uv ${UV_VERSION} (brought in by dk-actions): `)
    expect(first.stdout).toContain(`$ ${uv} venv --quiet --python `)
    expect(first.stdout).toContain(`$ ${uv} pip install --quiet --python `)
    expect(first.stdout).not.toMatch(/-m pip install --quiet black==/)
    expect(first.report!.toolsInstalledWith).toEqual({ tool: 'uv', origin: 'dk-actions', version: UV_VERSION, path: uv })
    expect(fs.existsSync(uv)).toBe(true)

    // Another fresh RUNNER_TEMP, the same tool cache: uv is there, pip is not run for it.
    const second = await runBundle(
      'run-quality',
      { checks: 'black,flake8', install: 'isolated' },
      { workspace: copyFixture('__tests__/fixtures/quality/clean'), node: node.path, env, runnerTemp: tempDir('dk-uv-rt-') }
    )
    expect(second.exitCode).toBe(0)
    expect(second.stdout).toContain(`uv is not on PATH: using uv ${UV_VERSION} from ${uvDir}.`)
    expect(second.stdout).not.toMatch(/-m pip install/)
    expect(second.report!.toolsInstalledWith).toMatchObject({ tool: 'uv', origin: 'dk-actions' })
  })
})

describe('resolveUv against a local index serving the real uv wheel', () => {
  let index: LocalIndex
  let wheel: string
  const python = findPython(path.join(ciVenv(), 'bin', 'python'), { PATH: process.env.PATH }, runCommand)

  beforeAll(async () => {
    index = await startPypiServer({ uploader: 'unused' })
    // The wheel pip itself picks for this machine, from the index this machine's pip reads.
    const into = tempDir('dk-uv-wheel-')
    execFileSync(
      path.join(ciVenv(), 'bin', 'python'),
      ['-m', 'pip', 'download', `uv==${UV_VERSION}`, '--no-deps', '--only-binary', ':all:', '--quiet', '-d', into],
      { stdio: 'ignore' }
    )
    wheel = fs.readdirSync(into).find((f) => f.endsWith('.whl'))!
    fs.copyFileSync(path.join(into, wheel), path.join(index.packagesDir, wheel))
  }, 180_000)
  afterAll(async () => index?.stop())

  /** No pip setting of this machine's: only the local index, and what a test adds. */
  function runtime(extra: Record<string, string> = {}) {
    const env: Record<string, string | undefined> = { ...process.env, PATH: pathWithoutUv(), RUNNER_TOOL_CACHE: tempDir('dk-toolcache-') }
    for (const k of Object.keys(env)) if (k.startsWith('PIP_') || k.startsWith('UV_')) delete env[k]
    Object.assign(env, { PIP_CONFIG_FILE: os.devNull, PIP_INDEX_URL: index.simpleUrl, PIP_DISABLE_PIP_VERSION_CHECK: '1', ...extra })
    const io = createMemoryIO({}, env)
    return { rt: { io, exec: runCommand }, env, io }
  }
  const noCache: DirCache = { restore: async () => undefined, save: async () => false }
  const versionOf = (exe: string): string => execFileSync(exe, ['--version'], { encoding: 'utf8' }).trim()

  test('downloaded without pip: the wheel pip would pick, its sha256 checked against the index, and the uv in it runs', async () => {
    const { rt, env, io } = runtime()
    const uv = await resolveUv(rt, await python, { env, cacheRoot: tempDir('dk-uv-cache-'), cache: noCache })
    const dir = path.join(env.RUNNER_TOOL_CACHE!, 'dk-actions', 'uv', UV_VERSION, process.arch)
    expect(uv).toEqual({
      path: path.join(dir, 'bin', 'uv'),
      origin: 'dk-actions',
      version: UV_VERSION,
      env: { UV_INDEX_URL: index.simpleUrl }
    })
    expect(versionOf(uv!.path)).toMatch(new RegExp(`^uv ${UV_VERSION.replace(/\./g, '\\.')}\\b`))
    const info = io.logs.filter((l) => l.level === 'info').map((l) => l.message)
    expect(info).toContain(
      `uv is not on PATH: uv ${UV_VERSION} downloaded from ${index.url}packages/${wheel} (sha256 checked) into ${dir}.`
    )
    expect(info.some((l) => l.includes(' -m pip '))).toBe(false)
    // Only the executable, moved in whole and marked ready.
    expect(fs.readdirSync(dir).sort()).toEqual(['.dk-actions-ready', 'bin'])
    expect(fs.readdirSync(path.dirname(dir))).toEqual([path.basename(dir)])
  })

  test('a pip setting a plain download cannot honour (PIP_TRUSTED_HOST): the real pip installs uv from the same index, and the log says why', async () => {
    const { rt, env, io } = runtime({ PIP_TRUSTED_HOST: '127.0.0.1' })
    const uv = await resolveUv(rt, await python, { env, cacheRoot: tempDir('dk-uv-cache-'), cache: noCache })
    expect(uv?.origin).toBe('dk-actions')
    expect(versionOf(uv!.path)).toMatch(new RegExp(`^uv ${UV_VERSION.replace(/\./g, '\\.')}\\b`))
    const info = io.logs.filter((l) => l.level === 'info').map((l) => l.message)
    expect(info[0]).toMatch(
      /^uv is not on PATH and was not downloaded directly \(PIP_TRUSTED_HOST is set, which a plain download does not honour\): installing uv \S+ with pip into /
    )
    expect(info[1]).toMatch(/ -m pip install .*--target /)
  })
})
