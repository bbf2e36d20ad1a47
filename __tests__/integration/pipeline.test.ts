/**
 * The root action: the default stages on the example monorepo in one step, one report
 * covering every stage; and a failed stage that does not stop the others, but stops the
 * release stages.
 *
 * @slow
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, nodeBinaries, runBundle } from './harness.js'

const node = nodeBinaries()[nodeBinaries().length - 1]!

interface StageData {
  stage: string
  status: string
  message?: string
}

describe('pipeline (root action)', () => {
  test(`default stages on the example monorepo: one report covering every stage (${node.label})`, async () => {
    const ws = copyFixture('examples/monorepo')
    const run = await runBundle('pipeline', { install: 'isolated' }, { workspace: ws, node: node.path })
    if (run.exitCode !== 0) console.log(run.stdout.slice(-5000))
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    const report = run.report!
    expect(report.action).toBe('pipeline')
    const stages = report.stages as StageData[]
    expect(stages.map((s) => [s.stage, s.status])).toEqual([
      ['quality', 'passed'],
      ['security', 'passed'],
      ['tests', 'passed'],
      ['build', 'passed']
    ])
    const tools = new Set(report.checks.map((c) => c.tool.split('/')[0]))
    expect([...tools].sort()).toEqual(['build', 'quality', 'security', 'tests'])
    expect(report.checks.some((c) => c.tool === 'quality/mypy')).toBe(true)
    expect(report.checks.some((c) => c.tool.startsWith('tests/pytest'))).toBe(true)
    expect(report.packages.sort()).toEqual(['dataknobs-common', 'dataknobs-structures', 'dataknobs-utils', 'dataknobs-xization'])
    // Stage outputs come through with their prefix.
    expect(run.outputs['quality-passed']).toBe('true')
    expect(run.outputs['build-has-packages']).toBe('true')
    expect(JSON.parse(run.outputs['build-matrix']!).include).toHaveLength(4)
    expect(Number(run.outputs['tests-tests'])).toBeGreaterThan(0)
    // One summary with a section per stage.
    expect(run.summary.match(/^## /gm)).toHaveLength(1)
    expect(run.summary).toContain('### Stages')
  })

  test('a failing stage does not stop the others, blocks publish, and fails the step', async () => {
    const ws = copyFixture('examples/monorepo')
    fs.appendFileSync(path.join(ws, 'packages/common/src/dataknobs_common/text.py'), '\nimport os\n')
    const run = await runBundle(
      'pipeline',
      { install: 'isolated', stages: 'quality,tests,publish', 'quality-checks': 'flake8', 'publish-dry-run': 'true' },
      { workspace: ws, node: node.path }
    )
    expect(run.exitCode).toBe(1)
    const stages = run.report!.stages as StageData[]
    expect(stages.map((s) => [s.stage, s.status])).toEqual([
      ['quality', 'failed'],
      ['tests', 'passed'],
      ['publish', 'blocked']
    ])
    expect(stages[2]!.message).toMatch(/quality failed/)
    const f401 = run.report!.checks.flatMap((c) => c.findings).find((f) => f.rule === 'F401')
    expect(f401).toMatchObject({ tool: 'quality/flake8', file: 'packages/common/src/dataknobs_common/text.py' })
    expect(run.stdout).toMatch(/::error::The pipeline failed: quality failed, publish blocked/)
  })

  test('a bad stage name is one clear error before anything runs', async () => {
    const ws = copyFixture('examples/monorepo')
    const run = await runBundle('pipeline', { stages: 'quality,deploy' }, { workspace: ws, node: node.path })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      '::error::Input \'stages\' has an invalid value "deploy": allowed values are quality, security, tests, docs, release, build, publish, github-release, deploy-plan, health-check.'
    )
    expect(run.report).toBeUndefined()
  })
})
