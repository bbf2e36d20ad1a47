/**
 * Discovers every Python distribution of a repository, in any layout, and the dependencies
 * between them.
 *
 * Candidates come from the repository's own files (files.ts: tracked plus untracked but not
 * ignored): every folder holding a pyproject.toml with [project] or [tool.poetry], a
 * setup.cfg with `[metadata] name`, or a setup.py. Test fixtures, examples and docs are left
 * out unless `[tool.dk-actions] packages` names them; that table's `exclude` leaves out more.
 * uv workspace members, Poetry path dependencies and `packages/*` are followed as declared,
 * so what they point at counts even where the scan would not look, and what leaves the
 * repository is reported (Boundary). Metadata is read statically first (read.ts); a
 * setup.py-only package and dynamic fields go through the build backend's PEP 517 hook
 * (metadata-hook.ts).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseCoreMetadata, field, fields } from '../core-metadata.js'
import { NoPythonPackagesError, UserError } from '../errors.js'
import { DependencyGraph } from '../graph.js'
import { isInside } from '../inputs.js'
import { NOT_CODE_DIRS } from '../import-roots.js'
import { normalizeName, requirementName } from '../names.js'
import { dirEntries, toPosix } from '../paths.js'
import { repositoryFiles } from './files.js'
import { readHookMetadata, type HookRequest } from './metadata-hook.js'
import {
  LEGACY_BACKEND,
  LEGACY_REQUIRES,
  declaredName,
  detectBackend,
  dig,
  findModules,
  poetryPathDeps,
  readToml,
  readVersion,
  requiresPython,
  setupCfgHasName,
  staticRequirements,
  strings,
  table,
  type Backend,
  type Requirements,
  type Table
} from './read.js'

export type WorkspaceKind = 'configured' | 'uv-workspace' | 'poetry-paths' | 'packages-dir' | 'tree' | 'single'

/** A distribution of the repository. Fields marked optional are always set by discoverWorkspace. */
export interface PythonPackage {
  /** The name as declared. */
  name: string
  /** PEP 503 normalised name; the key used everywhere else. */
  id: string
  version?: string
  /** Absolute directory holding pyproject.toml (or setup.py). */
  dir: string
  /** Directory relative to the repository root, posix separators ('.' for the root). */
  relDir: string
  backend: Backend
  buildBackend?: string
  /** Where name, version and requirements came from: the files, or the backend's PEP 517 hook. */
  metadataSource?: 'static' | 'pep517'
  /** `requires-python` (or Poetry's `python` constraint), as written. */
  requiresPython?: string
  /** Runtime requirement strings plus those of every extra (PEP 508; Poetry tables as names). */
  requires: string[]
  /** Runtime requirements only. */
  dependencies?: string[]
  /** Requirements per extra (`[project.optional-dependencies]`, Poetry extras). */
  extras?: Record<string, string[]>
  /** Requirements per dependency group (PEP 735, Poetry groups, legacy dev-dependencies). */
  groups?: Record<string, string[]>
  /** Repository packages this one needs at run time (normalised names): the build order. */
  internalDeps: string[]
  /** Repository packages reached only through an extra, by extra name. */
  internalExtraDeps?: Record<string, string[]>
  /** Repository packages reached only through a dependency group (or dev path dependency), by group. */
  internalGroupDeps?: Record<string, string[]>
  /** Repository packages needed only for development or tests: every extra and group edge, deduplicated. */
  internalDevDeps: string[]
  /** Directory the import roots live in (`src/` or the package directory). */
  importDir: string
  /** Top-level importable modules (`dataknobs_common`). */
  modules: string[]
  /** Import roots, dotted below a PEP 420 namespace (`titiler.core`). */
  importNames?: string[]
  /** The PEP 420 namespace packages the import roots sit in (`titiler`); empty for none. */
  namespaces?: string[]
  /**
   * Where the package's own tests are: its `tests/` folder, else its own folder when the
   * tests ship beside the code (`src/<pkg>/_internal/tests/*_test.py`, as certbot's do).
   */
  testsDir?: string
  /** The pyproject.toml data ({} for a setup.py-only package). */
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

export interface LeftOut {
  relDir: string
  reason: string
}

export interface Workspace {
  root: string
  kind: WorkspaceKind
  /** Folders that were pointed at but are outside the root (see SkippedPath); empty when none. */
  skipped?: SkippedPath[]
  /** What discovery could not read but worked around (a dynamic version the backend would not give). */
  warnings?: string[]
  /** Folders with a metadata file that the scan found but did not take as distributions, and why. */
  leftOut?: LeftOut[]
  /** The root pyproject.toml, when there is one (tool configuration lives there). */
  rootPyproject?: Table
  /** All packages, in dependency order. */
  packages: PythonPackage[]
  graph: DependencyGraph
  get(id: string): PythonPackage | undefined
}

export interface DiscoverOptions {
  /** Interpreter for the PEP 517 metadata hooks (only run when static reading is not enough). */
  python?: string
  /** Cache of backend venvs and hook results. */
  cacheDir?: string
  env?: Readonly<Record<string, string | undefined>>
}

/**
 * Folders whose pyproject.toml or setup.py is a fixture, an example or documentation, not a
 * distribution of the repository; plus build output and environments.
 */
export const LEFT_OUT_DIRS = new Set([
  'tests',
  'test',
  'testing',
  'fixtures',
  'examples',
  'example',
  'docs',
  'doc',
  'samples',
  'benchmarks',
  'build',
  'dist',
  'site-packages',
  'node_modules',
  '__pycache__'
])

/** Words that mark a folder as examples or fixtures inside a longer name (`uv-examples`, `test_fixtures`). */
const LEFT_OUT_WORDS = new Set(['examples', 'example', 'fixtures', 'samples'])

function leftOut(rel: string): boolean {
  if (rel === '.') return false
  return rel.split('/').some((s) => {
    const name = s.toLowerCase()
    return LEFT_OUT_DIRS.has(name) || name.startsWith('.') || name.includes('{{') || name.split(/[-_]/).some((w) => LEFT_OUT_WORDS.has(w))
  })
}

/**
 * A package folder whose pyproject.toml has no name would otherwise be skipped without a
 * word, and a run over it would pass having checked nothing: that is the user's to fix.
 */
function missingName(file: string, data: Table): UserError {
  const where = data.project !== undefined ? '[project]' : dig(data, 'tool', 'poetry') !== undefined ? '[tool.poetry]' : '[build-system]'
  const fix =
    data.project !== undefined || dig(data, 'tool', 'poetry') === undefined
      ? 'add name = "<distribution>" under [project]'
      : 'add name = "<distribution>" under [tool.poetry] (or [project])'
  return new UserError(
    `${file} has ${where} but no package name, so it is not a distribution dk-actions can check: ${fix}, ` +
      'or mark the folder as not a package ([tool.uv] package = false, or [tool.poetry] package-mode = false).'
  )
}

/** A folder that holds a distribution, before its metadata is complete. */
interface Candidate {
  dir: string
  relDir: string
  data: Table
  /** Name from the files; undefined for a setup.py/setup.cfg package (the hook gives it). */
  name?: string
  /** Whether the backend's hook must be asked (no static name, or dynamic fields). */
  needsHook: boolean
  buildBackend?: string
}

function exists(file: string): boolean {
  try {
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** pyproject.toml data, or undefined when there is none or it is empty (a 0-byte fixture). */
function readPyproject(dir: string): Table | undefined {
  const file = path.join(dir, 'pyproject.toml')
  if (!exists(file) || fs.readFileSync(file, 'utf8').trim() === '') return undefined
  return readToml(file)
}

function legacyMetadataFile(dir: string): string | undefined {
  if (exists(path.join(dir, 'setup.py'))) return 'setup.py'
  const cfg = path.join(dir, 'setup.cfg')
  return exists(cfg) && setupCfgHasName(fs.readFileSync(cfg, 'utf8')) ? 'setup.cfg' : undefined
}

/** Whether uv manages the folder as a project of its own: it has a uv.lock or a [tool.uv] table. */
function uvManaged(dir: string, data: Table): boolean {
  return exists(path.join(dir, 'uv.lock')) || dig(data, 'tool', 'uv') !== undefined
}

/**
 * What the folder is: a distribution (with or without static metadata), or nothing.
 * Not a distribution: `[tool.uv] package = false`, `package-mode = false`, a pyproject that
 * only configures tools, and a [project] without a build system that uv manages (uv treats
 * such a project as virtual) or that sits at the root (a workspace root that configures tools).
 */
function classify(root: string, dir: string, declared: boolean): Candidate | undefined {
  const relDir = toPosix(path.relative(root, dir)) || '.'
  const data = readPyproject(dir)
  const legacy = legacyMetadataFile(dir)
  if (data === undefined) return legacy ? { dir, relDir, data: {}, needsHook: true } : undefined
  if (dig(data, 'tool', 'uv', 'package') === false || dig(data, 'tool', 'poetry', 'package-mode') === false) return undefined
  const buildBackendRaw = dig(data, 'build-system', 'build-backend')
  const buildBackend = typeof buildBackendRaw === 'string' ? buildBackendRaw : undefined
  const hasBuildSystem = data['build-system'] !== undefined
  const name = declaredName(data)
  const isRoot = relDir === '.'
  if (name === undefined) {
    if (data.project === undefined && dig(data, 'tool', 'poetry') === undefined) {
      if (legacy) return { dir, relDir, data, needsHook: true, buildBackend }
      if (!hasBuildSystem || isRoot) return undefined
    }
    // A root without a name or a build system is a workspace root, not a distribution.
    if (isRoot && !hasBuildSystem && !legacy) return undefined
    throw missingName(path.join(dir, 'pyproject.toml'), data)
  }
  const poetryNamed = data.project === undefined && dig(data, 'tool', 'poetry', 'name') !== undefined
  // [tool.poetry] metadata without a build system is something no PEP 517 frontend can build
  // (certbot's tools/pinning projects only lock versions); kept only where a path dependency
  // or a configured glob names it.
  if (poetryNamed && !hasBuildSystem && !legacy && !declared && !isRoot) return undefined
  if (!hasBuildSystem && !legacy && !poetryNamed && dig(data, 'tool', 'uv', 'package') !== true) {
    if (uvManaged(dir, data)) return undefined
    if (isRoot && (dig(data, 'tool', 'uv', 'workspace') !== undefined || dig(data, 'tool', 'dk-actions') !== undefined)) return undefined
  }
  const dynamic = strings(table(data.project).dynamic)
  const needsHook =
    data.project !== undefined &&
    (dynamic.includes('dependencies') ||
      dynamic.includes('optional-dependencies') ||
      (dynamic.includes('version') && readVersion(dir, data) === undefined))
  return { dir, relDir, data, name, needsHook, buildBackend }
}

/** Splits core metadata Requires-Dist into runtime and per-extra requirements. */
function hookRequirements(metadata: string, groups: Record<string, string[]>): Requirements {
  const meta = parseCoreMetadata(metadata)
  const runtime: string[] = []
  const extras: Record<string, string[]> = {}
  for (const extra of fields(meta, 'Provides-Extra')) extras[extra] = []
  for (const line of fields(meta, 'Requires-Dist')) {
    const [req, marker] = line.split(/;(.*)/s, 2).map((s) => s?.trim())
    const extra = marker ? /\bextra\s*==\s*["']([^"']+)["']/.exec(marker)?.[1] : undefined
    if (extra === undefined) runtime.push(line)
    else (extras[extra] ??= []).push(req!)
  }
  return { runtime, extras, groups }
}

interface Resolved {
  candidate: Candidate
  name: string
  version?: string
  requirements: Requirements
  requiresPython?: string
  source: 'static' | 'pep517'
}

function hookRequest(c: Candidate): HookRequest {
  const buildSystem = table(c.data['build-system'])
  const hasBuildSystem = c.data['build-system'] !== undefined
  const backendPath = strings(buildSystem['backend-path'])
  return {
    dir: c.dir,
    backend: c.buildBackend ?? LEGACY_BACKEND,
    backendPath: backendPath.length > 0 ? backendPath : undefined,
    // PEP 517: no [build-system] (or no requires) means setuptools' legacy backend and its requirement.
    requires: hasBuildSystem && Array.isArray(buildSystem.requires) ? strings(buildSystem.requires) : LEGACY_REQUIRES
  }
}

function resolveMetadata(candidates: Candidate[], options: DiscoverOptions, warnings: string[]): Resolved[] {
  const needing = candidates.filter((c) => c.needsHook)
  const results = readHookMetadata(needing.map(hookRequest), {
    python: options.python ?? 'python3',
    cacheDir: options.cacheDir ?? path.join(os.tmpdir(), 'dk-actions-cache'),
    env: options.env
  })
  const byDir = new Map(needing.map((c, i) => [c.dir, results[i]!]))
  return candidates.map((c): Resolved => {
    const staticReqs = staticRequirements(c.data)
    const result = byDir.get(c.dir)
    if (result === undefined) {
      return {
        candidate: c,
        name: c.name!,
        version: readVersion(c.dir, c.data),
        requirements: staticReqs,
        requiresPython: requiresPython(c.data),
        source: 'static'
      }
    }
    if (result.metadata === undefined) {
      const detail = (result.error ?? 'no output').split('\n').slice(-3).join(' | ')
      if (c.name === undefined) {
        const file = legacyMetadataFile(c.dir) ?? 'pyproject.toml'
        throw new UserError(
          `Reading the metadata of ${c.relDir}/${file} through its build backend (${hookRequest(c).backend}) failed: ${detail}. ` +
            'Fix the package so `python -m build` can build it, or leave the folder out with [tool.dk-actions] exclude.'
        )
      }
      warnings.push(
        `The build backend of ${c.name} (${c.relDir}) could not give its dynamic metadata, so it is read from pyproject.toml alone: ${detail}`
      )
      return {
        candidate: c,
        name: c.name,
        version: readVersion(c.dir, c.data),
        requirements: staticReqs,
        requiresPython: requiresPython(c.data),
        source: 'static'
      }
    }
    const meta = parseCoreMetadata(result.metadata)
    return {
      candidate: c,
      name: c.name ?? field(meta, 'Name')!,
      version: field(meta, 'Version'),
      requirements: hookRequirements(result.metadata, staticReqs.groups),
      requiresPython: field(meta, 'Requires-Python') ?? requiresPython(c.data),
      source: 'pep517'
    }
  })
}

/** pytest's default `python_files`: `test_*.py` and `*_test.py`. */
const TEST_FILE = /^(test_.*|.*_test)\.py$/

/**
 * The package's tests: its `tests/` folder, else the package folder itself when one of the
 * repository's files below it (outside a nested package) is a test module. The root package
 * has no suite of its own: the root suites cover it.
 */
function packageTests(dir: string, relDir: string, withTests: ReadonlySet<string>): string | undefined {
  if (relDir === '.') return undefined
  const testsDir = path.join(dir, 'tests')
  if (fs.existsSync(testsDir)) return testsDir
  return withTests.has(relDir) ? dir : undefined
}

/**
 * The package folders that hold a test module of their own: each test file counts for the
 * nearest package folder above it (a nested package's files are its own). One pass over the
 * files, so that a repository of thousands of packages is not read once per package.
 */
function packagesWithTests(files: readonly string[], packageDirs: readonly string[]): Set<string> {
  const dirs = new Set(packageDirs)
  const out = new Set<string>()
  for (const f of files) {
    if (!TEST_FILE.test(path.posix.basename(f))) continue
    for (let d = path.posix.dirname(f); ; d = path.posix.dirname(d)) {
      if (dirs.has(d)) {
        out.add(d)
        break
      }
      if (d === '.' || d === '/' || d === '') break
    }
  }
  return out
}

function toPackage(r: Resolved, withTests: ReadonlySet<string>): PythonPackage {
  const { dir, relDir, data, buildBackend } = r.candidate
  const layout = findModules(dir, data)
  const { runtime, extras, groups } = r.requirements
  return {
    name: r.name,
    id: normalizeName(r.name),
    version: r.version,
    dir,
    relDir,
    backend: detectBackend(buildBackend, data),
    buildBackend,
    metadataSource: r.source,
    requiresPython: r.requiresPython,
    requires: [...runtime, ...Object.values(extras).flat()],
    dependencies: runtime,
    extras,
    groups,
    internalDeps: [],
    internalExtraDeps: {},
    internalGroupDeps: {},
    internalDevDeps: [],
    ...layout,
    testsDir: packageTests(dir, relDir, withTests),
    pyproject: data
  }
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
  const segments = toPosix(pattern)
    .split('/')
    .filter((s) => s !== '' && s !== '.')
  let current = [root]
  for (const segment of segments) {
    const next: string[] = []
    if (!/[*?[]/.test(segment)) {
      for (const dir of current) next.push(path.join(dir, segment))
    } else {
      const re = new RegExp(
        '^' +
          segment
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '.') +
          '$'
      )
      for (const dir of current) {
        const entries = dirEntries(dir)
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

/** Links each package to the repository packages it requires, by kind. */
function linkPackages(packages: PythonPackage[], boundary: Boundary): void {
  const byId = new Map(packages.map((p) => [p.id, p]))
  const byDir = new Map(packages.map((p) => [p.dir, p.id]))
  // Links between packages resolve like discovery did (through symlinks); the dependency
  // on a folder outside was reported already, so it is not reported twice.
  const pathIds = (pkg: PythonPackage, rels: string[]): string[] =>
    rels
      .map((rel) => {
        const dir = boundary.inside(pkg.dir, rel, undefined)
        return dir === undefined ? undefined : byDir.get(dir)
      })
      .filter((id): id is string => id !== undefined && id !== pkg.id)
  const internal = (pkg: PythonPackage, reqs: string[]): string[] =>
    [...new Set(reqs.map((r) => normalizeName(requirementName(r) ?? '')).filter((id) => byId.has(id) && id !== pkg.id))].sort()
  for (const pkg of packages) {
    pkg.internalDeps = [
      ...new Set([...internal(pkg, pkg.dependencies ?? pkg.requires), ...pathIds(pkg, poetryPathDeps(pkg.pyproject))])
    ].sort()
    const runtime = new Set(pkg.internalDeps)
    const keep = (ids: string[]): string[] => ids.filter((id) => !runtime.has(id))
    const extraDeps: Record<string, string[]> = {}
    for (const [extra, reqs] of Object.entries(pkg.extras ?? {})) {
      const ids = keep(internal(pkg, reqs))
      if (ids.length > 0) extraDeps[extra] = ids
    }
    const groupDeps: Record<string, string[]> = {}
    for (const [group, reqs] of Object.entries(pkg.groups ?? {})) {
      const ids = keep(internal(pkg, reqs))
      if (ids.length > 0) groupDeps[group] = ids
    }
    // Poetry dev path dependencies that no group names by the package's own name.
    const devPaths = keep(pathIds(pkg, poetryPathDeps(pkg.pyproject, true))).filter(
      (id) => !Object.values(groupDeps).some((ids) => ids.includes(id))
    )
    if (devPaths.length > 0) groupDeps.dev = [...new Set([...(groupDeps.dev ?? []), ...devPaths])].sort()
    pkg.internalExtraDeps = extraDeps
    pkg.internalGroupDeps = groupDeps
    pkg.internalDevDeps = [...new Set([...Object.values(extraDeps).flat(), ...Object.values(groupDeps).flat()])].sort()
  }
}

export function discoverWorkspace(root: string, options: DiscoverOptions = {}): Workspace {
  const absRoot = path.resolve(root)
  if (!fs.existsSync(absRoot) || !fs.statSync(absRoot).isDirectory()) {
    throw new UserError(`The working directory ${absRoot} does not exist. Set 'working-directory' to the root of the Python repository.`)
  }
  const rootData = readPyproject(absRoot)
  const boundary = new Boundary(absRoot)
  // Folders declared by the repository, with the first declaration that named them.
  const declared = new Map<string, WorkspaceKind>()
  const declare = (dir: string, kind: WorkspaceKind): void => {
    if (!declared.has(dir)) declared.set(dir, kind)
  }
  const config = table(dig(rootData ?? {}, 'tool', 'dk-actions'))
  const excluded = new Set<string>()
  if (rootData) {
    for (const pattern of strings(config.packages)) {
      for (const dir of boundary.glob(pattern, '[tool.dk-actions] packages entry')) declare(dir, 'configured')
    }
    for (const pattern of strings(config.exclude))
      for (const dir of boundary.glob(pattern, '[tool.dk-actions] exclude entry', false)) excluded.add(dir)
    for (const pattern of strings(dig(rootData, 'tool', 'uv', 'workspace', 'exclude'))) {
      for (const dir of boundary.glob(pattern, 'uv workspace exclude', false)) excluded.add(dir)
    }
    for (const pattern of strings(dig(rootData, 'tool', 'uv', 'workspace', 'members'))) {
      for (const dir of boundary.glob(pattern, 'uv workspace member')) if (!excluded.has(dir)) declare(dir, 'uv-workspace')
    }
  }
  for (const dir of boundary.glob('packages/*', 'folder under packages/')) declare(dir, 'packages-dir')

  // Every folder of the repository holding a metadata file, plus the declared ones.
  const scanned = new Set<string>()
  const files = repositoryFiles(absRoot)
  for (const file of files) {
    const base = path.posix.basename(file)
    if (base !== 'pyproject.toml' && base !== 'setup.py' && base !== 'setup.cfg') continue
    const rel = path.posix.dirname(file)
    if (leftOut(rel)) continue
    scanned.add(rel === '.' ? absRoot : path.join(absRoot, ...rel.split('/')))
  }
  const candidates = new Map<string, Candidate>()
  const leftOutDirs: LeftOut[] = []
  const visit = (dir: string): Candidate | undefined => {
    if (candidates.has(dir)) return candidates.get(dir)
    if (excluded.has(dir) && dir !== absRoot) return undefined
    const c = classify(absRoot, dir, declared.has(dir))
    if (c && !declared.has(dir) && dir !== absRoot && !hasPythonSourcesIn(dir)) {
      // Found only by the scan and shipping no Python: a lock-only or tooling project
      // (certbot's tools/pinning), not a distribution. A declared one stays, to be refused.
      leftOutDirs.push({ relDir: c.relDir, reason: 'no Python sources' })
      return undefined
    }
    if (c) candidates.set(dir, c)
    return c
  }
  for (const dir of [absRoot, ...declared.keys(), ...[...scanned].sort()]) visit(dir)
  // Poetry path dependencies, followed from the root through each package found.
  const queue: [string, Table][] = [
    ...(rootData ? [[absRoot, rootData] as [string, Table]] : []),
    ...[...candidates.values()].map((c): [string, Table] => [c.dir, c.data])
  ]
  while (queue.length > 0) {
    const [dir, data] = queue.shift()!
    for (const rel of [...poetryPathDeps(data), ...poetryPathDeps(data, true)]) {
      const target = boundary.inside(dir, rel, 'Poetry path dependency')
      if (target === undefined || target === absRoot || excluded.has(target)) continue
      declare(target, 'poetry-paths')
      if (candidates.has(target)) continue
      const c = visit(target)
      if (c) queue.push([c.dir, c.data])
    }
  }

  const warnings: string[] = []
  const resolved = resolveMetadata([...candidates.values()], options, warnings)
  const packageDirs = resolved.map((r) => r.candidate.relDir)
  const withTests = packagesWithTests(files, packageDirs)
  const packages = resolved.map((r) => toPackage(r, withTests))
  if (packages.length === 0) {
    throw new NoPythonPackagesError(
      `No Python packages found in ${absRoot}: expected a pyproject.toml with [project] or [tool.poetry], a setup.cfg with [metadata] name, ` +
        'or a setup.py, outside tests, examples and docs. ' +
        "Set 'working-directory' to the repository root, or list package globs under [tool.dk-actions] packages."
    )
  }
  packages.sort((a, b) => (a.relDir < b.relDir ? -1 : a.relDir > b.relDir ? 1 : 0))
  const byId = new Map<string, PythonPackage>()
  for (const pkg of packages) {
    const twin = byId.get(pkg.id)
    if (twin) {
      throw new UserError(
        `Two packages share the name '${pkg.id}': ${twin.relDir} and ${pkg.relDir}. Package names must be unique; ` +
          'leave one out with [tool.dk-actions] exclude.'
      )
    }
    byId.set(pkg.id, pkg)
  }
  linkPackages(packages, boundary)

  const graph = new DependencyGraph(
    packages.map((p) => ({ id: p.id, deps: p.internalDeps, extras: p.internalExtraDeps, groups: p.internalGroupDeps }))
  )
  const order = graph.topologicalOrder()
  const kinds = new Set(packages.map((p) => declared.get(p.dir)))
  const kind: WorkspaceKind =
    (['configured', 'uv-workspace', 'poetry-paths', 'packages-dir'] as const).find((k) => kinds.has(k)) ??
    (packages.length === 1 && packages[0]!.relDir === '.' ? 'single' : 'tree')
  return {
    root: absRoot,
    kind,
    skipped: boundary.skipped,
    warnings,
    leftOut: leftOutDirs,
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
  return hasPythonSourcesIn(pkg.dir)
}

function hasPythonSourcesIn(packageDir: string): boolean {
  const walk = (dir: string, depth: number): boolean => {
    const entries = dirEntries(dir)
    for (const e of entries) {
      if (e.isFile() && /\.(py|pyi|pyx)$/.test(e.name) && e.name !== 'setup.py' && e.name !== 'conftest.py') return true
    }
    if (depth === 0) return false
    return entries.some(
      (e) =>
        e.isDirectory() &&
        !NOT_CODE_DIRS.has(e.name) &&
        !e.name.startsWith('.') &&
        !e.name.endsWith('.egg-info') &&
        walk(path.join(dir, e.name), depth - 1)
    )
  }
  return walk(packageDir, 8)
}
