/**
 * The documentation's own requirements (plugins, themes, extensions), as the repository
 * declares them. The first of these wins:
 * 0. what `.readthedocs.yaml` installs (`python.install`: requirements files, and `pip`
 *    installs of a path with its `extra_requirements`): how the docs are built on Read the Docs;
 * 1. a `docs` (or `doc`) dependency group (PEP 735) in the root pyproject.toml;
 * 2. a `docs` (or `doc`) extra of the root project: the project is installed with it;
 * 3. a requirements file: `requirements-docs.txt`, `docs-requirements.txt`,
 *    `docs/requirements.txt`, `doc/requirements.txt`, `requirements/docs.txt` beside the
 *    docs project, then at the root; then the `requirements.txt` of a docs project (or of
 *    its pages folder) that is not the root.
 * A Poetry group is not translated (Poetry's constraints are not pip's); it is said in the log.
 * Reads files only; runs nothing.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { normalizeName } from '../../packages-shared/names.js'
import { toPosix } from '../../packages-shared/paths.js'
import { groupRequirements, poetryGroupNames } from '../../packages-shared/python/project-env/plan.js'
import type { DocsProject } from './detect.js'

export const DOCS_GROUPS = ['docs', 'doc'] as const

export interface DocsRequirements {
  /** Where they came from, for the log and the summary: `docs/requirements.txt`, `pyproject.toml [dependency-groups] docs`. */
  source: string
  /** What the installer is given (requirement strings, `-r <file>`, `<root>[docs]`). */
  args: string[]
  /** Whether the root project itself is installed (its build may leave files in the sources). */
  installsRoot: boolean
  /** Changes whenever what they install changes: the venv is made anew then. */
  digest: string
  /**
   * A dependency group of a root that has a uv.lock: what `uv run --group <group>` installs
   * is the lock's versions and the workspace's packages, so the group is exported from the
   * lock (`uv export --frozen`) and that is installed; `args` is the fallback.
   */
  uvLockGroup?: string
}

type Table = Record<string, unknown>

function table(value: unknown): Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {}
}

function readPyproject(root: string): { data: Table; text: string } | undefined {
  try {
    const text = fs.readFileSync(path.join(root, 'pyproject.toml'), 'utf8')
    return { data: parseToml(text) as Table, text }
  } catch {
    return undefined
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16)
}

const FILES = ['requirements-docs.txt', 'docs-requirements.txt', 'docs/requirements.txt', 'doc/requirements.txt', 'requirements/docs.txt']

/** The requirements files looked at, absolute, in order. */
export function requirementFileCandidates(root: string, project: Pick<DocsProject, 'dir' | 'sourceDir'>): string[] {
  const top = path.resolve(root)
  const dirs = [...new Set([path.resolve(project.dir), top])]
  const out: string[] = []
  for (const d of dirs) for (const f of FILES) out.push(path.join(d, f))
  // A plain requirements.txt is the docs' only in a folder of their own; at the root it is the application's.
  for (const d of [...new Set([path.resolve(project.dir), path.resolve(project.sourceDir)])]) {
    if (d !== top) out.push(path.join(d, 'requirements.txt'))
  }
  return [...new Set(out)]
}

const READTHEDOCS = ['.readthedocs.yaml', '.readthedocs.yml', 'readthedocs.yaml', 'readthedocs.yml']

/**
 * What Read the Docs installs for these docs (its v2 config's `python.install`), or
 * undefined. The config nearest the docs wins, from their folder up to the root (a monorepo
 * keeps one per package, as certbot does); its paths are relative to the repository root.
 */
export function readTheDocsRequirements(root: string, from: string = root): DocsRequirements | undefined {
  const top = path.resolve(root)
  const dirs: string[] = []
  for (let d = path.resolve(from); d === top || d.startsWith(top + path.sep); d = path.dirname(d)) {
    dirs.push(d)
    if (d === top) break
  }
  const file = dirs.flatMap((d) => READTHEDOCS.map((f) => path.join(d, f))).find(isFile)
  if (!file) return undefined
  let data: unknown
  try {
    data = parseYaml(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
  const install = table(table(data).python).install
  const entries: unknown[] = Array.isArray(install) ? install : []
  const args: string[] = []
  let installsRoot = false
  // Paths in the config are relative to the repository's root; nothing outside it is taken.
  const inside = (rel: string): string | undefined => {
    const abs = path.resolve(top, rel)
    return abs === top || abs.startsWith(top + path.sep) ? abs : undefined
  }
  for (const entry of entries) {
    const e = table(entry)
    if (typeof e.requirements === 'string') {
      const abs = inside(e.requirements)
      if (abs && isFile(abs)) args.push('-r', abs)
    } else if (typeof e.path === 'string') {
      const abs = inside(e.path)
      if (!abs) continue
      const extras = Array.isArray(e.extra_requirements) ? e.extra_requirements.filter((x): x is string => typeof x === 'string') : []
      args.push(extras.length ? `${abs}[${extras.join(',')}]` : abs)
      if (abs === top) installsRoot = true
    }
  }
  if (!args.length) return undefined
  const rel = toPosix(path.relative(top, file))
  const texts = args.filter((a) => a !== '-r' && isFile(a)).map((a) => fs.readFileSync(a, 'utf8'))
  return { source: `${rel} (python.install)`, args, installsRoot, digest: digest('readthedocs', fs.readFileSync(file, 'utf8'), ...texts) }
}

/** The docs requirements the repository declares, and notes on what was seen but not used; undefined when none. */
export function findDocsRequirements(
  root: string,
  project: Pick<DocsProject, 'dir' | 'sourceDir'>
): { requirements?: DocsRequirements; notes: string[] } {
  const notes: string[] = []
  const rtd = readTheDocsRequirements(root, project.dir)
  if (rtd) return { requirements: rtd, notes }
  const pyproject = readPyproject(root)
  if (pyproject) {
    for (const group of DOCS_GROUPS) {
      const reqs = groupRequirements(pyproject.data, group)
      if (reqs === undefined) continue
      const lock = path.join(root, 'uv.lock')
      const locked = isFile(lock)
      return {
        requirements: {
          source: `pyproject.toml [dependency-groups] ${group}${locked ? ', at the versions of uv.lock, with the workspace' : ''}`,
          args: reqs,
          installsRoot: false,
          digest: locked ? digest('uv-group', group, fs.readFileSync(lock, 'utf8')) : digest('group', ...reqs),
          ...(locked ? { uvLockGroup: group } : {})
        },
        notes
      }
    }
    const project = table(pyproject.data.project)
    const extras = Object.keys(table(project['optional-dependencies']))
    const extra = extras.find((e) => (DOCS_GROUPS as readonly string[]).includes(normalizeName(e)))
    if (extra && typeof project.name === 'string') {
      return {
        requirements: {
          source: `pyproject.toml [project.optional-dependencies] ${extra} (the project with its ${extra} extra)`,
          args: [`${path.resolve(root)}[${extra}]`],
          installsRoot: true,
          digest: digest('extra', pyproject.text)
        },
        notes
      }
    }
    const poetry = poetryGroupNames(pyproject.data).find((g) => (DOCS_GROUPS as readonly string[]).includes(normalizeName(g)))
    if (poetry) {
      notes.push(
        `pyproject.toml has a Poetry group '${poetry}', which build-docs does not translate into pip requirements; ` +
          `declare them in docs/requirements.txt or a PEP 735 [dependency-groups] ${poetry}, or install them first (poetry install --with ${poetry}) and use install: none.`
      )
    }
  }
  const file = requirementFileCandidates(root, project).find(isFile)
  if (file) {
    return {
      requirements: {
        source: toPosix(path.relative(root, file)),
        args: ['-r', file],
        installsRoot: false,
        digest: digest('file', toPosix(path.relative(root, file)), fs.readFileSync(file, 'utf8'))
      },
      notes
    }
  }
  return { notes }
}
