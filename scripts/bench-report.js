#!/usr/bin/env node
// Benchmark of the report path at scale: 2,000 to 200,000 findings over 2,000 packages and
// five tools go through package attribution, the annotation budget, SARIF, the JSON report
// and the step summary, as publishResult does. Prints the wall time per size (median of a
// few runs), the summary's bytes, the heap in use, and a linearity figure: the growth of the
// time per finding from 20,000 to 200,000 (1.0 is linear, about 10 would be quadratic).
// A benchmark, not a test: it prints figures and asserts nothing.
// Usage: node scripts/bench-report.js [sizes...]
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compileSources } from './bench/compile.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outJs = path.join(root, '.cache', 'bench', 'report', 'js')
const SIZES = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [2_000, 20_000, 200_000]
const RUNS = Number(process.env.DK_BENCH_REPEAT || 3)
const PACKAGES = 2000
const TOOLS = ['black', 'isort', 'flake8', 'mypy', 'pylint']

function compile() {
  const files = ['report/summary.ts', 'report/annotations.ts', 'report/sarif.ts', 'tools/tool.ts'].map((f) =>
    path.join('packages-shared', f)
  )
  compileSources(root, outJs, [...files, path.join('__tests__', 'helpers', 'io-memory.ts')])
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function checksFor(n) {
  const packages = Array.from({ length: PACKAGES }, (_, i) => ({ id: `pkg-${i}`, relDir: `packages/pkg-${i}` }))
  const checks = TOOLS.flatMap((tool) => packages.map((p) => ({ tool, package: p.id, status: 'failed', durationMs: 100, findings: [] })))
  for (let i = 0; i < n; i++) {
    const c = checks[i % checks.length]
    // No package set: attribution finds it from the file.
    c.findings.push({
      tool: c.tool,
      file: `packages/${c.package}/src/m_${i % 50}.py`,
      line: (i % 900) + 1,
      column: 1,
      rule: `R${i % 40}`,
      severity: i % 3 ? 'error' : 'warning',
      message: `problem number ${i} found by ${c.tool}`
    })
  }
  return { packages, checks }
}

async function main() {
  compile()
  const load = (rel) => import(pathToFileURL(path.join(outJs, 'packages-shared', rel)).href)
  const { renderSummary } = await load('report/summary.js')
  const { emitAnnotations } = await load('report/annotations.js')
  const { buildSarif } = await load('report/sarif.js')
  const { attributePackages } = await load('tools/tool.js')
  const { createMemoryIO } = await import(pathToFileURL(path.join(outJs, '__tests__', 'helpers', 'io-memory.js')).href)
  const rows = []
  for (const n of SIZES) {
    const times = []
    let summaryBytes = 0
    let heap = 0
    for (let r = 0; r < RUNS + 1; r++) {
      const { packages, checks } = checksFor(n)
      const started = performance.now()
      for (const c of checks) attributePackages(c.findings, packages)
      const findings = checks.flatMap((c) => c.findings)
      const plan = emitAnnotations(createMemoryIO(), findings, { error: 1 })
      const report = {
        action: 'run-quality',
        version: '0',
        startedAt: '',
        durationMs: 0,
        workingDirectory: '/',
        packages: packages.map((p) => p.id),
        passed: false,
        checks,
        annotations: { emitted: plan.annotated.length, notAnnotated: plan.notAnnotated }
      }
      const json = JSON.stringify(report, null, 2)
      const sarif = JSON.stringify(buildSarif(checks, { category: 'bench' }), null, 2)
      const summary = renderSummary({ title: 'Code quality', report, sections: [] })
      const elapsed = performance.now() - started
      summaryBytes = Buffer.byteLength(summary)
      heap = Math.max(heap, process.memoryUsage().heapUsed)
      if (json.length + sarif.length === 0) throw new Error('empty')
      if (r > 0) times.push(elapsed)
    }
    const t = median(times)
    rows.push({ n, t })
    console.log(
      `${String(n).padStart(7)} findings  ${`${t.toFixed(0)} ms`.padStart(9)}  ${((t * 1000) / n).toFixed(1).padStart(6)} µs/finding  summary ${(summaryBytes / 1024).toFixed(0)} KiB  heap ${(heap / 2 ** 20).toFixed(0)} MiB`
    )
  }
  const a = rows.find((r) => r.n === 20_000)
  const b = rows.find((r) => r.n === 200_000)
  if (a && b)
    console.log(
      `linearity: time per finding at 200,000 / at 20,000 = ${(b.t / b.n / (a.t / a.n)).toFixed(2)} (1.0 is linear, about 10 would be quadratic)`
    )
}

await main()
