/**
 * The example CI workflow under act with a seeded lint error and a failing test: the
 * quality and tests jobs turn red with the findings, security stays green, build never starts.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { prepareStandIns } from './act.js'
import { commitAll, consumerRepo, job, pushTo } from './consumer.js'

describe('ci.yml under act, a lint error and a failing test', () => {
  let standIns: string
  beforeAll(() => {
    standIns = prepareStandIns()
  })

  test('ci.yml: a lint error and a failing test turn the quality and tests jobs red, with the findings', async () => {
    const { dir, base } = consumerRepo('ci.yml')
    fs.appendFileSync(path.join(dir, 'packages/common/src/dataknobs_common/text.py'), '\nimport os\n')
    fs.writeFileSync(
      path.join(dir, 'packages/common/tests/test_seeded_failure.py'),
      'def test_seeded_failure() -> None:\n    assert 1 + 1 == 3, "seeded failure"\n'
    )
    const head = commitAll(dir, 'seed failures')
    const run = await pushTo(dir, base, head, standIns)
    expect(run.exitCode).not.toBe(0)
    expect(job(run, 'quality')).toBe('failed')
    expect(job(run, 'security')).toBe('succeeded')
    expect(job(run, 'tests')).toBe('failed')
    expect(job(run, 'build')).toBeUndefined() // never started: its needs failed
    // The findings as the runner shows them (annotations).
    expect(run.output).toMatch(/packages\/common\/src\/dataknobs_common\/text\.py.*F401|F401.*text\.py/)
    expect(run.output).toMatch(/seeded failure/)
  })
})
