/**
 * Which tool runs where: one run from the repository root over every target, plus one run
 * inside each package that carries its own configuration for that tool (so that tool sees
 * the package's settings, as it would when run by hand there).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
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
      runs.push({ tool, cwd: root, targets: explicitPaths.map((p) => toPosix(path.relative(root, p)) || '.'), packages: packages.map((p) => p.id) })
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
