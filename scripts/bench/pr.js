// A pull request on a generated tree of 40 packages (`packages: all`): run-quality cold (tool
// venvs provisioned, no tool cache, no findings cache), then 3 files changed in 3 packages,
// then run-quality again with the caches the first run left (the same RUNNER_TEMP).
// Prints wall seconds and the ratio warm / cold, for the default checks (black, isort,
// flake8, mypy, pylint) and for the file-local tools alone (black, isort, flake8, ruff,
// ruff-format: the ones the findings cache answers for).
//   DK_BENCH_PACKAGES  packages in the generated tree (40)
//   DK_BENCH_MODULES   modules per package, about 60 lines each (25)
//   DK_BENCH_CHECKS    the check lists to run, `;` between them (the two above)
//   DK_BENCH_REPO      a checkout of a real repository to run on instead of the generated tree
//                      (copied first; the pull request touches a module in three of its folders)
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

/**
 * The same pull request on a real repository (DK_BENCH_REPO): one function appended to the
 * first module (in path order) of three of its distributions (folders holding a
 * pyproject.toml or setup.py): the first, the middle and the last. Build scripts, tests,
 * docs and examples are not picked.
 */
function touchThreeOf(tree) {
  const ls = (pattern) => execFileSync('git', ['ls-files', pattern], { cwd: tree, encoding: 'utf8' }).split('\n').filter(Boolean)
  const packages = [
    ...new Set(
      ls('*pyproject.toml')
        .concat(ls('*setup.py'))
        .map((f) => path.posix.dirname(f))
    )
  ]
    .filter((d) => d !== '.')
    .sort()
  const modules = ls('*.py').filter((f) => !/(^|\/)(tests?|docs?|examples?)\//.test(f) && !/(^|\/)(setup|conftest|__init__)\.py$/.test(f))
  const firsts = packages.map((d) => modules.find((f) => f.startsWith(`${d}/`))).filter(Boolean)
  if (firsts.length < 3) throw new Error(`DK_BENCH_REPO: fewer than 3 distributions hold Python modules (${firsts.join(', ')})`)
  return [firsts[0], firsts[Math.floor(firsts.length / 2)], firsts[firsts.length - 1]].map((rel) => {
    fs.appendFileSync(path.join(tree, rel), '\n\ndef changed_in_pr(value):\n    """Return the value doubled."""\n    return value * 2\n')
    return rel
  })
}

/** Lines of the Python files in the tree (a real repository's size, as the generated tree reports its own). */
function pythonLines(tree) {
  const files = execFileSync('git', ['ls-files', '*.py'], { cwd: tree, encoding: 'utf8' }).split('\n').filter(Boolean)
  return files.reduce((n, f) => n + fs.readFileSync(path.join(tree, f), 'utf8').split('\n').length, 0)
}

// pylint's per-module cache counts modules; a whole-run answer counts runs.
const cacheCounts = (report) =>
  Object.entries(report.findingsCache ?? {})
    .map(([t, u]) => (u.modules ? `${t} ${u.modules.checked}/${u.modules.files} modules` : `${t} ${u.checked}/${u.files}`))
    .join(', ') || 'none'

export async function benchPr(root) {
  const repo = process.env.DK_BENCH_REPO ? path.resolve(process.env.DK_BENCH_REPO) : undefined
  if (repo && !fs.existsSync(repo)) throw new Error(`DK_BENCH_REPO: ${repo} does not exist`)
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
    let lineCount
    if (repo) {
      fs.cpSync(repo, tree, { recursive: true, filter: (src) => path.basename(src) !== '.git' })
    } else lineCount = generateMonorepo(path.join(root, 'examples', 'monorepo'), tree, { count, modules }).lineCount
    gitInit(tree)
    lineCount ??= pythonLines(tree)
    clearCaches(tree)
    const cold = action(root, tree, checks)
    const touched = repo ? touchThreeOf(tree) : touchThree(tree, count)
    const warm = action(root, tree, checks)
    rows.push({ checks, lineCount, cold, warm, touched })
    fs.rmSync(tree, { recursive: true, force: true })
  }
  const where = repo ? `the repository at ${repo}` : `${count} packages`
  console.log(`\nrun-quality on a pull request touching 3 files of ${where} (packages: all), wall seconds`)
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
