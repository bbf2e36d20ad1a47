/**
 * Which repository files a module can reach through its imports, for a cache whose answer
 * for one module must change when anything it reads changes (pylint's per-module results).
 *
 * A name is looked up under every search root, not only the first that holds it: an import
 * then depends on every file that could answer it, so a file added under another root, or a
 * namespace portion appearing, changes the importer's key whatever order the roots come in.
 * `import a.b.c` reads a, a.b and a.b.c (each package's `__init__`); `from a import b` reads
 * a, and a.b when that is a module. Relative imports are resolved from the importing file's
 * folder. Roots outside the repository (the standard library, site-packages) are not looked
 * into: what is installed is the tool fingerprint's part of a key.
 */
import * as path from 'node:path'
import { toPosix } from './paths.js'
import type { ImportRef } from './tools/tool.js'

/** The files an import may read, and a namespace folder's presence (`dir:` markers). */
interface Resolution {
  /** Repository-relative files that could answer it. */
  files: string[]
  /** Those files and the namespace folders met on the way, for the importer's key. */
  seen: string[]
  /** Whether a regular module or package answers it under two search roots pylint has (order decides which). */
  ambiguous: boolean
}

const PYTHON = /\.pyi?$/

/** The repository's Python files and their folders, looked up by repository-relative posix path. */
export class RepositoryModules {
  private readonly files: Set<string>
  private readonly dirs = new Set<string>()

  constructor(files: Iterable<string>) {
    this.files = new Set([...files].filter((f) => PYTHON.test(f)))
    for (const f of this.files) {
      let dir = path.posix.dirname(f)
      while (dir !== '.' && !this.dirs.has(dir)) {
        this.dirs.add(dir)
        dir = path.posix.dirname(dir)
      }
    }
  }

  has(rel: string): boolean {
    return this.files.has(rel)
  }

  /** What `base/a/b` names as a module: its files (`b.py`, `b.pyi`, `b/__init__.py(i)`) and, for a namespace, the folder. */
  candidates(base: string): { regular: string[]; folder?: string } {
    const at = (p: string): string => (base === '' ? p : `${base}/${p}`)
    if (base === '') return { regular: ['__init__.py', '__init__.pyi'].filter((f) => this.files.has(f)) }
    const regular = [`${base}.py`, `${base}.pyi`, at('__init__.py'), at('__init__.pyi')].filter((f) => this.files.has(f))
    return { regular, folder: this.dirs.has(base) ? `dir:${base}` : undefined }
  }
}

export interface SearchRoots {
  /** Repository root, absolute. */
  root: string
  /** The tool's own search path, in order (absolute); only folders inside the repository count. */
  searchPath: readonly string[]
  /** Further folders a name may resolve from (import roots, the working directory), looked into for keys only. */
  extra: readonly string[]
}

/** Repository-relative posix folders, in order, without duplicates; those outside the root dropped. */
export function repositoryDirs(root: string, dirs: readonly string[]): string[] {
  const out: string[] = []
  for (const d of dirs) {
    const rel = path.relative(root, path.resolve(root, d))
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue
    const posix = toPosix(rel)
    if (!out.includes(posix)) out.push(posix)
  }
  return out
}

export class ImportResolver {
  private readonly own: string[]
  private readonly all: string[]
  private readonly memo = new Map<string, Resolution>()

  constructor(
    private readonly modules: RepositoryModules,
    roots: SearchRoots
  ) {
    this.own = repositoryDirs(roots.root, roots.searchPath)
    this.all = repositoryDirs(roots.root, [...roots.searchPath, ...roots.extra])
  }

  /** The search roots a key depends on: the tool's own, in its order. */
  get ownRoots(): readonly string[] {
    return this.own
  }

  private lookUp(dotted: string): Resolution {
    const known = this.memo.get(dotted)
    if (known) return known
    const files: string[] = []
    const seen: string[] = []
    const answering = new Set<string>()
    const rel = dotted.split('.').join('/')
    for (const root of this.all) {
      const { regular, folder } = this.modules.candidates(root === '' ? rel : `${root}/${rel}`)
      files.push(...regular)
      seen.push(...regular, ...(folder ? [folder] : []))
      if (regular.length && this.own.includes(root)) answering.add(root)
    }
    const r = { files, seen, ambiguous: answering.size > 1 }
    this.memo.set(dotted, r)
    return r
  }

  /** Every name an import reads: each dotted prefix of it. */
  resolve(fromFile: string, ref: ImportRef): Resolution {
    const parts = ref.name === '' ? [] : ref.name.split('.')
    const files: string[] = []
    const seen: string[] = []
    let ambiguous = false
    if (ref.level === 0) {
      for (let i = 1; i <= parts.length; i++) {
        const r = this.lookUp(parts.slice(0, i).join('.'))
        files.push(...r.files)
        seen.push(...r.seen)
        ambiguous ||= r.ambiguous
      }
      return { files, seen, ambiguous }
    }
    // One dot is the importing module's package: its folder, for a module and an __init__ alike.
    let dir = path.posix.dirname(fromFile)
    for (let i = 1; i < ref.level; i++) dir = dir === '.' ? '..' : path.posix.dirname(dir)
    if (dir.startsWith('..')) return { files, seen: [`beyond:${ref.level}:${ref.name}`], ambiguous }
    const base = dir === '.' ? '' : dir
    for (let i = 0; i <= parts.length; i++) {
      const rel = [...(base ? [base] : []), ...parts.slice(0, i)].join('/')
      const { regular, folder } = this.modules.candidates(rel)
      files.push(...regular)
      seen.push(...regular, ...(folder ? [folder] : []))
    }
    return { files, seen, ambiguous }
  }
}

export interface FileImports {
  /** The repository files its imports may read (not itself). */
  deps: string[]
  /** Everything its imports resolved to, sorted: what a new file under a root or a moved module changes. */
  resolved: string[]
  /** An import that two of the tool's roots answer. */
  ambiguous: boolean
}

/** Each file's direct imports, resolved. A file that does not parse (null) imports nothing the tool could follow either. */
export function resolveImports(
  resolver: ImportResolver,
  imports: ReadonlyMap<string, readonly ImportRef[] | null>
): Map<string, FileImports> {
  const out = new Map<string, FileImports>()
  for (const [file, refs] of imports) {
    const deps = new Set<string>()
    const resolved = new Set<string>()
    let ambiguous = false
    for (const ref of refs ?? []) {
      const r = resolver.resolve(file, ref)
      for (const f of r.files) if (f !== file) deps.add(f)
      for (const s of r.seen) resolved.add(s)
      ambiguous ||= r.ambiguous
    }
    out.set(file, { deps: [...deps].sort(), resolved: [...resolved].sort(), ambiguous })
  }
  return out
}

/** The files a module reaches through its imports, transitively, itself included, sorted. */
export function reach(graph: ReadonlyMap<string, FileImports>, start: string): string[] {
  const seen = new Set<string>([start])
  const stack = [start]
  while (stack.length) {
    const f = stack.pop()!
    for (const d of graph.get(f)?.deps ?? []) {
      if (seen.has(d)) continue
      seen.add(d)
      stack.push(d)
    }
  }
  return [...seen].sort()
}
