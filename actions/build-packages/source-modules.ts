/**
 * The Python modules a package's source tree holds under its import roots, and the ones
 * the project leaves out of its wheel on purpose (so their absence is not a defect).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'

export interface SourceModule {
  /** Dotted name: `dataknobs_structures.graph` for graph/__init__.py. */
  name: string
  /** Path relative to the import dir, posix (`dataknobs_structures/graph/__init__.py`). */
  importPath: string
  /** Path relative to the package dir, posix (`src/dataknobs_structures/graph/__init__.py`). */
  packagePath: string
}

const SKIP_DIRS = new Set(['__pycache__', 'node_modules', 'build', 'dist'])

export function dottedName(importPath: string): string {
  const parts = importPath.replace(/\.pyi?$/, '').split('/')
  if (parts[parts.length - 1] === '__init__') parts.pop()
  return parts.join('.')
}

export function sourceModules(
  pkg: Pick<PythonPackage, 'dir' | 'importDir' | 'modules'> & { pyproject?: PythonPackage['pyproject'] }
): SourceModule[] {
  const out: SourceModule[] = []
  // Below a PEP 420 namespace the real packages (`acme.core`) are what the wheel must hold.
  const namespaced = pkg.pyproject ? packageImportRoots({ dir: pkg.dir, pyproject: pkg.pyproject }) : []
  const roots = isNamespaced(namespaced) ? namespaced : [{ dir: pkg.importDir, modules: pkg.modules }]
  let importDir = pkg.importDir
  const add = (abs: string): void => {
    const importPath = toPosix(path.relative(importDir, abs))
    out.push({ name: dottedName(importPath), importPath, packagePath: toPosix(path.relative(pkg.dir, abs)) })
  }
  const walk = (dir: string): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || e.name.startsWith('.') || e.name.endsWith('.egg-info')) continue
        // Only directories that can be imported (identifiers) are Python packages.
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name)) walk(p)
      } else if (e.isFile() && e.name.endsWith('.py')) {
        add(p)
      }
    }
  }
  for (const root of roots) {
    importDir = root.dir
    for (const mod of root.modules) {
      const dir = path.join(root.dir, ...mod.split('.'))
      const file = `${dir}.py`
      if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) walk(dir)
      else if (fs.existsSync(file)) add(file)
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

type Table = Record<string, unknown>

function dig(root: unknown, ...keys: string[]): unknown {
  let current = root
  for (const key of keys) {
    current = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Table)[key] : undefined
  }
  return current
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

export interface Exclusions {
  /** Dotted-name patterns (fnmatch): `[tool.dk-actions] exclude-modules`, setuptools find excludes. */
  modules: string[]
  /** Path globs relative to the package dir: hatch and Poetry `exclude`. */
  paths: string[]
}

export function exclusionsOf(pyproject: Table, rootPyproject?: Table): Exclusions {
  const modules = [
    ...strings(dig(pyproject, 'tool', 'dk-actions', 'exclude-modules')),
    ...strings(dig(rootPyproject, 'tool', 'dk-actions', 'exclude-modules')),
    ...strings(dig(pyproject, 'tool', 'setuptools', 'packages', 'find', 'exclude'))
  ]
  const paths = [
    ...strings(dig(pyproject, 'tool', 'hatch', 'build', 'exclude')),
    ...strings(dig(pyproject, 'tool', 'hatch', 'build', 'targets', 'wheel', 'exclude')),
    ...strings(dig(pyproject, 'tool', 'poetry', 'exclude'))
  ]
  for (const entry of Array.isArray(dig(pyproject, 'tool', 'poetry', 'packages'))
    ? (dig(pyproject, 'tool', 'poetry', 'packages') as unknown[])
    : []) {
    const from = dig(entry, 'from')
    const prefix = typeof from === 'string' && from !== '.' ? `${toPosix(from).replace(/\/$/, '')}/` : ''
    for (const ex of strings(dig(entry, 'exclude'))) paths.push(prefix + ex)
    const ex = dig(entry, 'exclude')
    if (typeof ex === 'string') paths.push(prefix + ex)
  }
  return { modules, paths }
}

function fnmatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$'
  )
  return re.test(text)
}

/** A gitignore-style glob (as hatch and Poetry read them) against a posix relative path. */
export function globMatches(pattern: string, file: string): boolean {
  let p = toPosix(pattern.trim())
  if (p === '') return false
  const anchored = p.startsWith('/') || p.replace(/\/$/, '').includes('/')
  p = p.replace(/^\//, '').replace(/\/$/, '')
  const body = p
    .split('/')
    .map((seg) =>
      seg === '**'
        ? '(?:.*)'
        : seg
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]')
    )
    .join('/')
    .replace(/\(\?:\.\*\)\//g, '(?:.*/)?')
  const re = new RegExp(`${anchored ? '^' : '(?:^|/)'}${body}(?:/.*)?$`)
  return re.test(file)
}

export function isExcluded(mod: SourceModule, ex: Exclusions): boolean {
  const parts = mod.name.split('.')
  const names = parts.map((_, i) => parts.slice(0, i + 1).join('.'))
  if (ex.modules.some((pattern) => names.some((n) => fnmatch(pattern, n)))) return true
  return ex.paths.some((pattern) => globMatches(pattern, mod.packagePath))
}
