/**
 * The project's own tool versions, on the built bundles with the real tools: ruff pinned by
 * its official pre-commit hook, mypy by a uv.lock dev group, and each other action that
 * provisions tools (run-tests, run-security, build-packages) with a pin of its own tool.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, runBundle } from './harness.js'

const PRE_COMMIT_PIN = '__tests__/fixtures/workspaces/precommit-pin'
const UV_LOCK_PIN = '__tests__/fixtures/workspaces/uvlock-dev-mypy'

describe('the actions use the versions the repository pins', () => {
  test('ruff pinned in .pre-commit-config.yaml: its ruff format finds the file formatted', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    const run = await runBundle('run-quality', { checks: 'ruff-format', install: 'isolated' }, { workspace: ws })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const check = run.report!.checks.find((c) => c.tool === 'ruff-format')!
    expect(check).toMatchObject({ status: 'passed', toolVersion: '0.6.9', toolVersionSource: '.pre-commit-config.yaml', findings: [] })
    expect(run.summary).toContain('ruff-format 0.6.9 (.pre-commit-config.yaml)')
    expect(run.stdout).toContain(
      'Tool versions: ruff 0.6.9 from .pre-commit-config.yaml (rev v0.6.9 of astral-sh/ruff-pre-commit) instead of the default'
    )
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
    const run = await runBundle(
      'run-quality',
      { checks: 'ruff-format', install: 'isolated', 'tool-versions': 'ruff==0.9.0' },
      { workspace: ws }
    )
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
    expect(run.stdout).toMatch(/Installing tools with [^\n]*\bmypy==1\.15\.0\b/)
    expect(run.summary).toContain('mypy 1.15.0 (uv.lock)')
    // The venv holds that mypy, whatever the report says.
    const venvs = fs.readdirSync(path.join(runnerTemp, 'dk-actions-cache', 'venvs'))
    const dist = venvs.flatMap((v) =>
      fs
        .readdirSync(path.join(runnerTemp, 'dk-actions-cache', 'venvs', v, 'lib'))
        .flatMap((py) =>
          fs
            .readdirSync(path.join(runnerTemp, 'dk-actions-cache', 'venvs', v, 'lib', py, 'site-packages'))
            .filter((f) => /^mypy-.*\.dist-info$/.test(f))
        )
    )
    expect(dist).toEqual(['mypy-1.15.0.dist-info'])
    fs.rmSync(runnerTemp, { recursive: true, force: true })
  })

  test('run-tests: pytest pinned in requirements-dev.txt runs the suite and is reported with its source', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    fs.mkdirSync(path.join(ws, 'tests'))
    fs.writeFileSync(
      path.join(ws, 'tests', 'test_messages.py'),
      'from pinned.messages import total\n\n\ndef test_total() -> None:\n    assert total(1, 2) == "3 items"\n'
    )
    // A range is passed over (and said so); the exact pin below it counts.
    fs.writeFileSync(path.join(ws, 'requirements-dev.txt'), 'coverage>=7\npytest==8.3.5\n')
    const run = await runBundle('run-tests', { install: 'isolated', suites: 'unit=tests' }, { workspace: ws })
    expect(run.exitCode).toBe(0)
    const check = run.report!.checks.find((c) => c.tool.startsWith('pytest'))!
    expect(check).toMatchObject({ status: 'passed', toolVersion: '8.3.5', toolVersionSource: 'requirements-dev.txt' })
    expect(run.report!.checks.find((c) => c.tool === 'coverage')?.toolVersionSource).toBe('dk-actions default')
    expect(run.stdout).toContain("requirements-dev.txt:1: 'coverage>=7' is a range, not a pin")
    expect(run.summary).toContain('pytest unit 8.3.5 (requirements-dev.txt)')
  })

  test('run-security: bandit pinned by its official hook, a frozen SHA rev', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    fs.appendFileSync(
      path.join(ws, '.pre-commit-config.yaml'),
      '  - repo: https://github.com/PyCQA/bandit\n    rev: 0123456789abcdef0123456789abcdef01234567  # frozen: 1.8.6\n    hooks:\n      - id: bandit\n'
    )
    const run = await runBundle('run-security', { checks: 'bandit', install: 'isolated' }, { workspace: ws })
    expect(run.exitCode).toBe(0)
    const check = run.report!.checks.find((c) => c.tool === 'bandit')!
    expect(check).toMatchObject({ status: 'passed', toolVersion: '1.8.6', toolVersionSource: '.pre-commit-config.yaml' })
    expect(run.summary).toContain('bandit 1.8.6 (.pre-commit-config.yaml)')
  })

  test('build-packages: twine pinned in requirements-dev.txt checks the dists', async () => {
    const ws = copyFixture(PRE_COMMIT_PIN)
    fs.writeFileSync(path.join(ws, 'README.md'), '# pinned\n\nA package pinned to an older formatter.\n')
    fs.writeFileSync(path.join(ws, 'requirements-dev.txt'), 'twine==6.1.0\n')
    // twine 6.1 reads core metadata up to 2.4 (it errors on the 2.5 of newer hatchling): the
    // backend is pinned too, so the check shows the pinned twine at work, not a version clash.
    const pyproject = path.join(ws, 'pyproject.toml')
    fs.writeFileSync(
      pyproject,
      fs
        .readFileSync(pyproject, 'utf8')
        .replace('requires = ["hatchling"]', 'requires = ["hatchling==1.27.0"]')
        .replace('version = "0.1.0"', 'version = "0.1.0"\nreadme = "README.md"')
    )
    const run = await runBundle('build-packages', { install: 'isolated' }, { workspace: ws })
    const check = run.report!.checks.find((c) => c.tool === 'twine')!
    expect(check).toMatchObject({ status: 'passed', toolVersion: '6.1.0', toolVersionSource: 'requirements-dev.txt' })
    expect(check.findings).toEqual([])
    expect(run.summary).toContain('twine 6.1.0 (requirements-dev.txt)')
  })
})
