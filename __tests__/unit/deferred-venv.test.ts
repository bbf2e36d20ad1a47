/**
 * A tool venv whose restore waits for the first tool that runs: when an earlier run recorded
 * what the venv holds (venv-records.ts), provisionTools makes nothing yet and which() gives
 * the recorded paths; ready() restores or installs it once, however many checks ask. Processes
 * are recorded (uv and python never run); the recorded install writes the tools' scripts.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { provisionTools, toolboxReady, venvExecutables, venvKey, type ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { readVenvRecord, writeVenvRecord, VENV_RECORD_FORMAT } from '../../actions/run-quality/venv-records.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import { recordedExec, testContext, type Answer, type ExecRule } from '../helpers/recorded.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()
const TOOLS: ToolRequirement[] = [
  { requirement: 'black', version: '26.10.1', executable: 'black' },
  { requirement: 'flake8', version: '7.3.0', executable: 'flake8' }
]
const PYTHON: ExecRule = { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.12.4\n' } }

function makesVenv(spec: CommandSpec): Answer {
  fs.mkdirSync(path.join(spec.argv.at(-1)!, 'bin'), { recursive: true })
  return {}
}

/** `uv pip install --python <venv>/bin/python …`: each tool's script in the venv's bin. */
function installs(spec: CommandSpec): Answer {
  const bin = path.dirname(spec.argv[spec.argv.indexOf('--python') + 1]!)
  for (const t of TOOLS) fs.writeFileSync(path.join(bin, t.executable), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  return {}
}

function setUp() {
  const bin = scratch.tempDir('dk-deferred-bin-')
  fs.writeFileSync(path.join(bin, 'uv'), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  const exec = recordedExec([
    PYTHON,
    { match: /\/uv venv --quiet /, answer: makesVenv },
    { match: /\/uv pip install --quiet /, answer: installs }
  ])
  const { ctx } = testContext({
    inputs: { install: 'isolated' },
    env: { RUNNER_TEMP: scratch.tempDir('dk-deferred-temp-'), PIP_CONFIG_FILE: '/dev/null', PATH: `${bin}:/usr/bin` },
    exec
  })
  return { ctx, exec }
}

const installsRun = (commands: string[]): string[] => commands.filter((c) => / venv | pip install /.test(c))

describe('a deferred tool venv', () => {
  test('recorded: nothing is made until ready(); which() gives the recorded paths; ready() twice installs once', async () => {
    const { ctx, exec } = setUp()
    const asked: string[] = []
    const box = await provisionTools(ctx, {
      mode: 'isolated',
      pythonCommand: 'python3',
      tools: TOOLS,
      cacheRoot: ctx.cacheRoot,
      workspace: { root: ctx.cacheRoot } as Workspace,
      recorded: (key) => (asked.push(key), { black: path.join('bin', 'black') })
    })
    expect(asked).toEqual([box.venvKey])
    expect(box.venvKey).toBe(venvKey({ path: '/usr/bin/python3', version: '3.12.4' } as never, TOOLS))
    expect(installsRun(exec.commands())).toEqual([])
    expect(fs.existsSync(box.venv!)).toBe(false)
    expect(box.deferred!.isReady()).toBe(false)
    expect(box.which('black')).toBe(path.join(box.venv!, 'bin', 'black'))
    expect(box.which('flake8')).toBeUndefined()

    await Promise.all([toolboxReady(box), toolboxReady(box)])
    expect(installsRun(exec.commands())).toHaveLength(2)
    expect(box.deferred!.isReady()).toBe(true)
    expect(box.which('flake8')).toBe(path.join(box.venv!, 'bin', 'flake8'))
    expect(box.installedWith).toMatchObject({ tool: 'uv' })
    expect(venvExecutables(box.venv!, box, ['black', 'flake8', 'mypy'])).toEqual({
      black: path.join('bin', 'black'),
      flake8: path.join('bin', 'flake8')
    })
  })

  test('nothing recorded: the venv is made at once; a venv already on disk is used at once, record or not', async () => {
    const { ctx, exec } = setUp()
    const options = { mode: 'isolated' as const, pythonCommand: 'python3', tools: TOOLS, cacheRoot: ctx.cacheRoot }
    const made = await provisionTools(ctx, { ...options, workspace: { root: ctx.cacheRoot } as Workspace, recorded: () => undefined })
    expect(made.deferred).toBeUndefined()
    expect(installsRun(exec.commands())).toHaveLength(2)

    const again = await provisionTools(ctx, {
      ...options,
      workspace: { root: ctx.cacheRoot } as Workspace,
      recorded: () => ({ black: 'bin/black' })
    })
    expect(again.deferred).toBeUndefined()
    expect(again.which('flake8')).toBe(path.join(again.venv!, 'bin', 'flake8'))
    expect(installsRun(exec.commands())).toHaveLength(2)
  })
})

describe('venv records', () => {
  test('written and read back; an unchanged record is not written again', () => {
    const dir = scratch.tempDir('dk-venv-records-')
    const record = { fingerprint: 'f'.repeat(64), executables: { black: 'bin/black', flake8: 'Scripts\\flake8.exe' } }
    writeVenvRecord(dir, 'abc123', record)
    expect(readVenvRecord(dir, 'abc123')).toEqual(record)
    expect(readVenvRecord(dir, 'other')).toBeUndefined()
    const file = path.join(dir, 'venvs', 'abc123.json')
    fs.utimesSync(file, new Date(0), new Date(0))
    writeVenvRecord(dir, 'abc123', record)
    expect(fs.statSync(file).mtimeMs).toBe(0)
    writeVenvRecord(dir, 'abc123', { ...record, fingerprint: 'e'.repeat(64) })
    expect(readVenvRecord(dir, 'abc123')!.fingerprint).toBe('e'.repeat(64))
    // A project environment's facts travel with it.
    const project = { venv: 'envs/venv-1', command: 'uv sync --locked', tools: { mypy: { version: '2.4.1', source: 'uv.lock' } } }
    writeVenvRecord(dir, 'project-1', { ...record, project })
    expect(readVenvRecord(dir, 'project-1')!.project).toEqual(project)
  })

  test.each([
    ['another format', { format: 'dk-actions-venv/0', fingerprint: 'f', executables: {} }],
    ['a path out of the venv', { format: VENV_RECORD_FORMAT, fingerprint: 'f', executables: { black: '../../bin/black' } }],
    ['an absolute path', { format: VENV_RECORD_FORMAT, fingerprint: 'f', executables: { black: '/usr/bin/black' } }],
    ['no fingerprint', { format: VENV_RECORD_FORMAT, executables: { black: 'bin/black' } }],
    [
      'a project environment out of the cache root',
      { format: VENV_RECORD_FORMAT, fingerprint: 'f', executables: {}, project: { venv: '../envs/x', tools: {} } }
    ],
    [
      "a project environment's tool without its source",
      { format: VENV_RECORD_FORMAT, fingerprint: 'f', executables: {}, project: { venv: 'envs/x', tools: { mypy: { version: '2.4.1' } } } }
    ],
    ['not JSON', '{']
  ])('a record with %s is not used', (_, data) => {
    const dir = scratch.tempDir('dk-venv-records-')
    fs.mkdirSync(path.join(dir, 'venvs'))
    fs.writeFileSync(path.join(dir, 'venvs', 'k.json'), typeof data === 'string' ? data : JSON.stringify(data))
    expect(readVenvRecord(dir, 'k')).toBeUndefined()
  })
})
