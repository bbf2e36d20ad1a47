// run-security cold against the plain commands a user runs for the same checks: a fresh venv,
// `pip install bandit pip-audit` (the same pins), `bandit -r packages`, and `pip-audit -r` over
// each package's requirements (those a user writes down by hand: its own and those of the
// workspace packages it needs, without the workspace packages, which are not on any index).
// Cold on both sides: the action in a fresh RUNNER_TEMP (no tool venv, no uv or pip cache),
// the plain commands with a fresh pip cache. Both audit against the same local OSV database
// (one record), served on loopback by the action's own server, so neither side measures an
// advisory service. Trees: the example monorepo (no third-party requirement at all) and the
// `unlocked` security fixture (jinja2 and markupsafe, no lock file). Prints wall seconds and
// the ratio action / plain (target ≤ 0.5). A benchmark, not a test: it asserts nothing.
// DK_BENCH_REPEAT runs each side that many times and keeps the fastest.
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { compileSources } from './compile.js'

const GHSA = 'GHSA-462w-v97r-4m45'

// The sources compiled as they are, for the OSV server, the requirement merging and the pins.
function compile(root, out) {
  compileSources(root, out, [
    'actions/run-security/osv-server.ts',
    'actions/run-security/dependencies.ts',
    'packages-shared/workspace.ts',
    'packages-shared/tools/bandit.ts'
  ])
  return (rel) => import(pathToFileURL(path.join(out, rel)).href)
}

/** One OSV record (CVE-2019-10906): jinja2 before 2.10.1, as the integration tests use. */
function writeAdvisoryDb(dir) {
  const recDir = path.join(dir, 'PyPI', 'jinja2')
  fs.mkdirSync(recDir, { recursive: true })
  fs.writeFileSync(
    path.join(recDir, `${GHSA}.json`),
    JSON.stringify({
      schema_version: '1.4.0',
      id: GHSA,
      aliases: ['CVE-2019-10906'],
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'Jinja2' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.10.1' }] }]
        }
      ]
    })
  )
}

function onPath(name) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, name)))
}

function action(root, tree) {
  // The local command keeps its RUNNER_TEMP at <tmp>/dk-actions-local: a fresh TMPDIR makes it fresh.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-sec-temp-'))
  const temp = path.join(tmp, 'dk-actions-local')
  const started = performance.now()
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'bin', 'dk-actions.js'),
      'run-security',
      '--install',
      'isolated',
      '--checks',
      'bandit,dependencies',
      '--advisory-db',
      'advisories'
    ],
    { cwd: tree, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TMPDIR: tmp } }
  )
  const wall = (performance.now() - started) / 1000
  const reportPath = path.join(temp, 'dk-actions', 'run-security.json')
  const report = fs.existsSync(reportPath) ? JSON.parse(fs.readFileSync(reportPath, 'utf8')) : undefined
  if (!report) throw new Error(`run-security did not write a report:\n${r.stdout.slice(-3000)}\n${r.stderr}`)
  const deps = report.checks.filter((c) => c.tool === 'dependencies')
  const scratch = path.join(temp, 'dk-actions-security')
  const venvs = fs.existsSync(scratch)
    ? fs.readdirSync(scratch).flatMap((d) => fs.readdirSync(path.join(scratch, d)).filter((f) => f.startsWith('env-'))).length
    : 0
  const compiles = (r.stdout.match(/\$ \S*uv pip compile /g) ?? []).length
  fs.rmSync(tmp, { recursive: true, force: true })
  return {
    wall,
    findings: deps.flatMap((c) => c.findings).length,
    errors: deps.filter((c) => c.status === 'error').length,
    compiles,
    venvs
  }
}

/** A child run without blocking this process, which serves the OSV database to it. */
function runAsync(argv, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

async function plain(tree, reqFiles, pins, osvUrl) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-sec-plain-'))
  const env = { ...process.env, PIP_CACHE_DIR: path.join(temp, 'pip-cache'), PIP_DISABLE_PIP_VERSION_CHECK: '1' }
  const run = async (argv, okCodes = [0]) => {
    const r = await runAsync(argv, { cwd: tree, env })
    if (!okCodes.includes(r.status)) throw new Error(`${argv.join(' ')} exited ${r.status}:\n${(r.stderr || r.stdout).slice(-2000)}`)
    return r
  }
  const venv = path.join(temp, 'venv')
  const bin = path.join(venv, 'bin')
  const started = performance.now()
  await run(['python3', '-m', 'venv', venv])
  await run([
    path.join(bin, 'pip'),
    'install',
    '--quiet',
    `${pins.bandit.requirement}==${pins.bandit.version}`,
    `pip-audit==${pins.pipAudit}`
  ])
  await run([path.join(bin, 'bandit'), '-r', 'packages', '-f', 'json', '-q'], [0, 1])
  let findings = 0
  for (const file of reqFiles) {
    const r = await run(
      [
        path.join(bin, 'pip-audit'),
        '-r',
        file,
        '-f',
        'json',
        '--progress-spinner',
        'off',
        '--cache-dir',
        path.join(temp, 'audit-cache'),
        '-s',
        'osv',
        '--osv-url',
        osvUrl
      ],
      [0, 1]
    )
    findings += JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).dependencies.reduce((n, d) => n + (d.vulns ?? []).length, 0)
  }
  const wall = (performance.now() - started) / 1000
  fs.rmSync(temp, { recursive: true, force: true })
  return { wall, findings }
}

export async function benchSecurity(root, { repeat = 1 } = {}) {
  const load = compile(root, path.join(root, '.cache', 'bench', 'security', 'js'))
  const { startOsvServer } = await load('actions/run-security/osv-server.js')
  const { loadOsvDatabase } = await load('actions/run-security/osv-db.js')
  const { thirdPartyRequirements } = await load('actions/run-security/dependencies.js')
  const { discoverWorkspace } = await load('packages-shared/workspace.js')
  const { BANDIT } = await load('packages-shared/tools/bandit.js')
  const { PIP_AUDIT } = await load('packages-shared/tools/pip-audit.js')
  const pins = { bandit: BANDIT, pipAudit: PIP_AUDIT.version }

  const trees = [
    { name: 'example monorepo', from: path.join(root, 'examples', 'monorepo') },
    { name: 'unlocked fixture (jinja2, markupsafe)', from: path.join(root, '__tests__', 'fixtures', 'security', 'unlocked') }
  ]
  const rows = []
  for (const t of trees) {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-sec-tree-'))
    fs.cpSync(t.from, tree, { recursive: true })
    writeAdvisoryDb(path.join(tree, 'advisories'))
    const ws = discoverWorkspace(tree)
    const reqDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-sec-reqs-'))
    const reqFiles = ws.packages.map((p) => {
      const file = path.join(reqDir, `requirements-${p.id}.txt`)
      fs.writeFileSync(
        file,
        thirdPartyRequirements(p, ws)
          .map((r) => `${r}\n`)
          .join('')
      )
      return file
    })
    const server = await startOsvServer(loadOsvDatabase(path.join(tree, 'advisories')))
    let act = { wall: Infinity }
    let base = { wall: Infinity }
    try {
      for (let i = 0; i < repeat; i++) {
        const b = await plain(tree, reqFiles, pins, server.url)
        if (b.wall < base.wall) base = b
        const a = action(root, tree)
        if (a.wall < act.wall) act = a
      }
    } finally {
      await server.close()
    }
    rows.push({ tree: t.name, packages: ws.packages.length, act, base })
    fs.rmSync(tree, { recursive: true, force: true })
    fs.rmSync(reqDir, { recursive: true, force: true })
  }
  console.log(
    `\nrun-security cold (bandit + dependency audit, fresh RUNNER_TEMP) vs python -m venv + pip install ${pins.bandit.requirement}==${pins.bandit.version} pip-audit==${pins.pipAudit} + bandit -r packages + pip-audit -r per package; wall seconds, best of ${repeat}; uv on PATH: ${onPath('uv') ? 'yes' : 'no'}`
  )
  console.log(
    '| tree | packages | plain commands | run-security cold | ratio (≤ 0.5) | uv pip compile runs | package venvs | vulnerabilities found (plain / action) |'
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.tree} | ${r.packages} | ${r.base.wall.toFixed(2)} | ${r.act.wall.toFixed(2)} | ${(r.act.wall / r.base.wall).toFixed(2)} | ${r.act.compiles} | ${r.act.venvs} | ${r.base.findings} / ${r.act.findings}${r.act.errors ? ` (${r.act.errors} audit error(s))` : ''} |`
    )
  }
  return rows
}
