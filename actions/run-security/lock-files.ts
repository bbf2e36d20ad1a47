/**
 * The resolved dependency set of a package from its lock file, looked for in the package's
 * directory, then at the repository root; in each folder the first of `poetry.lock`,
 * `uv.lock`, `pylock.toml` (PEP 751) and a `requirements.txt` whose every requirement is
 * pinned with `==` and carries `--hash` (pip's hash-checking mode: a lock in all but name).
 * Each entry keeps the line of its name so findings point into the lock file.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { normalizeName } from '../../packages-shared/names.js'
import { UserError } from '../../packages-shared/errors.js'
import { readToml } from '../../packages-shared/workspace.js'

export type LockKind = 'poetry' | 'uv' | 'pylock' | 'requirements'

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

/**
 * In this order in each folder. Only `pylock.toml` itself: named locks (`pylock.<name>.toml`)
 * are for one purpose each, and which one a package's audit means cannot be told.
 */
const LOCK_NAMES: [string, LockKind][] = [
  ['poetry.lock', 'poetry'],
  ['uv.lock', 'uv'],
  ['pylock.toml', 'pylock'],
  ['requirements.txt', 'requirements']
]

/** The lock file that governs a package: its own, else the repository root's. */
export function findLockFile(pkgDir: string, root: string): { file: string; kind: LockKind } | undefined {
  for (const dir of pkgDir === root ? [root] : [pkgDir, root]) {
    for (const [name, kind] of LOCK_NAMES) {
      const file = path.join(dir, name)
      if (!fs.existsSync(file)) continue
      // A requirements file without hashes lists what to install, not what was resolved.
      if (kind === 'requirements' && !('packages' in readHashedRequirements(fs.readFileSync(file, 'utf8')))) continue
      return { file, kind }
    }
  }
  return undefined
}

type Table = Record<string, unknown>
const isTable = (v: unknown): v is Table => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Lines of each `[[package]]` (pylock: `[[packages]]`) entry's `name = "..."`, in file order. */
function nameLines(text: string, header: string): number[] {
  const lines = text.split(/\r?\n/)
  const out: number[] = []
  let inEntry = false
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim()
    if (l === header) {
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
  // pylock's `dependencies` (optional) are tables naming the entries, as uv.lock's are.
  if (kind === 'poetry') return Object.keys(isTable(entry.dependencies) ? entry.dependencies : {}).map(normalizeName)
  const deps = Array.isArray(entry.dependencies) ? entry.dependencies : []
  return deps
    .filter(isTable)
    .map((d) => (typeof d.name === 'string' ? normalizeName(d.name) : ''))
    .filter(Boolean)
}

function fromRegistry(kind: LockKind, entry: Table): boolean {
  const source = entry.source
  if (kind === 'poetry') {
    // Poetry writes a [package.source] table only for non-PyPI sources.
    if (!isTable(source)) return true
    return source.type === 'legacy'
  }
  if (kind === 'pylock') {
    // From an index: its sdist or wheels; a `vcs`, `directory` or `archive` entry is not on one.
    return (
      typeof entry.version === 'string' &&
      (isTable(entry.sdist) || Array.isArray(entry.wheels)) &&
      !entry.vcs &&
      !entry.directory &&
      !entry.archive
    )
  }
  return isTable(source) && typeof source.registry === 'string'
}

export function readLockFile(file: string, kind: LockKind): LockFile {
  if (kind === 'requirements') {
    const read = readHashedRequirements(fs.readFileSync(file, 'utf8'))
    if (!('packages' in read)) throw new UserError(`${file} is not a requirements file with hashes: ${read.reason}.`)
    return { file, kind, packages: read.packages }
  }
  const data = readToml(file)
  const key = kind === 'pylock' ? 'packages' : 'package'
  const lines = nameLines(fs.readFileSync(file, 'utf8'), `[[${key}]]`)
  const list = data[key]
  const entries = Array.isArray(list) ? list.filter(isTable) : []
  const packages: LockedPackage[] = entries.flatMap((e, i) => {
    // A pylock entry from a directory or VCS has no version: it is not audited, and no version is needed to trace through it.
    if (typeof e.name !== 'string') return []
    if (typeof e.version !== 'string' && kind !== 'pylock') return []
    return [
      {
        name: e.name,
        id: normalizeName(e.name),
        version: typeof e.version === 'string' ? e.version : '',
        line: lines[i],
        dependencies: dependencyNames(kind, e),
        registry: fromRegistry(kind, e)
      }
    ]
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

/** Options a hashed requirements file may carry besides its requirements (where to find them). */
const GLOBAL_OPTIONS = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '--no-index',
  '-f',
  '--find-links',
  '--trusted-host',
  '--prefer-binary',
  '--only-binary',
  '--no-binary',
  '--require-hashes',
  '--pre'
])
const PINNED = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*==\s*([A-Za-z0-9!+._-]+)\s*(?:;.*)?$/

/** Logical lines of a requirements file (continuations joined, comments dropped), with the line each starts on. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = []
  let current: { text: string; line: number } | undefined
  const physical = text.split(/\r?\n/)
  for (let i = 0; i < physical.length; i++) {
    // A comment starts the line or follows whitespace (pip's rule); a `#` inside a URL is not one.
    const raw = physical[i]!.replace(/(^|\s)#.*$/, '$1')
    const continued = /\\\s*$/.test(raw)
    const part = continued ? raw.replace(/\\\s*$/, '') : raw
    current = current ? { ...current, text: `${current.text} ${part}` } : { text: part, line: i + 1 }
    if (continued) continue
    if (current.text.trim()) out.push({ text: current.text.trim(), line: current.line })
    current = undefined
  }
  if (current?.text.trim()) out.push({ text: current.text.trim(), line: current.line })
  return out
}

/**
 * A requirements file in pip's hash-checking mode (`pip-compile --generate-hashes`,
 * `uv pip compile --generate-hashes`, `uv export`): every requirement pinned with `==` and
 * at least one `--hash`, nothing included from elsewhere. Anything else is not a lock, and
 * the reason says which line made it so.
 */
export function readHashedRequirements(text: string): { packages: LockedPackage[] } | { reason: string } {
  const packages: LockedPackage[] = []
  for (const { text: l, line } of logicalLines(text)) {
    if (l.startsWith('-')) {
      const option = l.split(/[\s=]/, 1)[0]!
      if (GLOBAL_OPTIONS.has(option)) continue
      return {
        reason: `line ${line} (${option}) ${['-r', '--requirement', '-c', '--constraint'].includes(option) ? 'includes another file' : 'is not a pinned requirement'}`
      }
    }
    const hashes = [...l.matchAll(/(?:^|\s)--hash[=\s]\s*(\S+)/g)].map((m) => m[1]!)
    const spec = l.replace(/(?:^|\s)--hash[=\s]\s*\S+/g, '').trim()
    if (hashes.length === 0) return { reason: `line ${line} (${spec}) has no --hash` }
    const m = PINNED.exec(spec)
    if (!m || spec.includes('*')) return { reason: `line ${line} (${spec}) is not pinned with ==` }
    packages.push({ name: m[1]!, id: normalizeName(m[1]!), version: m[2]!, line, dependencies: [], registry: true })
  }
  return packages.length ? { packages } : { reason: 'it lists no requirement' }
}
