/**
 * The dependency graph between a repository's own packages: a stable topological order
 * (dependencies first, ties by name), levels for parallel work, dependents of a set, and
 * cycles reported with their path.
 *
 * Only runtime requirements order builds and publishes. Edges through an extra or a
 * dependency group are kept as their own kinds: pip installs `core[testing]` → `core-testing`
 * → `core` without trouble, so they never make a cycle; they still say what a test
 * environment needs.
 */
import { UserError } from './errors.js'

export type EdgeKind = 'runtime' | 'extra' | 'group'

export interface GraphNode {
  /** Normalised name (PEP 503). */
  id: string
  /** Normalised names of the repository packages this one needs at run time. */
  deps: readonly string[]
  /** Repository packages needed only through an extra (`core[testing]`), by extra name. */
  extras?: Readonly<Record<string, readonly string[]>>
  /** Repository packages needed only by a dependency group (dev, test), by group name. */
  groups?: Readonly<Record<string, readonly string[]>>
}

export interface Edge {
  from: string
  to: string
  kind: EdgeKind
  /** The extra or group that carries a non-runtime edge. */
  via?: string
}

export class DependencyGraph {
  private readonly deps = new Map<string, string[]>()
  private readonly dependents = new Map<string, string[]>()
  private readonly optional = new Map<string, Edge[]>()

  constructor(nodes: readonly GraphNode[]) {
    for (const node of nodes) this.deps.set(node.id, [])
    for (const node of nodes) {
      const edges: Edge[] = []
      for (const [kind, byName] of [
        ['extra', node.extras],
        ['group', node.groups]
      ] as const) {
        for (const [via, deps] of Object.entries(byName ?? {})) {
          for (const to of deps) if (this.deps.has(to) && to !== node.id) edges.push({ from: node.id, to, kind, via })
        }
      }
      this.optional.set(node.id, edges)
      for (const dep of node.deps) {
        if (!this.deps.has(dep) || dep === node.id) continue
        this.deps.get(node.id)!.push(dep)
        const list = this.dependents.get(dep) ?? []
        list.push(node.id)
        this.dependents.set(dep, list)
      }
    }
  }

  ids(): string[] {
    return [...this.deps.keys()].sort()
  }

  depsOf(id: string): string[] {
    return [...(this.deps.get(id) ?? [])].sort()
  }

  /** Every edge out of `id`: runtime ones first, then those through extras and groups. */
  edgesOf(id: string): Edge[] {
    return [...this.depsOf(id).map((to): Edge => ({ from: id, to, kind: 'runtime' })), ...(this.optional.get(id) ?? [])]
  }

  /**
   * The repository packages an environment for `ids` needs: their runtime closure, plus what
   * the named extras and groups (all of them when `which` is undefined) pull in, followed
   * through the runtime requirements (and the same extras) of each. Cycles are fine here.
   */
  environmentOf(ids: Iterable<string>, which?: { extras?: readonly string[]; groups?: readonly string[] }): Set<string> {
    const seen = new Set<string>()
    const stack = [...ids]
    while (stack.length > 0) {
      const id = stack.pop()!
      if (seen.has(id) || !this.deps.has(id)) continue
      seen.add(id)
      stack.push(...(this.deps.get(id) ?? []))
      for (const e of this.optional.get(id) ?? []) {
        const wanted = e.kind === 'extra' ? which?.extras : which?.groups
        if (wanted === undefined || wanted.includes(e.via!)) stack.push(e.to)
      }
    }
    return seen
  }

  directDependentsOf(id: string): string[] {
    return [...(this.dependents.get(id) ?? [])].sort()
  }

  /** Every package that depends, directly or not, on one of `ids`. */
  dependentsOf(ids: Iterable<string>): Set<string> {
    const seen = new Set<string>()
    const stack = [...ids]
    while (stack.length > 0) {
      const id = stack.pop()!
      for (const d of this.dependents.get(id) ?? []) {
        if (!seen.has(d)) {
          seen.add(d)
          stack.push(d)
        }
      }
    }
    return seen
  }

  /** Every package `ids` depend on, directly or not. */
  dependenciesOf(ids: Iterable<string>): Set<string> {
    const seen = new Set<string>()
    const stack = [...ids]
    while (stack.length > 0) {
      const id = stack.pop()!
      for (const d of this.deps.get(id) ?? []) {
        if (!seen.has(d)) {
          seen.add(d)
          stack.push(d)
        }
      }
    }
    return seen
  }

  /** Levels: each level depends only on earlier ones, so a level can run in parallel. */
  levels(): string[][] {
    // Kahn's algorithm level by level: each edge is visited once, so a chain of thousands
    // of packages costs no more per package than a flat set (a rescan per level would be quadratic).
    const waiting = new Map([...this.deps].map(([id, deps]) => [id, new Set(deps).size]))
    let ready = [...waiting].filter(([, n]) => n === 0).map(([id]) => id)
    const levels: string[][] = []
    let placed = 0
    while (ready.length > 0) {
      ready.sort()
      levels.push(ready)
      placed += ready.length
      const next: string[] = []
      for (const id of ready) {
        for (const d of new Set(this.dependents.get(id) ?? [])) {
          const n = waiting.get(d)! - 1
          waiting.set(d, n)
          if (n === 0) next.push(d)
        }
      }
      ready = next
    }
    if (placed < waiting.size) {
      const done = new Set(levels.flat())
      throw this.cycleError([...waiting.keys()].filter((id) => !done.has(id)))
    }
    return levels
  }

  /** Dependencies first; ties broken by name so the order is stable. */
  topologicalOrder(): string[] {
    return this.levels().flat()
  }

  /** Finds one cycle among `candidates` and reports it as a path a → b → a. */
  private cycleError(candidates: string[]): UserError {
    const inCycle = new Set(candidates)
    const start = candidates.sort()[0]!
    const pathIds: string[] = [start]
    const seen = new Map<string, number>([[start, 0]])
    let current = start
    for (;;) {
      const next = (this.deps.get(current) ?? []).filter((d) => inCycle.has(d)).sort()[0]
      if (next === undefined) break
      if (seen.has(next)) {
        const cycle = [...pathIds.slice(seen.get(next)), next]
        return new UserError(
          `The repository's packages depend on each other in a cycle: ${cycle.join(' → ')}. ` +
            'Remove one of these dependencies so the packages can be ordered.'
        )
      }
      seen.set(next, pathIds.length)
      pathIds.push(next)
      current = next
    }
    return new UserError(`The packages ${candidates.join(', ')} depend on each other in a cycle.`)
  }
}
