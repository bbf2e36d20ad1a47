/**
 * Which environment the project's own code runs in (tests, type checkers). A project's
 * tests import what its developers install: the dev groups of its lock, its test extras,
 * its development requirements files. An environment holding only the package and our
 * tools misses them, and its suites fail to collect. So each selected package gets the
 * environment its project defines:
 * - the nearest `uv.lock` or `poetry.lock` at or above the package's folder (up to the
 *   repository root) governs it: `uv sync --all-packages` with the dev groups, or
 *   `poetry install --with` the dev and test groups. Monorepos with one lock per library
 *   (`libs/*`, no root lock) get one environment per lock;
 * - packages under no lock share one venv with the packages editable, their test extras,
 *   their PEP 735 test groups and the development requirements files (requirements-dev.txt,
 *   dev-requirements.txt, test-requirements.txt, …) beside them, at the root and in between.
 * This module only decides (no process runs); provision.ts carries it out.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { normalizeName, requirementName } from '../../names.js'
import { dirEntries, toPosix } from '../../paths.js'
import { foldersBetween, isDevRequirementsFile, TOOLING_DIRS, TOOLING_FILE } from '../../tool-pins.js'
import type { PythonPackage, Workspace } from '../../workspace.js'

export type EnvironmentKind = 'uv' | 'poetry' | 'venv'

export interface EnvironmentPlan {
  /** Stable and unique in one run: `uv.lock at libs/a`, `venv`. */
  key: string
  kind: EnvironmentKind
  /** Where the installer runs: the lock's folder, or the repository root for a venv. */
  dir: string
  /** The lock file, repository-relative (uv and poetry). */
  lockFile?: string
  /** Ids of the selected packages whose code runs in this environment. */
  packages: string[]
  /** uv: `--group` each; poetry: `--with` them. Only groups the project defines. */
  groups: string[]
  /** venv: the repository's packages installed editable, with the extras named. */
  editable: { dir: string; extras: string[] }[]
  /** venv: requirements read from the PEP 735 groups (workspace packages left out: they are editable). */
  requirements: string[]
  /** venv: development requirements files, absolute. */
  requirementFiles: string[]
  /** venv: the tooling folder's fully pinned files, installed with as constraints (`-c`), absolute. */
  constraintFiles: string[]
  /** One line for the summary: what was found and what it installs. */
  why: string
}

/** Dependency groups that hold what tests and type checkers need. */
export const DEV_GROUPS = ['dev', 'test', 'tests', 'testing', 'typing']
/** Groups a plain venv installs (issue: test, tests, dev). */
export const VENV_GROUPS = ['test', 'tests', 'dev']
export const TEST_EXTRAS = ['test', 'tests', 'testing']
/** Extras a venv installs: the test extras and `dev` (certbot-apache keeps apacheconfig, which two tests need, in `dev`). */
export const VENV_EXTRAS = [...TEST_EXTRAS, 'dev']
const LOCKS: readonly { file: string; kind: 'uv' | 'poetry' }[] = [
  { file: 'uv.lock', kind: 'uv' },
  { file: 'poetry.lock', kind: 'poetry' }
]

type Table = Record<string, unknown>

function table(value: unknown): Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {}
}

function readPyproject(dir: string): Table {
  try {
    return parseToml(fs.readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')) as Table
  } catch {
    return {}
  }
}

function rel(root: string, p: string): string {
  return toPosix(path.relative(root, p)) || '.'
}

function isInside(dir: string, root: string): boolean {
  const r = path.relative(root, dir)
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r))
}

/** The nearest lock at or above `dir`, never above the repository root. */
export function nearestLock(dir: string, root: string): { dir: string; file: string; kind: 'uv' | 'poetry' } | undefined {
  let d = path.resolve(dir)
  const top = path.resolve(root)
  if (!isInside(d, top)) return undefined
  for (;;) {
    for (const lock of LOCKS) {
      if (fs.existsSync(path.join(d, lock.file))) return { dir: d, ...lock }
    }
    if (d === top) return undefined
    d = path.dirname(d)
  }
}

/** The names of a pyproject's PEP 735 groups, and uv's legacy `dev-dependencies` (the `dev` group). */
export function uvGroupNames(pyproject: Table): string[] {
  const names = Object.keys(table(pyproject['dependency-groups'])).map(normalizeName)
  const uv = table(table(pyproject.tool).uv)
  if (Array.isArray(uv['dev-dependencies']) && !names.includes('dev')) names.push('dev')
  return names
}

export function poetryGroupNames(pyproject: Table): string[] {
  return Object.keys(table(table(table(pyproject.tool).poetry).group))
}

/**
 * The requirements of a PEP 735 group, `{include-group = "..."}` followed (once each, so a
 * cycle ends); undefined when the group does not exist.
 */
export function groupRequirements(pyproject: Table, group: string, seen: Set<string> = new Set()): string[] | undefined {
  const groups = table(pyproject['dependency-groups'])
  const key = Object.keys(groups).find((k) => normalizeName(k) === normalizeName(group))
  if (key === undefined || seen.has(normalizeName(key))) return key === undefined ? undefined : []
  seen.add(normalizeName(key))
  const out: string[] = []
  for (const item of Array.isArray(groups[key]) ? (groups[key] as unknown[]) : []) {
    if (typeof item === 'string') out.push(item)
    else {
      const include = table(item)['include-group']
      if (typeof include === 'string') out.push(...(groupRequirements(pyproject, include, seen) ?? []))
    }
  }
  return out
}

/**
 * A package's extras: `[project.optional-dependencies]`, and those its metadata provides
 * (a setup.py's `extras_require`, read through the PEP 517 hook, as certbot declares `test`).
 */
export function extraNames(pkg: Pick<PythonPackage, 'pyproject' | 'extras'>): string[] {
  const declared = Object.keys(table(table(pkg.pyproject.project)['optional-dependencies']))
  const names = [...declared]
  for (const e of Object.keys(pkg.extras ?? {})) if (!names.some((n) => normalizeName(n) === normalizeName(e))) names.push(e)
  return names
}

export function testExtras(pkg: Pick<PythonPackage, 'pyproject' | 'extras'>, wanted: readonly string[] = TEST_EXTRAS): string[] {
  return extraNames(pkg).filter((e) => wanted.includes(e.toLowerCase()))
}

function requirementFilesIn(dir: string): string[] {
  return dirEntries(dir)
    .filter((e) => e.isFile() && isDevRequirementsFile(e.name))
    .map((e) => path.join(dir, e.name))
    .sort()
}

/**
 * Whether a requirements file pins every requirement exactly (`name==1.2.3`, markers and
 * hashes allowed): a lock exported to pip's format, which the project installs with as
 * constraints. certbot's tox installs every package with `PIP_CONSTRAINT=tools/requirements.txt`,
 * generated by its pinning tools; without it the newest pyparsing's deprecation warnings
 * turn into errors under its `filterwarnings = error`.
 */
export function isPinnedList(text: string): boolean {
  let requirements = 0
  // A hash on a continuation line belongs to the requirement before it.
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (!line || line.startsWith('--hash')) continue
    if (line.startsWith('-')) return false
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*===?\s*[^\s,;*]+\s*(;[^]*)?$/.test(line.replace(/\s--hash[^]*$/, ''))) return false
    requirements++
  }
  return requirements > 0
}

/** The tooling folders' (tools/, ci/) requirements and constraints files that pin everything. */
export function constraintFilesIn(root: string): string[] {
  const out: string[] = []
  for (const dir of TOOLING_DIRS.map((d) => path.join(root, d))) {
    for (const e of dirEntries(dir)
      .filter((e) => e.isFile() && TOOLING_FILE.test(e.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(dir, e.name)
      try {
        if (isPinnedList(fs.readFileSync(file, 'utf8'))) out.push(file)
      } catch {
        // unreadable: not a constraint
      }
    }
  }
  return out
}

function ordered(ws: Workspace, ids: Set<string>): PythonPackage[] {
  return ws.packages.filter((p) => ids.has(p.id))
}

function lockedPlan(ws: Workspace, lock: { dir: string; file: string; kind: 'uv' | 'poetry' }, packages: PythonPackage[]): EnvironmentPlan {
  const lockFile = rel(ws.root, path.join(lock.dir, lock.file))
  const where = rel(ws.root, lock.dir) === '.' ? 'at the root' : `in ${rel(ws.root, lock.dir)}`
  const rootProject = readPyproject(lock.dir)
  let groups: string[]
  let command: string
  if (lock.kind === 'uv') {
    // --all-packages installs every member, so a group any member defines is valid.
    const members = ws.packages.filter((p) => isInside(p.dir, lock.dir))
    const defined = new Set([rootProject, ...members.map((p) => p.pyproject)].flatMap(uvGroupNames))
    groups = DEV_GROUPS.filter((g) => defined.has(g))
    command = `uv sync --all-packages --locked${groups.map((g) => ` --group ${g}`).join('')}`
  } else {
    const defined = new Set(poetryGroupNames(rootProject))
    groups = DEV_GROUPS.filter((g) => defined.has(g))
    command = `poetry install${groups.length ? ` --with ${groups.join(',')}` : ''}`
  }
  return {
    key: `${lock.file} ${where}`,
    kind: lock.kind,
    dir: lock.dir,
    lockFile,
    packages: packages.map((p) => p.id),
    groups,
    editable: [],
    requirements: [],
    requirementFiles: [],
    constraintFiles: [],
    why: `${lock.file} ${where}: ${command}`
  }
}

function venvPlan(ws: Workspace, packages: PythonPackage[]): EnvironmentPlan {
  const names = new Map(ws.packages.map((p) => [normalizeName(p.name), p]))
  const ids = new Set(packages.map((p) => p.id))
  for (const d of ws.graph.dependenciesOf(ids)) ids.add(d)
  const requirements: string[] = []
  const found: string[] = []
  const sources = [
    ...packages,
    ...(ws.rootPyproject && !packages.some((p) => p.relDir === '.') ? [{ relDir: '.', pyproject: ws.rootPyproject }] : [])
  ]
  for (const source of sources) {
    for (const g of VENV_GROUPS) {
      const reqs = groupRequirements(source.pyproject, g)
      if (!reqs) continue
      found.push(`group ${g} of ${source.relDir === '.' ? 'the root' : source.relDir}`)
      for (const r of reqs) {
        // A workspace package named in a group is installed from its folder, never from an index.
        const own = names.get(normalizeName(requirementName(r) ?? ''))
        if (own) ids.add(own.id)
        else if (!requirements.includes(r)) requirements.push(r)
      }
    }
  }
  const editable = ordered(ws, ids).map((p) => ({ dir: p.dir, extras: testExtras(p, VENV_EXTRAS) }))
  for (const p of ordered(ws, ids)) {
    const extras = testExtras(p, VENV_EXTRAS)
    if (extras.length) found.push(`extra ${extras.join(', ')} of ${p.relDir}`)
  }
  // Beside a package, at the root, or in a folder between them (openinference: python/dev-requirements.txt
  // above python/instrumentation/<dist>, whose own test-requirements.txt its tox installs).
  const between = packages.flatMap((p) => foldersBetween(path.resolve(ws.root), path.resolve(p.dir)).reverse())
  const dirs = [...new Set([path.resolve(ws.root), ...between, ...packages.map((p) => path.resolve(p.dir))])]
  const requirementFiles = dirs.flatMap(requirementFilesIn)
  found.push(...requirementFiles.map((f) => rel(ws.root, f)))
  const constraintFiles = constraintFilesIn(ws.root)
  const constrained = constraintFiles.length
    ? `, constrained by ${constraintFiles.map((f) => rel(ws.root, f)).join(', ')} (every line pinned)`
    : ''
  return {
    key: 'venv',
    kind: 'venv',
    dir: ws.root,
    packages: packages.map((p) => p.id),
    groups: [],
    editable,
    requirements,
    requirementFiles,
    constraintFiles,
    why: `no uv.lock or poetry.lock governs ${packages.length === 1 ? 'it' : 'them'}: a venv with the packages editable${found.length ? ` and ${found.join('; ')}` : ' (no test group, test extra or development requirements file found)'}${constrained}`
  }
}

/**
 * The environments for `selected`, one per lock root plus one venv for the packages under
 * no lock; `rootCode` adds the repository root's own code (a root `tests/`), which runs in
 * the environment of the root's lock, else in the venv.
 */
export function planEnvironments(ws: Workspace, selected: readonly PythonPackage[], rootCode = false): EnvironmentPlan[] {
  const byLock = new Map<string, { lock: NonNullable<ReturnType<typeof nearestLock>>; packages: PythonPackage[] }>()
  const unlocked: PythonPackage[] = []
  for (const pkg of selected) {
    const lock = nearestLock(pkg.dir, ws.root)
    if (!lock) {
      unlocked.push(pkg)
      continue
    }
    const key = path.join(lock.dir, lock.file)
    const entry = byLock.get(key) ?? { lock, packages: [] }
    entry.packages.push(pkg)
    byLock.set(key, entry)
  }
  const rootLock = rootCode ? nearestLock(ws.root, ws.root) : undefined
  if (rootLock && !byLock.has(path.join(rootLock.dir, rootLock.file)))
    byLock.set(path.join(rootLock.dir, rootLock.file), { lock: rootLock, packages: [] })
  const plans = [...byLock.values()].map((e) => lockedPlan(ws, e.lock, e.packages))
  if (unlocked.length > 0 || (rootCode && !rootLock)) plans.push(venvPlan(ws, unlocked))
  return plans
}

/** The environment a package's code runs in; undefined for the root's own code. */
export function environmentOf(plans: readonly EnvironmentPlan[], packageId: string | undefined): EnvironmentPlan | undefined {
  if (packageId !== undefined) return plans.find((p) => p.packages.includes(packageId))
  return plans.find((p) => p.lockFile !== undefined && !p.lockFile.includes('/')) ?? plans.find((p) => p.kind === 'venv') ?? plans[0]
}

/** The installer's arguments after its executable (uv, poetry), for the log and the report. */
export function installArgs(plan: EnvironmentPlan, python: string): string[] {
  if (plan.kind === 'uv') return ['sync', '--all-packages', '--locked', ...plan.groups.flatMap((g) => ['--group', g]), '--python', python]
  if (plan.kind === 'poetry') return ['install', '--no-interaction', ...(plan.groups.length ? ['--with', plan.groups.join(',')] : [])]
  return []
}
