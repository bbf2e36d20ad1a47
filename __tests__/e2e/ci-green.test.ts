/**
 * The example CI workflow (examples/workflows/ci.yml) runs unchanged under act in host mode
 * on the example monorepo: on a change to one package, every job is green, and the verify
 * matrix covers that package and its dependent.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
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
    const cacheServerPath = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-act-cache-'))
    const run = await pushTo(dir, base, head, standIns, { cacheServerPath })
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
    // The quality job saved its tools' caches to act's cache server. The uv cache came back only
    // for its installs; the tests job, beside it, may have saved one first: a partial hit then.
    expect(run.output).toMatch(
      /Caches restored: black \(miss\), mypy \(miss\), findings \(miss\) in [^;]*; uv when something is installed\./
    )
    expect(run.output).toMatch(/Caches restored for the installs: uv \((miss|partial)\)/)
    expect(run.output).toMatch(/Caches saved: black, mypy, findings, uv in /)

    // The same push again, the quality job alone, on a new runner temp (act makes one per job):
    // the tools' caches and the findings come back by their exact keys, nothing changed, so every
    // check is answered from them: the tool venv is not restored, the project environment not
    // made, nothing is installed (the uv cache is not needed) and nothing is saved again.
    const again = await pushTo(dir, base, head, standIns, { job: 'quality', cacheServerPath })
    if (again.exitCode !== 0) console.log(failedJobsOutput(again))
    expect(job(again, 'quality')).toBe('succeeded')
    expect(again.output).toMatch(
      /Caches restored: black \(exact\), mypy \(exact\), findings \(exact\) in [^;]*; uv when something is installed\./
    )
    expect(again.output).toContain('The tool venv was not restored: the caches answered for every check.')
    expect(again.output).toContain('The project environment was not made: the caches answered for every check.')
    expect(again.output).not.toMatch(/Caches restored for the installs/)
    expect(again.output).toMatch(
      /Caches saved: none; not saved: black \(exact hit\), mypy \(exact hit\), findings \(exact hit\), uv \(not needed\)/
    )
    fs.rmSync(cacheServerPath, { recursive: true, force: true })
  })
})
