import { DependencyGraph } from '../../packages-shared/graph.js'
import { userError } from './helpers/assertions.js'

// core ← api ← app, core ← utils ← app, plus an isolated `docs` package.
const DIAMOND = [
  { id: 'app', deps: ['api', 'utils'] },
  { id: 'utils', deps: ['core'] },
  { id: 'api', deps: ['core'] },
  { id: 'docs', deps: [] },
  { id: 'core', deps: [] }
]

const cycleError = userError

describe('DependencyGraph', () => {
  test('ids are sorted', () => {
    expect(new DependencyGraph(DIAMOND).ids()).toEqual(['api', 'app', 'core', 'docs', 'utils'])
  })

  test('levels group packages that only depend on earlier levels, sorted by name', () => {
    expect(new DependencyGraph(DIAMOND).levels()).toEqual([['core', 'docs'], ['api', 'utils'], ['app']])
  })

  test('topological order puts dependencies first', () => {
    const order = new DependencyGraph(DIAMOND).topologicalOrder()
    expect(order).toEqual(['core', 'docs', 'api', 'utils', 'app'])
    for (const node of DIAMOND) {
      for (const dep of node.deps) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(node.id))
    }
  })

  test('topological order is stable whatever the input order', () => {
    const expected = new DependencyGraph(DIAMOND).topologicalOrder()
    const permutations = [
      [...DIAMOND].reverse(),
      [DIAMOND[2]!, DIAMOND[4]!, DIAMOND[0]!, DIAMOND[3]!, DIAMOND[1]!],
      DIAMOND.map((n) => ({ ...n, deps: [...n.deps].reverse() }))
    ]
    for (const nodes of permutations) expect(new DependencyGraph(nodes).topologicalOrder()).toEqual(expected)
  })

  test('a chain is ordered by dependency, not by name', () => {
    const g = new DependencyGraph([
      { id: 'a', deps: ['b'] },
      { id: 'b', deps: ['c'] },
      { id: 'c', deps: [] }
    ])
    expect(g.topologicalOrder()).toEqual(['c', 'b', 'a'])
    expect(g.levels()).toEqual([['c'], ['b'], ['a']])
  })

  test('unknown deps and self-dependencies are ignored', () => {
    const g = new DependencyGraph([
      { id: 'a', deps: ['numpy', 'a'] },
      { id: 'b', deps: ['a', 'requests'] }
    ])
    expect(g.depsOf('a')).toEqual([])
    expect(g.depsOf('b')).toEqual(['a'])
    expect(g.topologicalOrder()).toEqual(['a', 'b'])
  })

  test('depsOf and directDependentsOf are direct and sorted', () => {
    const g = new DependencyGraph(DIAMOND)
    expect(g.depsOf('app')).toEqual(['api', 'utils'])
    expect(g.depsOf('core')).toEqual([])
    expect(g.depsOf('missing')).toEqual([])
    expect(g.directDependentsOf('core')).toEqual(['api', 'utils'])
    expect(g.directDependentsOf('app')).toEqual([])
  })

  test('dependentsOf is transitive and excludes the start unless something depends on it', () => {
    const g = new DependencyGraph(DIAMOND)
    expect([...g.dependentsOf(['core'])].sort()).toEqual(['api', 'app', 'utils'])
    expect([...g.dependentsOf(['api'])].sort()).toEqual(['app'])
    expect([...g.dependentsOf(['app'])]).toEqual([])
    expect([...g.dependentsOf(['docs'])]).toEqual([])
    expect([...g.dependentsOf(['api', 'docs'])].sort()).toEqual(['app'])
    expect([...g.dependentsOf([])]).toEqual([])
  })

  test('dependenciesOf is transitive', () => {
    const g = new DependencyGraph(DIAMOND)
    expect([...g.dependenciesOf(['app'])].sort()).toEqual(['api', 'core', 'utils'])
    expect([...g.dependenciesOf(['api'])].sort()).toEqual(['core'])
    expect([...g.dependenciesOf(['core'])]).toEqual([])
    expect([...g.dependenciesOf(['api', 'utils'])].sort()).toEqual(['core'])
  })

  test('an empty graph has no levels', () => {
    expect(new DependencyGraph([]).levels()).toEqual([])
  })

  test('a cycle is reported as a UserError showing its path', () => {
    const g = new DependencyGraph([
      { id: 'c', deps: ['a'] },
      { id: 'a', deps: ['b'] },
      { id: 'b', deps: ['c'] }
    ])
    const error = cycleError(() => g.topologicalOrder())
    expect(error.message).toContain('a → b → c → a')
    expect(error.message).toMatch(/cycle/)
    expect(error.message).not.toMatch(/\n/)
  })

  test('the cycle path leaves out packages that only hang off the cycle', () => {
    const g = new DependencyGraph([
      { id: 'base', deps: [] },
      { id: 'top', deps: ['x'] },
      { id: 'x', deps: ['y', 'base'] },
      { id: 'y', deps: ['x'] }
    ])
    const error = cycleError(() => g.levels())
    // `top` depends on the cycle but is not part of it.
    expect(error.message).toContain('x → y → x')
    expect(error.message).not.toContain('top')
    expect(error.message).not.toContain('base')
  })

  test('a two-node cycle', () => {
    const g = new DependencyGraph([
      { id: 'p', deps: ['q'] },
      { id: 'q', deps: ['p'] }
    ])
    expect(cycleError(() => g.topologicalOrder()).message).toContain('p → q → p')
  })
})

describe('edges through extras and dependency groups', () => {
  // core[testing] → core-testing → core: pip installs it; ordering must not refuse it.
  const g = new DependencyGraph([
    { id: 'core', deps: [], extras: { testing: ['core-testing'] }, groups: { dev: ['lint-rules'] } },
    { id: 'core-testing', deps: ['core'] },
    { id: 'lint-rules', deps: [] },
    { id: 'app', deps: ['core'], extras: { all: ['core-testing', 'not-in-repo'] } }
  ])

  test('only runtime edges order the build', () => {
    expect(g.levels()).toEqual([
      ['core', 'lint-rules'],
      ['app', 'core-testing']
    ])
    expect(g.depsOf('core')).toEqual([])
  })

  test('each edge keeps its kind and the extra or group that carries it; unknown ids are dropped', () => {
    expect(g.edgesOf('core')).toEqual([
      { from: 'core', to: 'core-testing', kind: 'extra', via: 'testing' },
      { from: 'core', to: 'lint-rules', kind: 'group', via: 'dev' }
    ])
    expect(g.edgesOf('app')).toEqual([
      { from: 'app', to: 'core', kind: 'runtime' },
      { from: 'app', to: 'core-testing', kind: 'extra', via: 'all' }
    ])
  })

  test('environments follow the extras and groups asked for, through cycles', () => {
    expect([...g.environmentOf(['core'])].sort()).toEqual(['core', 'core-testing', 'lint-rules'])
    expect([...g.environmentOf(['core'], { extras: ['testing'], groups: [] })].sort()).toEqual(['core', 'core-testing'])
    expect([...g.environmentOf(['app'], { extras: [], groups: [] })].sort()).toEqual(['app', 'core'])
  })

  test('dependents follow runtime edges only', () => {
    expect([...g.dependentsOf(['core-testing'])]).toEqual([])
    expect([...g.dependentsOf(['core'])].sort()).toEqual(['app', 'core-testing'])
  })
})
