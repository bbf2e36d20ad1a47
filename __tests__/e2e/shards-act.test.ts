/**
 * The fan-out workflow (examples/workflows/fan-out.yml) runs unchanged under act in host
 * mode on the example monorepo, with shards of 2 packages (the DK_SHARD_SIZE variable): the
 * plan job's matrix, two shards each of run-quality, run-tests and build-packages uploading
 * their reports through act's artifact server, and the merge job reading them all back into
 * one summary and one SARIF log that the upload-sarif stand-in accepts; and with a lint
 * error in the second shard, that shard red, build not started, and the merge red, naming it.
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

  function push(dir: string, base: string, head: string): ReturnType<typeof runAct> {
    return runAct({
      workspace: dir,
      workflow: '.github/workflows/fan-out.yml',
      event: 'push',
      eventPayload: { ref: 'refs/heads/main', before: base, after: head, repository: { default_branch: 'main' } },
      standIns,
      vars: { DK_SHARD_SIZE: '2' }
    })
  }

  test('plan, two shards of quality, tests and build, then one merged report: green', async () => {
    const { dir, base } = consumerRepo('fan-out.yml')
    fs.appendFileSync(path.join(dir, 'README.md'), '\nA change, so that there is a push.\n')
    const head = commitAll(dir, 'change')
    const run = await push(dir, base, head)
    if (run.exitCode !== 0) console.log(failedJobsOutput(run))
    expect(run.exitCode).toBe(0)
    const statuses = Object.entries(run.jobs).sort()
    // act names matrix jobs by their `name:` (quality 1/2) or with a suffix; count each kind.
    for (const kind of ['quality', 'tests', 'build']) {
      const shards = statuses.filter(([name]) => name.startsWith(kind))
      expect([kind, shards.length, shards.every(([, s]) => s === 'succeeded')]).toEqual([kind, 2, true])
    }
    expect(statuses.filter(([name]) => name === 'plan' || name === 'merge')).toEqual([
      ['merge', 'succeeded'],
      ['plan', 'succeeded']
    ])
    expect(run.output).toContain('Fan-out plan (shard-size: 2): 4 package(s) in 2 shard(s)')
    // Six reports downloaded and merged, every shard of the plan present, and the SARIF log accepted.
    expect(run.output).toMatch(/downloaded 6 artifact\(s\) matching reports-\*/)
    expect(run.output).toMatch(/merge-reports: 6 report\(s\) and \d+ SARIF file\(s\)/)
    expect(run.output).toMatch(/sarif ok: \d+ run\(s\), 0 result\(s\)/)
  })

  test('a lint error in shard 2: that quality shard red, build not started, the merge red and naming it', async () => {
    const { dir, base } = consumerRepo('fan-out.yml')
    // dataknobs-utils is in shard 2 (common, structures | utils, xization).
    fs.appendFileSync(path.join(dir, 'packages/utils/src/dataknobs_utils/__init__.py'), '\nimport os\n')
    const head = commitAll(dir, 'lint error in utils')
    const run = await push(dir, base, head)
    expect(run.exitCode).not.toBe(0)
    const statuses = Object.entries(run.jobs)
    const quality = statuses
      .filter(([n]) => n.startsWith('quality'))
      .map(([, s]) => s)
      .sort()
    // Only shard 2 should fail: anything else, and each failed job's own lines say why.
    if (quality.join() !== 'failed,succeeded') console.log(failedJobsOutput(run))
    expect(quality).toEqual(['failed', 'succeeded'])
    expect(statuses.filter(([n]) => n.startsWith('tests')).map(([, s]) => s)).toEqual(['succeeded', 'succeeded'])
    expect(statuses.filter(([n]) => n.startsWith('build'))).toEqual([])
    expect(run.jobs.merge).toBe('failed')
    expect(run.output).toMatch(/merge-reports: 4 report\(s\)/)
    expect(run.output).toContain('merge-reports: 1 of 4 report(s) failed: run-quality 2/2')
    expect(run.output).toMatch(/sarif ok: \d+ run\(s\), [1-9]\d* result\(s\)/)
  })
})
