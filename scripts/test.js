#!/usr/bin/env node
// The one test command (npm test): type check, lint, rebuild dist/ from the sources, then
// every jest project (unit tests and the integration tests that run the built bundles with
// the real tools). Extra arguments go to jest, e.g. `npm test -- run-quality`.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)

function step(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal}).`)
    process.exit(r.status || 1)
  }
}

const jestArgs = process.argv.slice(2)
if (!process.env.DK_SKIP_STATIC) {
  step('type check', bin('tsc'), ['-p', 'tsconfig.json'])
  step('lint', bin('eslint'), ['.'])
  step('bundle', process.execPath, ['scripts/bundle.js'])
  step('root action', process.execPath, ['scripts/root-action.js', '--check'])
  step('docs', process.execPath, ['scripts/docs.js', '--check'])
}
const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dk-jest-')), 'results.json')
console.log('\n=== jest')
const r = spawnSync(bin('jest'), ['--json', `--outputFile=${results}`, ...jestArgs], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules', NODE_NO_WARNINGS: '1' }
})
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
