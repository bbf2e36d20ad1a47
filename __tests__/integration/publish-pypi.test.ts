/**
 * publish-pypi's bundle against a real package index: pypiserver with authentication on,
 * the example monorepo's dists built with uv, installed back with pip; a fault-injecting
 * proxy in front of the index; trusted publishing against a local fake of the published
 * OIDC protocol (GitHub's token endpoint and PyPI's audience and mint-token endpoints).
 */
import { jest } from '@jest/globals'
import { execFileSync, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, expectSecretNowhere, nodeBinaries, runBundle, RUNNER_TEMP, type ActionRun } from './harness.js'
import { FaultProxy, type Fault } from './helpers/fault-proxy.js'
import { startPypiServer, type LocalIndex } from './helpers/package-index.js'

const GOOD_TOKEN = `pypi-good-${randomBytes(12).toString('hex')}`
const PACKAGES = ['common', 'structures', 'utils', 'xization']
const ORDER = ['dataknobs-common', 'dataknobs-structures', 'dataknobs-utils', 'dataknobs-xization']

jest.setTimeout(10 * 60_000)

let ws: string
let allFiles: string[]
const sha = new Map<string, string>()
const cleanup: (() => Promise<void>)[] = []

function uv(): string {
  return execFileSync('sh', ['-c', 'command -v uv']).toString().trim()
}

function buildInto(workspace: string, pkgDir: string): void {
  execFileSync(uv(), ['build', '--quiet', '--out-dir', path.join(workspace, pkgDir, 'dist'), path.join(workspace, pkgDir)], {
    cwd: workspace,
    env: { ...process.env, UV_CACHE_DIR: path.join(os.tmpdir(), 'dk-publish-uv-cache') },
    stdio: 'pipe'
  })
}

beforeAll(() => {
  ws = copyFixture('examples/monorepo')
  for (const p of PACKAGES) buildInto(ws, `packages/${p}`)
  allFiles = []
  for (const p of PACKAGES) {
    for (const f of fs.readdirSync(path.join(ws, 'packages', p, 'dist')).filter((f) => /\.(whl|tar\.gz)$/.test(f))) {
      allFiles.push(f)
      sha.set(
        f,
        createHash('sha256')
          .update(fs.readFileSync(path.join(ws, 'packages', p, 'dist', f)))
          .digest('hex')
      )
    }
  }
  allFiles.sort()
  expect(allFiles).toHaveLength(8)
}, 180_000)

afterAll(async () => {
  for (const c of cleanup.reverse()) await c()
})

async function freshIndex(): Promise<LocalIndex> {
  const index = await startPypiServer({ __token__: GOOD_TOKEN, alice: 'alice-password' })
  cleanup.push(() => index.stop())
  return index
}

async function proxyFor(index: LocalIndex): Promise<FaultProxy> {
  const proxy = await new FaultProxy(index.url).start()
  cleanup.push(() => proxy.stop())
  return proxy
}

function list(run: ActionRun, name: string): string[] {
  return (JSON.parse(run.outputs[name] ?? '[]') as string[]).sort()
}

const expectNowhere = (run: ActionRun, secret: string): void => expectSecretNowhere(run, secret)

/** Every built file is on the index exactly once, byte for byte. */
async function expectAllOnIndexOnce(index: LocalIndex): Promise<void> {
  expect(index.files()).toEqual(allFiles)
  for (const f of allFiles)
    expect(
      createHash('sha256')
        .update(fs.readFileSync(path.join(index.packagesDir, f)))
        .digest('hex')
    ).toBe(sha.get(f))
  for (const id of ORDER) {
    const html = await (await fetch(`${index.simpleUrl}${id}/`)).text()
    const names = [...html.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1])
    expect(names.length).toBe(new Set(names).size)
    expect(names.length).toBe(2)
  }
}

describe.each(nodeBinaries())('publish-pypi bundle on $label', (node) => {
  test('publishes the example monorepo to pypiserver with a token, in dependency order; pip installs it back; a re-run skips every file', async () => {
    const index = await freshIndex()
    const run = await runBundle('publish-pypi', { 'repository-url': index.url, token: GOOD_TOKEN }, { workspace: ws, node: node.path })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(list(run, 'uploaded')).toEqual(allFiles)
    expect(list(run, 'skipped')).toEqual([])
    expect((run.report!.plan as { package: string }[]).map((p) => p.package)).toEqual(ORDER)
    // Uploads happened in that order: each package's files before the next package's.
    const uploadedOrder = (run.report!.results as { id: string; status: string }[]).map((r) => [r.id, r.status])
    expect(uploadedOrder).toEqual(ORDER.map((id) => [id, 'uploaded']))
    await expectAllOnIndexOnce(index)
    expect(run.masks).toContain(GOOD_TOKEN)
    expectNowhere(run, GOOD_TOKEN)
    expect(run.summary).toContain('| dataknobs-xization | 1.0.0 | uploaded |')

    // Install back from the index with pip, dependencies resolved from the index alone.
    const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pip-'))
    execFileSync('python3', ['-m', 'venv', venv])
    execFileSync(
      path.join(venv, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', '--no-cache-dir', '--index-url', index.simpleUrl, 'dataknobs-xization==1.0.0'],
      { stdio: 'pipe' }
    )
    const imported = execFileSync(path.join(venv, 'bin', 'python'), [
      '-c',
      'import dataknobs_common, dataknobs_structures, dataknobs_utils, dataknobs_xization; print("ok")'
    ])
      .toString()
      .trim()
    expect(imported).toBe('ok')
    const freeze = execFileSync(path.join(venv, 'bin', 'pip'), ['freeze']).toString()
    for (const id of ORDER) expect(freeze.toLowerCase().replace(/_/g, '-')).toContain(`${id}==1.0.0`)
    fs.rmSync(venv, { recursive: true, force: true })

    const again = await runBundle('publish-pypi', { 'repository-url': index.url, token: GOOD_TOKEN }, { workspace: ws, node: node.path })
    expect(again.exitCode).toBe(0)
    expect(list(again, 'uploaded')).toEqual([])
    expect(list(again, 'skipped')).toEqual(allFiles)
    expect(index.files()).toEqual(allFiles)
  })
})

describe('publish-pypi against a fault-injecting proxy in front of pypiserver', () => {
  const scenarios: { name: string; post: Fault[]; get: Fault[] }[] = [
    {
      name: 'answers lost after the upload landed',
      post: ['drop-after', 'ok', 'drop-after', 'drop-after', 'ok', 'ok', 'drop-after'],
      get: []
    },
    {
      name: '503s and connections dropped before the index',
      post: ['status-503', 'status-503', 'drop-before', 'ok', 'status-503', 'drop-before'],
      get: ['status-503', 'ok', 'drop-before']
    },
    {
      name: 'slow answers mixed with every fault',
      post: ['slow', 'drop-after', 'status-503', 'slow', 'drop-before', 'ok', 'drop-after', 'slow'],
      get: ['slow', 'status-503', 'ok', 'ok', 'drop-before', 'slow']
    }
  ]

  test.each(scenarios)('$name: every file ends on the index exactly once, and a re-run skips them all', async ({ post, get }) => {
    const index = await freshIndex()
    const proxy = await proxyFor(index)
    proxy.postSequence = [...post]
    proxy.getSequence = [...get]
    proxy.slowMs = 1200
    // The dists input as build-packages gives it (paths relative to the workspace, sha256 per file).
    const dists = PACKAGES.map((p) => {
      const dir = `packages/${p}/dist`
      const files = fs.readdirSync(path.join(ws, dir))
      const wheel = files.find((f) => f.endsWith('.whl'))!
      const sdist = files.find((f) => f.endsWith('.tar.gz'))!
      return {
        package: `dataknobs-${p}`,
        version: '1.0.0',
        wheel: `${dir}/${wheel}`,
        sdist: `${dir}/${sdist}`,
        sha256: { wheel: sha.get(wheel), sdist: sha.get(sdist) }
      }
    })
    const inputs = { 'repository-url': proxy.url, token: GOOD_TOKEN, dists: JSON.stringify(dists), 'retry-delay': '100ms' }
    const run = await runBundle('publish-pypi', inputs, { workspace: ws })
    expect(run.exitCode).toBe(0)
    expect(proxy.pending()).toBe(0)
    await expectAllOnIndexOnce(index)
    // A file counts as uploaded whether its answer arrived or was lost after it landed.
    expect(list(run, 'uploaded')).toEqual(allFiles)

    const again = await runBundle('publish-pypi', inputs, { workspace: ws })
    expect(again.exitCode).toBe(0)
    expect(list(again, 'skipped')).toEqual(allFiles)
    expect(list(again, 'uploaded')).toEqual([])
    expect(index.files()).toEqual(allFiles)
  })

  test('a package the index refuses holds back exactly the packages that depend on it', async () => {
    // Add a package that depends only on common and sorts after structures, to show that
    // a package independent of the failure is still published after it.
    const ws2 = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-publish-ws-'))
    fs.cpSync(ws, ws2, { recursive: true })
    const zeta = path.join(ws2, 'packages', 'zeta')
    fs.mkdirSync(path.join(zeta, 'src', 'zeta_tools'), { recursive: true })
    fs.writeFileSync(path.join(zeta, 'src', 'zeta_tools', '__init__.py'), '"""Zeta tools."""\n')
    fs.writeFileSync(path.join(zeta, 'README.md'), '# zeta-tools\n\nDepends on dataknobs-common only.\n')
    fs.writeFileSync(
      path.join(zeta, 'pyproject.toml'),
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "zeta-tools"\nversion = "0.1.0"\ndescription = "x"\nreadme = "README.md"\ndependencies = ["dataknobs-common>=1.0.0"]\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/zeta_tools"]\n'
    )
    buildInto(ws2, 'packages/zeta')
    const index = await freshIndex()
    const proxy = await proxyFor(index)
    proxy.rules = [{ method: 'POST', bodyIncludes: 'dataknobs_structures-1.0.0', fault: 'reject' }]
    const run = await runBundle(
      'publish-pypi',
      { 'repository-url': proxy.url, 'index-url': index.simpleUrl, token: GOOD_TOKEN, 'retry-delay': '100ms' },
      { workspace: ws2 }
    )
    expect(run.exitCode).toBe(1)
    const results = run.report!.results as { id: string; status: string; blockedBy?: string[]; reason?: string }[]
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['dataknobs-common', 'uploaded'],
      ['dataknobs-structures', 'failed'],
      ['zeta-tools', 'uploaded'],
      ['dataknobs-utils', 'blocked'],
      ['dataknobs-xization', 'blocked']
    ])
    expect(results.find((r) => r.id === 'dataknobs-structures')!.reason).toContain('refused')
    expect(results.find((r) => r.id === 'dataknobs-utils')!.blockedBy).toEqual(['dataknobs-structures'])
    expect(results.find((r) => r.id === 'dataknobs-xization')!.blockedBy).toEqual(['dataknobs-structures'])
    expect(index.files().filter((f) => /structures|utils|xization/.test(f))).toEqual([])
    expect(index.files().filter((f) => /common|zeta/.test(f))).toHaveLength(4)
    expect(run.summary).toContain('blocked by dataknobs-structures')
    expect(run.stdout).toMatch(/::error::publish-pypi: dataknobs-structures failed/)

    // Once the index accepts it, a re-run publishes the rest and skips what is there.
    proxy.rules = []
    const again = await runBundle(
      'publish-pypi',
      { 'repository-url': proxy.url, 'index-url': index.simpleUrl, token: GOOD_TOKEN },
      { workspace: ws2 }
    )
    expect(again.exitCode).toBe(0)
    expect(list(again, 'skipped').filter((f) => /common|zeta/.test(f))).toHaveLength(4)
    expect(list(again, 'uploaded').filter((f) => /structures|utils|xization/.test(f))).toHaveLength(6)
  })
})

type FileReport = { filename: string; status: string; skipped?: string; reason?: string }

function reportedFiles(run: ActionRun): FileReport[] {
  return (run.report!.results as { files: FileReport[] }[]).flatMap((r) => r.files)
}

/** Waits until `ready()` holds, checking every 100 ms, for at most two minutes. */
async function until(what: string, ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (ready()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`gave up waiting for ${what}`)
}

describe('publish-pypi runs at the same time, and a run killed mid-way', () => {
  test('two runs with the same dists race for every file (409 for wheels, 400 for sdists): each file lands once, both pass, each skips what the other uploaded', async () => {
    const index = await freshIndex()
    const proxy = await proxyFor(index)
    // Every upload waits for the other run's upload of the same file: both runs saw the
    // file absent, both send it, the index takes the first and refuses the second.
    proxy.pairUploads = true
    // pypiserver answers a duplicate from twine's User-Agent 400 (pypi.org's answer), from uv's 409.
    proxy.rules = [{ method: 'POST', bodyIncludes: 'name="filetype"\r\n\r\nsdist', fault: 'as-twine' }]
    fs.mkdirSync(RUNNER_TEMP, { recursive: true })
    const inputs = (name: string): Record<string, string> => {
      // Both runs share this RUNNER_TEMP here (on GitHub each job has its own): one report each.
      const reportDir = fs.mkdtempSync(path.join(RUNNER_TEMP, `publish-${name}-`))
      cleanup.push(async () => fs.rmSync(reportDir, { recursive: true, force: true }))
      return { 'repository-url': proxy.url, token: GOOD_TOKEN, 'retry-delay': '100ms', 'report-dir': reportDir }
    }
    const [a, b] = await Promise.all([
      runBundle('publish-pypi', inputs('a'), { workspace: ws }),
      runBundle('publish-pypi', inputs('b'), { workspace: ws })
    ])
    for (const run of [a, b]) {
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
    }
    await expectAllOnIndexOnce(index)

    // They truly raced: each file was sent twice; the first reached the index, the second was refused.
    const posts = proxy.events.filter((e) => e.method === 'POST')
    expect(posts.map((e) => e.file).sort()).toEqual([...allFiles, ...allFiles].sort())
    const byOrder = (paired: string): [string | undefined, number | undefined][] =>
      posts
        .filter((e) => e.paired === paired)
        .map((e): [string | undefined, number | undefined] => [e.file, e.status])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])))
    expect(byOrder('first')).toEqual(allFiles.map((f) => [f, 200]))
    expect(byOrder('second')).toEqual(allFiles.map((f) => [f, f.endsWith('.whl') ? 409 : 400]))

    // Each file uploaded by exactly one run, and reported skipped (as a concurrent upload) by the other.
    expect([...list(a, 'uploaded'), ...list(b, 'uploaded')].sort()).toEqual(allFiles)
    for (const run of [a, b]) {
      const mine = list(run, 'uploaded')
      expect(list(run, 'skipped')).toEqual(allFiles.filter((f) => !mine.includes(f)))
      expect(list(run, 'failed')).toEqual([])
      const skipped = reportedFiles(run).filter((f) => f.status === 'skipped')
      expect(skipped.map((f) => f.filename).sort()).toEqual(list(run, 'skipped'))
      for (const f of skipped) {
        expect(f.skipped).toBe('concurrent')
        const pkg = `${f.filename.split('-')[0]!.replace(/_/g, '-')} 1.0.0`
        expect(run.summary).toContain(`| ${f.filename} | ${pkg} | uploaded concurrently by another publisher (same sha256) |`)
      }
    }
  })

  test('two runs racing with different files under the same name: one uploads, the other fails naming the file and both hashes', async () => {
    // Another build of dataknobs-common: same file names, other bytes.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-publish-other-'))
    fs.cpSync(ws, other, { recursive: true })
    cleanup.push(async () => fs.rmSync(other, { recursive: true, force: true }))
    fs.appendFileSync(path.join(other, 'packages', 'common', 'src', 'dataknobs_common', '__init__.py'), '\nREBUILT = True\n')
    fs.rmSync(path.join(other, 'packages', 'common', 'dist'), { recursive: true })
    buildInto(other, 'packages/common')
    const wheel = allFiles.find((f) => f.startsWith('dataknobs_common') && f.endsWith('.whl'))!
    const otherSha = createHash('sha256')
      .update(fs.readFileSync(path.join(other, 'packages', 'common', 'dist', wheel)))
      .digest('hex')
    expect(otherSha).not.toBe(sha.get(wheel))

    const index = await freshIndex()
    const proxy = await proxyFor(index)
    proxy.pairUploads = true
    const dists = JSON.stringify([{ package: 'dataknobs-common', version: '1.0.0', wheel: `packages/common/dist/${wheel}` }])
    const inputs = (name: string): Record<string, string> => {
      const reportDir = fs.mkdtempSync(path.join(RUNNER_TEMP, `publish-${name}-`))
      cleanup.push(async () => fs.rmSync(reportDir, { recursive: true, force: true }))
      return { 'repository-url': proxy.url, token: GOOD_TOKEN, dists, 'retry-delay': '100ms', 'report-dir': reportDir }
    }
    fs.mkdirSync(RUNNER_TEMP, { recursive: true })
    const runs = await Promise.all([
      runBundle('publish-pypi', inputs('ours'), { workspace: ws }),
      runBundle('publish-pypi', inputs('other'), { workspace: other })
    ])
    expect(
      proxy.events
        .filter((e) => e.method === 'POST')
        .map((e) => [e.paired, e.status])
        .sort()
    ).toEqual([
      ['first', 200],
      ['second', 409]
    ])
    const winner = runs.find((r) => r.exitCode === 0)!
    const loser = runs.find((r) => r.exitCode !== 0)!
    expect(winner && loser).toBeTruthy()
    expect(list(winner, 'uploaded')).toEqual([wheel])
    expect(list(loser, 'failed')).toEqual([wheel])
    expect(list(loser, 'uploaded')).toEqual([])
    const [mine, theirs] = winner === runs[0] ? [sha.get(wheel)!, otherSha] : [otherSha, sha.get(wheel)!]
    expect(loser.stdout).toContain(
      `::error::publish-pypi: dataknobs-common failed (${wheel} is already on the index with a different sha256 (index ${mine.slice(0, 12)}…, local ${theirs.slice(0, 12)}…)`
    )
    expect(loser.summary).toContain(`${wheel} is already on the index with a different sha256`)
    expect(index.files()).toEqual([wheel])
    expect(
      createHash('sha256')
        .update(fs.readFileSync(path.join(index.packagesDir, wheel)))
        .digest('hex')
    ).toBe(mine)
  })

  test('a run killed (SIGKILL) while its second upload is in flight, then run again: each file ends on the index once, and the re-run skips what is there', async () => {
    const index = await freshIndex()
    const proxy = await proxyFor(index)
    // The first upload goes through; the second waits in the proxy until the test lets it go.
    proxy.postSequence = ['ok', 'hold']
    const inputs = { 'repository-url': proxy.url, token: GOOD_TOKEN, 'retry-delay': '100ms' }
    let child: ChildProcess | undefined
    const killed = runBundle('publish-pypi', inputs, { workspace: ws, onSpawn: (c) => (child = c) })
    await until('the second upload to reach the proxy', () => proxy.held() === 1)
    expect(index.files()).toEqual(['dataknobs_common-1.0.0-py3-none-any.whl'])
    child!.kill('SIGKILL')
    const dead = await killed
    expect(dead.exitCode).not.toBe(0)
    expect(dead.outputs.passed).toBeUndefined()
    // The upload it had sent still lands: the index finishes a request whose sender is gone.
    await proxy.release()
    const present = index.files()
    expect(present).toEqual(['dataknobs_common-1.0.0-py3-none-any.whl', 'dataknobs_common-1.0.0.tar.gz'])

    const again = await runBundle('publish-pypi', inputs, { workspace: ws })
    expect(again.stderr).toBe('')
    expect(again.exitCode).toBe(0)
    expect(list(again, 'skipped')).toEqual(present)
    expect(list(again, 'uploaded')).toEqual(allFiles.filter((f) => !present.includes(f)))
    expect(
      reportedFiles(again)
        .filter((f) => f.status === 'skipped')
        .map((f) => f.skipped)
    ).toEqual(['on-index', 'on-index'])
    for (const f of present) expect(again.summary).toContain(`| ${f} | dataknobs-common 1.0.0 | already on the index (same sha256) |`)
    await expectAllOnIndexOnce(index)
  })
})

describe('publish-pypi credentials and pre-flight', () => {
  let index: LocalIndex
  beforeAll(async () => {
    index = await freshIndex()
  })

  test('a wrong token fails at the first answer with an authentication message, uploads nothing, and appears nowhere', async () => {
    const wrong = `pypi-wrong-${randomBytes(12).toString('hex')}`
    const run = await runBundle('publish-pypi', { 'repository-url': index.url, token: wrong, 'retry-delay': '100ms' }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::.*rejected the credentials.*403/)
    const results = run.report!.results as { id: string; status: string; blockedBy?: string[]; files: { attempts: number }[] }[]
    expect(results[0]!.status).toBe('failed')
    // pypiserver may refuse before it has read the body, and then uv sees a broken pipe, not the
    // 403 (about one upload in six by hand): such an attempt has no answer, so it is retried. The
    // first attempt that gets an answer, the 403, ends the run: no retry ever follows an answer.
    const unanswered = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('::warning::Uploading dataknobs_common-1.0.0-py3-none-any.whl failed'))
    expect(unanswered.every((l) => !/status code/i.test(l))).toBe(true)
    expect(results[0]!.files[0]!.attempts).toBe(unanswered.length + 1)
    expect(results.slice(1).every((r) => r.status === 'blocked' && r.blockedBy?.[0] === 'credentials')).toBe(true)
    expect(index.files()).toEqual([])
    expect(run.masks).toContain(wrong)
    expectNowhere(run, wrong)
  })

  test('username and password for a private index', async () => {
    const run = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, username: 'alice', password: 'alice-password', packages: 'dataknobs-common', 'dry-run': 'false' },
      { workspace: ws }
    )
    expect(run.exitCode).toBe(0)
    expect(list(run, 'uploaded')).toEqual(allFiles.filter((f) => f.startsWith('dataknobs_common')))
    expectNowhere(run, 'alice-password')
    for (const f of fs.readdirSync(index.packagesDir)) fs.rmSync(path.join(index.packagesDir, f))
  })

  test('no credentials and no id-token permission: the pre-flight says to add `permissions: id-token: write`', async () => {
    const run = await runBundle('publish-pypi', { 'repository-url': index.url }, { workspace: ws })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('pre-flight failed, nothing was uploaded')
    expect(run.stdout).toContain('permissions: id-token: write')
    expect(index.files()).toEqual([])
  })

  test('a pull request from a fork: the pre-flight says no secrets or OIDC token reach it', async () => {
    const event = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-event-')), 'event.json')
    fs.writeFileSync(
      event,
      JSON.stringify({
        pull_request: { head: { repo: { full_name: 'someone/fork', fork: true } }, base: { repo: { full_name: 'org/repo' } } }
      })
    )
    const run = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url },
      { workspace: ws, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('pull request from a fork')
    expect(index.files()).toEqual([])
    // A dry run there still checks the dists, and only warns about the credentials.
    const dry = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, 'dry-run': 'true' },
      { workspace: ws, env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event } }
    )
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toMatch(/::warning::.*A real run would fail: .*pull request from a fork/)
  })

  test('dry-run runs the pre-flight, prints the plan in dependency order and uploads nothing', async () => {
    const run = await runBundle('publish-pypi', { 'repository-url': index.url, token: GOOD_TOKEN, 'dry-run': 'true' }, { workspace: ws })
    expect(run.exitCode).toBe(0)
    expect(run.summary).toContain('Plan (dry run: nothing uploaded)')
    const order = ORDER.map((id) => run.stdout.indexOf(`. ${id} 1.0.0:`))
    expect(order.every((i) => i > 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    expect(index.files()).toEqual([])
  })

  test('pre-flight failures (a file changed since the build, a file given twice, a different file already on the index) upload nothing', async () => {
    const dir = fs.mkdtempSync(path.join(ws, '.dists-'))
    const common = path.join(ws, 'packages', 'common', 'dist')
    for (const f of fs.readdirSync(common)) fs.copyFileSync(path.join(common, f), path.join(dir, f))
    const wheel = fs.readdirSync(dir).find((f) => f.endsWith('.whl'))!
    const sdist = fs.readdirSync(dir).find((f) => f.endsWith('.tar.gz'))!
    const structures = fs.readdirSync(path.join(ws, 'packages', 'structures', 'dist')).find((f) => f.endsWith('.tar.gz'))!
    // A different file under the name of structures' sdist is already on the index.
    fs.writeFileSync(path.join(index.packagesDir, structures), 'not the same bytes')
    const rel = path.relative(ws, dir)
    const dists = [
      {
        package: 'dataknobs-common',
        version: '1.0.0',
        wheel: `${rel}/${wheel}`,
        sdist: `${rel}/${sdist}`,
        sha256: { wheel: '0'.repeat(64), sdist: sha.get(sdist) }
      },
      { package: 'dataknobs-common', version: '1.0.0', sdist: `packages/common/dist/${sdist}` },
      { package: 'dataknobs-structures', version: '1.0.0', sdist: `packages/structures/dist/${structures}` }
    ]
    const run = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, token: GOOD_TOKEN, dists: JSON.stringify(dists) },
      { workspace: ws }
    )
    expect(run.exitCode).toBe(1)
    const messages = run.report!.checks[0]!.findings.filter((f) => f.severity === 'error').map((f) => f.message)
    expect(messages.some((m) => m.includes(wheel) && m.includes('changed after the build'))).toBe(true)
    expect(messages.some((m) => m.includes(`${sdist} is given 2 times`))).toBe(true)
    expect(messages.some((m) => m.includes(`${structures} is already on the index with a different sha256`))).toBe(true)
    expect(index.files()).toEqual([structures])
    fs.rmSync(path.join(index.packagesDir, structures))
    fs.rmSync(dir, { recursive: true })
  })

  test('strict-metadata: an empty README refuses the upload by default; false publishes it with the same finding as a warning', async () => {
    // Its own index: the other tests here count the files on theirs.
    const index = await freshIndex()
    const quill = copyFixture('__tests__/fixtures/workspaces/empty-readme')
    buildInto(quill, 'packages/cli')
    const distDir = 'packages/cli/dist'
    const strict = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, token: GOOD_TOKEN, 'dist-dir': distDir },
      { workspace: quill }
    )
    expect(strict.exitCode).toBe(1)
    const refused = strict.report!.checks[0]!.findings.filter((f) => f.severity === 'error').map((f) => f.message)
    expect(refused).toHaveLength(2)
    expect(refused.every((m) => m.includes('the long description is missing') && m.includes('strict-metadata: false'))).toBe(true)
    expect(index.files().filter((f) => f.startsWith('quill'))).toEqual([])

    const lenient = await runBundle(
      'publish-pypi',
      { 'repository-url': index.url, token: GOOD_TOKEN, 'dist-dir': distDir, 'strict-metadata': 'false' },
      { workspace: quill }
    )
    expect(lenient.exitCode).toBe(0)
    expect(
      lenient.annotations.filter((a) => a.severity === 'warning' && a.message.includes('the long description is missing'))
    ).toHaveLength(2)
    expect(
      index
        .files()
        .filter((f) => f.startsWith('quill'))
        .sort()
    ).toEqual(['quill_cli-0.1.0-py3-none-any.whl', 'quill_cli-0.1.0.tar.gz'])
  })

  test('trusted publishing against a local fake of the published OIDC protocol (GitHub token endpoint, PyPI audience and mint-token)', async () => {
    const proxy = await proxyFor(index)
    const jwt = `eyJ.fake-github-oidc.${randomBytes(8).toString('hex')}`
    const requestToken = `gh-request-${randomBytes(8).toString('hex')}`
    const seen: string[] = []
    proxy.extra = (req, body, res) => {
      const url = new URL(req.url ?? '/', proxy.url)
      const json = (status: number, data: unknown): boolean => {
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(data))
        return true
      }
      if (url.pathname === '/_/oidc/audience') return (seen.push('audience'), json(200, { audience: 'local-index' }))
      if (url.pathname === '/github/idtoken') {
        seen.push(`id-token ${url.searchParams.get('audience')}`)
        if (req.headers.authorization !== `bearer ${requestToken}`) return json(401, { message: 'bad request token' })
        return json(200, { value: jwt })
      }
      if (url.pathname === '/_/oidc/mint-token' && req.method === 'POST') {
        seen.push('mint')
        const token = (JSON.parse(body.toString('utf8')) as { token?: string }).token
        if (token !== jwt)
          return json(422, { message: 'Token request failed', errors: [{ code: 'invalid-token', description: 'bad jwt' }] })
        return json(200, { success: true, token: GOOD_TOKEN, expires: Math.floor(Date.now() / 1000) + 900 })
      }
      return false
    }
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: `${proxy.url}github/idtoken?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }
    const run = await runBundle('publish-pypi', { 'repository-url': proxy.url, packages: 'dataknobs-common' }, { workspace: ws, env })
    expect(run.exitCode).toBe(0)
    expect(seen).toEqual(['audience', 'id-token local-index', 'mint'])
    expect(run.report!.authentication).toBe('trusted-publishing')
    expect(index.files()).toEqual(allFiles.filter((f) => f.startsWith('dataknobs_common')))
    expect(run.masks).toEqual(expect.arrayContaining([jwt, GOOD_TOKEN]))
    expectNowhere(run, jwt)
    expectNowhere(run, GOOD_TOKEN)

    // A publisher the index does not know: the mint is refused with the index's reasons.
    proxy.extra = (req, _body, res) => {
      const p = new URL(req.url ?? '/', proxy.url).pathname
      if (p === '/_/oidc/audience') return (res.writeHead(200).end('{"audience":"local-index"}'), true)
      if (p === '/github/idtoken') return (res.writeHead(200).end(JSON.stringify({ value: jwt })), true)
      if (p === '/_/oidc/mint-token')
        return (
          res.writeHead(422).end(
            JSON.stringify({
              message: 'Token request failed',
              errors: [{ code: 'invalid-publisher', description: 'valid token, but no corresponding publisher' }]
            })
          ),
          true
        )
      return false
    }
    const refused = await runBundle(
      'publish-pypi',
      { 'repository-url': proxy.url, packages: 'dataknobs-structures' },
      { workspace: ws, env }
    )
    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toContain('invalid-publisher: valid token, but no corresponding publisher')
    expect(index.files()).toEqual(allFiles.filter((f) => f.startsWith('dataknobs_common')))
  })
})
