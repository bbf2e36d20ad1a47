/**
 * health-check's bundle against a real local index: the example monorepo's packages are
 * built with uv and served by pypiserver (from DK_CI_VENV), the way PyPI serves them;
 * the URLs it polls are a small node:http server. Nothing is faked.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { nodeBinaries, REPO, runBundle } from './harness.js'

const PATH_KEY = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    try {
      const r = await fetch(url)
      if (r.ok) return
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function uvBuild(pkgDir: string, out: string): void {
  execFileSync('uv', ['build', '--quiet', '--out-dir', out, pkgDir], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/** The dists in a directory (uv build also leaves a .gitignore there). */
function dists(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'))
}

/** A copy of a package at another version, optionally with a module that fails on import. */
function variant(monorepo: string, pkg: string, version: string, initSuffix = ''): string {
  const dir = path.join(monorepo, '..', `${pkg}-${version}`)
  fs.cpSync(path.join(monorepo, 'packages', pkg), dir, { recursive: true })
  const pyproject = path.join(dir, 'pyproject.toml')
  fs.writeFileSync(pyproject, fs.readFileSync(pyproject, 'utf8').replace(/^version = ".*"$/m, `version = "${version}"`))
  if (initSuffix) {
    const init = path.join(dir, 'src', `dataknobs_${pkg}`, '__init__.py')
    fs.appendFileSync(init, initSuffix)
  }
  return dir
}

const SMOKE_OK = [
  'import os',
  'from dataknobs_structures import Tree',
  'root = Tree("root")',
  'root.add_child("child")',
  'assert root.count() == 2, root.count()',
  'print("tree ok in", os.environ["DK_HEALTH_ENVIRONMENT"])'
].join('\n')

const SMOKE_RAISES = [
  'from dataknobs_structures import Tree',
  'def check():',
  '    root = Tree("root")',
  '    root.add_child("child")',
  '    assert root.count() == 3, "expected 3 nodes, got %d" % root.count()',
  'check()'
].join('\n')

let tmp: string
let served: string
let later: string
let monorepo: string
let index: string
let pypiServer: ChildProcess | undefined
let web: http.Server | undefined
let webBase: string

beforeAll(async () => {
  const venv = process.env.DK_CI_VENV
  const pypiServerBin = venv && path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', 'pypi-server')
  if (!pypiServerBin || !fs.existsSync(pypiServerBin)) {
    throw new Error('These tests need pypiserver: set DK_CI_VENV to a venv made from .ci/requirements.txt (.ci/run does).')
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-health-'))
  served = path.join(tmp, 'served')
  later = path.join(tmp, 'later')
  fs.mkdirSync(served)
  fs.mkdirSync(later)
  // Built from a copy: setuptools leaves egg-info next to the sources.
  monorepo = path.join(tmp, 'monorepo')
  fs.cpSync(path.join(REPO, 'examples', 'monorepo'), monorepo, { recursive: true })
  for (const pkg of ['common', 'structures', 'utils', 'xization']) uvBuild(path.join(monorepo, 'packages', pkg), served)
  // Published only while a check is already waiting for it.
  uvBuild(variant(monorepo, 'common', '1.0.1'), later)
  // On the index, installs, but its module raises on import. A pre-release, so that only
  // an explicit pin picks it and the other tests' resolutions never do.
  uvBuild(variant(monorepo, 'common', '1.1.0rc1', '\nraise RuntimeError("dataknobs_common 1.1.0rc1 is a broken release")\n'), served)

  const port = await freePort()
  pypiServer = spawn(pypiServerBin, ['run', '-p', String(port), '-i', '127.0.0.1', '-a', '.', '-P', '.', '--disable-fallback', served], {
    stdio: 'ignore'
  })
  index = `http://127.0.0.1:${port}/simple/`
  await waitForHttp(index, 30_000)

  web = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end('{"status": "ok"}')
    } else {
      res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end('internal error')
    }
  })
  await new Promise<void>((resolve) => web!.listen(0, '127.0.0.1', resolve))
  webBase = `http://127.0.0.1:${(web.address() as net.AddressInfo).port}`
}, 5 * 60_000)

afterAll(async () => {
  pypiServer?.kill()
  await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()))
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** A workspace with no repository at all: explicit name==version entries need none. */
function emptyWorkspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dk-health-ws-'))
}

const nodes = nodeBinaries()
/** Each run takes seconds to a minute; the limit is set here, as jest reads testTimeout only globally. */
const LIMIT = 5 * 60_000
const slow = (name: string, fn: () => Promise<void>): void => test(name, fn, LIMIT)

describe.each(nodes)('health-check bundle on $label', (node) => {
  slow(
    'healthy: every package of the repository at its pyproject version installs, imports, passes the smoke test; the URL is healthy',
    async () => {
      const ws = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-health-repo-')), 'repo')
      fs.cpSync(path.join(REPO, 'examples', 'monorepo'), ws, { recursive: true })
      const run = await runBundle(
        'health-check',
        {
          'index-url': index,
          environment: 'staging',
          smoke: SMOKE_OK,
          urls: `${webBase}/health`,
          'expect-body': '"ok"',
          timeout: '2m'
        },
        { workspace: ws, node: node.path }
      )
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      expect(run.outputs.healthy).toBe('true')
      expect(run.outputs.environment).toBe('staging')
      const report = run.report!
      expect(report.environment).toBe('staging')
      const targets = report.targets as { name: string; installed?: string; source: string }[]
      expect(targets.map((t) => [t.name, t.installed, t.source])).toEqual([
        ['dataknobs-common', '1.0.0', 'pyproject'],
        ['dataknobs-structures', '1.0.0', 'pyproject'],
        ['dataknobs-utils', '1.0.0', 'pyproject'],
        ['dataknobs-xization', '1.0.0', 'pyproject']
      ])
      const imports = report.imports as { module: string; ok: boolean }[]
      expect(imports.map((i) => [i.module, i.ok]).sort()).toEqual([
        ['dataknobs_common', true],
        ['dataknobs_structures', true],
        ['dataknobs_utils', true],
        ['dataknobs_xization', true]
      ])
      expect((report.smoke as { output: string }).output).toContain('tree ok in staging')
      expect((report.urls as { status: number; ok: boolean }[])[0]).toMatchObject({ status: 200, ok: true })
      expect(run.summary).toContain('`staging`')
      expect(run.summary).toContain('| dataknobs-xization | 1.0.0 | 1.0.0 | pyproject | ✅ dataknobs_xization |')
      expect(JSON.parse(run.outputs.versions!)).toEqual({
        'dataknobs-common': '1.0.0',
        'dataknobs-structures': '1.0.0',
        'dataknobs-utils': '1.0.0',
        'dataknobs-xization': '1.0.0'
      })
    }
  )

  slow('a smoke test that raises fails the check with its traceback', async () => {
    const run = await runBundle(
      'health-check',
      {
        packages: 'dataknobs-structures==1.0.0',
        'index-url': index,
        smoke: SMOKE_RAISES,
        timeout: '1m'
      },
      { workspace: emptyWorkspace(), node: node.path }
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(run.outputs.healthy).toBe('false')
    const smoke = run.report!.smoke as { ok: boolean; traceback: string }
    expect(smoke.ok).toBe(false)
    expect(smoke.traceback).toMatch(/Traceback \(most recent call last\):/)
    expect(smoke.traceback).toMatch(/line 5, in check/)
    expect(smoke.traceback).toContain('AssertionError: expected 3 nodes, got 2')
    // The imports passed; only the smoke check failed.
    expect(run.report!.checks.map((c) => [c.tool, c.status])).toEqual([
      ['install', 'passed'],
      ['import', 'passed'],
      ['smoke', 'failed']
    ])
    expect(run.summary).toContain('AssertionError: expected 3 nodes, got 2')
    expect(run.stdout).toMatch(/::error::health-check \(production\) failed: The smoke test .*AssertionError: expected 3 nodes, got 2/)
  })
})

describe('health-check behaviour', () => {
  const node = nodes[nodes.length - 1]!

  slow('a version that is not on the index fails after the timeout with "not found on the index" (pip, no uv)', async () => {
    // Without uv on PATH the venv and the install use pip.
    const uvDirs = (process.env[PATH_KEY] ?? '').split(path.delimiter).filter((d) => fs.existsSync(path.join(d, 'uv')))
    const pathWithoutUv = (process.env[PATH_KEY] ?? '')
      .split(path.delimiter)
      .filter((d) => !uvDirs.includes(d))
      .join(path.delimiter)
    const run = await runBundle(
      'health-check',
      {
        packages: 'dataknobs-common==9.9.9',
        'index-url': index,
        timeout: '10s',
        'retry-interval': '2s'
      },
      { workspace: emptyWorkspace(), node: node.path, env: { [PATH_KEY]: pathWithoutUv } }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(
      /::error::health-check \(production\) failed: dataknobs-common==9\.9\.9 not found on the index http:\/\/127\.0\.0\.1:\d+\/simple\/ after 10\.0 s/
    )
    const install = run.report!.install as { status: string; installer: string; attempts: number; output: string }
    expect(install.status).toBe('not-found')
    expect(install.installer).toBe('pip')
    expect(install.attempts).toBeGreaterThan(1)
    // The last attempt asked pip itself, whose words are kept.
    expect(install.output).toContain('No matching distribution found for dataknobs-common==9.9.9')
    expect(run.report!.checks[0]!.findings[0]!.message).toContain('(the index lists 1.0.0, 1.1.0rc1)')
  })

  slow('a release that installs but fails on import fails at once, with the traceback', async () => {
    const run = await runBundle(
      'health-check',
      {
        packages: 'dataknobs-common==1.1.0rc1',
        'index-url': index,
        timeout: '5m'
      },
      { workspace: emptyWorkspace(), node: node.path }
    )
    expect(run.exitCode).toBe(1)
    expect((run.report!.install as { attempts: number }).attempts).toBe(1)
    const failed = (run.report!.imports as { module: string; ok: boolean; traceback: string }[])[0]!
    expect(failed).toMatchObject({ module: 'dataknobs_common', ok: false })
    expect(failed.traceback).toContain('RuntimeError: dataknobs_common 1.1.0rc1 is a broken release')
    expect(run.summary).toContain('RuntimeError: dataknobs_common 1.1.0rc1 is a broken release')
  })

  slow('a URL that answers 500 fails', async () => {
    const run = await runBundle(
      'health-check',
      {
        packages: 'dataknobs-common==1.0.0',
        'index-url': index,
        urls: `${webBase}/broken`,
        timeout: '5s',
        'retry-interval': '1s'
      },
      { workspace: emptyWorkspace(), node: node.path }
    )
    expect(run.exitCode).toBe(1)
    const url = (run.report!.urls as { ok: boolean; status: number; attempts: number; reason: string }[])[0]!
    expect(url).toMatchObject({ ok: false, status: 500 })
    expect(url.attempts).toBeGreaterThan(1)
    expect(run.report!.checks.find((c) => c.tool === 'install')!.status).toBe('passed')
    expect(run.stdout).toMatch(
      /::error::health-check \(production\) failed: GET http:\/\/127\.0\.0\.1:\d+\/broken did not become healthy: HTTP 500/
    )
  })

  slow('a version published while the check is waiting is picked up and passes', async () => {
    const files = dists(later)
    expect(files.length).toBe(2)
    const publish = setTimeout(() => {
      for (const f of files) fs.copyFileSync(path.join(later, f), path.join(served, f))
    }, 5000)
    try {
      const run = await runBundle(
        'health-check',
        {
          packages: 'dataknobs-common==1.0.1',
          'index-url': index,
          timeout: '2m',
          'retry-interval': '2s',
          smoke: 'import dataknobs_common\nprint("common", dataknobs_common.__name__)'
        },
        { workspace: emptyWorkspace(), node: node.path }
      )
      expect(run.exitCode).toBe(0)
      expect(JSON.parse(run.outputs.versions!)).toEqual({ 'dataknobs-common': '1.0.1' })
      const install = run.report!.install as { attempts: number }
      // It waited: the first attempts found 1.0.1 not listed yet.
      expect(install.attempts).toBeGreaterThan(1)
      expect(run.stdout).toMatch(/attempt 1: dataknobs-common==1\.0\.1 not listed on the index yet/)
    } finally {
      clearTimeout(publish)
    }
  })

  slow('a bad environment is one clear line naming the allowed values', async () => {
    const run = await runBundle(
      'health-check',
      { packages: 'dataknobs-common==1.0.0', 'index-url': index, environment: 'prod' },
      { workspace: emptyWorkspace(), node: node.path }
    )
    expect(run.exitCode).toBe(1)
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'))
    expect(errors).toEqual([
      "::error::Input 'environment' has an invalid value \"prod\": allowed values are development, staging, production (add more with 'environments')."
    ])
  })
})
