/**
 * Build leftovers: what build backends write into a package's own folder while they build
 * or install it (setuptools' `build/` and `<name>.egg-info`, `.eggs`, `__pycache__`), and
 * their removal once the build is done.
 *
 * Why not build out of tree: no frontend offers it. pip dropped out-of-tree builds, uv and
 * `python -m build` run the backend in the source folder (PEP 517 says so), and
 * setuptools writes its egg-info there during sdist, wheel, editable builds and the
 * metadata hooks alike. Building from a copy in RUNNER_TEMP would break what the backend
 * reads beside the package: VCS versions (setuptools-scm, hatch-vcs need the checkout),
 * `../README.md`, path dependencies, uv workspace sources.
 *
 * So the folder is listed before the build, and afterwards exactly the entries that are
 * new and named like a build leftover (or sit inside a leftover folder that was already
 * there) are removed. Nothing that existed before is touched, nor anything new that is not
 * a leftover (a generated `_version.py`, the user's own outputs), nor other packages'
 * folders nested inside this one (their builds may run at the same time), nor folders the
 * caller excludes (dist-dir).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { dirEntries } from './paths.js'

/** Folder names no build leftover hides in, or that are too large to list for nothing. */
const NEVER_LISTED = new Set(['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '.tox', '.nox'])

export function isLeftoverName(name: string): boolean {
  return name === 'build' || name === '.eggs' || name === '__pycache__' || name.endsWith('.egg-info')
}

export interface TreeListing {
  /** The folders listed (absolute). */
  roots: string[]
  /** Folders (absolute) left out of the listing, and out of the clean-up. */
  excluded: Set<string>
  /** Every path found under the roots, absolute. */
  paths: Set<string>
}

function walk(dir: string, excluded: ReadonlySet<string>, visit: (p: string, isDir: boolean) => void): void {
  const entries = dirEntries(dir)
  for (const e of entries) {
    const p = path.join(dir, e.name)
    if (excluded.has(p)) continue
    // Symbolic links are recorded, never followed: what they point at is not ours to list.
    const isDir = e.isDirectory()
    if (isDir && NEVER_LISTED.has(e.name)) continue
    visit(p, isDir)
    if (isDir) walk(p, excluded, visit)
  }
}

/** Lists the folders a build is about to write into, leaving out `exclude` (absolute). */
export function listTree(roots: readonly string[], exclude: readonly string[] = []): TreeListing {
  const excluded = new Set(exclude.map((d) => path.resolve(d)))
  const resolved = [...new Set(roots.map((r) => path.resolve(r)))]
  const paths = new Set<string>()
  for (const root of resolved) walk(root, excluded, (p) => paths.add(p))
  return { roots: resolved, excluded, paths }
}

/** The new leftovers since `before`, top-most first (a folder, not each file inside it). */
export function newLeftovers(before: TreeListing): string[] {
  const found: string[] = []
  for (const root of before.roots) {
    const inLeftover = (p: string): boolean => path.relative(root, p).split(path.sep).some(isLeftoverName)
    const visit = (dir: string): void => {
      const entries = dirEntries(dir)
      for (const e of entries) {
        const p = path.join(dir, e.name)
        if (before.excluded.has(p) || (e.isDirectory() && NEVER_LISTED.has(e.name))) continue
        if (!before.paths.has(p)) {
          // New: a leftover by its name, or added inside a leftover folder that was there.
          if (isLeftoverName(e.name) || inLeftover(dir)) found.push(p)
          // Anything else new is not ours; what it holds is not looked into either.
          continue
        }
        if (e.isDirectory()) visit(p)
      }
    }
    visit(root)
  }
  return [...new Set(found)].sort()
}

/** Removes the new leftovers since `before`; returns them (absolute paths). */
export function removeNewLeftovers(before: TreeListing): string[] {
  const gone = newLeftovers(before)
  for (const p of gone) fs.rmSync(p, { recursive: true, force: true })
  return gone
}

/**
 * Runs a build or install that may write into `roots`, then removes the leftovers it
 * created, whether it succeeded or not.
 */
export async function withoutBuildLeftovers<T>(roots: readonly string[], exclude: readonly string[], fn: () => Promise<T>): Promise<T> {
  const before = listTree(roots, exclude)
  try {
    return await fn()
  } finally {
    removeNewLeftovers(before)
  }
}

/** Folders of other packages inside `dir` (their own builds clean them up). */
export function nestedPackageDirs(dir: string, allDirs: readonly string[]): string[] {
  const base = path.resolve(dir)
  return allDirs.map((d) => path.resolve(d)).filter((d) => d !== base && d.startsWith(base + path.sep))
}
