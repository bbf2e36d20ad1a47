/**
 * Where a pyproject.toml states requirements on other packages: PEP 621 dependencies and
 * extras, PEP 735 groups, Poetry's dependency tables and groups. Each site is one string
 * in the file, so a rewrite touches that string and nothing else.
 */
import { normalizeName } from '../../packages-shared/names.js'
import { dig, table, type Table } from '../../packages-shared/workspace/read.js'
import { splitRequirement } from './pins.js'

export interface RequirementSite {
  /** The TOML table holding it, dotted (`project`, `project.optional-dependencies`, `tool.poetry.dependencies`). */
  table: string
  /** The key in that table: `dependencies`, an extra's or group's name, or Poetry's package name. */
  key: string
  /** For Poetry's `{ version = "..." }` form. */
  inline?: 'version'
  /** The package it is on (PEP 503). */
  on: string
  /** The string as written: a PEP 508 requirement, or a Poetry constraint. */
  value: string
  /** `pep508` strings hold the name; `poetry` ones are only the constraint. */
  form: 'pep508' | 'poetry'
  /** A published requirement (runtime, extra): a change to it needs a release of the dependent. */
  published: boolean
}

function pep508Sites(list: unknown, tableName: string, key: string, published: boolean, ids: ReadonlySet<string>): RequirementSite[] {
  if (!Array.isArray(list)) return []
  const out: RequirementSite[] = []
  for (const value of list) {
    if (typeof value !== 'string') continue
    const parts = splitRequirement(value)
    if (parts && ids.has(parts.id)) out.push({ table: tableName, key, on: parts.id, value, form: 'pep508', published })
  }
  return out
}

function poetrySites(deps: unknown, tableName: string, published: boolean, ids: ReadonlySet<string>): RequirementSite[] {
  const out: RequirementSite[] = []
  for (const [key, value] of Object.entries(table(deps))) {
    const on = normalizeName(key)
    if (!ids.has(on)) continue
    if (typeof value === 'string') out.push({ table: tableName, key, on, value, form: 'poetry', published })
    else if (typeof table(value).version === 'string') {
      out.push({ table: tableName, key, inline: 'version', on, value: table(value).version as string, form: 'poetry', published })
    }
    // A path dependency without a version (`{ path = "../core", develop = true }`) pins nothing.
  }
  return out
}

/** Every requirement the file states on one of `ids` (the repository's packages). */
export function requirementSites(data: Table, ids: ReadonlySet<string>): RequirementSite[] {
  const project = table(data.project)
  const sites = [...pep508Sites(project.dependencies, 'project', 'dependencies', true, ids)]
  for (const [extra, list] of Object.entries(table(project['optional-dependencies']))) {
    sites.push(...pep508Sites(list, 'project.optional-dependencies', extra, true, ids))
  }
  for (const [group, list] of Object.entries(table(data['dependency-groups']))) {
    sites.push(...pep508Sites(list, 'dependency-groups', group, false, ids))
  }
  sites.push(...poetrySites(dig(data, 'tool', 'poetry', 'dependencies'), 'tool.poetry.dependencies', true, ids))
  for (const [group, body] of Object.entries(table(dig(data, 'tool', 'poetry', 'group')))) {
    sites.push(...poetrySites(table(body).dependencies, `tool.poetry.group.${group}.dependencies`, false, ids))
  }
  sites.push(...poetrySites(dig(data, 'tool', 'poetry', 'dev-dependencies'), 'tool.poetry.dev-dependencies', false, ids))
  return sites
}
