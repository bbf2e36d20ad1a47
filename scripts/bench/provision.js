// Provisioning on a fresh machine: run-quality with every tool it has (black, isort, flake8, mypy,
// pylint, ruff at their pins), an empty RUNNER_TEMP and tool cache, empty pip and uv caches and no
// uv on PATH, against what a user runs instead: `python -m venv` and `pip install` of the same
// pins with an empty pip cache. The action's figure is its time to the first tool launched
// (discovery plus bringing uv in, the venv and the installs), read from its report, and its split
// (start to uv ready, then the venv and installs, from when each folder was marked ready). Prints wall
// times and the ratio; DK_BENCH_REPEAT=n runs each side n times, alternating, and prints medians.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const CHECKS = 'black,isort,flake8,mypy,pylint,ruff,ruff-format'

function fresh(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** The machine's environment less what would make it warm: no uv on PATH, no cache dir of ours or the user's. */
function coldEnv(extra) {
  const env = { ...process.env }
  for (const k of Object.keys(env))
    if (/^(RUNNER_|GITHUB_|ACTIONS_|INPUT_)/.test(k) || k === 'PIP_CACHE_DIR' || k === 'UV_CACHE_DIR') delete env[k]
  const exe = process.platform === 'win32' ? 'uv.exe' : 'uv'
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((d) => d && !fs.existsSync(path.join(d, exe)))
    .join(path.delimiter)
  return { ...env, ...extra }
}

/** One small package: the tools' runs take a moment, provisioning is the figure. */
function tinyTree() {
  const tree = fresh('dk-bench-provision-tree-')
  const src = path.join(tree, 'packages', 'demo', 'src', 'demo')
  fs.mkdirSync(src, { recursive: true })
  fs.writeFileSync(
    path.join(tree, 'packages', 'demo', 'pyproject.toml'),
    '[project]\nname = "demo"\nversion = "1.0"\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
  )
  fs.writeFileSync(path.join(src, '__init__.py'), '"""Demo."""\n\n\ndef answer() -> int:\n    """The answer."""\n    return 42\n')
  return tree
}

function action(root, python) {
  // The local command keeps RUNNER_TEMP at <tmp>/dk-actions-local (and no tool cache of the
  // runner's): a fresh TMPDIR makes both fresh.
  const tmp = fresh('dk-bench-provision-tmp-')
  const runnerTemp = path.join(tmp, 'dk-actions-local')
  const tree = tinyTree()
  const started = performance.now()
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'dk-actions.js'), 'run-quality', '--install', 'isolated', '--python', python, '--checks', CHECKS],
    {
      cwd: tree,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: coldEnv({ TMPDIR: tmp, TEMP: tmp, TMP: tmp })
    }
  )
  const wall = (performance.now() - started) / 1000
  const reportPath = path.join(runnerTemp, 'dk-actions', 'run-quality.json')
  if (!fs.existsSync(reportPath))
    throw new Error(`run-quality did not write a report (exit ${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr}`)
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'))
  const installer = report.toolsInstalledWith
  if (installer?.tool !== 'uv' || installer.origin !== 'dk-actions')
    throw new Error(`the tools were not installed by the uv run-quality brings in: ${JSON.stringify(installer)}\n${r.stdout.slice(-3000)}`)
  const venvs = path.join(runnerTemp, 'dk-actions-cache', 'venvs')
  const marker = fs
    .readdirSync(venvs)
    .map((v) => path.join(venvs, v, '.dk-actions-ready'))
    .find((m) => fs.existsSync(m))
  const pins = fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean)
  const provision = (report.timing.firstToolStart - report.timing.processStart) / 1000
  // The split, from when each folder was marked ready: uv brought in (after discovery), then the venv and installs.
  const uvReady = fs.statSync(
    path.join(runnerTemp, 'dk-actions-cache', 'tools', 'uv', installer.version, process.arch, '.dk-actions-ready')
  ).mtimeMs
  const split = { uv: (uvReady - report.timing.processStart) / 1000, installs: (fs.statSync(marker).mtimeMs - uvReady) / 1000 }
  for (const d of [tmp, tree]) fs.rmSync(d, { recursive: true, force: true })
  return { provision, wall, split, pins: [...new Set(pins)] }
}

function plain(python, pins) {
  const dir = fresh('dk-bench-provision-pip-')
  const venv = path.join(dir, 'venv')
  const env = coldEnv({ PIP_CACHE_DIR: path.join(dir, 'pip-cache'), PIP_DISABLE_PIP_VERSION_CHECK: '1' })
  const started = performance.now()
  const run = (argv) => {
    const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`)
  }
  run([python, '-m', 'venv', venv])
  run([path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', 'pip'), 'install', '--quiet', ...pins])
  const wall = (performance.now() - started) / 1000
  fs.rmSync(dir, { recursive: true, force: true })
  return wall
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

export async function benchProvision(root, { repeat = 1, python = process.env.DK_BENCH_PYTHON || 'python3' } = {}) {
  console.log(`provision: run-quality (${CHECKS}) on a fresh machine, no uv on PATH, empty caches; ${repeat} run(s) each`)
  const actions = []
  const plains = []
  for (let i = 0; i < repeat; i++) {
    const a = action(root, python)
    actions.push(a)
    plains.push(plain(python, a.pins))
    console.log(
      `  run ${i + 1}: action to first tool ${a.provision.toFixed(1)} s (start to uv ready ${a.split.uv.toFixed(1)} s, venv + installs ${a.split.installs.toFixed(1)} s; whole run ${a.wall.toFixed(1)} s), ` +
        `python -m venv + pip install ${plains.at(-1).toFixed(1)} s`
    )
  }
  const a = median(actions.map((x) => x.provision))
  const p = median(plains)
  console.log(`  pins: ${actions[0].pins.join(' ')}`)
  console.log(`  action (uv brought in, venv, installs): ${a.toFixed(1)} s`)
  console.log(`  python -m venv + pip install:          ${p.toFixed(1)} s`)
  console.log(
    `  ratio: ${(a / p).toFixed(2)} (floor: <= 0.3); pair by pair, median ${median(actions.map((x, i) => x.provision / plains[i])).toFixed(2)}`
  )
}
