/**
 * No writes outside the workspace's own output folders and RUNNER_TEMP: every action and
 * the root pipeline, run on a clean git checkout, leave `git status --porcelain --ignored`
 * as it was, apart from the outputs the user asked for (dist-dir, report-dir inside the
 * workspace). And the chain that broke: run-security, build-packages and run-tests used to
 * leave build/ and egg-info behind, and a run-quality after them in the same job got mypy's
 * "Duplicate module" and failed a clean repository.
 *
 * The fixture is the example monorepo (two poetry-core packages, a hatchling and a
 * setuptools one with tests) plus a setuptools package configured through setup.cfg and
 * setup.py in a src layout, which carries its own mypy configuration, so mypy runs inside
 * that package's folder, where a build/lib copy of its modules is a second module of the
 * same name. The fixture has no .gitignore: nothing hides a leftover from git or mypy.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ReportData } from '../../packages-shared/findings.js'
import { copyFixture, gitInit, nodeBinaries, runBundle, type ActionRun } from './harness.js'

const node = nodeBinaries()[nodeBinaries().length - 1]!

const LEGACY: Record<string, string> = {
  'pyproject.toml': [
    '[build-system]',
    'requires = ["setuptools>=68"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    'name = "dataknobs-legacy"',
    'version = "1.0.0"',
    'description = "A setuptools package configured in setup.cfg."',
    'readme = "README.md"',
    'requires-python = ">=3.8"',
    ''
  ].join('\n'),
  'README.md': '# dataknobs-legacy\n\nA setuptools package configured in setup.cfg.\n',
  'setup.cfg': [
    '[options]',
    'package_dir =',
    '    =src',
    'packages = find:',
    '',
    '[options.packages.find]',
    'where = src',
    '',
    '[mypy]',
    'mypy_path = src',
    'exclude = ^setup\\.py$',
    'disallow_untyped_defs = True',
    'warn_return_any = True',
    ''
  ].join('\n'),
  // The tools' venvs do not hold setuptools: setup.py is left out of mypy and pylint.
  'setup.py': '# pylint: disable=import-error\nfrom setuptools import setup\n\nsetup()\n',
  'src/dataknobs_legacy/__init__.py': [
    '"""A package built the setuptools way."""',
    '',
    '',
    'def double(value: int) -> int:',
    '    return value * 2',
    ''
  ].join('\n'),
  'tests/test_legacy.py': [
    'from dataknobs_legacy import double',
    '',
    '',
    'def test_double() -> None:',
    '    assert double(21) == 42',
    ''
  ].join('\n')
}

/** A clean git checkout of the fixture. */
function checkout(): string {
  const ws = copyFixture('examples/monorepo')
  fs.rmSync(path.join(ws, '.gitignore'))
  for (const [rel, text] of Object.entries(LEGACY)) {
    const file = path.join(ws, 'packages', 'legacy', rel)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }
  gitInit(ws)
  return ws
}

/** Every untracked, ignored or changed path (files, not just their folders), with git's status code. */
function status(ws: string): string[] {
  const out = execFileSync('git', ['status', '--porcelain', '--ignored', '--untracked-files=all'], { cwd: ws }).toString()
  return out.split('\n').filter(Boolean).sort()
}

/** The paths of `status` lines outside `folder` (a repository-relative prefix). */
function outside(lines: string[], folder: string): string[] {
  return lines.filter((l) => !l.slice(3).startsWith(folder))
}

function expectPassed(run: ActionRun, what: string): ReportData {
  if (run.exitCode !== 0) console.log(`${what}:\n${run.stdout.slice(-6000)}`)
  expect(run.exitCode).toBe(0)
  expect(run.outputs.passed).toBe('true')
  return run.report!
}

const ALL_QUALITY = 'black,isort,flake8,mypy,pylint,ruff,ruff-format'

describe('no writes outside the output folders and RUNNER_TEMP', () => {
  test.each([
    ['run-quality, every check', 'run-quality', { install: 'isolated', checks: ALL_QUALITY }],
    ['run-quality with fix: true', 'run-quality', { install: 'isolated', checks: ALL_QUALITY, fix: 'true' }],
    ['run-security', 'run-security', { install: 'isolated' }],
    ['run-tests', 'run-tests', { install: 'isolated' }],
    // uv build is the default frontend (the test below); these are the other two.
    ['build-packages with python -m build', 'build-packages', { install: 'isolated', backend: 'build' }],
    ['build-packages with poetry build', 'build-packages', { install: 'isolated', backend: 'poetry' }]
  ])('%s leaves the checkout as it was', async (what, action, inputs) => {
    const ws = checkout()
    expect(status(ws)).toEqual([])
    const run = await runBundle(action, inputs, { workspace: ws, node: node.path })
    const report = expectPassed(run, what)
    // The repository's five packages were all covered, the setuptools one included.
    expect(report.packages).toContain('dataknobs-legacy')
    expect(status(ws)).toEqual([])
  })

  test('build-packages (dist-dir in the workspace), then health-check from those dists: only the dists appear', async () => {
    const ws = checkout()
    const build = await runBundle('build-packages', { install: 'isolated', 'dist-dir': 'out/dist' }, { workspace: ws, node: node.path })
    expectPassed(build, 'build-packages')
    const ids = ['dataknobs-common', 'dataknobs-legacy', 'dataknobs-structures', 'dataknobs-utils', 'dataknobs-xization']
    const left = status(ws)
    // Nothing but the dists asked for: a wheel and an sdist per package (uv adds a .gitignore there).
    expect(outside(left, 'out/dist/')).toEqual([])
    for (const id of ids) {
      expect(left.filter((l) => l.slice(3).startsWith(`out/dist/${id}/`) && /\.(whl|tar\.gz)$/.test(l))).toHaveLength(2)
    }

    const health = await runBundle(
      'health-check',
      { 'index-url': 'none', 'find-links': ids.map((id) => path.join(ws, 'out', 'dist', id)).join(',') },
      { workspace: ws, node: node.path }
    )
    expect(expectPassed(health, 'health-check').packages.sort()).toEqual(ids)
    expect(status(ws)).toEqual(left)
  })

  test('install: project and auto: the project environments go under the runner temp; no .venv, no build leftovers of the editable installs', async () => {
    const ws = checkout()
    const run = await runBundle('run-quality', { install: 'project', checks: 'mypy,flake8' }, { workspace: ws, node: node.path })
    expectPassed(run, 'run-quality, install: project')
    expect(status(ws)).toEqual([])
    expectPassed(await runBundle('run-tests', { install: 'auto' }, { workspace: ws, node: node.path }), 'run-tests, install: auto')
    expect(status(ws)).toEqual([])
    // The actions whose tools do not import the project take its environment the same way.
    for (const action of ['build-packages', 'run-security']) {
      const other = await runBundle(action, { install: 'project', ...(action === 'run-security' ? { checks: 'bandit' } : {}) }, { workspace: ws, node: node.path })
      expectPassed(other, `${action}, install: project`)
      expect(other.stdout).toContain('Installing the project environment (venv)')
      expect({ after: action, left: status(ws) }).toEqual({ after: action, left: [] })
    }
  })

  test('the root pipeline (report-dir in the workspace): only the reports appear', async () => {
    const ws = checkout()
    const run = await runBundle('pipeline', { install: 'isolated', 'report-dir': 'out/reports' }, { workspace: ws, node: node.path })
    expectPassed(run, 'pipeline')
    const left = status(ws)
    expect(outside(left, 'out/reports/')).toEqual([])
    expect(left.map((l) => l.slice(3))).toContain('out/reports/pipeline.json')
  })

  test('run-security, build-packages, run-tests, then run-quality with mypy in one job: run-quality is clean', async () => {
    const ws = checkout()
    // One workspace and, through the harness, one RUNNER_TEMP, as the steps of one job share them.
    for (const action of ['run-security', 'build-packages', 'run-tests']) {
      expectPassed(await runBundle(action, { install: 'isolated' }, { workspace: ws, node: node.path }), action)
      expect({ after: action, left: status(ws) }).toEqual({ after: action, left: [] })
    }
    const quality = await runBundle('run-quality', { install: 'isolated', checks: 'mypy' }, { workspace: ws, node: node.path })
    const report = expectPassed(quality, 'run-quality')
    expect(report.checks.map((c) => c.status)).not.toContain('error')
    expect(report.checks.flatMap((c) => c.findings)).toEqual([])
    // mypy ran inside the setuptools package too (its own configuration), where the copy was.
    expect(report.checks.find((c) => c.tool === 'mypy')?.command).toContain('--cache-dir=')
    expect(quality.stdout).toMatch(/mypy in packages\/legacy: 0 finding\(s\)/)
  })
})
