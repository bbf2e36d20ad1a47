/**
 * Which tool runs where: one run from the repository root over every target, plus one run
 * inside each package that carries its own configuration for that tool (so that tool sees
 * the package's settings, as it would when run by hand there).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { toPosix } from '../../packages-shared/paths.js'
import type { QualityTool } from '../../packages-shared/tools/tool.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'

export interface PlannedRun {
  tool: QualityTool
  cwd: string
  targets: string[]
  /** Package ids covered by this run (for the summary). */
  packages: string[]
  /** Absolute paths of files under the targets the tool must skip (see file-screen.ts). */
  exclude?: string[]
}

export function rootTargets(root: string, packages: readonly PythonPackage[], includeRootTests: boolean): string[] {
  const targets = packages.map((p) => p.relDir)
  if (includeRootTests && fs.existsSync(path.join(root, 'tests')) && !targets.includes('.')) targets.push('tests')
  return targets
}

export function planRuns(
  root: string,
  tools: readonly QualityTool[],
  packages: readonly PythonPackage[],
  explicitPaths: readonly string[],
  includeRootTests: boolean
): PlannedRun[] {
  const runs: PlannedRun[] = []
  for (const tool of tools) {
    if (explicitPaths.length > 0) {
      runs.push({ tool, cwd: root, targets: explicitPaths.map((p) => toPosix(path.relative(root, p)) || '.'), packages: packages.map((p) => p.id) })
      continue
    }
    const own = packages.filter((p) => p.relDir !== '.' && tool.ownConfig(p))
    const shared = packages.filter((p) => !own.includes(p))
    const targets = rootTargets(root, shared, includeRootTests)
    if (targets.length > 0) runs.push({ tool, cwd: root, targets, packages: shared.map((p) => p.id) })
    for (const pkg of own) runs.push({ tool, cwd: pkg.dir, targets: ['.'], packages: [pkg.id] })
  }
  return runs
}
