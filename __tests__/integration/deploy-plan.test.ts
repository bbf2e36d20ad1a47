/**
 * deploy-plan's bundle: the environment and versions a ref deploys, and `mode: promote`
 * against two real pypiserver indexes (staging and production) holding dists built with
 * uv: the same files pass, a file with other bytes on production fails naming it, and the
 * build's `dists` serve as the reference as well.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, runBundle } from './harness.js'
import { startPypiServer, type LocalIndex } from './helpers/package-index.js'

jest.setTimeout(10 * 60_000)

let ws: string
let built: string[]
let staging: LocalIndex
let production: LocalIndex
const PIN = 'dataknobs-common==1.0.0'

beforeAll(async () => {
  ws = copyFixture('examples/monorepo')
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-deploy-dists-'))
  execFileSync('uv', ['build', '-q', '--out-dir', out, path.join(ws, 'packages', 'common')], { stdio: 'pipe' })
  built = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'))
    .map((f) => path.join(out, f))
  ;[staging, production] = await Promise.all([startPypiServer({}), startPypiServer({})])
  for (const index of [staging, production]) for (const f of built) fs.copyFileSync(f, path.join(index.packagesDir, path.basename(f)))
}, 600_000)

afterAll(async () => {
  await Promise.all([staging?.stop(), production?.stop()])
})

describe('deploy-plan', () => {
  test('main deploys to staging, with each package at its version; a feature branch deploys nowhere', async () => {
    const run = await runBundle('deploy-plan', {}, { workspace: ws, env: { GITHUB_REF: 'refs/heads/main' } })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({
      environment: 'staging',
      deploy: 'true',
      versions: 'dataknobs-common==1.0.0,dataknobs-structures==1.0.0,dataknobs-utils==1.0.0,dataknobs-xization==1.0.0'
    })
    const feature = await runBundle('deploy-plan', { ref: 'refs/heads/feature/x' }, { workspace: ws })
    expect(feature.outputs).toMatchObject({ environment: '', deploy: 'false' })
    expect(feature.stdout).toContain("feature/x matches no pattern of 'environments': nothing is deployed.")
  })

  test('promote: the same files on production pass; a file with other bytes fails, named, against the index and against the dists', async () => {
    const inputs = { mode: 'promote', versions: PIN, 'index-url': production.simpleUrl, ref: 'refs/heads/release/1.0' }
    const same = await runBundle('deploy-plan', { ...inputs, 'reference-index-url': staging.simpleUrl }, { workspace: ws })
    expect(same.exitCode).toBe(0)
    expect(same.outputs).toMatchObject({ environment: 'production', promoted: 'true' })
    expect(same.stdout).toContain(`dataknobs-common 1.0.0: the same ${built.length} file(s) on`)

    const sdist = path.basename(built.find((f) => f.endsWith('.tar.gz'))!)
    fs.appendFileSync(path.join(production.packagesDir, sdist), 'rebuilt')
    const dists = JSON.stringify(built.map((f) => ({ package: 'dataknobs-common', [f.endsWith('.whl') ? 'wheel' : 'sdist']: f })))
    const references: Record<string, string>[] = [{ 'reference-index-url': staging.simpleUrl }, { dists }]
    for (const reference of references) {
      const changed = await runBundle('deploy-plan', { ...inputs, ...reference }, { workspace: ws, runnerTemp: path.dirname(built[0]!) })
      expect(changed.exitCode).toBe(1)
      expect(changed.outputs.promoted).toBe('false')
      const errors = changed.annotations.filter((a) => a.severity === 'error').map((a) => a.message)
      expect(errors.join('\n')).toContain(`dataknobs-common 1.0.0: ${sdist} on ${production.simpleUrl} has sha256 `)
      expect(errors.join('\n')).toContain('production would install another file than the one staging tested')
    }
  })

  test('promote without a reference is a clear error', async () => {
    const run = await runBundle('deploy-plan', { mode: 'promote', versions: PIN }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    expect(run.stdout + run.stderr).toContain("Input 'mode' is promote, which needs a reference: 'reference-index-url'")
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
  })
})
