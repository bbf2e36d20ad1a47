#!/usr/bin/env node
// The one test command (npm test): install what the tests drive (scripts/bootstrap.js, into
// .cache/, once), type check, lint, the format check (prettier), rebuild dist/ from the sources, then every jest project
// (unit tests, the integration tests that run the built bundles with the real tools, and the
// act runs of the example workflows). Each phase prints its time. Extra arguments go to
// jest, e.g. `npm test -- run-quality`.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootstrap, BootstrapError } from './bootstrap.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const phases = []

async function timed(title, fn) {
  console.log(`\n=== ${title}`)
  const started = Date.now()
  try {
    return await fn()
  } finally {
    const seconds = (Date.now() - started) / 1000
    phases.push([title, seconds])
    console.log(`=== ${title}: ${seconds.toFixed(1)} s`)
  }
}

function printPhases() {
  console.log('\nphase times (bootstrap and the static checks run side by side):')
  for (const [title, seconds] of phases) console.log(`  ${title.padEnd(14)} ${seconds.toFixed(1).padStart(7)} s`)
}

function fail(message, status = 1) {
  console.error(message)
  printPhases()
  process.exit(status)
}

/** A command as a promise of its exit status, its output going to ours. */
function spawned(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env })
    child.on('error', () => resolve(1))
    child.on('close', (status, signal) => resolve(status ?? signal))
  })
}

async function step(title, cmd, args, env = process.env) {
  const status = await timed(title, () => spawned(cmd, args, env))
  if (status !== 0) fail(`\n${title} failed (exit ${status}).`, typeof status === 'number' ? status : 1)
}

// The static checks need nothing bootstrap installs, so both run at once.
const staticChecks = async () => {
  if (process.env.DK_SKIP_STATIC) return
  await step('type check', bin('tsc'), ['-p', 'tsconfig.json'])
  await step('lint', bin('eslint'), ['.'])
  await step('format', bin('prettier'), ['--check', '.'])
  await step('bundle', process.execPath, ['scripts/bundle.js'])
  await step('root action', process.execPath, ['scripts/root-action.js', '--check'])
  await step('docs', process.execPath, ['scripts/docs.js', '--check'])
}
const [installed] = await Promise.all([
  timed('bootstrap', bootstrap).catch((error) => fail(error instanceof BootstrapError ? error.message : String(error))),
  staticChecks()
])
const env = { ...process.env, ...installed }

const jestArgs = process.argv.slice(2)
// Each jest worker has its own RUNNER_TEMP (see __tests__/integration/harness.ts), so the
// test files run in parallel; most of their time is spent waiting on the tools they drive.
const workers = jestArgs.some((a) => /^(-w|--maxWorkers)(=|$)/.test(a) || a === '-i' || a === '--runInBand')
  ? []
  : [`--maxWorkers=${process.env.DK_TEST_WORKERS || 3}`]
const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-jest-')), 'results.json')
const status = await timed('jest', () =>
  spawned(bin('jest'), ['--json', `--outputFile=${results}`, ...workers, ...jestArgs], {
    ...env,
    NODE_OPTIONS: '--experimental-vm-modules',
    NODE_NO_WARNINGS: '1'
  })
)
printPhases()
let summary = ''
if (fs.existsSync(results)) {
  const data = JSON.parse(fs.readFileSync(results, 'utf8'))
  summary = `${data.numPassedTests} passed, ${data.numFailedTests} failed, ${data.numPendingTests} skipped`
  if (data.numTotalTests === 0) {
    console.error('No test ran.')
    process.exit(1)
  }
}
console.log(`\njest: ${summary}`)
process.exit(status === 0 ? 0 : 1)
