#!/usr/bin/env node
// The one test command (npm test): install what the tests drive (scripts/bootstrap.js, into
// .cache/, once), type check, lint, rebuild dist/ from the sources, then every jest project
// (unit tests, the integration tests that run the built bundles with the real tools, and the
// act runs of the example workflows). Each phase prints its time. Extra arguments go to
// jest, e.g. `npm test -- run-quality`.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bootstrap, BootstrapError } from './bootstrap.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const phases = []

function timed(title, fn) {
  console.log(`\n=== ${title}`)
  const started = Date.now()
  try {
    return fn()
  } finally {
    const seconds = (Date.now() - started) / 1000
    phases.push([title, seconds])
    console.log(`=== ${title}: ${seconds.toFixed(1)} s`)
  }
}

function printPhases() {
  console.log('\nphase times:')
  for (const [title, seconds] of phases) console.log(`  ${title.padEnd(14)} ${seconds.toFixed(1).padStart(7)} s`)
}

function step(title, cmd, args, env = process.env) {
  const r = timed(title, () => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }))
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal}).`)
    printPhases()
    process.exit(r.status || 1)
  }
}

let env = process.env
try {
  env = { ...process.env, ...timed('bootstrap', bootstrap) }
} catch (error) {
  console.error(error instanceof BootstrapError ? error.message : error)
  process.exit(1)
}

const jestArgs = process.argv.slice(2)
if (!process.env.DK_SKIP_STATIC) {
  step('type check', bin('tsc'), ['-p', 'tsconfig.json'], env)
  step('lint', bin('eslint'), ['.'], env)
  step('bundle', process.execPath, ['scripts/bundle.js'], env)
  step('root action', process.execPath, ['scripts/root-action.js', '--check'], env)
  step('docs', process.execPath, ['scripts/docs.js', '--check'], env)
}
const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-jest-')), 'results.json')
const r = timed('jest', () =>
  spawnSync(bin('jest'), ['--json', `--outputFile=${results}`, ...jestArgs], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, NODE_OPTIONS: '--experimental-vm-modules', NODE_NO_WARNINGS: '1' }
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
process.exit(r.status ?? 1)
