/**
 * run-quality's bundle on fixture repositories, with the real tools (installed by the
 * action itself into its isolated venv), on Node 20 and Node 24.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, gitInit, nodeBinaries, runBundle } from './harness.js'

interface Expected {
  tool: string
  file: string
  line?: number
  column?: number
  rule?: string
}

const PKG = 'packages/pkg_a/src/pkg_a'
// From __tests__/fixtures/quality/defects/EXPECTED.md (columns made 1-based).
const EXPECTED: Expected[] = [
  { tool: 'black', file: `${PKG}/unformatted.py` },
  { tool: 'isort', file: `${PKG}/unsorted_imports.py` },
  { tool: 'flake8', file: `${PKG}/lint_errors.py`, line: 3, column: 1, rule: 'F401' },
  { tool: 'flake8', file: `${PKG}/lint_errors.py`, line: 5, column: 89, rule: 'E501' },
  { tool: 'mypy', file: `${PKG}/typing_errors.py`, line: 4, column: 1, rule: 'no-untyped-def' },
  { tool: 'mypy', file: `${PKG}/typing_errors.py`, line: 9, column: 12, rule: 'return-value' },
  { tool: 'pylint', file: `${PKG}/lint_errors.py`, line: 3, column: 1, rule: 'W0611 unused-import' },
  { tool: 'pylint', file: `${PKG}/lint_errors.py`, line: 5, column: 1, rule: 'C0301 line-too-long' },
  { tool: 'pylint', file: `${PKG}/pylint_only.py`, line: 6, column: 1, rule: 'W0102 dangerous-default-value' },
  { tool: 'pylint', file: `${PKG}/pylint_only.py`, line: 12, column: 5, rule: 'R1705 no-else-return' },
  { tool: 'ruff', file: `${PKG}/lint_errors.py`, line: 3, column: 8, rule: 'F401' },
  { tool: 'ruff', file: `${PKG}/lint_errors.py`, line: 5, column: 89, rule: 'E501' },
  { tool: 'ruff', file: `${PKG}/unsorted_imports.py`, line: 3, column: 1, rule: 'I001' },
  { tool: 'ruff-format', file: `${PKG}/unformatted.py` }
]
const ALL_CHECKS = 'black,isort,flake8,mypy,pylint,ruff,ruff-format'

describe.each(nodeBinaries())('run-quality bundle on $label', (node) => {
  test('reports every seeded defect at the right file, line and rule, and fails', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    // fail-on: note makes every finding count, so every tool fails.
    const run = await runBundle(
      'run-quality',
      { checks: ALL_CHECKS, install: 'isolated', 'fail-on': 'note' },
      { workspace: ws, node: node.path }
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    const findings = run.report!.checks.flatMap((c) => c.findings)
    for (const e of EXPECTED) {
      const hit = findings.find(
        (f) =>
          f.tool === e.tool &&
          f.file === e.file &&
          (e.line === undefined || f.line === e.line) &&
          (e.column === undefined || f.column === e.column) &&
          (e.rule === undefined || f.rule === e.rule)
      )
      expect({ expected: e, found: hit !== undefined }).toEqual({ expected: e, found: true })
    }
    expect(findings).toHaveLength(EXPECTED.length)
    expect(Number(run.outputs.findings)).toBe(EXPECTED.length)
    for (const c of run.report!.checks) expect(c.status).toBe('failed')
    // Annotations are real workflow commands with repository-relative paths.
    const mypyAnn = run.annotations.find((a) => a.props.title === 'mypy return-value')
    expect(mypyAnn?.props).toMatchObject({ file: `${PKG}/typing_errors.py`, line: '9', col: '12' })
    // SARIF: one run per tool, distinct categories.
    const sarif = JSON.parse(fs.readFileSync(run.outputs.sarif!, 'utf8'))
    expect(sarif.runs.map((r: { tool: { driver: { name: string } } }) => r.tool.driver.name).sort()).toEqual(ALL_CHECKS.split(',').sort())
    const ids = sarif.runs.map((r: { automationDetails: { id: string } }) => r.automationDetails.id)
    expect(new Set(ids).size).toBe(ids.length)
    // The summary has the table and the black diff.
    expect(run.summary).toContain('| black')
    expect(run.summary).toContain('+GREETING = "hello"')
  })

  test('under the default fail-on (error), pylint warnings and notes are reported but do not fail', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    const run = await runBundle('run-quality', { checks: 'pylint', install: 'isolated' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(0)
    expect(run.report!.checks[0]!.status).toBe('passed')
    expect(run.report!.checks[0]!.findings).toHaveLength(4)
  })

  test('a clean fixture passes with zero findings', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    const run = await runBundle('run-quality', { checks: ALL_CHECKS, install: 'isolated' }, { workspace: ws, node: node.path })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(run.outputs.findings).toBe('0')
    expect(run.report!.checks.map((c) => c.status)).toEqual(Array(7).fill('passed'))
  })
})

describe('run-quality behaviour', () => {
  const node = nodeBinaries()[0]!

  test('more findings than the annotation budget: the summary counts the rest, the report keeps all', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    const lines = Array.from({ length: 30 }, (_, i) => `import os as os_${i}`)
    fs.writeFileSync(path.join(ws, 'packages/pkg_a/src/pkg_a/noisy.py'), lines.join('\n') + '\n')
    const run = await runBundle('run-quality', { checks: 'flake8', install: 'isolated' }, { workspace: ws, node: node.path })
    const findings = run.report!.checks.flatMap((c) => c.findings)
    expect(findings.length).toBeGreaterThanOrEqual(30)
    // The failing step's own error takes the tenth of GitHub's 10 error slots.
    const errors = run.annotations.filter((a) => a.severity === 'error' && a.props.file)
    expect(errors).toHaveLength(9)
    expect(run.annotations.filter((a) => a.severity === 'error')).toHaveLength(10)
    expect(run.report!.annotations).toEqual({ emitted: 9, notAnnotated: findings.length - 9 })
    expect(run.summary).toContain(`${findings.length - 9} finding(s) were not annotated`)
  })

  test('a broken tool configuration is an error naming the tool and the file', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    fs.writeFileSync(path.join(ws, '.flake8'), '[flake8]\nmax-line-length = eighty\n')
    const run = await runBundle('run-quality', { checks: 'flake8,black', install: 'isolated' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(1)
    const flake = run.report!.checks.find((c) => c.tool === 'flake8')!
    expect(flake.status).toBe('error')
    expect(flake.message).toMatch(/flake8 exited with code 1/)
    expect(flake.message).toMatch(/max-line-length|eighty/)
    expect(run.report!.checks.find((c) => c.tool === 'black')!.status).toBe('passed')
    expect(run.stdout).toMatch(/::error::run-quality: flake8 failed to run/)
  })

  test('packages: changed with nothing changed checks nothing and passes', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    gitInit(ws)
    const run = await runBundle(
      'run-quality',
      { packages: 'changed', 'base-ref': 'HEAD', install: 'isolated' },
      { workspace: ws, node: node.path }
    )
    expect(run.exitCode).toBe(0)
    expect(run.report!.packages).toEqual([])
    expect(run.report!.checks.every((c) => c.status === 'skipped')).toBe(true)
  })

  test('fix: true rewrites black and isort problems and reports the files', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    const run = await runBundle(
      'run-quality',
      { checks: 'black,isort', fix: 'true', install: 'isolated' },
      { workspace: ws, node: node.path }
    )
    expect(run.exitCode).toBe(0)
    expect(run.summary).toContain('packages/pkg_a/src/pkg_a/unformatted.py')
    expect(run.summary).toContain('packages/pkg_a/src/pkg_a/unsorted_imports.py')
    expect(fs.readFileSync(path.join(ws, 'packages/pkg_a/src/pkg_a/unformatted.py'), 'utf8')).toContain('"hello"')
  })

  test('a bad input is one clear line, without a stack trace', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    const run = await runBundle('run-quality', { checks: 'black,eslint' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(1)
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'))
    expect(errors).toEqual([
      '::error::Input \'checks\' has an invalid value "eslint": allowed values are black, isort, flake8, mypy, pylint, ruff, ruff-format.'
    ])
    expect(run.stdout).not.toMatch(/\n\s+at /)
  })

  test("a package with its own configuration is checked with it, the others with the root's", async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    // A second package, like pkg_a but with a 100-character line and its own flake8 settings.
    fs.cpSync(path.join(ws, 'packages/pkg_a'), path.join(ws, 'packages/pkg_b'), { recursive: true })
    fs.renameSync(path.join(ws, 'packages/pkg_b/src/pkg_a'), path.join(ws, 'packages/pkg_b/src/pkg_b'))
    const toml = path.join(ws, 'packages/pkg_b/pyproject.toml')
    fs.writeFileSync(
      toml,
      fs.readFileSync(toml, 'utf8').replace(/pkg_a|pkg-a/g, (m) => m.replace('a', 'b'))
    )
    const long = `LONG_NAME = "${'x'.repeat(84)}"\n`
    fs.appendFileSync(path.join(ws, 'packages/pkg_a/src/pkg_a/__init__.py'), long)
    fs.appendFileSync(path.join(ws, 'packages/pkg_b/src/pkg_b/__init__.py'), long)
    fs.writeFileSync(path.join(ws, 'packages/pkg_b/.flake8'), '[flake8]\nmax-line-length = 120\n')
    const run = await runBundle('run-quality', { checks: 'flake8', install: 'isolated' }, { workspace: ws, node: node.path })
    const findings = run.report!.checks.flatMap((c) => c.findings)
    expect(findings.map((f) => [f.file, f.rule, f.package])).toEqual([['packages/pkg_a/src/pkg_a/__init__.py', 'E501', 'pkg-a']])
    // Two runs: the root one and the one inside pkg_b.
    expect(run.report!.checks[0]!.command!.split('\n')).toHaveLength(2)
  })

  test("install: project checks with the project's own environment, made under the runner temp", async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    const run = await runBundle('run-quality', { checks: 'mypy,flake8', install: 'project' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(0)
    // With no lock: a venv with the packages installed editable and the tools beside them, never a .venv in the repository.
    expect(fs.existsSync(path.join(ws, '.venv'))).toBe(false)
    const [env] = run.report!.environments as { kind: string; venv: string }[]
    expect(env!.kind).toBe('venv')
    expect(fs.existsSync(path.join(env!.venv, 'bin', 'mypy'))).toBe(true)
    expect(fs.existsSync(path.join(env!.venv, 'bin', 'flake8'))).toBe(true)
    const freeze = fs
      .readdirSync(path.join(env!.venv, 'lib'))
      .flatMap((py) => fs.readdirSync(path.join(env!.venv, 'lib', py, 'site-packages')))
    expect(freeze.some((f) => /pkg_a/i.test(f))).toBe(true)
  })
})
