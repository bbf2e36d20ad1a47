#!/usr/bin/env node
// Benchmark of build-packages against the plain sequential loop it replaces: for each
// package, `poetry build` (Poetry projects) or `python -m build` (others: poetry cannot
// build a hatchling or setuptools project), then `pip install` each wheel into one venv
// and import it. Runs on examples/monorepo and on a generated repository of 20 packages
// (a tree of poetry-core, hatchling and setuptools packages). One untimed warm-up run of
// each side fills the caches (pip, uv, the action's tool venv); then each is timed.
// Usage: node scripts/bench-build.js   (needs uv on PATH; installs poetry into .cache/bench)
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const benchDir = path.join(root, '.cache', 'bench')
const toolVenv = path.join(benchDir, 'poetry-venv')
const bin = (venv, exe) => path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', exe)
const env = {
  ...process.env,
  POETRY_CACHE_DIR: path.join(benchDir, 'poetry-cache'),
  PIP_CACHE_DIR: path.join(benchDir, 'pip-cache'),
  PIP_DISABLE_PIP_VERSION_CHECK: '1'
}

function run(argv, cwd, quiet = true) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env, encoding: 'utf8', stdio: quiet ? 'pipe' : 'inherit', maxBuffer: 64 << 20 })
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} (in ${cwd}) failed: ${r.status}\n${(r.stdout || '') + (r.stderr || '')}`.slice(-3000))
  }
  return r.stdout || ''
}

function ensureTools() {
  if (!fs.existsSync(bin(toolVenv, 'poetry')) || !fs.existsSync(bin(toolVenv, 'pyproject-build'))) {
    fs.mkdirSync(benchDir, { recursive: true })
    run(['uv', 'venv', '-q', toolVenv], root)
    run(['uv', 'pip', 'install', '-q', '--python', bin(toolVenv, 'python'), 'poetry==2.5.1', 'build==1.6.1'], root)
  }
}

function gitInit(dir) {
  const g = (...a) => run(['git', '-c', 'user.email=b@b', '-c', 'user.name=b', '-c', 'commit.gpgsign=false', ...a], dir)
  g('init', '-q', '-b', 'main')
  g('add', '-A')
  g('commit', '-q', '-m', 'bench')
}

const BACKENDS = {
  poetry: '[build-system]\nrequires = ["poetry-core>=2.0"]\nbuild-backend = "poetry.core.masonry.api"\n',
  hatchling: '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
  setuptools: '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
}

/** 20 packages in a tree (each depends on its parent), backends in turn. */
function generateRepo(dir, n = 20) {
  const kinds = ['poetry', 'hatchling', 'setuptools']
  const pkgs = []
  for (let i = 0; i < n; i++) {
    const name = `bench-pkg${String(i).padStart(2, '0')}`
    const mod = name.replace(/-/g, '_')
    const parent = i === 0 ? undefined : pkgs[Math.floor((i - 1) / 3)]
    const kind = kinds[i % 3]
    const pdir = path.join(dir, 'packages', name)
    fs.mkdirSync(path.join(pdir, 'src', mod, 'sub'), { recursive: true })
    fs.writeFileSync(path.join(pdir, 'README.md'), `# ${name}\n\nGenerated for the benchmark.\n`)
    const imp = parent ? `from ${parent.mod} import VALUE as PARENT\n` : 'PARENT = 0\n'
    fs.writeFileSync(path.join(pdir, 'src', mod, '__init__.py'), `${imp}VALUE = PARENT + 1\n`)
    fs.writeFileSync(path.join(pdir, 'src', mod, 'sub', '__init__.py'), 'def f() -> int:\n    return 1\n')
    let toml =
      BACKENDS[kind] +
      `\n[project]\nname = "${name}"\nversion = "0.1.0"\nreadme = "README.md"\nrequires-python = ">=3.8"\n` +
      `dependencies = [${parent ? `"${parent.name}>=0.1.0"` : ''}]\n`
    if (kind === 'poetry') toml += `\n[tool.poetry]\npackages = [{ include = "${mod}", from = "src" }]\n`
    if (kind === 'hatchling') toml += `\n[tool.hatch.build.targets.wheel]\npackages = ["src/${mod}"]\n`
    if (kind === 'setuptools') toml += '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
    fs.writeFileSync(path.join(pdir, 'pyproject.toml'), toml)
    pkgs.push({ name, mod, kind, dir: pdir })
  }
  gitInit(dir)
  return pkgs
}

function monorepoPackages(dir) {
  return ['common', 'structures', 'utils', 'xization'].map((p) => {
    const toml = fs.readFileSync(path.join(dir, 'packages', p, 'pyproject.toml'), 'utf8')
    return {
      name: `dataknobs-${p}`,
      mod: `dataknobs_${p}`,
      kind: toml.includes('poetry.core') ? 'poetry' : 'other',
      dir: path.join(dir, 'packages', p)
    }
  })
}

/** The loop the action replaces, packages in dependency order. */
function loop(pkgs) {
  for (const p of pkgs) {
    fs.rmSync(path.join(p.dir, 'dist'), { recursive: true, force: true })
    if (p.kind === 'poetry') run([bin(toolVenv, 'poetry'), 'build', '--no-interaction'], p.dir)
    else run([bin(toolVenv, 'python'), '-m', 'build', '--outdir', 'dist', '.'], p.dir)
  }
  const venv = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-venv-'))
  run([process.env.DK_BENCH_PYTHON || 'python3', '-m', 'venv', venv], root)
  for (const p of pkgs) {
    const wheel = fs.readdirSync(path.join(p.dir, 'dist')).find((f) => f.endsWith('.whl'))
    run([bin(venv, 'pip'), 'install', '-q', path.join(p.dir, 'dist', wheel)], root)
    run([bin(venv, 'python'), '-c', `import ${p.mod}`], os.tmpdir())
  }
  fs.rmSync(venv, { recursive: true, force: true })
}

function action(dir) {
  const out = run([process.execPath, path.join(root, 'bin', 'dk-actions.js'), 'build-packages'], dir)
  if (!/passed: true/.test(out)) throw new Error(`build-packages did not pass on ${dir}:\n${out.slice(-3000)}`)
}

function time(fn) {
  const t = performance.now()
  fn()
  return (performance.now() - t) / 1000
}

function bench(label, dir, pkgs) {
  loop(pkgs)
  action(dir)
  const loopS = time(() => loop(pkgs))
  const actionS = time(() => action(dir))
  const ratio = actionS / loopS
  console.log(
    `${label}: ${pkgs.length} packages · loop ${loopS.toFixed(1)} s · build-packages ${actionS.toFixed(1)} s · ratio ${ratio.toFixed(2)} (goal ≤ 0.50)`
  )
  return ratio
}

ensureTools()
console.log(
  `cores: ${os.availableParallelism?.() ?? os.cpus().length}; loop: poetry build (poetry-core packages), python -m build (others), pip install + import each wheel`
)
const mono = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-mono-'))
fs.cpSync(path.join(root, 'examples', 'monorepo'), mono, { recursive: true })
gitInit(mono)
const gen = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bench-gen-'))
const genPkgs = generateRepo(gen)
const ratios = [bench('examples/monorepo', mono, monorepoPackages(mono)), bench('generated', gen, genPkgs)]
for (const d of [mono, gen]) fs.rmSync(d, { recursive: true, force: true })
if (ratios.some((r) => r > 0.5)) console.log('At least one ratio is above the 0.5 goal.')
