/**
 * The publish plan: dists grouped by package, packages in the repository's dependency
 * order, and who is held back when a package fails (only what depends on it).
 */
import type { DependencyGraph } from '../../packages-shared/graph.js'
import type { DistKind } from './metadata.js'

export interface DistFile {
  path: string
  filename: string
  kind: DistKind
  /** Normalised project name, from the metadata. */
  id: string
  /** Project name and version as the metadata spells them. */
  name: string
  version: string
  sha256: string
  size: number
}

export type FileState = 'absent' | 'same' | 'different'

export interface PlannedPackage {
  id: string
  name: string
  version: string
  /** Wheels first, then the sdist: installers prefer wheels, so they should land first. */
  files: DistFile[]
  /** Repository packages this one needs (normalised names), for the summary. */
  dependsOn: string[]
}

export function orderPackages(files: readonly DistFile[], graph?: DependencyGraph): PlannedPackage[] {
  const byId = new Map<string, DistFile[]>()
  for (const f of files) byId.set(f.id, [...(byId.get(f.id) ?? []), f])
  const known = graph ? graph.topologicalOrder() : []
  const rank = (id: string): number => {
    const i = known.indexOf(id)
    return i < 0 ? known.length : i
  }
  const ids = [...byId.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  return ids.map((id) => {
    const mine = byId
      .get(id)!
      .slice()
      .sort((a, b) => (a.kind === b.kind ? a.filename.localeCompare(b.filename) : a.kind === 'wheel' ? -1 : 1))
    return {
      id,
      name: mine[0]!.name,
      version: mine[0]!.version,
      files: mine,
      dependsOn: graph && known.includes(id) ? [...graph.dependenciesOf([id])].sort() : []
    }
  })
}

/**
 * The failed packages that hold `id` back: those it depends on, directly or through
 * other packages of the repository (published now or not).
 */
export function blockersOf(id: string, failed: Iterable<string>, graph?: DependencyGraph): string[] {
  if (!graph) return []
  const needs = graph.dependenciesOf([id])
  return [...failed].filter((f) => needs.has(f)).sort()
}
