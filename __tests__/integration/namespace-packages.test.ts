/**
 * A uv workspace whose members share the PEP 420 namespace `acme` under dotted names
 * (`acme.core`, `acme.extras`), with the built bundles and the real tools.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, runBundle } from './harness.js'

const FIXTURE = '__tests__/fixtures/workspaces/namespace-dotted'
// Set per test: a project-level testTimeout in jest.config.js does not reach these tests.
const TIMEOUT = 10 * 60_000

interface CoverageReport {
  percent: number
  dataFile: string
  packages: { package: string; percent: number; files: number }[]
}

describe('namespace packages (PEP 420) with dotted names', () => {
  test(
    'run-quality: mypy and pylint check the members by import name and report exactly the seeded error',
    async () => {
      const ws = copyFixture(FIXTURE)
      const run = await runBundle('run-quality', { checks: 'mypy,pylint', install: 'isolated' }, { workspace: ws })
      const checks = run.report!.checks
      expect(checks.map((c) => [c.tool, c.status])).toEqual([
        ['mypy', 'failed'],
        ['pylint', 'passed']
      ])
      expect(checks.flatMap((c) => c.findings).map((f) => [f.tool, f.package, f.file, f.line, f.column, f.rule])).toEqual([
        ['mypy', 'acme-extras', 'src/acme/extras/acme/extras/shout.py', 13, 12, 'return-value']
      ])
      expect(checks[0]!.command).toContain('-p acme.core -p acme.extras')
      expect(run.exitCode).toBe(1)
    },
    TIMEOUT
  )

  test(
    "run-tests: each member's real package is measured, and the figures match coverage report run by hand",
    async () => {
      const ws = copyFixture(FIXTURE)
      const run = await runBundle('run-tests', { install: 'isolated', 'report-dir': '.dk-reports' }, { workspace: ws })
      expect(run.exitCode).toBe(0)
      const pytest = run.report!.checks.filter((c) => c.tool.startsWith('pytest '))
      expect(pytest.map((c) => c.status)).toEqual(['passed', 'passed'])
      expect(pytest.map((c) => c.command).join('\n')).toContain('--cov=acme.core --cov=acme.extras')
      const coverage = run.report!.coverage as CoverageReport
      expect(coverage.packages.map((p) => p.package)).toEqual(['acme-core', 'acme-extras'])
      // The venv's coverage, from the pytest command the action ran.
      const bin = path.dirname(pytest[0]!.command!.split(' ')[0]!)
      for (const [id, dir] of [
        ['acme-core', 'src/acme/core/acme'],
        ['acme-extras', 'src/acme/extras/acme']
      ] as const) {
        const mine = coverage.packages.find((p) => p.package === id)!
        expect(mine.percent).toBeGreaterThan(0)
        const byHand = Number(
          execFileSync(
            path.join(bin, 'coverage'),
            ['report', `--data-file=${coverage.dataFile}`, `--include=${path.join(ws, dir)}/*`, '--format=total', '--precision=3'],
            { cwd: ws, encoding: 'utf8' }
          ).trim()
        )
        expect(Math.abs(mine.percent - byHand)).toBeLessThanOrEqual(0.1)
      }
    },
    TIMEOUT
  )

  test(
    "run-security: bandit scans each member's real package, not its tests, and honours [tool.bandit] skips",
    async () => {
      const ws = copyFixture(FIXTURE)
      // What ships: a shell=True call in acme.core; beside it, a test with the same call and asserts.
      fs.writeFileSync(
        `${ws}/src/acme/core/acme/core/runner.py`,
        'import subprocess\n\n\ndef run(cmd: str) -> int:\n    return subprocess.call(cmd, shell=True)\n'
      )
      fs.writeFileSync(
        `${ws}/src/acme/core/tests/test_runner.py`,
        'import subprocess\n\n\ndef test_shell() -> None:\n    assert subprocess.call("true", shell=True) == 0\n'
      )
      const run = await runBundle('run-security', { checks: 'bandit', install: 'isolated' }, { workspace: ws })
      const files = run.report!.checks.flatMap((c) => c.findings).map((f) => [f.file, f.rule])
      expect(files).toContainEqual(['src/acme/core/acme/core/runner.py', 'B602'])
      expect(files.filter(([f]) => f!.includes('/tests/'))).toEqual([])
      const bandit = run.report!.checks.find((c) => c.tool === 'bandit')!
      expect(bandit.command).toContain('src/acme/core/acme/core')
      expect(bandit.command).not.toMatch(/src\/acme\/core(\s|$)/)
      // The project's own skips hold, as in bandit itself.
      fs.appendFileSync(`${ws}/pyproject.toml`, '\n[tool.bandit]\nskips = ["B602", "B404"]\n')
      const skipped = await runBundle('run-security', { checks: 'bandit', install: 'isolated' }, { workspace: ws })
      expect(skipped.report!.checks.flatMap((c) => c.findings).map((f) => f.rule)).not.toContain('B602')
    },
    TIMEOUT
  )

  test(
    'build-packages: the test install imports acme.core and acme.extras, not the bare namespace',
    async () => {
      const ws = copyFixture(FIXTURE)
      const run = await runBundle('build-packages', { 'twine-check': 'false' }, { workspace: ws })
      const check = run.report!.checks.find((c) => c.tool === 'import')!
      expect(check.status).toBe('passed')
      expect(check.message).toBe('2 module(s): acme.core, acme.extras')
      expect(run.report!.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.tool)).toEqual([])
      expect(run.exitCode).toBe(0)
    },
    TIMEOUT
  )
})
