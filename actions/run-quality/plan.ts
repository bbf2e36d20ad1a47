/**
 * Which tool runs where: one run from the repository root over every target, plus one run
 * inside each package that carries its own configuration for that tool (so that tool sees
 * the package's settings, as it would when run by hand there).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { InstallMode, ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { black } from '../../packages-shared/tools/black.js'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import { isort } from '../../packages-shared/tools/isort.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { pylint } from '../../packages-shared/tools/pylint.js'
import { ruff, ruffFormat } from '../../packages-shared/tools/ruff.js'
import type { QualityTool } from '../../packages-shared/tools/tool.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import type { QualityCheck } from './inputs.js'

export const QUALITY_TOOLS: Record<QualityCheck, QualityTool> = {
  black,
  isort,
  flake8,
  mypy,
  pylint,
  ruff,
  'ruff-format': ruffFormat
}

/** Tools from the usually slowest to the fastest (measured on the example and larger trees). */
const COST = ['pylint', 'mypy', 'black', 'flake8', 'ruff-format', 'ruff', 'isort']
/** Fixers rewrite files, so they run one at a time, isort before black as black's profile expects. */
const FIX_ORDER = ['isort', 'ruff', 'black', 'ruff-format']
/** pytest for the type checkers to resolve the tests' imports; a pin of the project's applies to it too. */
export const PYTEST_FOR_IMPORTS: ToolRequirement = { requirement: 'pytest', version: '9.2.0', executable: 'pytest' }
/** Tools that follow the project's imports, so under install: auto they run in its environment. */
const FOLLOW_IMPORTS = ['mypy', 'pylint']

export interface PlannedRun {
  tool: QualityTool
  cwd: string
  targets: string[]
  /** Package ids covered by this run (for the summary). */
  packages: string[]
  /** Absolute paths of files under the targets the tool must skip (see file-screen.ts). */
  exclude?: string[]
  /** Import names the tool is given instead of folders, with their roots on its search path (see ToolInvocation). */
  modules?: string[]
  searchPath?: string[]
  /** Absolute paths of those modules' folders or files, for the file screen. */
  modulePaths?: string[]
}

interface ByName {
  modules: string[]
  searchPath: string[]
  modulePaths: string[]
}

/**
 * The packages a tool taking import names checks by name: those below a PEP 420 namespace.
 * Given as folders, files of members sharing `acme` map to colliding module names; the
 * rest keep their folders, so classic layouts are checked exactly as before. Checking by
 * name covers what the wheel ships, not the package's tests (as `mypy -p` does by hand).
 */
function splitByName(tool: QualityTool, packages: readonly PythonPackage[]): { byName?: ByName; byFolder: PythonPackage[] } {
  if (!tool.byModule) return { byFolder: [...packages] }
  const byName: ByName = { modules: [], searchPath: [], modulePaths: [] }
  const byFolder: PythonPackage[] = []
  for (const pkg of packages) {
    const roots = packageImportRoots(pkg)
    if (!isNamespaced(roots)) {
      byFolder.push(pkg)
      continue
    }
    for (const r of roots) {
      if (!byName.searchPath.includes(r.dir)) byName.searchPath.push(r.dir)
      for (const m of r.modules) {
        byName.modules.push(m)
        const dir = path.join(r.dir, ...m.split('.'))
        byName.modulePaths.push(fs.existsSync(dir) ? dir : fs.existsSync(`${dir}.py`) ? `${dir}.py` : `${dir}.pyi`)
      }
    }
  }
  return { byName: byName.modules.length ? byName : undefined, byFolder }
}

/**
 * What a tool taking import names (mypy, pylint) checks of a src-layout package given by
 * folder: its `src/` and its `tests/`, not the build script, docs and examples beside them.
 * Those are no module of the package, and many packages side by side each holding a
 * `setup.py` and a `docs/conf.py` stop mypy ("Duplicate module named setup"); certbot checks
 * `<pkg>/src` alone. Other layouts and other tools keep the package folder.
 */
function folderTargets(root: string, pkg: PythonPackage, byModuleTool: boolean): string[] {
  const importDir = path.resolve(pkg.importDir)
  if (!byModuleTool || pkg.relDir === '.' || importDir === path.resolve(pkg.dir)) return [pkg.relDir]
  const out = [toPosix(path.relative(root, importDir))]
  const tests = pkg.testsDir ? path.resolve(pkg.testsDir) : undefined
  if (tests && tests !== path.resolve(pkg.dir) && !tests.startsWith(importDir + path.sep)) out.push(toPosix(path.relative(root, tests)))
  return out
}

export function rootTargets(root: string, packages: readonly PythonPackage[], includeRootTests: boolean, byModuleTool = false): string[] {
  const targets = packages.flatMap((p) => folderTargets(root, p, byModuleTool))
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
      runs.push({
        tool,
        cwd: root,
        targets: explicitPaths.map((p) => toPosix(path.relative(root, p)) || '.'),
        packages: packages.map((p) => p.id)
      })
      continue
    }
    const own = packages.filter((p) => p.relDir !== '.' && tool.ownConfig(p))
    const shared = packages.filter((p) => !own.includes(p))
    const { byName, byFolder } = splitByName(tool, shared)
    const targets = rootTargets(root, byFolder, includeRootTests, tool.byModule !== undefined)
    if (targets.length > 0 || byName) runs.push({ tool, cwd: root, targets, packages: shared.map((p) => p.id), ...byName })
    for (const pkg of own) {
      const mine = splitByName(tool, [pkg]).byName
      runs.push({ tool, cwd: pkg.dir, targets: mine ? [] : ['.'], packages: [pkg.id], ...mine })
    }
  }
  return runs
}

/** The tools that import the project (mypy, pylint; every tool under install: project) run in the project's own environment. */
export function runsInProject(install: InstallMode, tool: QualityTool): boolean {
  return install === 'project' || (install === 'auto' && FOLLOW_IMPORTS.includes(tool.name))
}

/**
 * Type checkers and pylint follow imports: tests import pytest, so an isolated venv that
 * checks tests carries it too (in project mode the project's own environment has it).
 */
export function needsPytest(ws: Workspace, tools: readonly QualityTool[], runs: readonly PlannedRun[]): boolean {
  const checksTests = runs.some((r) => r.targets.some((t) => /(^|\/)tests?(\/|$)/.test(t)) || r.packages.some((id) => ws.get(id)?.testsDir))
  return checksTests && tools.some((t) => t.name === 'mypy' || t.name === 'pylint')
}

/** The fixing runs, one at a time in the order fixers expect. */
export function fixOrder(runs: readonly PlannedRun[]): PlannedRun[] {
  return runs.filter((r) => r.tool.fixes).sort((a, b) => FIX_ORDER.indexOf(a.tool.name) - FIX_ORDER.indexOf(b.tool.name))
}

/** Slowest first: the wall time is bounded by the longest tool, so it must not wait for a slot. */
export function byCost(runs: readonly PlannedRun[]): PlannedRun[] {
  return [...runs].sort((a, b) => COST.indexOf(a.tool.name) - COST.indexOf(b.tool.name))
}

/** Processes each run may use for its own workers: the cores shared among the runs at once. */
export function jobShare(maxParallel: number, runs: number): number {
  return Math.max(1, Math.floor(maxParallel / Math.min(runs, maxParallel)))
}
