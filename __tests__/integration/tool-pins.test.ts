/**
 * The project's own tool versions, on the built run-quality bundle with the real tools:
 * ruff pinned by the official pre-commit hook, mypy by a uv.lock dev group.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, runBundle } from './harness.js'

const PRE_COMMIT_PIN = '__tests__/fixtures/workspaces/precommit-pin'
const UV_LOCK_PIN = '__tests__/fixtures/workspaces/uvlock-dev-mypy'

describe('run-quality uses the versions the repository pins', () => {
  test('ruff pinned in .pre-commit-config.yaml: its ruff format finds the file formatted', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    const run = await runBundle('run-quality', { checks: 'ruff-format', install: 'isolated' }, { workspace: ws })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const check = run.report!.checks.find((c) => c.tool === 'ruff-format')!
    expect(check).toMatchObject({ status: 'passed', toolVersion: '0.6.9', toolVersionSource: '.pre-commit-config.yaml', findings: [] })
    expect(run.summary).toContain('ruff-format 0.6.9 (.pre-commit-config.yaml)')
    expect(run.stdout).toContain('Tool versions: ruff 0.6.9 from .pre-commit-config.yaml (rev v0.6.9 of astral-sh/ruff-pre-commit) instead of the default')
  })

  test('without the pin, the default ruff reports the same file', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    fs.rmSync(path.join(ws, '.pre-commit-config.yaml'))
    const run = await runBundle('run-quality', { checks: 'ruff-format', install: 'isolated' }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    const check = run.report!.checks.find((c) => c.tool === 'ruff-format')!
    expect(check).toMatchObject({ status: 'failed', toolVersionSource: 'dk-actions default' })
    expect(check.toolVersion).not.toBe('0.6.9')
    expect(check.findings.map((f) => f.file)).toEqual(['src/pinned/messages.py'])
    expect(run.summary).toContain(`ruff-format ${check.toolVersion} (dk-actions default)`)
  })

  test('the tool-versions input still overrides the pre-commit pin', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    const run = await runBundle('run-quality', { checks: 'ruff-format', install: 'isolated', 'tool-versions': 'ruff==0.9.0' }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    const check = run.report!.checks.find((c) => c.tool === 'ruff-format')!
    expect(check).toMatchObject({ status: 'failed', toolVersion: '0.9.0', toolVersionSource: 'tool-versions input' })
    expect(check.findings.map((f) => f.file)).toEqual(['src/pinned/messages.py'])
    expect(run.stdout).toContain("ruff 0.9.0 from the tool-versions input, over the project's 0.6.9 in .pre-commit-config.yaml")
  })

  test('mypy pinned in a uv.lock dev group is the mypy installed and reported', async () => {
    const ws = copyFixture(UV_LOCK_PIN)
    // A runner temp of its own, so the tool venv is created here and its install shows in the log.
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pins-temp-'))
    const run = await runBundle('run-quality', { checks: 'mypy', install: 'isolated' }, { workspace: ws, runnerTemp })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const check = run.report!.checks.find((c) => c.tool === 'mypy')!
    expect(check).toMatchObject({ status: 'passed', toolVersion: '1.15.0', toolVersionSource: 'uv.lock', findings: [] })
    expect(run.stdout).toMatch(/Installing tools: [^\n]*\bmypy==1\.15\.0\b/)
    expect(run.summary).toContain('mypy 1.15.0 (uv.lock)')
    // The venv holds that mypy, whatever the report says.
    const venvs = fs.readdirSync(path.join(runnerTemp, 'dk-actions-cache', 'venvs'))
    const dist = venvs.flatMap((v) => fs.readdirSync(path.join(runnerTemp, 'dk-actions-cache', 'venvs', v, 'lib')).flatMap((py) =>
      fs.readdirSync(path.join(runnerTemp, 'dk-actions-cache', 'venvs', v, 'lib', py, 'site-packages')).filter((f) => /^mypy-.*\.dist-info$/.test(f))))
    expect(dist).toEqual(['mypy-1.15.0.dist-info'])
    fs.rmSync(runnerTemp, { recursive: true, force: true })
  })
})
