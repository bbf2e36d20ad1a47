/**
 * Per-module results of a whole-program linter (pylint): a module's findings are kept under a
 * key that hashes everything they can depend on, so a later run re-checks only the modules
 * whose key changed. A key hashes:
 * - the run: the tool, its fingerprint, its argv (relativised), the folder it runs in, the
 *   variables that change what it reads, and the tool's search roots inside the repository;
 * - every repository file that is not one of the run's modules (configuration, rc files,
 *   pyproject, scripts, data), as one digest: any change there invalidates every module;
 * - the module itself and every repository file it reaches through its imports, transitively
 *   (import-graph.ts): each one's path, content, and what its own imports resolved to.
 * Messages that depend on the whole run set (duplicate-code, cyclic-import) are never kept per
 * module: a run over some modules leaves them to a pass over all. Findings outside the run's
 * modules (an unknown option in the rc file, a target that does not exist) are kept as the
 * run's own, keyed on the run and on whether each of its arguments names something.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Finding } from './findings.js'
import { validFinding } from './findings-cache.js'
import { ImportResolver, reach, RepositoryModules, resolveImports, type FileImports } from './import-graph.js'
import { toPosix } from './paths.js'
import type { ModuleListing } from './tools/tool.js'
import { filesDigest } from './whole-run-cache.js'

export const MODULE_CACHE_FORMAT = 'dk-actions-modules/1'

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

const PYTHON = /\.pyi?$/

export interface ModuleRunIdentity {
  tool: string
  fingerprint: string
  /** The command line after the executable, with the repository and cache roots replaced. */
  argv: readonly string[]
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  /** The tool's search roots inside the repository, repository-relative, in its order. */
  roots: readonly string[]
  /** Digest of every repository file that is not one of the run's modules. */
  others: string
}

export function moduleRunDigest(id: ModuleRunIdentity): string {
  return sha(
    JSON.stringify([MODULE_CACHE_FORMAT, id.tool, id.fingerprint, id.argv, id.cwd, Object.entries(id.env).sort(), id.roots, id.others])
  )
}

export interface ModuleKeyInput {
  run: string
  /** Module file (repository-relative) → its import name, for every module of the run. */
  modules: ReadonlyMap<string, string>
  /** Each file's direct imports, resolved (import-graph.ts resolveImports). */
  graph: ReadonlyMap<string, FileImports>
  /** A file's content hash; undefined when it cannot be read. */
  hashOf(rel: string): string | undefined
}

export interface ModuleKey {
  key: string
  /** The module's content hash alone (what a later run compares before the tool lists its modules). */
  content: string
  /** The module's own part: its path, content and what its imports resolved to (a change here is the module's own). */
  own: string
  /** Whether what it reaches holds an import two of the tool's search roots answer (their order decides). */
  ambiguous: boolean
}

/** Each module's key. */
export function moduleKeys(input: ModuleKeyInput): Map<string, ModuleKey> {
  const local = new Map<string, string>()
  const localOf = (rel: string): string => {
    let d = local.get(rel)
    if (d === undefined) {
      d = sha(JSON.stringify([rel, input.hashOf(rel) ?? 'missing', input.graph.get(rel)?.resolved ?? []]))
      local.set(rel, d)
    }
    return d
  }
  const out = new Map<string, ModuleKey>()
  for (const [rel, name] of input.modules) {
    const reached = reach(input.graph, rel)
    out.set(rel, {
      key: sha(JSON.stringify([input.run, rel, name, reached.map(localOf)])),
      content: input.hashOf(rel) ?? 'missing',
      own: localOf(rel),
      ambiguous: reached.some((f) => input.graph.get(f)?.ambiguous)
    })
  }
  return out
}

/**
 * The key of the run's own findings (about no module: an rc file's unknown option, a target
 * that does not exist): the run, and which of its arguments name something.
 */
export function runLevelKey(run: string, present: readonly boolean[]): string {
  return sha(JSON.stringify([run, 'run', present]))
}

export interface ModuleResults {
  run?: { key: string; findings: Finding[] }
  /** What a later run can compare before the tool lists its modules (likelyPartial). */
  hint?: ModuleHint
  modules: Map<string, { key: string; own: string; content: string; findings: Finding[] }>
}

export interface ModuleHint {
  /** runIdentityDigest() of the run that stored them. */
  run: string
  /** configDigest() of the repository then. */
  config: string
  /** The cross-module messages its configuration enabled. */
  crossPass: string[]
  /** Whether its configuration lets a run over some modules answer (no suppression message enabled). */
  partial: boolean
}

/** The run without what only the tool's listing says (its search roots, its modules). */
export function runIdentityDigest(id: Omit<ModuleRunIdentity, 'roots' | 'others'>): string {
  return sha(JSON.stringify([MODULE_CACHE_FORMAT, 'identity', id.tool, id.fingerprint, id.argv, id.cwd, Object.entries(id.env).sort()]))
}

/** Digest of the repository's files that are not Python sources (configuration, rc files, data). */
export function configDigest(root: string, files: readonly string[], hashes: ReadonlyMap<string, string>): string {
  return filesDigest(
    root,
    files.filter((f) => !PYTHON.test(f)),
    hashes
  )
}

/**
 * Whether, before the tool lists its modules, a run over some of them looks likely: the same
 * run and configuration as the stored one, and at most half of its modules with another
 * content. A guess to start work early; the keys decide.
 */
export function likelyPartial(
  stored: ModuleResults,
  now: Pick<ModuleHint, 'run' | 'config'> & { hashOf(rel: string): string | undefined }
): boolean {
  const hint = stored.hint
  if (!hint?.partial || hint.run !== now.run || hint.config !== now.config || stored.modules.size === 0) return false
  let changed = 0
  for (const [rel, e] of stored.modules) if ((now.hashOf(rel) ?? 'missing') !== e.content) changed++
  return changed * 2 <= stored.modules.size
}

export interface KeyingInput {
  /** Repository root, absolute. */
  root: string
  /** What the tool said it checks (its modules, search path and imports). */
  listing: ModuleListing
  /** The repository's files (workspace/files.ts), repository-relative, and their hashes (whole-run-cache.ts). */
  files: readonly string[]
  hashes: ReadonlyMap<string, string>
  /** Folders a name may resolve from besides the tool's search path (import roots, the working directory). */
  extraRoots: readonly string[]
  run: Omit<ModuleRunIdentity, 'roots' | 'others'>
  /** Whether each argument of the run names something (a folder that exists, a module found). */
  present: readonly boolean[]
}

export interface KeyedModules {
  /** Module file (repository-relative) → its import name, in the tool's order. */
  modules: Map<string, string>
  keys: Map<string, ModuleKey>
  runKey: string
}

/** Every module's key from the tool's listing; a reason when a key cannot be made. */
export function keyModules(input: KeyingInput): KeyedModules | string {
  const { root, listing } = input
  const rel = (abs: string): string => toPosix(path.relative(root, abs))
  const inside = (r: string): boolean => !r.startsWith('..') && !path.isAbsolute(r)
  const modules = new Map<string, string>()
  for (const m of listing.modules) {
    const file = rel(m.file)
    if (!inside(file)) return `lists ${JSON.stringify(m.file)}, no file of the repository`
    modules.set(file, m.name)
  }
  if (modules.size === 0) return 'lists no module'
  // Modules git ignores (a generated one) are modules too.
  const index = new RepositoryModules([...input.files.filter((f) => PYTHON.test(f)), ...modules.keys()])
  const resolver = new ImportResolver(index, { root, searchPath: listing.searchPath, extra: input.extraRoots })
  const imports = new Map([...listing.imports].map(([abs, refs]) => [rel(abs), refs] as const).filter(([f]) => inside(f)))
  const graph = resolveImports(resolver, imports)
  const run = moduleRunDigest({
    ...input.run,
    roots: resolver.ownRoots,
    others: filesDigest(
      root,
      input.files.filter((f) => !modules.has(f)),
      input.hashes
    )
  })
  const hashOf = (f: string): string | undefined => input.hashes.get(f) ?? contentHash(path.join(root, f))
  return { modules, keys: moduleKeys({ run, modules, graph, hashOf }), runKey: runLevelKey(run, input.present) }
}

function contentHash(file: string): string | undefined {
  try {
    return sha(fs.readFileSync(file))
  } catch {
    return undefined
  }
}

/** `<dir>/modules/<tool>-<hash of the folder it runs in>.json`: one per tool and folder, replaced by each clean run. */
function manifestFile(dir: string, tool: string, cwd: string): string {
  return path.join(dir, 'modules', `${tool}-${sha(cwd).slice(0, 16)}.json`)
}

const HEX = /^[0-9a-f]{64}$/

/** The stored results; none when the manifest is missing, not JSON, of another format or tool. An entry not well formed is left out. */
export function readModuleResults(dir: string, tool: string, cwd: string): ModuleResults {
  const out: ModuleResults = { modules: new Map() }
  let data: unknown
  try {
    data = JSON.parse(fs.readFileSync(manifestFile(dir, tool, cwd), 'utf8'))
  } catch {
    return out
  }
  const m = (data ?? {}) as { format?: unknown; tool?: unknown; run?: unknown; hint?: unknown; modules?: unknown }
  if (m.format !== MODULE_CACHE_FORMAT || m.tool !== tool || m.modules === null || typeof m.modules !== 'object') return out
  const run = (m.run ?? {}) as { key?: unknown; findings?: unknown }
  if (typeof run.key === 'string' && HEX.test(run.key) && Array.isArray(run.findings)) {
    if (run.findings.every((f: unknown) => validFinding(f, tool, (f as Finding | null)?.file)))
      out.run = { key: run.key, findings: run.findings as Finding[] }
  }
  const hint = (m.hint ?? {}) as { run?: unknown; config?: unknown; crossPass?: unknown; partial?: unknown }
  if (
    typeof hint.run === 'string' &&
    typeof hint.config === 'string' &&
    typeof hint.partial === 'boolean' &&
    Array.isArray(hint.crossPass) &&
    hint.crossPass.every((x) => typeof x === 'string')
  )
    out.hint = { run: hint.run, config: hint.config, crossPass: hint.crossPass as string[], partial: hint.partial }
  for (const [rel, e] of Object.entries(m.modules as Record<string, unknown>)) {
    const { key, own, content, findings } = (e ?? {}) as { key?: unknown; own?: unknown; content?: unknown; findings?: unknown }
    if (typeof key !== 'string' || !HEX.test(key) || typeof own !== 'string' || !HEX.test(own) || !Array.isArray(findings)) continue
    if (typeof content !== 'string' || !findings.every((f) => validFinding(f, tool, rel))) continue
    out.modules.set(rel, { key, own, content, findings: findings as Finding[] })
  }
  return out
}

const stored = (findings: readonly Finding[]): Finding[] => findings.map(({ package: _pkg, ...f }) => f)

/** Replaces the manifest (written aside, then renamed: a run stopped halfway leaves the old one). */
export function writeModuleResults(dir: string, tool: string, cwd: string, results: ModuleResults): void {
  const file = manifestFile(dir, tool, cwd)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const modules = Object.fromEntries(
    [...results.modules]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([rel, e]) => [rel, { key: e.key, own: e.own, content: e.content, findings: stored(e.findings) }])
  )
  const run = results.run ? { key: results.run.key, findings: stored(results.run.findings) } : undefined
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  fs.writeFileSync(tmp, JSON.stringify({ format: MODULE_CACHE_FORMAT, tool, run, hint: results.hint, modules }))
  fs.renameSync(tmp, file)
}
