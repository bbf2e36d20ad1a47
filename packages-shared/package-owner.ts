/**
 * Which package a repository file belongs to: the deepest package folder holding it (the
 * root package, `.`, takes what no other holds). A lookup by folder walked up from the
 * file, so attributing many files costs the same whatever the number of packages.
 */
export function packageOwner(packages: readonly { relDir: string; id: string }[]): (file: string) => string | undefined {
  const byDir = new Map(packages.map((p) => [p.relDir, p.id]))
  return (file) => {
    for (let dir = file; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/')))) {
      const owner = byDir.get(dir || '.')
      if (owner !== undefined) return owner
      if (!dir) return undefined
    }
  }
}
