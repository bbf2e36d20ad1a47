/**
 * The wheel must hold every module of the source tree (the classic `packages=[...]` list
 * that drops a subpackage), unless the project leaves it out on purpose; the sdist must
 * hold pyproject.toml and the sources.
 */
import type { Finding } from '../../packages-shared/findings.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import { pyprojectOf, type BuiltPackage } from './built.js'
import { stripDataDir } from './dists.js'
import { exclusionsOf, isExcluded, sourceModules, type SourceModule } from './source-modules.js'

/** Missing modules, keeping only the outermost: a dropped subpackage is one finding, not one per file. */
export function collapseMissing(missing: readonly SourceModule[]): SourceModule[] {
  const names = new Set(missing.filter((m) => m.importPath.endsWith('__init__.py')).map((m) => m.name))
  return missing.filter((m) => {
    const parts = m.name.split('.')
    for (let i = 1; i < parts.length; i++) if (names.has(parts.slice(0, i).join('.'))) return false
    return true
  })
}

function inWheel(files: Set<string>, mod: SourceModule): boolean {
  if (files.has(mod.importPath)) return true
  // Compiled modules (mypyc, Cython) replace the .py with an extension of the same stem.
  const stem = mod.importPath.replace(/\.py$/, '')
  for (const f of files) if (f.startsWith(stem + '.') && /\.(so|pyd|pyc)$/.test(f)) return true
  return false
}

export function verifyWheelModules(b: BuiltPackage, ws: Pick<Workspace, 'rootPyproject'>): Finding[] {
  if (!b.wheel || b.wheel.error) return []
  const ex = exclusionsOf(b.pkg.pyproject, ws.rootPyproject)
  const wanted = sourceModules(b.pkg).filter((m) => !isExcluded(m, ex))
  const files = new Set(b.wheel.files.map(stripDataDir))
  const missing = wanted.filter((m) => !inWheel(files, m))
  const all = missing.length
  return collapseMissing(missing).map((m) => {
    const under = missing.filter((x) => x.name === m.name || x.name.startsWith(m.name + '.')).length
    const detail = under > 1 ? ` (${m.packagePath} and ${under - 1} more file(s) under it)` : ` (${m.packagePath})`
    return {
      tool: 'wheel-contents',
      package: b.pkg.id,
      file: pyprojectOf(b.pkg),
      severity: 'error' as const,
      message:
        `The wheel ${b.wheel!.file} lacks module ${m.name}${detail}, which the source tree holds. ` +
        "Add it to the build backend's package list (tool.poetry.packages, tool.hatch.build.targets.wheel.packages, " +
        'tool.setuptools.packages), or list it under [tool.dk-actions] exclude-modules if it is left out on purpose.',
      detail: all > 1 ? `${all} source file(s) missing from the wheel` : undefined
    }
  })
}

export function verifySdistContents(b: BuiltPackage, ws: Pick<Workspace, 'rootPyproject'>): Finding[] {
  if (!b.sdist || b.sdist.error) return []
  const out: Finding[] = []
  const files = new Set(b.sdist.files)
  const where = (msg: string): Finding => ({
    tool: 'sdist-contents',
    package: b.pkg.id,
    file: pyprojectOf(b.pkg),
    severity: 'error',
    message: msg
  })
  // A setup.py at the top builds again too (PEP 517's legacy path), as a setup.py-only package's sdist does.
  if (!files.has('pyproject.toml') && !files.has('setup.py')) {
    out.push(where(`The sdist ${b.sdist.file} has neither pyproject.toml nor setup.py at its top, so it cannot be built again.`))
  }
  const ex = exclusionsOf(b.pkg.pyproject, ws.rootPyproject)
  const missing = sourceModules(b.pkg).filter((m) => !isExcluded(m, ex) && !files.has(m.packagePath))
  for (const m of collapseMissing(missing)) {
    out.push(where(`The sdist ${b.sdist.file} lacks ${m.packagePath} (module ${m.name}); an install from the sdist would miss it.`))
  }
  return out
}
