/** One package's build: where it went, what came out, and whether it worked. */
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

/** The pyproject.toml of a package, repository-relative, for findings and annotations. */
export function pyprojectOf(pkg: PythonPackage): string {
  return pkg.relDir === '.' ? 'pyproject.toml' : `${pkg.relDir}/pyproject.toml`
}

export function builtVersion(b: BuiltPackage): string | undefined {
  const meta = b.wheel?.metadata ?? b.sdist?.metadata
  return meta?.fields.get('version')?.[0] ?? b.pkg.version
}
