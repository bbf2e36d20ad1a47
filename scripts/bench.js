#!/usr/bin/env node
// npm run bench [-- quality|second-run|pr|security|build|discovery|report|provision ...]: benchmarks of the actions against the plain
// sequential commands they replace. Prints ratios; nothing here is a test assertion.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BENCHES = {
  quality: async () => (await import('./bench/quality.js')).benchQuality(root, { repeat: Number(process.env.DK_BENCH_REPEAT || 1) }),
  pr: async () => (await import('./bench/pr.js')).benchPr(root),
  security: async () => (await import('./bench/security.js')).benchSecurity(root, { repeat: Number(process.env.DK_BENCH_REPEAT || 1) }),
  // Through act (scripts/bootstrap.js installs it), on the bundles in dist/.
  'second-run': async () => (await import('./bench/second-run.js')).benchSecondRun(root),
  build: async () => script('bench-build.js'),
  discovery: async () => script('bench-discovery.js'),
  report: async () => script('bench-report.js'),
  provision: async () => (await import('./bench/provision.js')).benchProvision(root, { repeat: Number(process.env.DK_BENCH_REPEAT || 1) })
}

function script(name) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', name)], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status})`)
}
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCHES)
for (const name of wanted) {
  if (!BENCHES[name]) {
    console.error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}`)
    process.exit(2)
  }
  await BENCHES[name]()
}
