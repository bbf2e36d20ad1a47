/** Packages below a PEP 420 namespace are given to mypy and pylint by import name. */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { wheelTopLevelModules } from '../../actions/build-packages/dists.js'
import { sourceModules } from '../../actions/build-packages/source-modules.js'
import { IMPORT_SCRIPT, parseImportOutput } from '../../actions/health-check/imports.js'
import { packageOfFile } from '../../packages-shared/tools/coverage.js'
import { tempDirs } from './helpers/assertions.js'
import { planRuns } from '../../actions/run-quality/plan.js'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { pylint } from '../../packages-shared/tools/pylint.js'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import type { ToolInvocation } from '../../packages-shared/tools/tool.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const NS = path.resolve(HERE, '..', 'fixtures', 'workspaces', 'namespace-dotted')
const EXAMPLE = path.resolve(HERE, '..', '..', 'examples', 'monorepo')
const tempDir = tempDirs('dk-ns-')

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

  test("argv and environment: mypy -p per module under MYPYPATH, pylint names under PYTHONPATH, the user's own value kept", () => {
    const inv: ToolInvocation = {
      root: NS,
      cwd: NS,
      targets: [],
      executable: 'x',
      fix: false,
      modules: ['acme.core', 'acme.extras'],
      searchPath: ['/r/a', '/r/b']
    }
    expect(mypy.argv(inv).slice(-4)).toEqual(['-p', 'acme.core', '-p', 'acme.extras'])
    expect(mypy.byModule!(inv, { MYPYPATH: '/stubs' })).toEqual({ MYPYPATH: ['/r/a', '/r/b', '/stubs'].join(path.delimiter) })
    expect(pylint.argv(inv).slice(-2)).toEqual(['acme.core', 'acme.extras'])
    expect(pylint.byModule!(inv, {})).toEqual({ PYTHONPATH: ['/r/a', '/r/b'].join(path.delimiter) })
  })

  test('side-by-side src-layout packages: mypy and pylint get each src/ (not setup.py, docs, examples), other tools the folder', () => {
    const root = path.resolve(HERE, '..', 'fixtures', 'workspaces', 'setup-py-inner-tests')
    const ws = discoverWorkspace(root)
    const [m, p, f] = planRuns(ws.root, [mypy, pylint, flake8], ws.packages, [], true)
    expect(m!.targets).toEqual(['core/src', 'addon/src', 'tests'])
    expect(p!.targets).toEqual(['core/src', 'addon/src', 'tests'])
    expect(f!.targets).toEqual(['core', 'addon', 'tests'])
  })

  test('a classic layout is planned by folder, as before', () => {
    const ws = discoverWorkspace(EXAMPLE)
    for (const run of planRuns(EXAMPLE, [mypy, pylint], ws.packages, [], true)) {
      expect(run.modules).toBeUndefined()
      expect(run.targets.length).toBeGreaterThan(0)
    }
  })
})

describe('namespace packages in build-packages, run-tests and health-check', () => {
  test('a wheel below a namespace provides its real packages; a classic wheel its top-level names', () => {
    expect(wheelTopLevelModules(['acme/core/__init__.py', 'acme/core/greet.py', 'acme_core-1.0.0.dist-info/RECORD'])).toEqual(['acme.core'])
    expect(
      wheelTopLevelModules(['company/providers/openai/__init__.py', 'company/providers/util.py', 'company/types/__init__.py'])
    ).toEqual(['company.providers.openai', 'company.providers.util', 'company.types'])
    expect(
      wheelTopLevelModules([
        'pkg/__init__.py',
        'pkg/sub/x.py',
        'single.py',
        'ext.cpython-311-x86_64-linux-gnu.so',
        'pkg-1.dist-info/METADATA'
      ])
    ).toEqual(['ext', 'pkg', 'single'])
  })

  test('the source modules of a member are those of its real package, named from the namespace', () => {
    const pkg = discoverWorkspace(NS).get('acme.core')!
    expect(sourceModules(pkg).map((m) => [m.name, m.importPath, m.packagePath])).toEqual([
      ['acme.core', 'acme/core/__init__.py', 'acme/core/__init__.py'],
      ['acme.core.greet', 'acme/core/greet.py', 'acme/core/greet.py']
    ])
  })

  test('coverage of an installed copy is attributed by the real package, not the shared namespace', () => {
    const ws = discoverWorkspace(NS)
    expect(packageOfFile('/venv/lib/python3.11/site-packages/acme/core/greet.py', NS, ws.packages)?.id).toBe('acme-core')
    expect(packageOfFile('/venv/lib/python3.11/site-packages/acme/extras/shout.py', NS, ws.packages)?.id).toBe('acme-extras')
    expect(packageOfFile('src/acme/core/acme/core/greet.py', NS, ws.packages)?.id).toBe('acme-core')
  })

  test('health-check imports the real package an installed distribution provides below a namespace (RECORD and top_level.txt)', () => {
    const site = tempDir()
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(site, rel)), { recursive: true })
      fs.writeFileSync(path.join(site, rel), text)
    }
    write('acme/core/__init__.py', 'VALUE = 1\n')
    write('acme_core-1.0.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: acme.core\nVersion: 1.0.0\n')
    write(
      'acme_core-1.0.0.dist-info/RECORD',
      'acme/core/__init__.py,,\nacme_core-1.0.0.dist-info/METADATA,,\nacme_core-1.0.0.dist-info/RECORD,,\n'
    )
    const run = (): ReturnType<typeof parseImportOutput> =>
      parseImportOutput(
        execFileSync('python3', ['-c', IMPORT_SCRIPT, JSON.stringify({ packages: ['acme.core'], imports: [] })], {
          env: { ...process.env, PYTHONPATH: site },
          encoding: 'utf8'
        })
      )
    expect(run().imports.map((i) => [i.module, i.ok])).toEqual([['acme.core', true]])
    write('acme_core-1.0.0.dist-info/top_level.txt', 'acme\n')
    expect(run().dists[0]!.modules).toEqual(['acme.core'])
  })
})
