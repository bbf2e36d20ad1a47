/**
 * Which suites run: the ones given, or by default those that exist of tests/unit,
 * tests/integration, tests/e2e, tests/performance and each selected package's own tests/.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { toPosix } from '../../packages-shared/paths.js'
import { hasFile, hasIniSection, hasToolTable } from '../../packages-shared/tools/config-files.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import type { SuiteSpec } from './inputs.js'

export interface PlannedSuite {
  name: string
  /** Absolute path. */
  path: string
  /** Path relative to the repository root, posix. */
  relPath: string
  /** The package whose own tests these are. */
  package?: string
  /** A pytest-benchmark suite (tests/performance, or named performance/bench/benchmark(s)). */
  benchmark: boolean
  /**
   * Where pytest runs: the package's folder when the package has a pytest configuration of
   * its own (its tests open files relative to it, as `cd libs/cli && pytest` runs them), else
   * the repository root (certbot's one pytest.ini at the root).
   */
  cwd?: string
}

/** The package has its own pytest configuration (pytest.ini, [tool.pytest], tox.ini [pytest], setup.cfg [tool:pytest]). */
export function ownPytestConfig(pkg: PythonPackage): boolean {
  return (
    pkg.relDir !== '.' &&
    (hasToolTable(pkg, 'pytest') ||
      hasFile(pkg, 'pytest.ini', '.pytest.ini') ||
      hasIniSection(pkg, 'pytest', ['tox.ini']) ||
      hasIniSection(pkg, 'tool:pytest', ['setup.cfg']))
  )
}

export const ROOT_SUITES = ['unit', 'integration', 'e2e', 'performance'] as const

export function isBenchmarkSuite(name: string, relPath: string): boolean {
  const n = name.toLowerCase()
  if (['performance', 'perf', 'bench', 'benchmark', 'benchmarks'].includes(n)) return true
  const last = toPosix(relPath).split('/').filter(Boolean).pop()?.toLowerCase() ?? ''
  return ['performance', 'benchmarks'].includes(last)
}

function planned(root: string, name: string, abs: string, pkg?: string): PlannedSuite {
  const relPath = toPosix(path.relative(root, abs)) || '.'
  return { name, path: abs, relPath, package: pkg, benchmark: isBenchmarkSuite(name, relPath) }
}

export function planSuites(
  root: string,
  explicit: readonly SuiteSpec[],
  packages: readonly PythonPackage[],
  includeRootSuites: boolean
): PlannedSuite[] {
  if (explicit.length > 0) {
    return explicit.map((s) => {
      // The innermost package holding the suite decides where it runs.
      const owner = packages
        .filter((p) => p.relDir !== '.' && (s.path === p.dir || s.path.startsWith(p.dir + path.sep)))
        .sort((a, b) => b.dir.length - a.dir.length)[0]
      return { ...planned(root, s.name, s.path), ...(owner && ownPytestConfig(owner) ? { cwd: owner.dir } : {}) }
    })
  }
  const suites: PlannedSuite[] = []
  if (includeRootSuites) {
    for (const name of ROOT_SUITES) {
      const dir = path.join(root, 'tests', name)
      if (fs.existsSync(dir)) suites.push(planned(root, name, dir))
    }
  }
  const taken = new Set(suites.map((s) => s.name))
  for (const pkg of packages) {
    if (!pkg.testsDir) continue
    // A package named like a root suite keeps the names apart.
    const name = taken.has(pkg.id) ? `${pkg.id}-tests` : pkg.id
    taken.add(name)
    suites.push({ ...planned(root, name, pkg.testsDir, pkg.id), ...(ownPytestConfig(pkg) ? { cwd: pkg.dir } : {}) })
  }
  // A repository with a flat tests/ (no unit/integration split) still has its tests run.
  const flat = path.join(root, 'tests')
  if (includeRootSuites && suites.length === 0 && fs.existsSync(flat)) suites.push(planned(root, 'tests', flat))
  return suites
}
