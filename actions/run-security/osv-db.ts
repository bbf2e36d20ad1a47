/**
 * A local OSV-format advisory database (a directory of OSV JSON or YAML records, e.g. a
 * checkout of pypa/advisory-database or an export of osv.dev), and the matching an OSV
 * service does for `POST /v1/query`: package name (PEP 503) and ecosystem, then the
 * version against each affected entry's `versions` list and ECOSYSTEM ranges.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { UserError } from '../../packages-shared/errors.js'
import { normalizeName } from '../../packages-shared/names.js'
import { compareVersions } from '../../packages-shared/pypa/versions.js'

export interface OsvEvent {
  introduced?: string
  fixed?: string
  last_affected?: string
  limit?: string
}

export interface OsvAffected {
  package?: { name?: string; ecosystem?: string }
  ranges?: { type?: string; events?: OsvEvent[] }[]
  versions?: string[]
}

export interface OsvRecord {
  id: string
  aliases?: string[]
  summary?: string
  details?: string
  withdrawn?: string
  affected?: OsvAffected[]
  [key: string]: unknown
}

export interface OsvDatabase {
  dir: string
  records: number
  /** Records by normalised PyPI package name. */
  byPackage: Map<string, OsvRecord[]>
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (/\.(json|ya?ml)$/i.test(e.name)) out.push(p)
  }
}

export function loadOsvDatabase(dir: string): OsvDatabase {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(
      `Input 'advisory-db' points at ${dir}, which is not a directory. Give a directory of OSV records (JSON or YAML), e.g. a checkout of pypa/advisory-database.`
    )
  }
  const files: string[] = []
  walk(dir, files)
  const byPackage = new Map<string, OsvRecord[]>()
  let records = 0
  for (const file of files) {
    let data: unknown
    try {
      const text = fs.readFileSync(file, 'utf8')
      // The failsafe schema reads every YAML scalar as a string, so `1.10` stays `1.10`.
      data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { schema: 'failsafe' })
    } catch {
      continue
    }
    for (const rec of Array.isArray(data) ? data : [data]) {
      if (!rec || typeof rec !== 'object' || typeof (rec as OsvRecord).id !== 'string') continue
      const record = rec as OsvRecord
      records++
      const names = new Set<string>()
      for (const a of record.affected ?? []) {
        if (a.package?.name && (a.package.ecosystem ?? '').toLowerCase() === 'pypi') names.add(normalizeName(a.package.name))
      }
      for (const n of names) byPackage.set(n, [...(byPackage.get(n) ?? []), record])
    }
  }
  if (records === 0) {
    throw new UserError(
      `Input 'advisory-db' points at ${dir}, which holds no OSV records (*.json or *.yaml with an "id"). Give a directory of OSV records.`
    )
  }
  return { dir, records, byPackage }
}

/** Whether `version` falls in one ECOSYSTEM range (events in any order, as OSV allows). */
function inRange(version: string, events: OsvEvent[]): boolean {
  const sorted = [...events].sort((a, b) => {
    const va = a.introduced ?? a.fixed ?? a.last_affected ?? a.limit ?? '0'
    const vb = b.introduced ?? b.fixed ?? b.last_affected ?? b.limit ?? '0'
    return va === '0' ? -1 : vb === '0' ? 1 : (compareVersions(va, vb) ?? 0)
  })
  let affected = false
  for (const e of sorted) {
    if (e.introduced !== undefined) {
      if (e.introduced === '0' || (compareVersions(version, e.introduced) ?? -1) >= 0) affected = true
    } else if (e.fixed !== undefined) {
      if ((compareVersions(version, e.fixed) ?? -1) >= 0) affected = false
    } else if (e.last_affected !== undefined) {
      if ((compareVersions(version, e.last_affected) ?? -1) > 0) affected = false
    } else if (e.limit !== undefined) {
      if ((compareVersions(version, e.limit) ?? -1) >= 0) affected = false
    }
  }
  return affected
}

export function affects(record: OsvRecord, name: string, version: string): boolean {
  if (record.withdrawn) return false
  const id = normalizeName(name)
  return (record.affected ?? []).some((a) => {
    if (!a.package?.name || normalizeName(a.package.name) !== id || (a.package.ecosystem ?? '').toLowerCase() !== 'pypi') return false
    if ((a.versions ?? []).some((v) => String(v) === version || compareVersions(String(v), version) === 0)) return true
    return (a.ranges ?? []).some((r) => r.type === 'ECOSYSTEM' && inRange(version, (r.events ?? []).map(stringEvent)))
  })
}

function stringEvent(e: OsvEvent): OsvEvent {
  const out: OsvEvent = {}
  for (const [k, v] of Object.entries(e)) if (v !== undefined && v !== null) out[k as keyof OsvEvent] = String(v)
  return out
}

export function queryOsv(db: OsvDatabase, name: string, version: string): OsvRecord[] {
  return (db.byPackage.get(normalizeName(name)) ?? []).filter((r) => affects(r, name, version))
}
