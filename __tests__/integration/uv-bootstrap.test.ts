/**
 * A fresh runner without uv on PATH: run-quality's bundle brings uv in with the real pip
 * from the package index (PyPI, or the index the machine's pip settings name), then makes
 * the tools venv and installs the tools with it. A second run on another fresh RUNNER_TEMP
 * sharing the tool cache (a self-hosted runner keeps it) uses that uv without pip.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UV_VERSION } from '../../packages-shared/tools/uv-publish.js'
import { copyFixture, nodeBinaries, runBundle } from './harness.js'

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
    // pip brought uv in, once; uv made the venv and installed the tools.
    expect(first.stdout).toContain(`uv is not on PATH: installing uv ${UV_VERSION} with pip into ${uvDir}.`)
    expect(first.stdout.match(new RegExp(`-m pip install .*uv==${UV_VERSION.replace(/\./g, '\\.')}`, 'g'))).toHaveLength(1)
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
