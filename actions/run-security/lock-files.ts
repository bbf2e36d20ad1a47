/**
 * The resolved dependency set of a package from its lock file (`poetry.lock`, `uv.lock`),
 * looked for in the package's directory, then at the repository root. Each entry keeps the
 * line of its `name = ` key so findings point into the lock file.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { normalizeName } from '../../packages-shared/names.js'
import { readToml } from '../../packages-shared/workspace.js'

export type LockKind = 'poetry' | 'uv'

export interface LockedPackage {
  name: string
  id: string
  version: string
  /** 1-based line of the entry's `name = ` key. */
  line?: number
  /** Normalised names this entry depends on (to tell which workspace package pulls it in). */
  dependencies: string[]
  /** Installed from the registry (audited) rather than from a path, git or the workspace. */
  registry: boolean
}

export interface LockFile {
  file: string
  kind: LockKind
  packages: LockedPackage[]
}

const LOCK_NAMES: [string, LockKind][] = [['poetry.lock', 'poetry'], ['uv.lock', 'uv']]

/** The lock file that governs a package: its own, else the repository root's. */
export function findLockFile(pkgDir: string, root: string): { file: string; kind: LockKind } | undefined {
  for (const dir of pkgDir === root ? [root] : [pkgDir, root]) {
    for (const [name, kind] of LOCK_NAMES) {
      const file = path.join(dir, name)
      if (fs.existsSync(file)) return { file, kind }
    }
  }
  return undefined
}

type Table = Record<string, unknown>
const isTable = (v: unknown): v is Table => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Lines of each `[[package]]` entry's `name = "..."`, in file order. */
function nameLines(text: string): number[] {
  const lines = text.split(/\r?\n/)
  const out: number[] = []
  let inEntry = false
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim()
    if (l === '[[package]]') {
      inEntry = true
      continue
    }
    if (l.startsWith('[')) inEntry = false
    if (inEntry && /^name\s*=/.test(l)) {
      out.push(i + 1)
      inEntry = false
    }
  }
  return out
}

function dependencyNames(kind: LockKind, entry: Table): string[] {
  if (kind === 'poetry') return Object.keys(isTable(entry.dependencies) ? entry.dependencies : {}).map(normalizeName)
  const deps = Array.isArray(entry.dependencies) ? entry.dependencies : []
  return deps.filter(isTable).map((d) => (typeof d.name === 'string' ? normalizeName(d.name) : '')).filter(Boolean)
}

function fromRegistry(kind: LockKind, entry: Table): boolean {
  const source = entry.source
  if (kind === 'poetry') {
    // Poetry writes a [package.source] table only for non-PyPI sources.
    if (!isTable(source)) return true
    return source.type === 'legacy'
  }
  return isTable(source) && typeof source.registry === 'string'
}

export function readLockFile(file: string, kind: LockKind): LockFile {
  const data = readToml(file)
  const lines = nameLines(fs.readFileSync(file, 'utf8'))
  const entries = Array.isArray(data.package) ? data.package.filter(isTable) : []
  const packages: LockedPackage[] = entries.flatMap((e, i) => {
    if (typeof e.name !== 'string' || typeof e.version !== 'string') return []
    return [{
      name: e.name,
      id: normalizeName(e.name),
      version: e.version,
      line: lines[i],
      dependencies: dependencyNames(kind, e),
      registry: fromRegistry(kind, e)
    }]
  })
  return { file, kind, packages }
}

/**
 * The locked packages a workspace package needs: everything reachable from its own entry
 * (uv locks list workspace members) or, when the lock does not list it (Poetry's own lock
 * of a package), the whole lock.
 */
export function closureOf(lock: LockFile, pkgId: string, directDeps: string[]): Set<string> {
  const byId = new Map(lock.packages.map((p) => [p.id, p]))
  const start = byId.has(pkgId) ? [pkgId] : directDeps.filter((d) => byId.has(d))
  if (start.length === 0) return new Set(lock.packages.map((p) => p.id))
  const seen = new Set<string>()
  const stack = [...start]
  while (stack.length) {
    const id = stack.pop()!
    if (seen.has(id)) continue
    seen.add(id)
    for (const d of byId.get(id)?.dependencies ?? []) stack.push(d)
  }
  return seen
}
