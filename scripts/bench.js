#!/usr/bin/env node
// npm run bench: runs every scripts/bench-*.js in turn.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = path.dirname(fileURLToPath(import.meta.url))
let failed = false
for (const f of fs.readdirSync(dir).filter((n) => /^bench-.+\.js$/.test(n)).sort()) {
  console.log(`\n=== ${f}`)
  const r = spawnSync(process.execPath, [path.join(dir, f)], { stdio: 'inherit' })
  if (r.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
