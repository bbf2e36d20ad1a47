/**
 * No writes outside the output folders and RUNNER_TEMP when actions follow one another as
 * the steps of a job do (see no-writes.test.ts for the fixture): build-packages into the
 * workspace then health-check from there, the project environments of install: project and
 * auto, the root pipeline with its reports in the workspace, and run-security,
 * build-packages and run-tests before a run-quality with mypy, which used to fail on
 * their build/ and egg-info leftovers ("Duplicate module").
 *
 * @slow
 */
import * as path from 'node:path'
import { checkout, expectPassed, node, outside, status } from './helpers/clean-checkout.js'
import { runBundle } from './harness.js'

describe('no writes outside the output folders and RUNNER_TEMP, actions in sequence', () => {
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
      const other = await runBundle(
        action,
        { install: 'project', ...(action === 'run-security' ? { checks: 'bandit' } : {}) },
        { workspace: ws, node: node.path }
      )
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
