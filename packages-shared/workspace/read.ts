/**
 * Reads one distribution's metadata from its files, statically: pyproject.toml with a real
 * TOML parser ([project] and [tool.poetry]), the import roots from the backend's settings or
 * a scan. What cannot be read this way (a setup.py-only package, dynamic fields) is marked
 * for the build backend's PEP 517 metadata hook (metadata-hook.ts), never guessed.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { UserError, errorMessage } from '../errors.js'
import { FLAT_LAYOUT_HELPERS, importNames as importNamesOf, importRoots, NOT_CODE_DIRS, NOT_MODULE_FILES } from '../import-roots.js'
import { dirEntries, toPosix } from '../paths.js'

export type Backend = 'poetry' | 'hatchling' | 'setuptools' | 'uv' | 'pdm' | 'flit' | 'other'
export type Table = Record<string, unknown>

export function readToml(file: string): Table {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new UserError(`Cannot read ${file}: ${errorMessage(error)}`)
  }
  try {
    return parseToml(text) as Table
  } catch (error) {
    const first = errorMessage(error)
      .split('\n')[0]!
      .replace(/^Invalid TOML document: /, '')
    const where =
      error instanceof Error && 'line' in error && typeof error.line === 'number'
        ? ` at line ${error.line}${'column' in error && typeof error.column === 'number' ? `, column ${error.column}` : ''}`
        : ''
    throw new UserError(`${file} is not valid TOML${where}: ${first}. Fix the file and run again.`)
  }
}

export function table(value: unknown): Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {}
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

export function dig(root: Table, ...keys: string[]): unknown {
  let current: unknown = root
  for (const key of keys) current = table(current)[key]
  return current
}

/**
 * PEP 517's default when there is no [build-system]: setuptools' legacy backend, with the
 * requirements pip and build give it (`wheel` too, for setuptools older than 70.1, which
 * has no bdist_wheel of its own).
 */
export const LEGACY_BACKEND = 'setuptools.build_meta:__legacy__'
export const LEGACY_REQUIRES = ['setuptools>=40.8.0', 'wheel']

export function detectBackend(buildBackend: string | undefined, data: Table): Backend {
  const b = buildBackend ?? ''
  if (b.startsWith('poetry')) return 'poetry'
  if (b.startsWith('hatchling')) return 'hatchling'
  if (b.startsWith('setuptools')) return 'setuptools'
  if (b.startsWith('uv_build')) return 'uv'
  if (b.startsWith('pdm')) return 'pdm'
  if (b.startsWith('flit')) return 'flit'
  if (b === '' && table(dig(data, 'tool', 'poetry')).name !== undefined) return 'poetry'
  if (b === '') return 'setuptools'
  return 'other'
}

/** The name declared in [project] or [tool.poetry], when there is one. */
export function declaredName(data: Table): string | undefined {
  const name = table(data.project).name ?? dig(data, 'tool', 'poetry', 'name')
  return typeof name === 'string' && name.trim() !== '' ? name : undefined
}

/** Whether `[metadata] name` is set in a setup.cfg: a candidate check, not a metadata read. */
export function setupCfgHasName(text: string): boolean {
  let section = ''
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header) section = header[1]!.trim().toLowerCase()
    else if (section === 'metadata' && /^name\s*[=:]\s*\S/.test(line)) return true
  }
  return false
}

/** Poetry path dependencies: runtime ones, or with `dev` those of the dependency groups. */
export function poetryPathDeps(data: Table, dev = false): string[] {
  const tables = dev ? [dig(data, 'tool', 'poetry', 'dev-dependencies')] : [dig(data, 'tool', 'poetry', 'dependencies')]
  if (dev) {
    for (const group of Object.values(table(dig(data, 'tool', 'poetry', 'group')))) tables.push(table(group).dependencies)
  }
  const result: string[] = []
  for (const deps of tables) {
    for (const spec of Object.values(table(deps))) {
      const p = table(spec).path
      if (typeof p === 'string') result.push(p)
    }
  }
  return result
}

/**
 * A static version: [project] version, Poetry's, or a dynamic one from the file the backend
 * itself reads (hatch `path` with its default pattern, setuptools `attr` on a literal).
 */
export function readVersion(dir: string, data: Table): string | undefined {
  const project = table(data.project)
  if (typeof project.version === 'string') return project.version
  const dynamic = strings(project.dynamic).includes('version')
  const poetryVersion = dig(data, 'tool', 'poetry', 'version')
  if (typeof poetryVersion === 'string' && (!dynamic || data.project === undefined)) return poetryVersion
  const candidates: string[] = []
  const hatch = table(dig(data, 'tool', 'hatch', 'version'))
  if (typeof hatch.path === 'string' && hatch.pattern === undefined && hatch.source === undefined)
    candidates.push(path.join(dir, hatch.path))
  const attr = dig(data, 'tool', 'setuptools', 'dynamic', 'version', 'attr')
  if (typeof attr === 'string' && attr.endsWith('__version__')) {
    const mod = attr.split('.').slice(0, -1).join('/')
    for (const base of [dir, path.join(dir, 'src')]) candidates.push(path.join(base, `${mod}.py`), path.join(base, mod, '__init__.py'))
  }
  for (const file of candidates) {
    try {
      // hatch's default pattern: `__version__ = "..."` or `VERSION = "..."` on a line of its own.
      const m = /^(?:__version__|VERSION)\s*(?::\s*str\s*)?=\s*(['"])v?(.+?)\1/im.exec(fs.readFileSync(file, 'utf8'))
      if (m) return m[2]
    } catch {
      // Try the next candidate.
    }
  }
  return undefined
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

function scanModules(dir: string, flat: boolean): string[] {
  const modules: string[] = []
  for (const e of dirEntries(dir)) {
    if (e.isDirectory()) {
      if (
        NOT_CODE_DIRS.has(e.name) ||
        (flat && FLAT_LAYOUT_HELPERS.has(e.name)) ||
        e.name.startsWith('.') ||
        e.name.endsWith('.egg-info') ||
        !IDENTIFIER.test(e.name)
      )
        continue
      if (fs.existsSync(path.join(dir, e.name, '__init__.py'))) modules.push(e.name)
    } else if (e.isFile() && e.name.endsWith('.py') && !NOT_MODULE_FILES.has(e.name)) {
      const name = e.name.slice(0, -3)
      if (IDENTIFIER.test(name) && !name.startsWith('test_')) modules.push(name)
    }
  }
  return modules.sort()
}

/**
 * The import names below PEP 420 namespace folders (`titiler.core` under a bare `titiler/`)
 * and the namespaces they sit in, from import-roots.ts: the one reading of where a package's
 * code is importable from, which the type checkers, coverage and the import checks use too.
 */
function namespaceLayout(dir: string, data: Table): { names: string[]; namespaces: string[] } {
  const names = importNamesOf(importRoots(dir, data))
  const namespaces = new Set<string>()
  for (const name of names) {
    const parts = name.split('.')
    for (let i = 1; i < parts.length; i++) namespaces.add(parts.slice(0, i).join('.'))
  }
  return { names, namespaces: [...namespaces].sort() }
}

export interface ImportLayout {
  /** Directory the import roots live in (`src/` or the package directory). */
  importDir: string
  /** Top-level regular packages and modules (`dataknobs_common`). */
  modules: string[]
  /** Every import root, dotted below a namespace (`titiler.core`), else the same as modules. */
  importNames: string[]
  /** PEP 420 namespace packages the import roots sit in (`titiler`), empty when none. */
  namespaces: string[]
}

/** Top-level modules and the directory they live in, from the backend's config or a scan. */
export function findModules(dir: string, data: Table): ImportLayout {
  const declared: { from: string; name: string }[] = []
  const poetryPackages = dig(data, 'tool', 'poetry', 'packages')
  for (const p of Array.isArray(poetryPackages) ? (poetryPackages as unknown[]) : []) {
    const include = table(p).include
    const from = table(p).from
    if (typeof include === 'string') declared.push({ from: typeof from === 'string' ? from : '.', name: include.split('/')[0]! })
  }
  for (const p of strings(dig(data, 'tool', 'hatch', 'build', 'targets', 'wheel', 'packages'))) {
    const posix = toPosix(p)
    declared.push({ from: path.posix.dirname(posix), name: path.posix.basename(posix) })
  }
  const ns = namespaceLayout(dir, data)
  const named = declared.filter((d) => !/[*?]/.test(d.name))
  if (named.length > 0) {
    const importDir = path.join(dir, named[0]!.from)
    const names = [...new Set(named.map((d) => d.name))].sort()
    return { importDir, modules: names, importNames: ns.names, namespaces: ns.namespaces }
  }
  const where = strings(dig(data, 'tool', 'setuptools', 'packages', 'find', 'where'))
  const candidates = [...where.map((w) => path.join(dir, w)), path.join(dir, 'src'), dir]
  for (const candidate of candidates) {
    const modules = scanModules(candidate, candidate === dir).filter((m) => !ns.namespaces.includes(m))
    if (modules.length > 0) return { importDir: candidate, modules, importNames: ns.names, namespaces: ns.namespaces }
  }
  const fallback = fs.existsSync(path.join(dir, 'src')) ? path.join(dir, 'src') : dir
  // Only namespace folders: the import roots import-roots.ts found, in the first candidate holding them.
  const nsDir = candidates.find((c) => ns.namespaces.some((n) => fs.existsSync(path.join(c, n.split('.')[0]!))))
  return { importDir: nsDir ?? fallback, modules: [], importNames: ns.names, namespaces: ns.namespaces }
}

/** Requirement strings by kind: runtime, per extra, per dependency group. */
export interface Requirements {
  runtime: string[]
  extras: Record<string, string[]>
  groups: Record<string, string[]>
}

/** A Poetry dependency table entry as a requirement string (name and extras only). */
function poetryRequirement(name: string, spec: unknown): string {
  const extras = strings(table(spec).extras)
  return extras.length > 0 ? `${name}[${extras.join(',')}]` : name
}

export function staticRequirements(data: Table): Requirements {
  const project = table(data.project)
  const runtime = [...strings(project.dependencies)]
  const extras: Record<string, string[]> = {}
  for (const [extra, reqs] of Object.entries(table(project['optional-dependencies']))) extras[extra] = strings(reqs)
  const poetryDeps = table(dig(data, 'tool', 'poetry', 'dependencies'))
  const poetryExtras = table(dig(data, 'tool', 'poetry', 'extras'))
  for (const [name, spec] of Object.entries(poetryDeps)) {
    if (name.toLowerCase() === 'python') continue
    // An optional Poetry dependency only ships through the extras that name it.
    if (table(spec).optional === true) continue
    runtime.push(poetryRequirement(name, spec))
  }
  for (const [extra, names] of Object.entries(poetryExtras)) {
    extras[extra] = [...(extras[extra] ?? []), ...strings(names).map((n) => poetryRequirement(n, poetryDeps[n]))]
  }
  const groups: Record<string, string[]> = {}
  for (const [group, reqs] of Object.entries(table(data['dependency-groups']))) {
    // `{include-group = "x"}` entries are resolved by the installer; names are enough here.
    groups[group] = strings(reqs)
  }
  for (const [group, spec] of Object.entries(table(dig(data, 'tool', 'poetry', 'group')))) {
    const deps = table(table(spec).dependencies)
    groups[group] = [...(groups[group] ?? []), ...Object.entries(deps).map(([n, s]) => poetryRequirement(n, s))]
  }
  const legacyDev = table(dig(data, 'tool', 'poetry', 'dev-dependencies'))
  if (Object.keys(legacyDev).length > 0) {
    groups.dev = [...(groups.dev ?? []), ...Object.entries(legacyDev).map(([n, s]) => poetryRequirement(n, s))]
  }
  return { runtime, extras, groups }
}

export function requiresPython(data: Table): string | undefined {
  const project = table(data.project)['requires-python']
  if (typeof project === 'string') return project
  const poetry = dig(data, 'tool', 'poetry', 'dependencies', 'python')
  return typeof poetry === 'string' ? poetry : undefined
}
