/**
 * Where a package's code is importable from: the directories that go on sys.path (its
 * import roots) and the names importable below them.
 *
 * Names descend through PEP 420 namespace directories (no `__init__.py`) to the real
 * packages: a member shipping `acme/core/__init__.py` under a shared `acme` namespace
 * provides `acme.core`, not `acme`. Importing, measuring or type-checking the bare
 * namespace would see every distribution that shares it, or none.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { dirEntries, toPosix } from './paths.js'

type Table = Record<string, unknown>

export interface ImportRoot {
  /** Absolute directory that goes on sys.path. */
  dir: string
  /** Importable names below it, dotted through namespace directories, sorted. */
  modules: string[]
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
/**
 * Folders a scan never takes for code, at any depth: tests, docs and build output sit next
 * to packages. The one list for every scan: modules, namespaces and "has Python sources".
 */
export const NOT_CODE_DIRS: ReadonlySet<string> = new Set([
  'tests',
  'test',
  'docs',
  'doc',
  'examples',
  'example',
  'build',
  'dist',
  'scripts',
  'benchmarks',
  '.venv',
  'venv',
  'node_modules',
  '.git',
  '.tox',
  '.nox',
  '__pycache__'
])
const SKIP_DIRS = NOT_CODE_DIRS
/**
 * Beside a flat-layout package (no src/), folders that hold helpers rather than what ships,
 * as setuptools' flat-layout discovery leaves them out: langgraph keeps `bench/`, with an
 * `__init__.py`, next to its `langgraph/` namespace. Under src/ or a namespace the same names
 * are real subpackages (`trulens.benchmark`), so only a scan of the package folder skips them.
 */
export const FLAT_LAYOUT_HELPERS: ReadonlySet<string> = new Set(['testing', 'bench', 'benchmark'])

/** Files at the top of a package folder that are never its modules. */
export const NOT_MODULE_FILES: ReadonlySet<string> = new Set(['setup.py', 'conftest.py', 'noxfile.py', 'fabfile.py', 'manage.py'])
const SKIP_FILES = NOT_MODULE_FILES
// How deep a namespace may nest (`trulens.providers.openai` is two levels).
const MAX_NAMESPACE_DEPTH = 4

function table(value: unknown): Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {}
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function dig(root: Table, ...keys: string[]): unknown {
  let current: unknown = root
  for (const key of keys) current = table(current)[key]
  return current
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}

function isPackageDir(p: string): boolean {
  return fs.existsSync(path.join(p, '__init__.py')) || fs.existsSync(path.join(p, '__init__.pyi'))
}

function moduleFile(name: string): string | undefined {
  if (SKIP_FILES.has(name) || name.startsWith('test_')) return undefined
  const m = /^(.+)\.(py|pyi)$/.exec(name)
  return m && IDENTIFIER.test(m[1]!) ? m[1] : undefined
}

/**
 * The real packages and modules `dotted` names below `root`: itself when it is a regular
 * package or a module, else what its namespace directory holds, descended.
 */
function below(root: string, dotted: string, depth = 0): string[] {
  const rel = dotted.split('.')
  const dir = path.join(root, ...rel)
  if (isDir(dir)) {
    if (isPackageDir(dir)) return [dotted]
    if (depth >= MAX_NAMESPACE_DEPTH) return []
    const out: string[] = []
    for (const e of dirEntries(dir)) {
      if (e.isDirectory() && IDENTIFIER.test(e.name) && !SKIP_DIRS.has(e.name)) out.push(...below(root, `${dotted}.${e.name}`, depth + 1))
      else if (e.isFile()) {
        const mod = moduleFile(e.name)
        if (mod) out.push(`${dotted}.${mod}`)
      }
    }
    return out
  }
  const parent = path.dirname(dir)
  const last = rel[rel.length - 1]!
  return fs.existsSync(path.join(parent, `${last}.py`)) || fs.existsSync(path.join(parent, `${last}.pyi`)) ? [dotted] : []
}

/**
 * What a folder on sys.path offers without any configuration: its regular packages and
 * modules. Namespace directories are descended only when there is nothing else, so a
 * classic layout keeps exactly its packages and a stray folder of scripts is not taken
 * for code.
 */
function scan(root: string, flat = false): string[] {
  const regular: string[] = []
  const namespaces: string[] = []
  for (const e of dirEntries(root)) {
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || (flat && FLAT_LAYOUT_HELPERS.has(e.name)) || !IDENTIFIER.test(e.name)) continue
      if (isPackageDir(path.join(root, e.name))) regular.push(e.name)
      else namespaces.push(e.name)
    } else if (e.isFile()) {
      const mod = moduleFile(e.name)
      if (mod) regular.push(mod)
    }
  }
  if (regular.length > 0) return regular
  return namespaces.flatMap((n) => below(root, n))
}

/** Keeps the outermost names: `acme.core` covers `acme.core.sub`. */
function outermost(names: string[]): string[] {
  const set = [...new Set(names)].sort()
  return set.filter((n) => !set.some((o) => o !== n && n.startsWith(`${o}.`)))
}

class Roots {
  private readonly byDir = new Map<string, string[]>()
  add(dir: string, names: string[]): void {
    if (names.length === 0) return
    this.byDir.set(dir, [...(this.byDir.get(dir) ?? []), ...names])
  }
  get size(): number {
    return this.byDir.size
  }
  list(): ImportRoot[] {
    return [...this.byDir].map(([dir, modules]) => ({ dir, modules: outermost(modules) }))
  }
}

/** A wheel path from the backend's config (`src/acme`) as its sys.path folder and dotted name. */
function splitPath(pkgDir: string, declared: string): { dir: string; dotted: string } | undefined {
  const posix = toPosix(declared).replace(/^\.\//, '').replace(/\/+$/, '')
  if (posix === '' || /[*?[]/.test(posix)) return undefined
  const parts = posix.split('/')
  const name = parts.pop()!.replace(/\.pyi?$/, '')
  if (!IDENTIFIER.test(name)) return undefined
  return { dir: path.join(pkgDir, ...parts), dotted: name }
}

/** hatch: `packages` keep only their last segment in the wheel; `only-include` keeps the path, less `sources` prefixes. */
function hatchRoots(pkgDir: string, data: Table, roots: Roots): void {
  const wheel = table(dig(data, 'tool', 'hatch', 'build', 'targets', 'wheel'))
  for (const p of strings(wheel.packages)) {
    const split = splitPath(pkgDir, p)
    if (split) roots.add(split.dir, below(split.dir, split.dotted))
  }
  const sources = Array.isArray(wheel.sources)
    ? strings(wheel.sources).map((s) => [toPosix(s).replace(/\/+$/, ''), ''] as const)
    : Object.entries(table(wheel.sources))
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([k, v]) => [toPosix(k).replace(/\/+$/, ''), v] as const)
  for (const p of strings(wheel['only-include'])) {
    const posix = toPosix(p).replace(/^\.\//, '').replace(/\/+$/, '')
    const strip = sources.find(([from, to]) => to === '' && from !== '' && posix.startsWith(`${from}/`))
    const base = strip ? path.join(pkgDir, strip[0]) : pkgDir
    const rest = strip ? posix.slice(strip[0].length + 1) : posix
    const dotted = rest.replace(/\.pyi?$/, '').split('/')
    if (!dotted.every((s) => IDENTIFIER.test(s))) continue
    roots.add(base, below(base, dotted.join('.')))
  }
}

/** Poetry: `packages = [{ include = "acme/core", from = "src" }]`. */
function poetryRoots(pkgDir: string, data: Table, roots: Roots): void {
  const packages = dig(data, 'tool', 'poetry', 'packages')
  for (const p of Array.isArray(packages) ? packages : []) {
    const include = table(p).include
    const from = table(p).from
    if (typeof include !== 'string' || /[*?[]/.test(include)) continue
    const base = path.join(pkgDir, typeof from === 'string' ? from : '.')
    const dotted = toPosix(include)
      .replace(/\/+$/, '')
      .replace(/\.pyi?$/, '')
      .split('/')
    if (!dotted.every((s) => IDENTIFIER.test(s))) continue
    roots.add(base, below(base, dotted.join('.')))
  }
}

/** setuptools: `package-dir = { "" = "src" }`, `packages.find.where`, or an explicit `packages` list. */
function setuptoolsRoots(pkgDir: string, data: Table, roots: Roots): void {
  const st = table(dig(data, 'tool', 'setuptools'))
  const packageDir = table(st['package-dir'])
  const base = typeof packageDir[''] === 'string' ? path.join(pkgDir, packageDir['']) : undefined
  if (Array.isArray(st.packages)) {
    const dir = base ?? pkgDir
    roots.add(
      dir,
      strings(st.packages).filter((n) => n.split('.').every((s) => IDENTIFIER.test(s)) && isDir(path.join(dir, ...n.split('.'))))
    )
    return
  }
  const where = strings(dig(st, 'packages', 'find', 'where'))
  for (const w of where) {
    const dir = path.join(pkgDir, w)
    roots.add(dir, scan(dir))
  }
  if (base && where.length === 0) roots.add(base, scan(base))
}

/**
 * The import roots of the package in `pkgDir`: from the backend's configuration when it
 * names what the wheel ships, else `src/` or the package folder itself, scanned.
 */
export function importRoots(pkgDir: string, pyproject: Table): ImportRoot[] {
  const roots = new Roots()
  hatchRoots(pkgDir, pyproject, roots)
  poetryRoots(pkgDir, pyproject, roots)
  setuptoolsRoots(pkgDir, pyproject, roots)
  if (roots.size > 0) return roots.list()
  for (const dir of [path.join(pkgDir, 'src'), pkgDir]) {
    const names = scan(dir, dir === pkgDir)
    if (names.length > 0) return [{ dir, modules: outermost(names) }]
  }
  return []
}

/** Every importable name of a package's roots. */
export function importNames(roots: readonly ImportRoot[]): string[] {
  return [...new Set(roots.flatMap((r) => r.modules))].sort()
}

/** Whether a package ships below a namespace package (a dotted import name). */
export function isNamespaced(roots: readonly ImportRoot[]): boolean {
  return roots.some((r) => r.modules.some((m) => m.includes('.')))
}

/** The import roots of a discovered package. */
export function packageImportRoots(pkg: { dir: string; pyproject: Table }): ImportRoot[] {
  return importRoots(pkg.dir, pkg.pyproject)
}
