/**
 * The example deploy workflow (examples/workflows/deploy.yml) under act: main deploys to
 * staging and health-checks the versions from staging's index; a release branch deploys to
 * production, where the promotion passes only while production's index holds exactly
 * staging's files. Both indexes are real pypiservers on loopback.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startPypiServer, type LocalIndex } from '../integration/helpers/package-index.js'
import { failedJobsOutput, prepareStandIns, runAct } from './act.js'
import { consumerRepo, job } from './consumer.js'

const PACKAGES = ['common', 'structures', 'utils', 'xization']

describe('deploy.yml under act', () => {
  let standIns: string
  let staging: LocalIndex
  let production: LocalIndex
  beforeAll(async () => {
    standIns = prepareStandIns()
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-deploy-e2e-dists-'))
    const { dir } = consumerRepo('deploy.yml')
    for (const p of PACKAGES) execFileSync('uv', ['build', '-q', '--out-dir', out, path.join(dir, 'packages', p)], { stdio: 'pipe' })
    ;[staging, production] = await Promise.all([startPypiServer({}), startPypiServer({})])
    for (const index of [staging, production])
      for (const f of fs.readdirSync(out).filter((n) => /\.(whl|tar\.gz)$/.test(n)))
        fs.copyFileSync(path.join(out, f), path.join(index.packagesDir, f))
  }, 600_000)
  afterAll(async () => {
    await Promise.all([staging?.stop(), production?.stop()])
  })

  const deploy = (ref: string, indexUrl: string): ReturnType<typeof runAct> => {
    const { dir } = consumerRepo('deploy.yml')
    return runAct({
      workspace: dir,
      workflow: '.github/workflows/deploy.yml',
      event: 'push',
      eventPayload: { ref, repository: { default_branch: 'main' } },
      standIns,
      vars: { INDEX_URL: indexUrl, STAGING_INDEX_URL: staging.simpleUrl },
      stepEnv: { GITHUB_REF: ref }
    })
  }

  test('main deploys to staging and checks it; a release branch promotes to production, refused once production differs', async () => {
    const toStaging = await deploy('refs/heads/main', staging.simpleUrl)
    if (toStaging.exitCode !== 0) console.log(failedJobsOutput(toStaging))
    expect(toStaging.exitCode).toBe(0)
    expect([job(toStaging, 'plan'), job(toStaging, 'deploy')]).toEqual(['succeeded', 'succeeded'])
    expect(toStaging.output).toContain('main deploys to staging (main=staging)')
    expect(toStaging.output).not.toContain('mode: promote')

    const toProduction = await deploy('refs/heads/release/1.0', production.simpleUrl)
    if (toProduction.exitCode !== 0) console.log(failedJobsOutput(toProduction))
    expect(toProduction.exitCode).toBe(0)
    expect(toProduction.output).toContain('release/1.0 deploys to production (release/*=production)')
    expect(toProduction.output).toMatch(/dataknobs-structures 1\.0\.0: the same 2 file\(s\) on/)

    const wheel = fs.readdirSync(production.packagesDir).find((f) => f.startsWith('dataknobs_structures') && f.endsWith('.whl'))!
    fs.appendFileSync(path.join(production.packagesDir, wheel), 'rebuilt')
    const refused = await deploy('refs/heads/release/1.0', production.simpleUrl)
    expect(refused.exitCode).not.toBe(0)
    expect(job(refused, 'deploy')).toBe('failed')
    expect(refused.output).toContain(`${wheel} on ${production.simpleUrl} has sha256 `)
  })
})
