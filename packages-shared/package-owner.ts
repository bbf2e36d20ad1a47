/**
 * Which package a repository file belongs to: the deepest package folder holding it (the
 * root package, `.`, takes what no other holds). A lookup by folder walked up from the
 * file, so attributing many files costs the same whatever the number of packages.
 */
type Pkg = { relDir: string; id: string }

/** One folder map per package list: callers attribute per check or per suite, thousands of times. */
const maps = new WeakMap<readonly Pkg[], Map<string, string>>()

export function packageOwner(packages: readonly Pkg[]): (file: string) => string | undefined {
  let byDir = maps.get(packages)
  if (!byDir) {
    byDir = new Map(packages.map((p) => [p.relDir, p.id]))
    maps.set(packages, byDir)
  }
  const dirs = byDir
  return (file) => {
    for (let dir = file; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/')))) {
      const owner = dirs.get(dir || '.')
      if (owner !== undefined) return owner
      if (!dir) return undefined
    }
  }
}
