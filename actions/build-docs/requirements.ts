/**
 * The documentation's own requirements (plugins, themes, extensions), as the repository
 * declares them. The first of these wins:
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

/** The docs requirements the repository declares, and notes on what was seen but not used; undefined when none. */
export function findDocsRequirements(
  root: string,
  project: Pick<DocsProject, 'dir' | 'sourceDir'>
): { requirements?: DocsRequirements; notes: string[] } {
  const notes: string[] = []
  const pyproject = readPyproject(root)
  if (pyproject) {
    for (const group of DOCS_GROUPS) {
      const reqs = groupRequirements(pyproject.data, group)
      if (reqs === undefined) continue
      return {
        requirements: {
          source: `pyproject.toml [dependency-groups] ${group}`,
          args: reqs,
          installsRoot: false,
          digest: digest('group', ...reqs)
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
