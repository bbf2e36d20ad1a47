// A pull request on a generated tree of 40 packages (`packages: all`): run-quality cold (tool
// venvs provisioned, no tool cache, no findings cache), then 3 files changed in 3 packages,
// then run-quality again with the caches the first run left (the same RUNNER_TEMP).
// Prints wall seconds and the ratio warm / cold, for the default checks (black, isort,
// flake8, mypy, pylint) and for the file-local tools alone (black, isort, flake8, ruff,
// ruff-format: the ones the findings cache answers for).
//   DK_BENCH_PACKAGES  packages in the generated tree (40)
//   DK_BENCH_MODULES   modules per package, about 60 lines each (25)
//   DK_BENCH_CHECKS    the check lists to run, `;` between them (the two above)
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { generateMonorepo } from './generate-monorepo.js'
import { clearCaches, freshQualityReport } from './quality.js'

const DEFAULT_CHECKS = 'black,isort,flake8,mypy,pylint'
const FILE_LOCAL = 'black,isort,flake8,ruff,ruff-format'

function action(root, tree, checks) {
  const started = performance.now()
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'dk-actions.js'), 'run-quality', '--install', 'isolated', '--checks', checks, '--packages', 'all'],
    {
      cwd: tree,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024
    }
  )
  const wall = (performance.now() - started) / 1000
  const report = freshQualityReport(r, wall)
  const findings = report.checks.reduce((n, c) => n + c.findings.length, 0)
  return { wall, report, findings, passed: report.passed }
}

function gitInit(dir) {
  const git = (...a) =>
    execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...a], { cwd: dir, stdio: 'ignore' })
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'bench')
}

/** What the pull request does: one more function in one module of three packages. */
function touchThree(tree, count) {
  const picks = [Math.floor(count / 8), Math.floor(count / 2), count - 1]
  return picks.map((i) => {
    const file = path.join(tree, 'packages', `gen-pkg-${i}`, 'src', `gen_pkg_${i}`, 'mod_3.py')
    fs.appendFileSync(file, '\n\ndef changed_in_pr(value: float) -> float:\n    """Return the value doubled."""\n    return value * 2\n')
    return path.relative(tree, file)
  })
}

const cacheCounts = (report) =>
  Object.entries(report.findingsCache ?? {})
    .map(([t, u]) => `${t} ${u.checked}/${u.files}`)
    .join(', ') || 'none'

export async function benchPr(root) {
  const count = Number(process.env.DK_BENCH_PACKAGES ?? 40)
  const modules = Number(process.env.DK_BENCH_MODULES ?? 25)
  const rows = []
  const lists = process.env.DK_BENCH_CHECKS ? process.env.DK_BENCH_CHECKS.split(';') : [DEFAULT_CHECKS, FILE_LOCAL]
  for (const checks of lists) {
    // Warm-up on the example: provisions the pinned tools once, so the cold run is venvs ready, no caches.
    const example = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-pr-example-'))
    fs.cpSync(path.join(root, 'examples', 'monorepo'), example, { recursive: true })
    gitInit(example)
    action(root, example, checks)
    fs.rmSync(example, { recursive: true, force: true })
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-pr-'))
    const { lineCount } = generateMonorepo(path.join(root, 'examples', 'monorepo'), tree, { count, modules })
    gitInit(tree)
    clearCaches(tree)
    const cold = action(root, tree, checks)
    const touched = touchThree(tree, count)
    const warm = action(root, tree, checks)
    rows.push({ checks, lineCount, cold, warm, touched })
    fs.rmSync(tree, { recursive: true, force: true })
  }
  console.log(`\nrun-quality on a pull request touching 3 files of ${count} packages (packages: all), wall seconds`)
  console.log('| checks | lines | cold | after the PR (caches of the cold run) | ratio (≤ 0.3) | files checked / listed |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.checks} | ${r.lineCount} | ${r.cold.wall.toFixed(2)} | ${r.warm.wall.toFixed(2)} | ${(r.warm.wall / r.cold.wall).toFixed(2)} | ${cacheCounts(r.warm.report)} |`
    )
  }
  const durations = (report) => report.checks.map((c) => `${c.tool} ${(c.durationMs / 1000).toFixed(1)}`).join(', ')
  for (const r of rows)
    console.log(`${r.checks}: each tool's seconds, cold: ${durations(r.cold.report)}; after the PR: ${durations(r.warm.report)}`)
  console.log(`(changed: ${rows[0]?.touched.join(', ')}; one run each: on a shared machine, repeat and take the median)`)
  return rows
}
