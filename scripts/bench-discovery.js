#!/usr/bin/env node
// Benchmark of workspace discovery at scale: generated monorepos of 5 to 2,000 packages (a
// dependency chain, the deepest order to compute), each discovered (every pyproject.toml
// read and parsed, modules found), ordered (topological order and levels), and planned
// (run-quality's runs of the five default tools, `packages: changed` with every package
// changed, and the fan-out: the plan's matrix in shards of 25 and one shard's selection). Prints the
// wall time per size (median of a few runs in one warm process), the time per package, and
// a linearity figure: the growth of the time per package from 100 to 2,000 packages
// (1.0 is linear; a quadratic step would show about 20). The target is 2,000 packages in
// under 2 seconds. A benchmark, not a test: it prints figures and asserts nothing.
// Usage: node scripts/bench-discovery.js [sizes...]   (e.g. 5 20 2000; default the full curve)
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { generateMonorepo } from './bench/generate-monorepo.js'
import { compileSources } from './bench/compile.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const benchDir = path.join(root, '.cache', 'bench', 'discovery')
const outJs = path.join(benchDir, 'js')
const SIZES = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [5, 20, 40, 100, 1000, 2000]
const RUNS = Number(process.env.DK_BENCH_REPEAT || 5)
const TARGET_MS = 2000

// The sources compiled as they are (no bundling), so the figures are those of the modules themselves.
function compile() {
  compileSources(root, outJs, [
    'packages-shared/workspace.ts',
    'actions/run-quality/plan.ts',
    'actions/run-quality/main.ts',
    'packages-shared/changes.ts',
    'packages-shared/shards.ts'
  ])
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = (x) => `${x.toFixed(1)} ms`

async function main() {
  compile()
  const load = (rel) => import(pathToFileURL(path.join(outJs, rel)).href)
  const { discoverWorkspace } = await load('packages-shared/workspace.js')
  const { planRuns } = await load('actions/run-quality/plan.js')
  const { QUALITY_TOOLS } = await load('actions/run-quality/main.js')
  const { selectByFiles } = await load('packages-shared/changes.js')
  const { shardMatrix, shardOf } = await load('packages-shared/shards.js')
  const tools = ['black', 'isort', 'flake8', 'mypy', 'pylint'].map((t) => QUALITY_TOOLS[t])

  const rows = []
  for (const count of SIZES) {
    const tree = path.join(benchDir, `repo-${count}`)
    generateMonorepo(path.join(root, 'examples', 'monorepo'), tree, { count, modules: 2 })
    const times = []
    let packages = 0
    let levels = 0
    for (let i = 0; i < RUNS + 1; i++) {
      const started = performance.now()
      const ws = discoverWorkspace(tree)
      levels = ws.graph.levels().length
      // `packages: changed` with a file changed in every package.
      selectByFiles(
        ws,
        ws.packages.map((p) => `${p.relDir}/pyproject.toml`)
      )
      planRuns(ws.root, tools, ws.packages, [], true)
      // The fan-out: the plan step's matrix, and what the last fan-out job keeps of the selection.
      const matrix = shardMatrix(
        ws.packages.map((p) => p.id),
        { shardSize: 25 }
      )
      shardOf(ws.packages, { index: matrix.include.length, total: matrix.include.length })
      const elapsed = performance.now() - started
      packages = ws.packages.length
      // The first run warms the module and file caches; it is not counted.
      if (i > 0) times.push(elapsed)
    }
    const t = median(times)
    rows.push({ count, packages, levels, t })
    console.log(
      `${String(count).padStart(5)} generated  ${String(packages).padStart(5)} packages  ${String(levels).padStart(5)} levels  ${ms(t).padStart(10)}  ${((t * 1000) / packages).toFixed(0).padStart(6)} µs/package`
    )
    fs.rmSync(tree, { recursive: true, force: true })
  }
  const at = (n) => rows.find((r) => r.count === n)
  const small = at(100)
  const big = at(2000)
  if (small && big) {
    const growth = big.t / big.packages / (small.t / small.packages)
    console.log(`linearity: time per package at 2,000 / at 100 = ${growth.toFixed(2)} (1.0 is linear, about 20 would be quadratic)`)
    console.log(
      `2,000 packages discovered, ordered and planned in ${ms(big.t)}: ${big.t < TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS / 1000} s target`
    )
  }
}

await main()
