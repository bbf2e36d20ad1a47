/**
 * Discovery on fixtures that each reproduce one real layout's quirk (see
 * __tests__/fixtures/workspaces/README.md): names, versions, folders, edges by kind and the
 * build order. The setup.py-only fixture runs setuptools' real PEP 517 metadata hook.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { commonNamePrefix, resolvePackageName, selectPackages } from '../../packages-shared/context.js'
import { discoverWorkspace, type Workspace } from '../../packages-shared/workspace.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { runCommand } from '../../packages-shared/exec.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'workspaces')
const tempDir = tempDirs('dk-layouts-')

function discover(name: string): Workspace {
  return discoverWorkspace(path.join(FIXTURES, name))
}

/** [id, version, relDir] in build order. */
function rows(ws: Workspace): [string, string | undefined, string][] {
  return ws.packages.map((p) => [p.id, p.version, p.relDir])
}

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

describe('libs/* Poetry projects with path dev-dependencies and no root pyproject', () => {
  const ws = discover('libs-poetry')

  test('finds the three libs, not docs/, examples/ or the 0-byte fixture under tests/', () => {
    expect(ws.rootPyproject).toBeUndefined()
    expect(rows(ws)).toEqual([
      ['flowgraph-checkpoint', '2.0.1', 'libs/checkpoint'],
      ['flowgraph-prebuilt', '0.3.0', 'libs/prebuilt'],
      ['flowgraph', '0.4.5', 'libs/flowgraph']
    ])
    expect(ws.packages.every((p) => p.backend === 'poetry' && p.metadataSource === 'static')).toBe(true)
  })

  test('runtime edges order the build; the dev path dependency back to flowgraph is a group edge', () => {
    const prebuilt = ws.get('flowgraph-prebuilt')!
    expect(prebuilt.internalDeps).toEqual(['flowgraph-checkpoint'])
    expect(prebuilt.internalGroupDeps).toEqual({ dev: ['flowgraph'] })
    expect(ws.get('flowgraph')!.internalDeps).toEqual(['flowgraph-checkpoint', 'flowgraph-prebuilt'])
    expect(ws.graph.edgesOf('flowgraph-prebuilt')).toEqual([
      { from: 'flowgraph-prebuilt', to: 'flowgraph-checkpoint', kind: 'runtime' },
      { from: 'flowgraph-prebuilt', to: 'flowgraph', kind: 'group', via: 'dev' }
    ])
    expect(ws.graph.levels()).toEqual([['flowgraph-checkpoint'], ['flowgraph-prebuilt'], ['flowgraph']])
  })

  test('the flowgraph namespace is shared: import names are dotted below it', () => {
    expect(ws.get('flowgraph-checkpoint')!.importNames).toEqual(['flowgraph.checkpoint'])
    expect(ws.get('flowgraph-checkpoint')!.namespaces).toEqual(['flowgraph'])
    expect(ws.get('flowgraph')!.importNames).toEqual(['flowgraph.graph'])
  })

  test("requires-python comes from Poetry's python constraint", () => {
    expect(ws.packages.map((p) => p.requiresPython)).toEqual(['>=3.9', '>=3.9', '>=3.9'])
  })
})

describe('tests shipped inside the packages (setup-py-inner-tests)', () => {
  const ws = discover('setup-py-inner-tests')

  test('a package with no tests/ folder but *_test.py modules below it is its own suite', () => {
    expect(ws.packages.map((p) => [p.id, p.testsDir && (path.relative(ws.root, p.testsDir) || '.')])).toEqual([
      ['core', 'core'],
      ['addon', 'addon']
    ])
  })

  test('a package with no test module anywhere below it has no suite', () => {
    const dir = tempDir()
    fs.cpSync(path.join(FIXTURES, 'setup-py-inner-tests'), dir, { recursive: true })
    fs.rmSync(path.join(dir, 'addon', 'src', 'addon', '_internal', 'tests', 'section_test.py'))
    expect(discoverWorkspace(dir).get('addon')!.testsDir).toBeUndefined()
  })

  test('the extras of a setup.py come from its metadata', () => {
    expect(ws.get('core')!.extras).toEqual({ test: ['tomli-w'], dev: ['text-unidecode'] })
  })

  test("a test module inside a nested package is the nested package's, not the outer one's", () => {
    const dir = tempDir()
    const put = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
      fs.writeFileSync(path.join(dir, rel), text)
    }
    const project = (name: string): string => `[project]\nname = "${name}"\nversion = "1.0.0"\n`
    put('outer/pyproject.toml', project('outer'))
    put('outer/outer/__init__.py', '')
    put('outer/plugins/inner/pyproject.toml', project('inner'))
    put('outer/plugins/inner/inner/__init__.py', '')
    put('outer/plugins/inner/inner/calc_test.py', 'def test_one():\n    assert True\n')
    const found = discoverWorkspace(dir)
    expect(found.get('outer')!.testsDir).toBeUndefined()
    expect(found.get('inner')!.testsDir).toBe(path.join(dir, 'outer/plugins/inner'))
  })
})

describe('setup.py-only distributions without [build-system]', () => {
  const ws = discover('setup-py-only')

  test("names, versions and f-string requirements come from setuptools' PEP 517 hook", () => {
    expect(rows(ws)).toEqual([
      ['wire', '3.1.0.dev0', 'wire'],
      ['client', '3.1.0.dev0', 'client'],
      ['client-plugin-dns', '3.1.0.dev0', 'client-plugin-dns']
    ])
    for (const p of ws.packages) {
      expect(p.metadataSource).toBe('pep517')
      expect(p.backend).toBe('setuptools')
      expect(p.buildBackend).toBeUndefined()
      expect(p.requiresPython).toBe('>=3.9')
    }
    // setup.py computed these from its regex over __init__.py; the hook gives the real strings.
    expect(ws.get('client')!.dependencies).toEqual(['wire>=3.1.0.dev0'])
    expect(ws.get('client-plugin-dns')!.dependencies).toEqual(['wire>=3.1.0.dev0', 'client>=3.1.0.dev0'])
    expect(ws.get('wire')!.extras).toEqual({ test: ['pytest'] })
    expect(ws.graph.levels()).toEqual([['wire'], ['client'], ['client-plugin-dns']])
  })

  test('the example plugin under client/examples is left out, and no egg-info is left in the tree', () => {
    expect(ws.get('client-example-plugin')).toBeUndefined()
    for (const p of ws.packages) {
      const leftovers = fs.readdirSync(path.join(p.dir, 'src')).filter((f) => f.endsWith('.egg-info'))
      expect(leftovers).toEqual([])
      expect(fs.existsSync(path.join(p.dir, 'build'))).toBe(false)
    }
  })

  test('a second discovery answers from the cache keyed by the files, and a changed file is read again', () => {
    const dir = tempDir()
    fs.cpSync(path.join(FIXTURES, 'setup-py-only'), dir, { recursive: true })
    const cacheDir = path.join(tempDir(), 'cache')
    expect(discoverWorkspace(dir, { cacheDir }).get('wire')!.version).toBe('3.1.0.dev0')
    const cached = fs.readdirSync(path.join(cacheDir, 'pep517-metadata'))
    expect(cached).toHaveLength(3)
    // The client's version is in its __init__.py, which is part of the key.
    const init = path.join(dir, 'client', 'src', 'client', '__init__.py')
    fs.writeFileSync(init, fs.readFileSync(init, 'utf8').replace('3.1.0.dev0', '3.2.0'))
    const again = discoverWorkspace(dir, { cacheDir })
    expect(again.get('client')!.version).toBe('3.2.0')
    expect(again.get('client')!.dependencies).toEqual(['wire>=3.2.0'])
    expect(fs.readdirSync(path.join(cacheDir, 'pep517-metadata'))).toHaveLength(4)
  })
})

describe('a cycle through an extra is not a cycle for ordering', () => {
  const ws = discover('extras-cycle')

  test('the root package core and its member core-testing are ordered core first', () => {
    expect(ws.kind).toBe('uv-workspace')
    expect(rows(ws)).toEqual([
      ['core', '1.0.0', '.'],
      ['core-testing', '1.0.0', 'packages/core-testing']
    ])
    expect(ws.get('core')!.internalDeps).toEqual([])
    expect(ws.get('core')!.internalExtraDeps).toEqual({ testing: ['core-testing'] })
    expect(ws.get('core')!.internalGroupDeps).toEqual({ dev: ['core-testing'] })
    expect(ws.get('core-testing')!.internalDeps).toEqual(['core'])
  })

  test('the extra still shapes environments: core[testing] needs core-testing', () => {
    expect([...ws.graph.environmentOf(['core'], { extras: ['testing'] })].sort()).toEqual(['core', 'core-testing'])
    expect([...ws.graph.environmentOf(['core'], { extras: [], groups: [] })]).toEqual(['core'])
    expect(ws.graph.dependentsOf(['core'])).toEqual(new Set(['core-testing']))
  })

  test('the same cycle at run time is still an error naming the path', () => {
    const dir = tempDir()
    fs.cpSync(path.join(FIXTURES, 'extras-cycle'), dir, { recursive: true })
    const file = path.join(dir, 'pyproject.toml')
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('dependencies = []', 'dependencies = ["core-testing"]'))
    expect(userError(() => discoverWorkspace(dir)).message).toContain('cycle: core → core-testing → core.')
  })
})

describe('uv workspace with a virtual root and a PEP 420 namespace with dotted names', () => {
  const ws = discover('uv-namespace')

  test('two members with dotted names, versions from __init__.py; not the root, not deployment/aws', () => {
    expect(ws.kind).toBe('uv-workspace')
    expect(rows(ws)).toEqual([
      ['mapkit-core', '1.0.0', 'src/mapkit/core'],
      ['mapkit-server', '1.0.0', 'src/mapkit/server']
    ])
    expect(ws.packages.map((p) => p.name)).toEqual(['mapkit.core', 'mapkit.server'])
    expect(ws.packages.every((p) => p.metadataSource === 'static')).toBe(true)
  })

  test('import roots sit below the mapkit namespace; the extra on an internal requirement is a runtime edge', () => {
    const core = ws.get('mapkit.core')!
    expect(core.importNames).toEqual(['mapkit.core'])
    expect(core.namespaces).toEqual(['mapkit'])
    expect(core.modules).toEqual([])
    expect(core.testsDir).toBe(path.join(core.dir, 'tests'))
    expect(ws.get('mapkit-server')!.internalDeps).toEqual(['mapkit-core'])
    expect(core.extras).toEqual({ telemetry: ['opentelemetry-api'] })
    expect(core.groups).toEqual({ test: ['pytest>=8'] })
  })
})

describe('a polyglot repository: python/ and python/instrumentation/<x>', () => {
  const ws = discover('polyglot')

  test('finds both hatchling dists and skips the folder that holds only examples/', () => {
    expect(ws.kind).toBe('tree')
    expect(rows(ws)).toEqual([
      ['tracekit-semconv', '0.1.32', 'python/tracekit-semconv'],
      ['tracekit-instrumentation-alpha', '0.2.0', 'python/instrumentation/tracekit-instrumentation-alpha']
    ])
    expect(ws.get('tracekit-instrumentation-alpha')!.importNames).toEqual(['tracekit.instrumentation.alpha'])
    expect(ws.get('tracekit-instrumentation-alpha')!.requiresPython).toBe('>=3.10, <3.15')
    expect(ws.get('tracekit-instrumentation-alpha')!.internalDeps).toEqual(['tracekit-semconv'])
  })
})

describe('what the scan leaves out, and the table that overrides it', () => {
  test('[tool.dk-actions] packages brings a fixture in; exclude leaves a folder out', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[tool.dk-actions]\npackages = ["tests/fixture-pkg"]\nexclude = ["tools/*"]\n')
    write(dir, 'lib/pyproject.toml', '[project]\nname = "lib"\nversion = "1.0"\n')
    write(dir, 'lib/lib/__init__.py', '')
    write(dir, 'tests/fixture-pkg/pyproject.toml', '[project]\nname = "fixture-pkg"\nversion = "0.1"\n')
    write(dir, 'tests/fixture-pkg/fixture_pkg.py', '')
    write(dir, 'tests/other/pyproject.toml', '[project]\nname = "other"\nversion = "0.1"\n')
    write(dir, 'tools/helper/pyproject.toml', '[project]\nname = "helper"\nversion = "0.1"\n')
    write(dir, 'tools/helper/helper.py', '')
    // A nested uv workspace used as an example, under a longer folder name.
    write(
      dir,
      'lib/uv-examples/monorepo/pyproject.toml',
      '[project]\nname = "mono"\nversion = "0.1"\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    )
    write(dir, 'lib/uv-examples/monorepo/packages/m/pyproject.toml', '[project]\nname = "m"\nversion = "0.1"\n')
    write(dir, 'lib/uv-examples/monorepo/packages/m/m.py', '')
    expect(
      discoverWorkspace(dir)
        .packages.map((p) => p.relDir)
        .sort()
    ).toEqual(['lib', 'tests/fixture-pkg'])
  })

  test('a 0-byte pyproject.toml, package-mode = false and a folder without Python are not distributions', () => {
    const dir = tempDir()
    write(dir, 'a/pyproject.toml', '')
    write(dir, 'a/a.py', '')
    write(dir, 'b/pyproject.toml', '[tool.poetry]\nname = "b"\npackage-mode = false\n')
    write(
      dir,
      'c/pyproject.toml',
      '[project]\nname = "c"\nversion = "1"\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    write(dir, 'c/README.md', 'no code here')
    write(dir, 'd/pyproject.toml', '[project]\nname = "d"\nversion = "1"\n')
    write(dir, 'd/d.py', '')
    const ws = discoverWorkspace(dir)
    expect(ws.packages.map((p) => p.id)).toEqual(['d'])
    expect(ws.leftOut).toEqual([{ relDir: 'c', reason: 'no Python sources' }])
  })

  test('outside git, .gitignore is honoured; inside git, untracked but ignored folders are skipped too', () => {
    const dir = tempDir()
    write(dir, '.gitignore', 'scratch/\n')
    write(dir, 'scratch/copy/pyproject.toml', '[project]\nname = "copy"\nversion = "1"\n')
    write(dir, 'scratch/copy/copy.py', '')
    write(dir, 'real/pyproject.toml', '[project]\nname = "real"\nversion = "1"\n')
    write(dir, 'real/real.py', '')
    expect(discoverWorkspace(dir).packages.map((p) => p.id)).toEqual(['real'])
  })

  test('a nameless [project] in a scanned folder is a one-line error naming the file', () => {
    const dir = tempDir()
    write(dir, 'lib/pyproject.toml', '[project]\nversion = "1"\n')
    write(dir, 'lib/lib.py', '')
    expect(userError(() => discoverWorkspace(dir)).message).toContain(
      `${path.join(dir, 'lib', 'pyproject.toml')} has [project] but no package name`
    )
  })
})

describe('short names in the packages input', () => {
  test('the common prefix is dash-separated and leaves part of every name', () => {
    expect(commonNamePrefix(['dataknobs-common', 'dataknobs-utils'])).toBe('dataknobs-')
    expect(commonNamePrefix(['flowgraph', 'flowgraph-prebuilt'])).toBe('')
    expect(commonNamePrefix(['only-one'])).toBe('')
    expect(commonNamePrefix(['a-b-c', 'a-b-d'])).toBe('a-b-')
  })

  test('a folder name or the name without the common prefix selects one package', async () => {
    const ws = discover('polyglot')
    expect(resolvePackageName(ws, 'semconv').id).toBe('tracekit-semconv')
    expect(resolvePackageName(ws, 'tracekit-instrumentation-alpha').id).toBe('tracekit-instrumentation-alpha')
    expect(resolvePackageName(ws, 'instrumentation-alpha').id).toBe('tracekit-instrumentation-alpha')
    const sel = await selectPackages(ws, { mode: 'list', items: ['semconv'] }, 'HEAD', runCommand)
    expect(sel.packages.map((p) => p.id)).toEqual(['tracekit-semconv'])
    // Folder names: checkpoint is libs/checkpoint.
    expect(resolvePackageName(discover('libs-poetry'), 'checkpoint').id).toBe('flowgraph-checkpoint')
  })

  test('the example monorepo takes `common` for dataknobs-common', () => {
    const ws = discoverWorkspace(path.resolve(FIXTURES, '..', '..', '..', 'examples', 'monorepo'))
    expect(commonNamePrefix(ws.packages.map((p) => p.id))).toBe('dataknobs-')
    expect(resolvePackageName(ws, 'common').id).toBe('dataknobs-common')
    expect(resolvePackageName(ws, 'packages/utils').id).toBe('dataknobs-utils')
  })

  test('an ambiguous short name is an error listing the candidates', () => {
    const dir = tempDir()
    write(dir, 'libs/core/pyproject.toml', '[project]\nname = "acme-core"\nversion = "1"\n')
    write(dir, 'libs/core/acme_core.py', '')
    write(dir, 'plugins/core/pyproject.toml', '[project]\nname = "acme-plugin-core"\nversion = "1"\n')
    write(dir, 'plugins/core/acme_plugin_core.py', '')
    const { message } = userError(() => resolvePackageName(discoverWorkspace(dir), 'core'))
    expect(message).toContain('"core", which is ambiguous')
    expect(message).toContain('acme-core (libs/core)')
    expect(message).toContain('acme-plugin-core (plugins/core)')
  })
})
