/** Packages below a PEP 420 namespace are given to mypy and pylint by import name. */
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { planRuns } from '../../actions/run-quality/plan.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { pylint } from '../../packages-shared/tools/pylint.js'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import type { ToolInvocation } from '../../packages-shared/tools/tool.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const NS = path.resolve(HERE, '..', 'fixtures', 'workspaces', 'namespace-dotted')
const EXAMPLE = path.resolve(HERE, '..', '..', 'examples', 'monorepo')

describe('namespace packages in run-quality', () => {
  test('the fixture workspace has two members, each shipping a real package below acme', () => {
    const ws = discoverWorkspace(NS)
    expect(ws.packages.map((p) => p.id).sort()).toEqual(['acme-core', 'acme-extras'])
  })

  test('mypy and pylint get the members by import name with their roots on the search path; flake8 keeps folders', () => {
    const ws = discoverWorkspace(NS)
    const runs = planRuns(NS, [mypy, pylint, flake8], ws.packages, [], true)
    const roots = [path.join(NS, 'src/acme/core'), path.join(NS, 'src/acme/extras')]
    for (const tool of [mypy, pylint]) {
      const run = runs.find((r) => r.tool === tool)!
      expect(run.targets).toEqual([])
      expect(run.modules!.sort()).toEqual(['acme.core', 'acme.extras'])
      expect([...run.searchPath!].sort()).toEqual(roots)
      expect([...run.modulePaths!].sort()).toEqual([path.join(roots[0]!, 'acme/core'), path.join(roots[1]!, 'acme/extras')])
    }
    const folders = runs.find((r) => r.tool === flake8)!
    expect(folders.targets).toEqual(['src/acme/core', 'src/acme/extras'])
    expect(folders.modules).toBeUndefined()
  })

  test('argv and environment: mypy -p per module under MYPYPATH, pylint names under PYTHONPATH, the user\'s own value kept', () => {
    const inv: ToolInvocation = { root: NS, cwd: NS, targets: [], executable: 'x', fix: false, modules: ['acme.core', 'acme.extras'], searchPath: ['/r/a', '/r/b'] }
    expect(mypy.argv(inv).slice(-4)).toEqual(['-p', 'acme.core', '-p', 'acme.extras'])
    expect(mypy.byModule!(inv, { MYPYPATH: '/stubs' })).toEqual({ MYPYPATH: ['/r/a', '/r/b', '/stubs'].join(path.delimiter) })
    expect(pylint.argv(inv).slice(-2)).toEqual(['acme.core', 'acme.extras'])
    expect(pylint.byModule!(inv, {})).toEqual({ PYTHONPATH: ['/r/a', '/r/b'].join(path.delimiter) })
  })

  test('a classic layout is planned by folder, as before', () => {
    const ws = discoverWorkspace(EXAMPLE)
    for (const run of planRuns(EXAMPLE, [mypy, pylint], ws.packages, [], true)) {
      expect(run.modules).toBeUndefined()
      expect(run.targets.length).toBeGreaterThan(0)
    }
  })
})
