/** One package's build: where it went, what came out, and whether it worked; the dists and matrix the outputs name. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import type { DistFile } from './dists.js'

export interface BuiltPackage {
  pkg: PythonPackage
  /** False for a dependency built only so the test install never takes it from an index. */
  selected: boolean
  outDir: string
  ok: boolean
  /** Set when the build did not run because a dependency failed. */
  skipped?: string
  command: string
  durationMs: number
  log: string
  error?: string
  wheel?: DistFile
  sdist?: DistFile
}

/**
 * The file that holds a package's metadata, repository-relative, for findings and
 * annotations: pyproject.toml, or setup.py / setup.cfg for a package that has none.
 */
export function pyprojectOf(pkg: PythonPackage): string {
  const file =
    pkg.metadataSource === 'pep517'
      ? (['pyproject.toml', 'setup.py', 'setup.cfg'].find((f) => fs.existsSync(path.join(pkg.dir, f))) ?? 'pyproject.toml')
      : 'pyproject.toml'
  return pkg.relDir === '.' ? file : `${pkg.relDir}/${file}`
}

export function builtVersion(b: BuiltPackage): string | undefined {
  const meta = b.wheel?.metadata ?? b.sdist?.metadata
  return meta?.fields.get('version')?.[0] ?? b.pkg.version
}

/** One selected package's dists, as the `dists` output and the dist record give them. */
export interface DistInfo {
  package: string
  name: string
  version: string
  path: string
  wheel: string
  sdist: string
  sha256: { wheel: string; sdist: string }
  size: { wheel: number; sdist: number }
}

/** For a package that built: it has both files. */
export function distInfo(b: BuiltPackage): DistInfo {
  return {
    package: b.pkg.id,
    name: b.pkg.name,
    version: builtVersion(b) ?? '',
    path: b.pkg.relDir,
    wheel: b.wheel!.path,
    sdist: b.sdist!.path,
    sha256: { wheel: b.wheel!.sha256, sdist: b.sdist!.sha256 },
    size: { wheel: b.wheel!.size, sdist: b.sdist!.size }
  }
}

/** The `matrix` output: one entry per selected package, for a job matrix that follows. */
export function matrixOf(packages: readonly PythonPackage[], built: ReadonlyMap<string, BuiltPackage>): string {
  const include = packages.map((p) => {
    const b = built.get(p.id)
    return { package: p.id, name: p.name, path: p.relDir, version: (b && builtVersion(b)) ?? p.version ?? '' }
  })
  return JSON.stringify({ include })
}
