/**
 * Discovers the Python packages of a repository and the dependencies between them.
 *
 * Sources, merged: `[tool.dk-actions] packages` globs in the root pyproject.toml, uv
 * workspace members, Poetry path dependencies (followed transitively), `packages/*`;
 * without any of those, a root `[project]` or `[tool.poetry]` makes a single-package
 * repository.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { UserError, errorMessage } from './errors.js'
import { DependencyGraph } from './graph.js'
import { normalizeName, requirementName } from './names.js'
import { isInside } from './inputs.js'
import { toPosix } from './paths.js'

export type Backend = 'poetry' | 'hatchling' | 'setuptools' | 'uv' | 'pdm' | 'flit' | 'other'
export type WorkspaceKind = 'configured' | 'uv-workspace' | 'poetry-paths' | 'packages-dir' | 'single'

type Table = Record<string, unknown>

export interface PythonPackage {
  /** The name as declared. */
  name: string
  /** PEP 503 normalised name; the key used everywhere else. */
  id: string
  version?: string
  /** Absolute directory holding pyproject.toml. */
  dir: string
  /** Directory relative to the repository root, posix separators ('.' for the root). */
  relDir: string
  backend: Backend
  buildBackend?: string
  /** Runtime requirement strings (PEP 508), Poetry tables converted to names. */
  requires: string[]
  /** Repository packages this one needs at run time (normalised names). */
  internalDeps: string[]
  /** Repository packages this one needs only for development (dependency groups). */
  internalDevDeps: string[]
  /** Directory the import roots live in (`src/` or the package directory). */
  importDir: string
  /** Top-level importable modules (`dataknobs_common`). */
  modules: string[]
  /** The package's own tests directory, when it has one. */
  testsDir?: string
  pyproject: Table
}

/**
 * A folder discovery was pointed at but did not follow: it resolves (lexically or through
 * a symlink) outside the repository root, so nothing in it is read, linted, built or
 * published. Each declaration that pointed there gives one line.
 */
export interface SkippedPath {
  /** What pointed there: `uv workspace member '../*'`, `Poetry path dependency '../x'`, a symlink. */
  source: string
  /** The declaring file or the link, relative to the repository root. */
  file: string
  /** One line for the log, the summary and the report. */
  message: string
}

export interface Workspace {
  root: string
  kind: WorkspaceKind
  /** Folders that were pointed at but are outside the root (see SkippedPath); empty when none. */
  skipped?: SkippedPath[]
  /** The root pyproject.toml, when there is one (tool configuration lives there). */
  rootPyproject?: Table
  /** All packages, in dependency order. */
  packages: PythonPackage[]
  graph: DependencyGraph
  get(id: string): PythonPackage | undefined
}

const SKIP_DIRS = new Set([
  'tests', 'test', 'docs', 'doc', 'examples', 'example', 'build', 'dist', 'scripts',
  'benchmarks', '.venv', 'venv', 'node_modules', '.git', '.tox', '.nox', '__pycache__'
])
const SKIP_FILES = new Set(['setup.py', 'conftest.py', 'noxfile.py', 'fabfile.py', 'manage.py'])

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
    const first = errorMessage(error).split('\n')[0]!.replace(/^Invalid TOML document: /, '')
    const where = error instanceof Error && 'line' in error && typeof error.line === 'number'
      ? ` at line ${error.line}${'column' in error && typeof error.column === 'number' ? `, column ${error.column}` : ''}`
      : ''
    throw new UserError(`${file} is not valid TOML${where}: ${first}. Fix the file and run again.`)
  }
}

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

export function detectBackend(buildBackend: string | undefined, data: Table): Backend {
  const b = buildBackend ?? ''
  if (b.startsWith('poetry')) return 'poetry'
  if (b.startsWith('hatchling')) return 'hatchling'
  if (b.startsWith('setuptools')) return 'setuptools'
  if (b.startsWith('uv_build')) return 'uv'
  if (b.startsWith('pdm')) return 'pdm'
  if (b.startsWith('flit')) return 'flit'
  if (b === '' && table(dig(data, 'tool', 'poetry')).name !== undefined) return 'poetry'
  // PEP 517 says a project without build-system uses setuptools' legacy backend.
  if (b === '') return 'setuptools'
  return 'other'
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** Expands a simple glob (`*` and `?` within one path segment) relative to root. */
export function expandGlob(root: string, pattern: string): string[] {
  const segments = toPosix(pattern).split('/').filter((s) => s !== '' && s !== '.')
  let current = [root]
  for (const segment of segments) {
    const next: string[] = []
    if (!/[*?[]/.test(segment)) {
      for (const dir of current) next.push(path.join(dir, segment))
    } else {
      const re = new RegExp(
        '^' + segment.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.') + '$'
      )
      for (const dir of current) {
        let entries: fs.Dirent[] = []
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true })
        } catch {
          continue
        }
        // A symlink to a folder matches too, so discovery can see (and refuse) one that leaves the root.
        for (const e of entries) {
          if (!re.test(e.name)) continue
          if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name)))) next.push(path.join(dir, e.name))
        }
      }
    }
    current = next.sort()
  }
  return current.filter((dir) => fs.existsSync(dir))
}

/** Poetry path dependencies: runtime ones, or with `dev` those of the dependency groups. */
function poetryPathDeps(data: Table, dev = false): string[] {
  const tables = dev ? [dig(data, 'tool', 'poetry', 'dev-dependencies')] : [dig(data, 'tool', 'poetry', 'dependencies')]
  if (dev) {
    for (const group of Object.values(table(dig(data, 'tool', 'poetry', 'group')))) {
      tables.push(table(group).dependencies)
    }
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

function readVersion(dir: string, data: Table): string | undefined {
  const project = table(data.project)
  if (typeof project.version === 'string') return project.version
  const poetryVersion = dig(data, 'tool', 'poetry', 'version')
  if (typeof poetryVersion === 'string' && !strings(project.dynamic).includes('version')) {
    return poetryVersion
  }
  // Dynamic versions read from a file, as hatch and setuptools do it.
  const hatchPath = dig(data, 'tool', 'hatch', 'version', 'path')
  const candidates: string[] = []
  if (typeof hatchPath === 'string') candidates.push(path.join(dir, hatchPath))
  const attr = dig(data, 'tool', 'setuptools', 'dynamic', 'version', 'attr')
  if (typeof attr === 'string') {
    const mod = attr.split('.').slice(0, -1).join('/')
    for (const base of [dir, path.join(dir, 'src')]) {
      candidates.push(path.join(base, `${mod}.py`), path.join(base, mod, '__init__.py'))
    }
  }
  for (const file of candidates) {
    try {
      const m = /^__version__\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]/m.exec(fs.readFileSync(file, 'utf8'))
      if (m) return m[1]
    } catch {
      // Try the next candidate.
    }
  }
  return typeof poetryVersion === 'string' ? poetryVersion : undefined
}

function scanModules(dir: string): string[] {
  let entries: fs.Dirent[] = []
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  const modules: string[] = []
  for (const e of entries) {
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name) || e.name.startsWith('.') || e.name.endsWith('.egg-info')) continue
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name)) continue
      if (fs.existsSync(path.join(dir, e.name, '__init__.py'))) modules.push(e.name)
    } else if (e.isFile() && e.name.endsWith('.py') && !SKIP_FILES.has(e.name)) {
      const name = e.name.slice(0, -3)
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !name.startsWith('test_')) modules.push(name)
    }
  }
  return modules.sort()
}

/** Top-level modules and the directory they live in, from the backend's config or a scan. */
function findModules(dir: string, data: Table): { importDir: string; modules: string[] } {
  const declared: { from: string; name: string }[] = []
  for (const p of Array.isArray(dig(data, 'tool', 'poetry', 'packages'))
    ? (dig(data, 'tool', 'poetry', 'packages') as unknown[])
    : []) {
    const include = table(p).include
    const from = table(p).from
    if (typeof include === 'string') {
      declared.push({ from: typeof from === 'string' ? from : '.', name: include.split('/')[0]! })
    }
  }
  for (const p of strings(dig(data, 'tool', 'hatch', 'build', 'targets', 'wheel', 'packages'))) {
    const posix = toPosix(p)
    declared.push({ from: path.posix.dirname(posix), name: path.posix.basename(posix) })
  }
  const named = declared.filter((d) => !/[*?]/.test(d.name))
  if (named.length > 0) {
    const from = named[0]!.from
    return { importDir: path.join(dir, from), modules: [...new Set(named.map((d) => d.name))].sort() }
  }
  const where = strings(dig(data, 'tool', 'setuptools', 'packages', 'find', 'where'))
  const candidates = [...where.map((w) => path.join(dir, w)), path.join(dir, 'src'), dir]
  for (const candidate of candidates) {
    const modules = scanModules(candidate)
    if (modules.length > 0) return { importDir: candidate, modules }
  }
  const fallback = fs.existsSync(path.join(dir, 'src')) ? path.join(dir, 'src') : dir
  return { importDir: fallback, modules: [] }
}

function runtimeRequirements(data: Table): string[] {
  const project = table(data.project)
  const reqs = [...strings(project.dependencies)]
  for (const extra of Object.values(table(project['optional-dependencies']))) reqs.push(...strings(extra))
  for (const name of Object.keys(table(dig(data, 'tool', 'poetry', 'dependencies')))) {
    if (name.toLowerCase() !== 'python') reqs.push(name)
  }
  return reqs
}

function devRequirements(data: Table): string[] {
  const reqs: string[] = []
  for (const group of Object.values(table(data['dependency-groups']))) reqs.push(...strings(group))
  for (const group of Object.values(table(dig(data, 'tool', 'poetry', 'group')))) {
    reqs.push(...Object.keys(table(table(group).dependencies)))
  }
  reqs.push(...Object.keys(table(dig(data, 'tool', 'poetry', 'dev-dependencies'))))
  return reqs
}

function packageName(data: Table): string | undefined {
  const name = table(data.project).name ?? dig(data, 'tool', 'poetry', 'name')
  return typeof name === 'string' && name.trim() !== '' ? name : undefined
}

/**
 * A pyproject.toml that is not a distribution at all: a uv virtual root (`[tool.uv]
 * package = false`), a Poetry project with `package-mode = false`, or a file that only
 * configures tools (no `[project]`, no `[tool.poetry]`, no `[build-system]`).
 */
function isVirtual(data: Table): boolean {
  if (dig(data, 'tool', 'uv', 'package') === false) return true
  if (dig(data, 'tool', 'poetry', 'package-mode') === false) return true
  return data.project === undefined && dig(data, 'tool', 'poetry') === undefined && data['build-system'] === undefined
}

/**
 * A package folder whose pyproject.toml has no name would otherwise be skipped without a
 * word, and a run over it would pass having checked nothing: that is the user's to fix.
 */
function missingName(file: string, data: Table): UserError {
  const where = data.project !== undefined ? '[project]' : dig(data, 'tool', 'poetry') !== undefined ? '[tool.poetry]' : '[build-system]'
  const fix = data.project !== undefined || dig(data, 'tool', 'poetry') === undefined
    ? 'add name = "<distribution>" under [project]'
    : 'add name = "<distribution>" under [tool.poetry] (or [project])'
  return new UserError(
    `${file} has ${where} but no package name, so it is not a distribution dk-actions can check: ${fix}, ` +
      'or mark the folder as not a package ([tool.uv] package = false, or [tool.poetry] package-mode = false).'
  )
}

function loadPackage(root: string, dir: string, data: Table): PythonPackage | undefined {
  const name = packageName(data)
  if (name === undefined) {
    if (dig(data, 'tool', 'uv', 'package') === false || dig(data, 'tool', 'poetry', 'package-mode') === false) return undefined
    // A member folder whose metadata is in setup.py or setup.cfg is a legacy package whose
    // name discovery cannot read: said, not skipped.
    const legacy = dir !== root && ['setup.py', 'setup.cfg'].find((f) => fs.existsSync(path.join(dir, f)))
    if (legacy && data.project === undefined && dig(data, 'tool', 'poetry') === undefined) {
      throw new UserError(
        `${path.join(dir, 'pyproject.toml')} has no [project] table, and the package's metadata is in ${legacy}, which dk-actions does not read: ` +
          'add [project] with name and version, or mark the folder as not a package ([tool.uv] package = false).'
      )
    }
    if (isVirtual(data)) return undefined
    throw missingName(path.join(dir, 'pyproject.toml'), data)
  }
  const buildBackend = dig(data, 'build-system', 'build-backend')
  const { importDir, modules } = findModules(dir, data)
  const testsDir = path.join(dir, 'tests')
  const relDir = toPosix(path.relative(root, dir)) || '.'
  return {
    name,
    id: normalizeName(name),
    version: readVersion(dir, data),
    dir,
    relDir,
    backend: detectBackend(typeof buildBackend === 'string' ? buildBackend : undefined, data),
    buildBackend: typeof buildBackend === 'string' ? buildBackend : undefined,
    requires: runtimeRequirements(data),
    internalDeps: [],
    internalDevDeps: [],
    importDir,
    modules,
    testsDir: relDir !== '.' && fs.existsSync(testsDir) ? testsDir : undefined,
    pyproject: data
  }
}

/**
 * Keeps discovery inside the repository root. A glob whose fixed part leaves the root
 * (`../*`) is not expanded at all, so not even the names of folders outside are read; a
 * folder reached through a symlink counts where the link resolves. Folders that resolve
 * inside are returned as their canonical path under the root (a link from packages/a to
 * libs/a is the one package libs/a, not two); folders outside are reported once per
 * declaration and never followed.
 */
class Boundary {
  readonly skipped: SkippedPath[] = []
  private readonly real: string

  constructor(private readonly root: string) {
    this.real = fs.realpathSync(root)
  }

  private rel(p: string): string {
    return toPosix(path.relative(this.root, p)) || '.'
  }

  private report(source: string, file: string, targets: string[]): void {
    if (this.skipped.some((s) => s.source === source && s.file === file)) return
    this.skipped.push({
      source,
      file,
      message:
        `Not following ${source} in ${file}: ${targets.join(', ')} ${targets.length > 1 ? 'are' : 'is'} outside the repository root ` +
        `${this.root}, so ${targets.length > 1 ? 'they are' : 'it is'} not checked, built or published. Keep packages inside the repository.`
    })
  }

  /** Where `p` really is, under the root, or undefined when it resolves outside (or nowhere). */
  canonical(p: string): string | undefined {
    let real: string
    try {
      real = fs.realpathSync(p)
    } catch {
      return isInside(this.root, p) ? p : undefined
    }
    return isInside(this.real, real) ? path.join(this.root, path.relative(this.real, real)) : undefined
  }

  /** Resolves `rel` against `from`; reports (unless `source` is undefined) and drops a path outside. */
  inside(from: string, rel: string, source: string | undefined): string | undefined {
    const target = path.resolve(from, rel)
    const canonical = this.canonical(target)
    if (canonical === undefined && source !== undefined) {
      this.report(`${source} '${rel}'`, this.rel(path.join(from, 'pyproject.toml')), [toPosix(rel)])
    }
    return canonical
  }

  glob(pattern: string, source: string, report = true): string[] {
    const posix = toPosix(pattern)
    const segments = posix.split('/')
    const firstGlob = segments.findIndex((s) => /[*?[]/.test(s))
    const lexical = path.resolve(this.root, ...(firstGlob < 0 ? segments : segments.slice(0, firstGlob)))
    const file = 'pyproject.toml'
    if (path.isAbsolute(posix) || !isInside(this.root, lexical)) {
      if (report) this.report(`${source} '${pattern}'`, file, [posix])
      return []
    }
    const out: string[] = []
    const outside: string[] = []
    for (const dir of expandGlob(this.root, pattern)) {
      const canonical = this.canonical(dir)
      if (canonical === undefined) {
        let link = ''
        try {
          link = ` (a symlink to ${fs.readlinkSync(dir)})`
        } catch {
          // Not itself a link: a folder above it is.
        }
        outside.push(`${this.rel(dir)}${link}`)
      } else if (!out.includes(canonical)) out.push(canonical)
    }
    if (outside.length > 0 && report) this.report(`${source} '${pattern}'`, file, outside)
    return out
  }
}

export function discoverWorkspace(root: string): Workspace {
  const absRoot = path.resolve(root)
  if (!fs.existsSync(absRoot) || !fs.statSync(absRoot).isDirectory()) {
    throw new UserError(
      `The working directory ${absRoot} does not exist. Set 'working-directory' to the root of the Python repository.`
    )
  }
  const rootFile = path.join(absRoot, 'pyproject.toml')
  const rootData = fs.existsSync(rootFile) ? readToml(rootFile) : undefined
  const boundary = new Boundary(absRoot)
  const dirs = new Map<string, WorkspaceKind>()
  const add = (dir: string, kind: WorkspaceKind): void => {
    if (!dirs.has(dir) && fs.existsSync(path.join(dir, 'pyproject.toml'))) dirs.set(dir, kind)
  }

  if (rootData) {
    for (const pattern of strings(dig(rootData, 'tool', 'dk-actions', 'packages'))) {
      for (const dir of boundary.glob(pattern, '[tool.dk-actions] packages entry')) add(dir, 'configured')
    }
    const excluded = new Set(
      strings(dig(rootData, 'tool', 'uv', 'workspace', 'exclude')).flatMap((p) => boundary.glob(p, 'uv workspace exclude', false))
    )
    for (const pattern of strings(dig(rootData, 'tool', 'uv', 'workspace', 'members'))) {
      for (const dir of boundary.glob(pattern, 'uv workspace member')) if (!excluded.has(dir)) add(dir, 'uv-workspace')
    }
    // Poetry path dependencies, followed from the root through each package found.
    const queue: [string, Table][] = [[absRoot, rootData]]
    while (queue.length > 0) {
      const [dir, data] = queue.shift()!
      for (const rel of [...poetryPathDeps(data), ...poetryPathDeps(data, true)]) {
        const target = boundary.inside(dir, rel, 'Poetry path dependency')
        if (target === undefined || dirs.has(target) || target === absRoot) continue
        const file = path.join(target, 'pyproject.toml')
        if (!fs.existsSync(file)) continue
        add(target, 'poetry-paths')
        queue.push([target, readToml(file)])
      }
    }
  }
  for (const dir of boundary.glob('packages/*', 'folder under packages/')) add(dir, 'packages-dir')

  const packages: PythonPackage[] = []
  // The root is a distribution only when it says so: a name and a build system. Without a
  // build system it is a workspace root that configures tools (uv's virtual root).
  const rootIsPackage =
    rootData !== undefined &&
    !isVirtual(rootData) &&
    (packageName(rootData) !== undefined || rootData['build-system'] !== undefined) &&
    (rootData.project !== undefined || dig(rootData, 'tool', 'poetry') !== undefined)
  if (rootIsPackage) packages.push(loadPackage(absRoot, absRoot, rootData)!)
  for (const dir of dirs.keys()) {
    const pkg = loadPackage(absRoot, dir, readToml(path.join(dir, 'pyproject.toml')))
    if (pkg) packages.push(pkg)
  }
  if (packages.length === 0) {
    throw new UserError(
      `No Python packages found in ${absRoot}: expected packages/*/pyproject.toml, uv workspace members, ` +
        'Poetry path dependencies, or a pyproject.toml with a [project] name at the root. ' +
        "Set 'working-directory' to the repository root, or list package globs under [tool.dk-actions] packages."
    )
  }

  const byId = new Map<string, PythonPackage>()
  for (const pkg of packages) {
    const twin = byId.get(pkg.id)
    if (twin) {
      throw new UserError(
        `Two packages share the name '${pkg.id}': ${twin.relDir} and ${pkg.relDir}. Package names must be unique.`
      )
    }
    byId.set(pkg.id, pkg)
  }
  const byDir = new Map(packages.map((p) => [p.dir, p.id]))
  // Links between packages resolve like discovery did (through symlinks); the dependency
  // on a folder outside was reported already, so it is not reported twice.
  const dirOf = (pkg: PythonPackage, rel: string): string | undefined => boundary.inside(pkg.dir, rel, undefined)
  for (const pkg of packages) {
    const internal = (reqs: string[]): string[] =>
      [...new Set(reqs.map((r) => normalizeName(requirementName(r) ?? '')).filter((id) => byId.has(id) && id !== pkg.id))].sort()
    pkg.internalDeps = internal(pkg.requires)
    for (const rel of poetryPathDeps(pkg.pyproject)) {
      const dir = dirOf(pkg, rel)
      const id = dir === undefined ? undefined : byDir.get(dir)
      if (id && id !== pkg.id && !pkg.internalDeps.includes(id)) pkg.internalDeps.push(id)
    }
    pkg.internalDeps.sort()
    const dev = new Set(internal(devRequirements(pkg.pyproject)))
    for (const rel of poetryPathDeps(pkg.pyproject, true)) {
      const dir = dirOf(pkg, rel)
      const id = dir === undefined ? undefined : byDir.get(dir)
      if (id && id !== pkg.id) dev.add(id)
    }
    pkg.internalDevDeps = [...dev].filter((id) => !pkg.internalDeps.includes(id)).sort()
  }

  const graph = new DependencyGraph(packages.map((p) => ({ id: p.id, deps: p.internalDeps })))
  const order = graph.topologicalOrder()
  const kinds = [...dirs.values()]
  const kind: WorkspaceKind = kinds[0] ?? 'single'
  return {
    root: absRoot,
    kind,
    skipped: boundary.skipped,
    rootPyproject: rootData,
    packages: order.map((id) => byId.get(id)!),
    graph,
    get: (id) => byId.get(normalizeName(id))
  }
}

/**
 * Whether a package folder holds any Python source (.py, .pyi, .pyx) outside its tests and
 * the folders never packed. Found by walking, not from `modules`: a namespace package
 * (PEP 420) has no `__init__.py` yet has sources.
 */
export function hasPythonSources(pkg: PythonPackage): boolean {
  const walk = (dir: string, depth: number): boolean => {
    let entries: fs.Dirent[] = []
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return false
    }
    for (const e of entries) {
      if (e.isFile() && /\.(py|pyi|pyx)$/.test(e.name) && e.name !== 'setup.py' && e.name !== 'conftest.py') return true
    }
    if (depth === 0) return false
    return entries.some(
      (e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.') && !e.name.endsWith('.egg-info') && walk(path.join(dir, e.name), depth - 1)
    )
  }
  return walk(pkg.dir, 8)
}
