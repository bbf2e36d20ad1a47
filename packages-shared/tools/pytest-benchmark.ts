/**
 * pytest-benchmark: its `--benchmark-json` file read into one median per benchmark, and the
 * comparison of a run against a baseline (the same JSON shape, saved by an earlier run).
 */
import type { ToolRequirement } from '../python/toolbox.js'

export const PYTEST_BENCHMARK: ToolRequirement = { requirement: 'pytest-benchmark', version: '5.3.1', executable: 'pytest' }

/** Asks an interpreter whether the plugin is importable (exit 0: it is), which decides if `--benchmark-disable` may be passed. */
export function benchmarkPluginProbe(python: string): string[] {
  return [python, '-c', 'import pytest_benchmark']
}

export interface BenchmarkStat {
  /** The node id pytest-benchmark records (`tests/perf/test_x.py::test_y[param]`). */
  fullname: string
  name: string
  /** Seconds. */
  median: number
  mean: number
  rounds: number
}

interface RawBenchmark {
  name?: unknown
  fullname?: unknown
  stats?: { median?: unknown; mean?: unknown; rounds?: unknown }
}

export class BenchmarkFileError extends Error {}

export function parseBenchmarkJson(text: string): BenchmarkStat[] {
  let data: { benchmarks?: unknown }
  try {
    data = JSON.parse(text) as { benchmarks?: unknown }
  } catch (error) {
    throw new BenchmarkFileError(`not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  if (!data || typeof data !== 'object' || !Array.isArray(data.benchmarks)) {
    throw new BenchmarkFileError('no "benchmarks" list; expected a file written by pytest --benchmark-json')
  }
  const out: BenchmarkStat[] = []
  for (const b of data.benchmarks as RawBenchmark[]) {
    const median = Number(b.stats?.median)
    const name = typeof b.name === 'string' ? b.name : ''
    const fullname = typeof b.fullname === 'string' ? b.fullname : name
    if (!fullname || !Number.isFinite(median)) continue
    out.push({ fullname, name: name || fullname, median, mean: Number(b.stats?.mean) || median, rounds: Number(b.stats?.rounds) || 0 })
  }
  return out
}

export type ComparisonStatus = 'regressed' | 'ok' | 'improved' | 'new' | 'missing'

export interface BenchmarkComparison {
  fullname: string
  status: ComparisonStatus
  /** Baseline median, seconds. */
  old?: number
  /** This run's median, seconds. */
  new?: number
  /** (new - old) / old, in percent; positive is slower. */
  changePercent?: number
}

/**
 * Compares medians. A benchmark slower by more than `maxRegressionPercent` regressed; one
 * faster by more than that improved; benchmarks on one side only are `new` or `missing`.
 */
export function compareBenchmarks(
  baseline: readonly BenchmarkStat[],
  current: readonly BenchmarkStat[],
  maxRegressionPercent: number
): BenchmarkComparison[] {
  const old = new Map(baseline.map((b) => [b.fullname, b]))
  const out: BenchmarkComparison[] = []
  for (const b of current) {
    const base = old.get(b.fullname)
    if (!base) {
      out.push({ fullname: b.fullname, status: 'new', new: b.median })
      continue
    }
    old.delete(b.fullname)
    const change = base.median > 0 ? ((b.median - base.median) / base.median) * 100 : 0
    const status: ComparisonStatus = change > maxRegressionPercent ? 'regressed' : change < -maxRegressionPercent ? 'improved' : 'ok'
    out.push({ fullname: b.fullname, status, old: base.median, new: b.median, changePercent: change })
  }
  for (const b of old.values()) out.push({ fullname: b.fullname, status: 'missing', old: b.median })
  return out
}

/** A duration in seconds, in the unit that reads best (ns, µs, ms, s). */
export function formatSeconds(s: number): string {
  const abs = Math.abs(s)
  if (abs < 1e-6) return `${(s * 1e9).toFixed(1)} ns`
  if (abs < 1e-3) return `${(s * 1e6).toFixed(2)} µs`
  if (abs < 1) return `${(s * 1e3).toFixed(3)} ms`
  return `${s.toFixed(3)} s`
}

/** Several suites' JSON files merged into one baseline document (pytest-benchmark's shape). */
export function mergeBenchmarkDocuments(texts: readonly string[]): string {
  const docs = texts.map((t) => JSON.parse(t) as Record<string, unknown> & { benchmarks?: unknown[] })
  const first = docs[0] ?? {}
  const merged = { ...first, benchmarks: docs.flatMap((d) => (Array.isArray(d.benchmarks) ? d.benchmarks : [])) }
  return JSON.stringify(merged, null, 2) + '\n'
}
