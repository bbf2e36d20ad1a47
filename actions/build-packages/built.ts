/** One package's build: where it went, what came out, and whether it worked. */
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
  const file = pkg.metadataSource === 'pep517'
    ? (['pyproject.toml', 'setup.py', 'setup.cfg'].find((f) => fs.existsSync(path.join(pkg.dir, f))) ?? 'pyproject.toml')
    : 'pyproject.toml'
  return pkg.relDir === '.' ? file : `${pkg.relDir}/${file}`
}

export function builtVersion(b: BuiltPackage): string | undefined {
  const meta = b.wheel?.metadata ?? b.sdist?.metadata
  return meta?.fields.get('version')?.[0] ?? b.pkg.version
}
