/**
 * Symlinks inside a package that leave the repository. A build backend packs the file a
 * link points at (a link to /etc/passwd ends up in the wheel), a fixer writes through it,
 * a linter reads it into its report. So a package holding such a link is refused by
 * every action that packs, rewrites or reads its files, with one finding per link.
 *
 * Policy: a link whose target resolves inside the repository root is allowed and walked
 * into (the same files are reachable without it, so it neither leaks nor widens what a
 * tool touches); so is a dangling link whose target would be inside (a notebook renamed in
 * examples/, as in trulens: whatever appears there later is the repository's own file, and
 * a backend that packs the link fails on its own). A link that resolves outside, or would
 * once its target exists, is unsafe. Links are judged by where they really resolve
 * (realpath, or for a dangling link where it would point), so a chain of links is followed
 * to its end.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CheckResult, Finding } from './findings.js'
import { isInside } from './inputs.js'
import { resolveReal } from './output-dirs.js'
import { toPosix } from './paths.js'
import type { PythonPackage } from './workspace.js'

export interface UnsafeLink {
  /** The link, relative to the repository root. */
  file: string
  /** What the link says (readlink), as committed: never the content of what it points at. */
  target: string
  /** `dangling`: it points nowhere yet, and where it would point is outside the repository. */
  kind: 'outside' | 'dangling'
}

/**
 * Folders never packed or checked: environments (whose interpreter links point at the
 * system by design), VCS data and caches.
 */
const SKIP = new Set([
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  'node_modules',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache'
])

/** Every unsafe link under `dir` (a package folder or a file), sorted by path. */
export function findUnsafeLinks(root: string, dir: string): UnsafeLink[] {
  const realRoot = fs.realpathSync(root)
  const found: UnsafeLink[] = []
  const seen = new Set<string>()
  const walk = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      return
    }
    if (st.isSymbolicLink()) {
      const target = fs.readlinkSync(p)
      let real: string | undefined
      try {
        real = fs.realpathSync(p)
      } catch {
        real = undefined
      }
      const file = toPosix(path.relative(root, p))
      if (real === undefined) {
        if (!isInside(realRoot, resolveReal(p))) found.push({ file, target, kind: 'dangling' })
      } else if (!isInside(realRoot, real)) found.push({ file, target, kind: 'outside' })
      else if (fs.statSync(real).isDirectory() && !seen.has(real)) {
        seen.add(real)
        walkDir(p)
      }
      return
    }
    if (st.isDirectory()) {
      const real = fs.realpathSync(p)
      if (seen.has(real)) return
      seen.add(real)
      walkDir(p)
    }
  }
  const walkDir = (p: string): void => {
    if (SKIP.has(path.basename(p)) || fs.existsSync(path.join(p, 'pyvenv.cfg'))) return
    let names: string[] = []
    try {
      names = fs.readdirSync(p)
    } catch {
      return
    }
    for (const name of names.sort()) walk(path.join(p, name))
  }
  walk(dir)
  return found.sort((a, b) => a.file.localeCompare(b.file))
}

export function describeLink(link: UnsafeLink): string {
  return link.kind === 'dangling'
    ? `${link.file} is a symlink to ${link.target}, which does not exist and would be outside the repository`
    : `${link.file} is a symlink to ${link.target}, outside the repository`
}

export interface LinkGuard {
  /** Packages without unsafe links, in the order given. */
  safe: PythonPackage[]
  /** Refused packages and their links. */
  refused: Map<string, UnsafeLink[]>
  /** Those of `extraDirs` that hold an unsafe link (not to be touched either). */
  unsafeDirs: string[]
  /** A failed `symlinks` check with one error finding per link, when any package is refused. */
  check?: CheckResult
}

/**
 * Splits packages into those a tool may touch and those it must not. `what` says what the
 * action does not do to a refused package ("built", "linted or fixed").
 */
export function guardPackages(
  root: string,
  packages: readonly PythonPackage[],
  what: string,
  extraDirs: readonly string[] = []
): LinkGuard {
  const refused = new Map<string, UnsafeLink[]>()
  const findings: Finding[] = []
  for (const pkg of packages) {
    const links = findUnsafeLinks(root, pkg.dir)
    if (links.length === 0) continue
    refused.set(pkg.id, links)
    for (const link of links) {
      findings.push({
        tool: 'symlinks',
        package: pkg.id,
        file: link.file,
        severity: 'error',
        rule: `symlink-${link.kind}`,
        message: `${describeLink(link)}: ${pkg.name} is not ${what}. Replace the link with the file itself, or remove it.`
      })
    }
  }
  // Folders checked besides the packages (a root tests/ folder, explicit paths).
  const unsafeDirs: string[] = []
  for (const dir of extraDirs) {
    const links = findUnsafeLinks(root, dir)
    if (links.length > 0) unsafeDirs.push(dir)
    // A link inside a package was reported with that package.
    for (const link of links.filter((l) => !packages.some((p) => isInside(p.dir, path.join(root, l.file))))) {
      findings.push({
        tool: 'symlinks',
        file: link.file,
        severity: 'error',
        rule: `symlink-${link.kind}`,
        message: `${describeLink(link)}: it is not ${what}. Replace the link with the file itself, or remove it.`
      })
    }
  }
  const safe = packages.filter((p) => !refused.has(p.id))
  if (findings.length === 0 && unsafeDirs.length === 0) return { safe, refused, unsafeDirs }
  return {
    safe,
    refused,
    unsafeDirs,
    check: {
      tool: 'symlinks',
      status: 'failed',
      durationMs: 0,
      findings,
      message: `${findings.length} symlink(s) leave the repository or dangle; ${refused.size} package(s) refused`
    }
  }
}
