// run-quality against the same five tools run one after another as plain commands, on the
// example monorepo and on a generated tree (about 21,000 lines by default). Prints wall times and ratios:
//   cold    both with empty tool caches (.mypy_cache, black's cache)
//   second  the action again with `packages: changed` and nothing changed
//   overhead  the action's own time: process start to first tool launched, plus last tool
//             exit to the end of the run
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { generateMonorepo } from './generate-monorepo.js'

const TOOLS = ['black', 'isort', 'flake8', 'mypy', 'pylint']

function runnerTemp() {
  return path.join(os.tmpdir(), 'dk-actions-local')
}

/** The report the run that just ended (`r`, `wall` seconds) wrote; throws with its output when it wrote none. */
export function freshQualityReport(r, wall) {
  // The local command keeps RUNNER_TEMP at <tmp>/dk-actions-local, so the report is there.
  const reportPath = path.join(runnerTemp(), 'dk-actions', 'run-quality.json')
  const report =
    fs.existsSync(reportPath) && fs.statSync(reportPath).mtimeMs >= Date.now() - wall * 1000 - 1000
      ? JSON.parse(fs.readFileSync(reportPath, 'utf8'))
      : undefined
  if (!report) throw new Error(`run-quality did not write a report:\n${r.stdout.slice(-3000)}\n${r.stderr}`)
  return report
}

/** The tools' own caches, and run-quality's findings and whole-run caches (under <cache>/quality): a cold run has none. */
export function clearCaches(tree, temp = runnerTemp()) {
  for (const d of ['.mypy_cache', '.ruff_cache']) fs.rmSync(path.join(tree, d), { recursive: true, force: true })
  for (const d of ['black', 'quality']) fs.rmSync(path.join(temp, 'dk-actions-cache', d), { recursive: true, force: true })
}

export function toolVenvBin(temp = runnerTemp()) {
  const venvs = path.join(temp, 'dk-actions-cache', 'venvs')
  for (const v of fs.existsSync(venvs) ? fs.readdirSync(venvs) : []) {
    const marker = path.join(venvs, v, '.dk-actions-ready')
    if (!fs.existsSync(marker)) continue
    // The venv the action itself uses: the five tools plus pytest (which the tests it
    // checks import), so both sides analyse exactly the same code.
    const lines = fs
      .readFileSync(marker, 'utf8')
      .split('\n')
      .map((l) => l.split('==')[0])
    if ([...TOOLS, 'pytest'].every((t) => lines.includes(t)) && lines.length === TOOLS.length + 1) return path.join(venvs, v, 'bin')
  }
  return undefined
}

function action(root, tree, extra = []) {
  const started = performance.now()
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'dk-actions.js'), 'run-quality', '--install', 'isolated', '--checks', TOOLS.join(','), ...extra],
    {
      cwd: tree,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, BLACK_CACHE_DIR: path.join(runnerTemp(), 'dk-actions-cache', 'black') }
    }
  )
  const wall = (performance.now() - started) / 1000
  const report = freshQualityReport(r, wall)
  const t = report.timing
  const end = Date.parse(report.startedAt) + report.durationMs
  const overheadMs = t ? t.firstToolStart - t.processStart + Math.max(0, end - t.lastToolEnd) : end - Date.parse(report.startedAt)
  return { wall, overheadMs, passed: report.passed, report }
}

const SEQUENTIAL = [
  ['black', '--check', 'packages', 'tests'],
  ['isort', '--check-only', 'packages', 'tests'],
  ['flake8', 'packages', 'tests'],
  ['mypy', 'packages', 'tests'],
  ['pylint', '--recursive=y', 'packages', 'tests']
]

/** The five tools one after another over the generated trees' folders, from the venv in `bin`. */
const plainCommands = (bin) => SEQUENTIAL.map(([tool, ...args]) => [path.join(bin, tool), ...args])

/**
 * The commands the action ran (its report gives each check's command line), for a real
 * repository whose targets are its own: the same work, one tool after another, from its root.
 */
export function reportCommands(report) {
  return report.checks.filter((c) => c.command && TOOLS.includes(c.tool)).map((c) => displayedArgv(c.command))
}

/**
 * The argv of a command line as displayCommand (packages-shared/exec.ts) writes it: each word
 * bare, or in single quotes with a quote inside written '\''. Splitting at spaces would keep
 * the quotes, and flake8 would stop at once on the quoted --format= it took for a path.
 */
export function displayedArgv(line) {
  const words = line.match(/(?:\\'|'[^']*'|[^\s'\\]+)+/g) ?? []
  return words.map((w) => w.replace(/\\'|'([^']*)'/g, (_, quoted) => quoted ?? "'"))
}

/** Wall seconds of the commands run one after another; `bin` or a list of argv. */
export function sequential(bin, tree, temp = runnerTemp(), commands = plainCommands(bin)) {
  const started = performance.now()
  for (const argv of commands) {
    spawnSync(argv[0], argv.slice(1), {
      cwd: tree,
      stdio: 'ignore',
      env: { ...process.env, BLACK_CACHE_DIR: path.join(temp, 'dk-actions-cache', 'black') }
    })
  }
  return (performance.now() - started) / 1000
}

// Runs the commands one after another and prints the CPU seconds they and every process they
// started used (getrusage of the children: black's and flake8's workers included), and each
// command's wall seconds.
const CPU_OF_CHILDREN = [
  'import json, resource, subprocess, sys, time',
  'walls = []',
  'for argv in json.loads(sys.argv[1]):',
  '    started = time.perf_counter()',
  '    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)',
  '    walls.append(time.perf_counter() - started)',
  'r = resource.getrusage(resource.RUSAGE_CHILDREN)',
  'print(json.dumps({"cpu": r.ru_utime + r.ru_stime, "walls": walls}))'
].join('\n')

/**
 * The machine's limit for the same work: the CPU seconds of the five tools run one after
 * another, divided by the cores. No schedule of them finishes sooner; nor sooner than the
 * longest of them alone (`longest`: that command and its wall seconds), whichever is more.
 * undefined where Python has no `resource` module (Windows).
 */
export function machineLimit(bin, tree, temp = runnerTemp(), commands = plainCommands(bin)) {
  if (process.platform === 'win32') return undefined
  const r = spawnSync(path.join(bin, 'python'), ['-c', CPU_OF_CHILDREN, JSON.stringify(commands)], {
    cwd: tree,
    encoding: 'utf8',
    env: { ...process.env, BLACK_CACHE_DIR: path.join(temp, 'dk-actions-cache', 'black') }
  })
  let measured
  try {
    measured = JSON.parse(r.stdout.trim())
  } catch {
    measured = undefined
  }
  if (r.status !== 0 || !Number.isFinite(measured?.cpu)) throw new Error(`measuring the tools' CPU time failed: ${r.stderr}`)
  const cores = os.availableParallelism()
  const at = measured.walls.indexOf(Math.max(...measured.walls))
  return {
    cpu: measured.cpu,
    cores,
    limit: measured.cpu / cores,
    longest: { tool: path.basename(commands[at][0]), wall: measured.walls[at] }
  }
}

export function gitInit(dir) {
  const git = (...a) =>
    execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...a], { cwd: dir, stdio: 'ignore' })
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'bench')
}

export async function benchQuality(root, { repeat = 1 } = {}) {
  const trees = []
  const example = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-example-'))
  fs.cpSync(path.join(root, 'examples', 'monorepo'), example, { recursive: true })
  trees.push({ name: 'example monorepo', dir: example })
  // DK_BENCH_PACKAGES sets the generated tree's size (25 modules, about 2,100 lines each);
  // 0 runs the example alone.
  const count = Number(process.env.DK_BENCH_PACKAGES ?? 10)
  if (count > 0) {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-large-'))
    const { lineCount } = generateMonorepo(path.join(root, 'examples', 'monorepo'), big, { count, modules: 25 })
    trees.push({ name: `generated (${lineCount} lines)`, dir: big })
  }
  // DK_BENCH_REPO: a checkout of a real repository too (copied first), against the commands the action ran on it.
  if (process.env.DK_BENCH_REPO) {
    const repo = path.resolve(process.env.DK_BENCH_REPO)
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-repo-'))
    fs.cpSync(repo, copy, { recursive: true, filter: (src) => path.basename(src) !== '.git' })
    trees.push({ name: path.basename(repo), dir: copy, real: true })
  }

  // Warm-up: the action provisions its pinned tools once; both sides then use the venv it ran
  // them from (read from its command lines: RUNNER_TEMP may hold venvs of other pins, a real
  // repository's among them).
  const warm = action(root, example)
  const bin = path.dirname(reportCommands(warm.report)[0]?.[0] ?? '')
  if (!TOOLS.every((t) => fs.existsSync(path.join(bin, t))))
    throw new Error(`the warm-up run's tool venv (${bin}) lacks some of ${TOOLS.join(', ')}`)

  const rows = []
  for (const tree of trees) {
    gitInit(tree.dir)
    let seq = Infinity
    let limit
    let cold = { wall: Infinity }
    // A real repository: its targets are what the action checked, so the plain side runs the action's own commands.
    let commands = tree.real ? undefined : plainCommands(bin)
    for (let i = 0; i < repeat; i++) {
      clearCaches(tree.dir)
      const c = action(root, tree.dir)
      if (c.wall < cold.wall) cold = c
      commands ??= reportCommands(c.report)
      clearCaches(tree.dir)
      seq = Math.min(seq, sequential(bin, tree.dir, runnerTemp(), commands))
      clearCaches(tree.dir)
      const m = machineLimit(bin, tree.dir, runnerTemp(), commands)
      if (m && (!limit || m.cpu < limit.cpu)) limit = m
    }
    const second = action(root, tree.dir, ['--packages', 'changed', '--base-ref', 'HEAD'])
    rows.push({ tree: tree.name, seq, limit, cold, second })
  }
  console.log('\nrun-quality vs sequential commands (black, isort, flake8, mypy, pylint), wall seconds')
  console.log('| tree | sequential | action cold | ratio (≤ 0.6) | second run | ratio (≤ 0.2) | overhead ms (≤ 300) |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.tree} | ${r.seq.toFixed(2)} | ${r.cold.wall.toFixed(2)} | ${(r.cold.wall / r.seq).toFixed(2)} | ${r.second.wall.toFixed(2)} | ${(r.second.wall / r.seq).toFixed(2)} | ${r.cold.overheadMs} (cold), ${r.second.overheadMs} (second) |`
    )
  }
  console.log("\nrun-quality cold against the machine's limit (the five tools' CPU seconds run one after another, divided by the cores)")
  console.log(
    'and against the longest tool alone, which no schedule of the plain commands beats either (the lean launcher makes pylint cheaper than its plain run)'
  )
  console.log(
    '| tree | CPU seconds | cores | limit | longest alone | action cold | cold / limit (≤ 1.15) | longest / limit | cold / max(limit, longest) |'
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    const l = r.limit
    console.log(
      l
        ? `| ${r.tree} | ${l.cpu.toFixed(2)} | ${l.cores} | ${l.limit.toFixed(2)} | ${l.longest.tool} ${l.longest.wall.toFixed(2)} | ${r.cold.wall.toFixed(2)} | ${(r.cold.wall / l.limit).toFixed(2)} | ${(l.longest.wall / l.limit).toFixed(2)} | ${(r.cold.wall / Math.max(l.limit, l.longest.wall)).toFixed(2)} |`
        : `| ${r.tree} | n/a (no getrusage on this platform) | | | | ${r.cold.wall.toFixed(2)} | | | |`
    )
  }
  for (const t of trees) fs.rmSync(t.dir, { recursive: true, force: true })
  return rows
}
