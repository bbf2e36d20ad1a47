/**
 * The fan-out workflow (examples/workflows/fan-out.yml) runs unchanged under act in host
 * mode on the example monorepo, with shards of 2 packages (the DK_SHARD_SIZE variable): the
 * plan job's matrix, two shards each of run-quality, run-tests and build-packages uploading
 * their reports through act's artifact server, and the merge job reading them all back into
 * one summary and one SARIF log that the upload-sarif stand-in accepts.
 */
import { failedJobsOutput, prepareStandIns, runAct } from './act.js'
import { commitAll, consumerRepo } from './consumer.js'
import * as fs from 'node:fs'
import * as path from 'node:path'

describe('fan-out.yml under act, shards of two packages', () => {
  let standIns: string
  beforeAll(() => {
    standIns = prepareStandIns()
  })

  test('plan, two shards of quality, tests and build, then one merged report: green', async () => {
    const { dir, base } = consumerRepo('fan-out.yml')
    fs.appendFileSync(path.join(dir, 'README.md'), '\nA change, so that there is a push.\n')
    const head = commitAll(dir, 'change')
    const run = await runAct({
      workspace: dir,
      workflow: '.github/workflows/fan-out.yml',
      event: 'push',
      eventPayload: { ref: 'refs/heads/main', before: base, after: head, repository: { default_branch: 'main' } },
      standIns,
      vars: { DK_SHARD_SIZE: '2' }
    })
    if (run.exitCode !== 0) console.log(failedJobsOutput(run))
    expect(run.exitCode).toBe(0)
    const statuses = Object.entries(run.jobs).sort()
    // act names matrix jobs by their `name:` (quality 1/2) or with a suffix; count each kind.
    for (const kind of ['quality', 'tests', 'build']) {
      const shards = statuses.filter(([name]) => name.startsWith(kind))
      expect([kind, shards.length, shards.every(([, s]) => s === 'succeeded')]).toEqual([kind, 2, true])
    }
    expect(statuses.filter(([name]) => name === 'plan' || name === 'merge')).toEqual([['merge', 'succeeded'], ['plan', 'succeeded']])
    expect(run.output).toContain('Fan-out plan (shard-size: 2): 4 package(s) in 2 shard(s)')
    // Six reports downloaded and merged, every shard of the plan present, and the SARIF log accepted.
    expect(run.output).toMatch(/downloaded 6 artifact\(s\) matching reports-\*/)
    expect(run.output).toMatch(/merge-reports: 6 report\(s\) and \d+ SARIF file\(s\)/)
    expect(run.output).toMatch(/sarif ok: \d+ run\(s\), 0 result\(s\)/)
  })
})
