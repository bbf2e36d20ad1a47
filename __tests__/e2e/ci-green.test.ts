/**
 * The example CI workflow (examples/workflows/ci.yml) runs unchanged under act in host mode
 * on the example monorepo: on a change to one package, every job is green, and the verify
 * matrix covers that package and its dependent.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { failedJobsOutput, prepareStandIns } from './act.js'
import { commitAll, consumerRepo, job, pushTo } from './consumer.js'

describe('ci.yml under act, a change to one package', () => {
  let standIns: string
  beforeAll(() => {
    standIns = prepareStandIns()
  })

  test('ci.yml: every job green on a change to one package; the matrix covers it and its dependent', async () => {
    const { dir, base } = consumerRepo('ci.yml')
    const stats = path.join(dir, 'packages/utils/src/dataknobs_utils/stats.py')
    fs.appendFileSync(stats, '\n\n# A comment: a change to dataknobs-utils.\n')
    const head = commitAll(dir, 'change utils')
    const run = await pushTo(dir, base, head, standIns)
    if (run.exitCode !== 0) console.log(failedJobsOutput(run))
    expect(run.exitCode).toBe(0)
    for (const name of ['quality', 'security', 'tests', 'build']) expect([name, job(run, name)]).toEqual([name, 'succeeded'])
    // verify runs once per changed package: utils and its dependent xization.
    const verify = Object.entries(run.jobs).filter(([name]) => name.startsWith('verify'))
    expect(verify).toHaveLength(2)
    expect(verify.every(([, status]) => status === 'succeeded')).toBe(true)
    expect(run.output).toMatch(/dataknobs-utils==1\.0\.0/)
    expect(run.output).toMatch(/dataknobs-xization==1\.0\.0/)
    expect(run.output).toMatch(/uploaded dists/)
    expect(run.output).toMatch(/downloaded dists/)
  })
})
