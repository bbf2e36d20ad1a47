/**
 * The three release steps of one job with their default dist inputs: build-packages, then
 * publish-pypi and health-check, one RUNNER_TEMP, against pypiserver with authentication
 * on. Nothing names a dist directory: the dist record build-packages leaves in the runner's
 * temp dir is the hand-over. Also: leftovers in the dist folder that the record does not
 * list are never published, and a record of another commit or another checkout is refused
 * aloud, not used.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, gitInit, nodeBinaries, runBundle } from './harness.js'
import { startPypiServer, type LocalIndex } from './helpers/package-index.js'

jest.setTimeout(15 * 60_000)

const TOKEN = `pypi-handoff-${randomBytes(12).toString('hex')}`
const NODE = nodeBinaries()[0]!.path
const SMOKE = 'from dataknobs_structures import Tree\ntree = Tree("root")\ntree.add_child("child")\nassert tree.num_children == 1\n'

let root: string
let ws: string
let runnerTemp: string
let index: LocalIndex
let leftover: string

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-handoff-'))
  ws = copyFixture('examples/monorepo')
  gitInit(ws)
  runnerTemp = path.join(root, 'runner-temp')
  index = await startPypiServer({ __token__: TOKEN })
  // A stray dist of an earlier run, built from a copy at another version: if anything took
  // the dist folder's contents rather than the record, it would be published or installed.
  const stray = path.join(root, 'common-0.9.0')
  fs.cpSync(path.join(ws, 'packages', 'common'), stray, { recursive: true })
  const pyproject = path.join(stray, 'pyproject.toml')
  fs.writeFileSync(pyproject, fs.readFileSync(pyproject, 'utf8').replace(/^version = ".*"$/m, 'version = "0.9.0"'))
  leftover = path.join(root, 'leftover')
  execFileSync('uv', ['build', '--quiet', '--wheel', '--out-dir', leftover, stray], { stdio: ['ignore', 'ignore', 'inherit'] })
}, 5 * 60_000)

afterAll(async () => {
  await index?.stop()
  if (root) fs.rmSync(root, { recursive: true, force: true })
  if (ws) fs.rmSync(ws, { recursive: true, force: true })
})

describe('build-packages → publish-pypi → health-check in one job, default dist inputs', () => {
  let built: string[]

  test('every built file is published, and the release passes its health check', async () => {
    const build = await runBundle('build-packages', { smoke: SMOKE }, { workspace: ws, node: NODE, runnerTemp })
    expect(build.stderr).toBe('')
    expect(build.outputs.passed).toBe('true')
    const distDir = build.outputs['dist-dir']!
    expect(distDir).toBe(path.join(runnerTemp, 'dk-actions-dist'))
    const dists = JSON.parse(build.outputs.dists!) as { wheel: string; sdist: string; sha256: { wheel: string; sdist: string } }[]
    built = dists.flatMap((d) => [d.wheel, d.sdist])
    expect(built).toHaveLength(8)
    expect(fs.existsSync(path.join(runnerTemp, 'dk-actions-dist.json'))).toBe(true)

    // Leftovers beside the recorded dists: another package's folder, and a file in a recorded one.
    fs.mkdirSync(path.join(distDir, 'old-common'))
    for (const f of fs.readdirSync(leftover).filter((x) => x.endsWith('.whl'))) {
      fs.copyFileSync(path.join(leftover, f), path.join(distDir, 'old-common', f))
      fs.copyFileSync(path.join(leftover, f), path.join(path.dirname(dists[0]!.wheel), f))
    }

    const publish = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, token: TOKEN },
      { workspace: ws, node: NODE, runnerTemp }
    )
    expect(publish.stderr).toBe('')
    expect(publish.outputs.passed).toBe('true')
    const names = built.map((f) => path.basename(f)).sort()
    expect((JSON.parse(publish.outputs.uploaded!) as string[]).sort()).toEqual(names)
    // The server holds exactly the built files, byte for byte: no leftover reached it.
    expect(index.files()).toEqual(names)
    for (const f of built) expect(sha256(path.join(index.packagesDir, path.basename(f)))).toBe(sha256(f))
    expect(publish.summary).toContain(`**Dists:** built by build-packages in this job: ${distDir}`)
    expect(publish.stdout).toContain(`Dists: built by build-packages in this job: ${distDir}`)

    const health = await runBundle(
      'health-check',
      { 'index-url': index.simpleUrl, smoke: SMOKE, timeout: '2m' },
      { workspace: ws, node: NODE, runnerTemp }
    )
    expect(health.stderr).toBe('')
    expect(health.outputs.passed).toBe('true')
    expect(JSON.parse(health.outputs.versions!)).toEqual({
      'dataknobs-common': '1.0.0',
      'dataknobs-structures': '1.0.0',
      'dataknobs-utils': '1.0.0',
      'dataknobs-xization': '1.0.0'
    })
    expect(health.summary).toContain(
      `**Dists:** the index ${index.simpleUrl} (the versions built by build-packages in this job: ${distDir}`
    )
    expect(health.summary).toContain('| build-packages |')
  })

  test('health-check with index-url none installs exactly the recorded dists, not the leftovers', async () => {
    const health = await runBundle('health-check', { 'index-url': 'none', timeout: '1m' }, { workspace: ws, node: NODE, runnerTemp })
    expect(health.stderr).toBe('')
    expect(health.outputs.passed).toBe('true')
    expect(health.summary).toContain('**Dists:** built by build-packages in this job:')
    const findLinks = (health.report!.index as { findLinks: string[] }).findLinks
    expect(findLinks).toHaveLength(1)
    // A copy of the recorded files alone (the scratch folder is gone after the run).
    expect(findLinks[0]!.startsWith(runnerTemp)).toBe(true)
    expect(findLinks[0]!.includes('dk-actions-dist')).toBe(false)
  })

  test('a record of another commit is not used: publish-pypi says so and falls back to each dist/', async () => {
    execFileSync(
      'git',
      [
        '-c',
        'user.email=ci@example.com',
        '-c',
        'user.name=ci',
        '-c',
        'commit.gpgsign=false',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'later'
      ],
      { cwd: ws }
    )
    const before = index.files()
    const publish = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, token: TOKEN },
      { workspace: ws, node: NODE, runnerTemp }
    )
    expect(publish.outputs.passed).toBe('false')
    expect(publish.stdout).toMatch(
      /::warning::The dist record .*dk-actions-dist\.json is not used: it lists dists built at commit [0-9a-f]{12}, but the checkout is at [0-9a-f]{12}/
    )
    expect(publish.summary).toContain("**Dists:** each package's dist/ (fallback): packages/common/dist")
    expect(publish.stdout).toContain('dataknobs-common has no dists in packages/common/dist')
    expect(index.files()).toEqual(before)
  })

  test('a record of another checkout is not used: health-check with index-url none says so and fails', async () => {
    const other = copyFixture('examples/monorepo')
    try {
      gitInit(other)
      const health = await runBundle('health-check', { 'index-url': 'none', timeout: '1m' }, { workspace: other, node: NODE, runnerTemp })
      expect(health.outputs.passed).not.toBe('true')
      expect(health.stdout).toMatch(/::warning::The dist record .* is not used: it lists dists built from another checkout/)
      expect(health.stdout).toContain(
        "Input 'index-url' is none, but there is nothing to install from: the dist record is not used (it lists dists built from another checkout"
      )
    } finally {
      fs.rmSync(other, { recursive: true, force: true })
    }
  })
})
