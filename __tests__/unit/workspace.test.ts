import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  detectBackend,
  discoverWorkspace,
  expandGlob,
  hasPythonSources,
  readToml,
  type Workspace
} from '../../packages-shared/workspace.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { NoPythonPackagesError } from '../../packages-shared/errors.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const FIXTURES = path.resolve(HERE, '..', 'fixtures', 'workspaces')
const EXAMPLE = path.resolve(HERE, '..', '..', 'examples', 'monorepo')

function fixture(name: string): string {
  return path.join(FIXTURES, name)
}

function pkg(ws: Workspace, id: string) {
  const found = ws.get(id)
  expect(found).toBeDefined()
  return found!
}

const tempDir = tempDirs('dk-ws-')
function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

describe('fixture workspaces', () => {
  test.each([
    ['uv-hatch', 'uv-workspace', ['alpha-lib', 'beta-lib', 'gamma-lib']],
    ['poetry-path', 'poetry-paths', ['core-lib', 'api-lib', 'poetry-app']],
    ['pep621', 'packages-dir', ['one', 'two']],
    ['single', 'single', ['solo']],
    ['dynamic-version', 'packages-dir', ['dyn']]
  ])('%s is a %s workspace with packages in dependency order %j', (name, kind, order) => {
    const ws = discoverWorkspace(fixture(name))
    expect(ws.kind).toBe(kind)
    expect(ws.root).toBe(fixture(name))
    expect(ws.packages.map((p) => p.id)).toEqual(order)
    expect(ws.graph.topologicalOrder()).toEqual(order)
  })

  test.each([
    ['uv-hatch', 'alpha-lib', 'Alpha_Lib', '0.1.0', 'hatchling', 'libs/alpha', []],
    ['uv-hatch', 'beta-lib', 'beta-lib', '0.2.0', 'hatchling', 'libs/beta', ['alpha-lib']],
    ['uv-hatch', 'gamma-lib', 'gamma-lib', '0.3.0', 'hatchling', 'libs/gamma', ['beta-lib']],
    ['poetry-path', 'poetry-app', 'poetry-app', '0.1.0', 'poetry', '.', ['api-lib', 'core-lib']],
    ['poetry-path', 'core-lib', 'core-lib', '1.2.0', 'poetry', 'components/core-lib', []],
    ['poetry-path', 'api-lib', 'api-lib', '0.9.1', 'poetry', 'components/api-lib', ['core-lib']],
    ['pep621', 'one', 'one', '0.1.0', 'setuptools', 'packages/one', []],
    ['pep621', 'two', 'two', '0.2.0', 'setuptools', 'packages/two', ['one']],
    ['single', 'solo', 'solo', '2.3.4', 'hatchling', '.', []],
    ['dynamic-version', 'dyn', 'dyn', '0.4.2', 'hatchling', 'packages/dyn', []]
  ])('%s: %s is %j %s (%s) at %s with internal deps %j', (name, id, declared, version, backend, relDir, deps) => {
    const ws = discoverWorkspace(fixture(name))
    const p = pkg(ws, id)
    expect(p.id).toBe(id)
    expect(p.name).toBe(declared)
    expect(p.version).toBe(version)
    expect(p.backend).toBe(backend)
    expect(p.relDir).toBe(relDir)
    expect(p.dir).toBe(path.join(fixture(name), relDir))
    expect(p.internalDeps).toEqual(deps)
    expect(ws.graph.depsOf(id)).toEqual(deps)
  })

  test.each([
    ['uv-hatch', 'alpha-lib', 'libs/alpha/src', ['alpha_lib']],
    ['uv-hatch', 'gamma-lib', 'libs/gamma/src', ['gamma_lib']],
    ['poetry-path', 'poetry-app', '.', ['poetry_app']],
    ['poetry-path', 'api-lib', 'components/api-lib', ['api_lib']],
    ['pep621', 'one', 'packages/one/src', ['one']],
    // Neither build/ nor the .egg-info directory counts as a module.
    ['pep621', 'two', 'packages/two/src', ['two']],
    ['single', 'solo', 'src', ['solo']],
    ['dynamic-version', 'dyn', 'packages/dyn/src', ['dyn']]
  ])('%s: %s imports from %s with modules %j', (name, id, importRel, modules) => {
    const p = pkg(discoverWorkspace(fixture(name)), id)
    expect(p.importDir).toBe(path.join(fixture(name), importRel))
    expect(p.modules).toEqual(modules)
  })

  test('names are PEP 503 normalised and get() accepts any spelling', () => {
    const ws = discoverWorkspace(fixture('uv-hatch'))
    const alpha = pkg(ws, 'alpha-lib')
    expect(alpha.name).toBe('Alpha_Lib')
    expect(alpha.id).toBe('alpha-lib')
    expect(ws.get('Alpha_Lib')).toBe(alpha)
    expect(ws.get('ALPHA.lib')).toBe(alpha)
    expect(ws.get('delta-lib')).toBeUndefined()
  })

  test('uv workspace sources: a dependency on the normalised name links to Alpha_Lib', () => {
    const ws = discoverWorkspace(fixture('uv-hatch'))
    expect(pkg(ws, 'beta-lib').requires).toEqual(['alpha-lib'])
    expect(pkg(ws, 'gamma-lib').requires).toEqual(['beta-lib>=0.2'])
    expect([...ws.graph.dependentsOf(['alpha-lib'])].sort()).toEqual(['beta-lib', 'gamma-lib'])
    expect(ws.graph.levels()).toEqual([['alpha-lib'], ['beta-lib'], ['gamma-lib']])
  })

  test('a virtual uv root is not a package but its pyproject is kept', () => {
    const ws = discoverWorkspace(fixture('uv-hatch'))
    expect(ws.packages.some((p) => p.relDir === '.')).toBe(false)
    expect(ws.rootPyproject).toEqual({ tool: { uv: { workspace: { members: ['libs/*'] } } } })
  })

  test('Poetry path dependencies are followed and become internal deps', () => {
    const ws = discoverWorkspace(fixture('poetry-path'))
    const app = pkg(ws, 'poetry-app')
    expect(app.requires.sort()).toEqual(['api-lib', 'core-lib'])
    expect(app.buildBackend).toBe('poetry.core.masonry.api')
    expect(app.testsDir).toBeUndefined()
    expect(ws.graph.levels()).toEqual([['core-lib'], ['api-lib'], ['poetry-app']])
  })

  test('a directory under packages/ without pyproject.toml is ignored', () => {
    const ws = discoverWorkspace(fixture('pep621'))
    expect(ws.packages.map((p) => p.relDir)).toEqual(['packages/one', 'packages/two'])
    expect(ws.rootPyproject).toBeUndefined()
  })

  test('requirements include optional dependencies', () => {
    const two = pkg(discoverWorkspace(fixture('pep621')), 'two')
    expect(two.requires).toEqual(['one>=0.1', 'pytest>=7'])
    expect(two.buildBackend).toBe('setuptools.build_meta')
  })

  test('the cycle fixture raises a UserError showing the cycle path', () => {
    const error = userError(() => discoverWorkspace(fixture('cycle')))
    expect(error.message).toContain(' → ')
    for (const id of ['a', 'b', 'c']) expect(error.message).toMatch(new RegExp(`(^|[ :])${id}( |$|\\.)`))
    const cyclePath = /cycle: (.+?)\. /.exec(error.message)?.[1]
    expect(cyclePath).toBeDefined()
    const steps = cyclePath!.split(' → ')
    expect(steps).toHaveLength(4)
    expect(steps[0]).toBe(steps[3])
    expect(new Set(steps)).toEqual(new Set(['a', 'b', 'c']))
  })
})

describe('the example monorepo', () => {
  test('has common, structures, utils, xization in dependency order', () => {
    const ws = discoverWorkspace(EXAMPLE)
    expect(ws.kind).toBe('packages-dir')
    expect(ws.packages.map((p) => p.relDir)).toEqual(['packages/common', 'packages/structures', 'packages/utils', 'packages/xization'])
    expect(ws.packages.map((p) => p.id)).toEqual(['dataknobs-common', 'dataknobs-structures', 'dataknobs-utils', 'dataknobs-xization'])
  })

  test('dependencies, backends, modules and tests directories', () => {
    const ws = discoverWorkspace(EXAMPLE)
    const byRel = Object.fromEntries(ws.packages.map((p) => [p.relDir, p]))
    expect(byRel['packages/common']!.internalDeps).toEqual([])
    expect(byRel['packages/structures']!.internalDeps).toEqual(['dataknobs-common'])
    expect(byRel['packages/utils']!.internalDeps).toEqual(['dataknobs-common', 'dataknobs-structures'])
    expect(byRel['packages/xization']!.internalDeps).toEqual(['dataknobs-structures', 'dataknobs-utils'])
    expect(ws.packages.map((p) => p.backend)).toEqual(['poetry', 'poetry', 'hatchling', 'setuptools'])
    expect(ws.packages.map((p) => p.modules)).toEqual([
      ['dataknobs_common'],
      ['dataknobs_structures'],
      ['dataknobs_utils'],
      ['dataknobs_xization']
    ])
    for (const p of ws.packages) {
      expect(p.importDir).toBe(path.join(p.dir, 'src'))
      expect(p.testsDir).toBe(path.join(p.dir, 'tests'))
    }
    expect([...ws.graph.dependentsOf(['dataknobs-utils'])]).toEqual(['dataknobs-xization'])
  })
})

describe('errors', () => {
  test('invalid TOML gives a UserError naming the file', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[project\nname = "broken"\n')
    const error = userError(() => discoverWorkspace(dir))
    expect(error.message).toContain(path.join(dir, 'pyproject.toml'))
    expect(error.message).toContain('not valid TOML')
    expect(error.message).not.toMatch(/\n/)
  })

  test('invalid TOML in a member package names that file', () => {
    const dir = tempDir()
    write(dir, 'packages/good/pyproject.toml', '[project]\nname = "good"\n')
    write(dir, 'packages/bad/pyproject.toml', '[project]\nname = "bad\n')
    const error = userError(() => discoverWorkspace(dir))
    expect(error.message).toContain(path.join(dir, 'packages', 'bad', 'pyproject.toml'))
  })

  test('an empty directory gives the "No Python packages found" UserError', () => {
    const dir = tempDir()
    const error = userError(() => discoverWorkspace(dir))
    expect(error).toBeInstanceOf(NoPythonPackagesError)
    expect(error.message).toContain('No Python packages found')
    expect(error.message).toContain(dir)
    expect(error.message).toContain("'working-directory'")
  })

  test('a root pyproject.toml without a name is not a package', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[tool.black]\nline-length = 100\n')
    expect(userError(() => discoverWorkspace(dir)).message).toContain('No Python packages found')
  })

  test('a missing directory gives a UserError', () => {
    const missing = path.join(tempDir(), 'nope')
    const error = userError(() => discoverWorkspace(missing))
    expect(error.message).toContain(missing)
    expect(error.message).toContain('does not exist')
  })

  test('two packages with the same normalised name are refused', () => {
    const dir = tempDir()
    write(dir, 'packages/x/pyproject.toml', '[project]\nname = "Same_Name"\n')
    write(dir, 'packages/y/pyproject.toml', '[project]\nname = "same-name"\n')
    const error = userError(() => discoverWorkspace(dir))
    expect(error.message).toContain("'same-name'")
    expect(error.message).toContain('packages/x')
    expect(error.message).toContain('packages/y')
  })

  test('readToml on a missing file gives a UserError', () => {
    const file = path.join(tempDir(), 'missing.toml')
    expect(userError(() => readToml(file)).message).toContain(`Cannot read ${file}`)
  })
})

describe('other layouts', () => {
  test('[tool.dk-actions] packages globs are used and marked configured', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[tool.dk-actions]\npackages = ["services/*", "lib"]\n')
    write(dir, 'services/api/pyproject.toml', '[project]\nname = "api"\nversion = "1.0"\ndependencies = ["lib"]\n')
    write(dir, 'services/api/api.py', '')
    write(dir, 'lib/pyproject.toml', '[project]\nname = "lib"\nversion = "2.0"\n')
    write(dir, 'lib/lib/__init__.py', '')
    write(dir, 'services/docs/README.md', 'no pyproject')
    const ws = discoverWorkspace(dir)
    expect(ws.kind).toBe('configured')
    expect(ws.packages.map((p) => p.id)).toEqual(['lib', 'api'])
    expect(pkg(ws, 'api').modules).toEqual(['api'])
    expect(pkg(ws, 'api').importDir).toBe(path.join(dir, 'services', 'api'))
    expect(pkg(ws, 'lib').modules).toEqual(['lib'])
    // No build-system means setuptools' legacy backend.
    expect(pkg(ws, 'lib').backend).toBe('setuptools')
  })

  test('uv workspace exclude is honoured', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[tool.uv.workspace]\nmembers = ["libs/*"]\nexclude = ["libs/old"]\n')
    write(dir, 'libs/new/pyproject.toml', '[project]\nname = "new"\n')
    write(dir, 'libs/old/pyproject.toml', '[project]\nname = "old"\n')
    expect(discoverWorkspace(dir).packages.map((p) => p.id)).toEqual(['new'])
  })

  test('dependency groups are dev deps, not runtime deps', () => {
    const dir = tempDir()
    write(dir, 'packages/base/pyproject.toml', '[project]\nname = "base"\n')
    write(dir, 'packages/helper/pyproject.toml', '[project]\nname = "helper"\n')
    write(
      dir,
      'packages/app/pyproject.toml',
      '[project]\nname = "app"\ndependencies = ["base"]\n[dependency-groups]\ndev = ["helper", "base", "pytest"]\n'
    )
    const ws = discoverWorkspace(dir)
    const app = pkg(ws, 'app')
    expect(app.internalDeps).toEqual(['base'])
    expect(app.internalDevDeps).toEqual(['helper'])
    expect(ws.graph.depsOf('app')).toEqual(['base'])
  })

  test('a benchmarks package beside a flat-layout package is not one of its modules', () => {
    // langgraph keeps bench/ (with an __init__.py) next to langgraph/; the wheel ships only the latter.
    const dir = tempDir()
    write(
      dir,
      'pyproject.toml',
      '[tool.poetry]\nname = "flatpkg"\nversion = "1.0.0"\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    for (const d of ['flatpkg', 'bench', 'benchmark', 'testing']) write(dir, `${d}/__init__.py`, '')
    expect(pkg(discoverWorkspace(dir), 'flatpkg').modules).toEqual(['flatpkg'])
  })

  test("beside a flat-layout namespace, bench/ is not taken for the package's code", () => {
    // langgraph's libs/langgraph: langgraph/ is a namespace holding modules and subpackages; bench/ sits beside it.
    const dir = tempDir()
    write(
      dir,
      'pyproject.toml',
      '[tool.poetry]\nname = "nsflat"\nversion = "1.0.0"\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    write(dir, 'nsflat/config.py', 'X = 1\n')
    write(dir, 'nsflat/core/__init__.py', '')
    write(dir, 'bench/__init__.py', '')
    expect(pkg(discoverWorkspace(dir), 'nsflat').importNames).toEqual(['nsflat.config', 'nsflat.core'])
  })

  test('under src/ or a namespace, bench and benchmark are real packages', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[project]\nname = "srcbench"\nversion = "1.0.0"\n')
    write(dir, 'src/bench/__init__.py', '')
    expect(pkg(discoverWorkspace(dir), 'srcbench').modules).toEqual(['bench'])
    // trulens-benchmark: its code is trulens/benchmark, below the shared namespace.
    const ns = tempDir()
    write(
      ns,
      'pyproject.toml',
      '[tool.poetry]\nname = "acme-benchmark"\nversion = "1.0.0"\npackages = [{ include = "acme" }]\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
    )
    write(ns, 'acme/benchmark/__init__.py', 'X = 1\n')
    const p = pkg(discoverWorkspace(ns), 'acme-benchmark')
    expect(p.importNames).toEqual(['acme.benchmark'])
    expect(hasPythonSources(p)).toBe(true)
  })

  test('setuptools dynamic version attr is read from the module', () => {
    const dir = tempDir()
    write(
      dir,
      'pyproject.toml',
      '[project]\nname = "attrpkg"\ndynamic = ["version"]\n[tool.setuptools.dynamic]\nversion = { attr = "attrpkg.__version__" }\n'
    )
    write(dir, 'src/attrpkg/__init__.py', '__version__: str = "3.1.4"\n')
    const ws = discoverWorkspace(dir)
    expect(ws.kind).toBe('single')
    expect(pkg(ws, 'attrpkg').version).toBe('3.1.4')
  })

  test("a dynamic version no file gives is the build backend's answer (setuptools says 0.0.0)", () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[project]\nname = "noversion"\ndynamic = ["version"]\n')
    const p = pkg(discoverWorkspace(dir), 'noversion')
    expect(p.metadataSource).toBe('pep517')
    expect(p.version).toBe('0.0.0')
  })

  test('a Poetry root with package-mode = false is not a package', () => {
    const dir = tempDir()
    write(dir, 'pyproject.toml', '[tool.poetry]\nname = "root"\npackage-mode = false\n[tool.poetry.dependencies]\nlib = { path = "lib" }\n')
    write(dir, 'lib/pyproject.toml', '[tool.poetry]\nname = "lib"\nversion = "0.0.1"\n')
    const ws = discoverWorkspace(dir)
    expect(ws.packages.map((p) => p.id)).toEqual(['lib'])
    expect(pkg(ws, 'lib').backend).toBe('poetry')
    expect(pkg(ws, 'lib').version).toBe('0.0.1')
  })
})

describe('detectBackend', () => {
  test.each([
    ['poetry.core.masonry.api', 'poetry'],
    ['hatchling.build', 'hatchling'],
    ['setuptools.build_meta', 'setuptools'],
    ['setuptools.build_meta:__legacy__', 'setuptools'],
    ['uv_build', 'uv'],
    ['pdm.backend', 'pdm'],
    ['flit_core.buildapi', 'flit'],
    ['maturin', 'other']
  ])('%j → %s', (backend, expected) => {
    expect(detectBackend(backend, {})).toBe(expected)
  })

  test('without a backend: poetry when [tool.poetry] names the project, else setuptools', () => {
    expect(detectBackend(undefined, { tool: { poetry: { name: 'x' } } })).toBe('poetry')
    expect(detectBackend(undefined, { project: { name: 'x' } })).toBe('setuptools')
  })
})

describe('expandGlob', () => {
  test('expands * within one segment, sorted, directories only', () => {
    const root = fixture('uv-hatch')
    expect(expandGlob(root, 'libs/*')).toEqual(['alpha', 'beta', 'gamma'].map((n) => path.join(root, 'libs', n)))
    expect(expandGlob(root, 'libs/?eta')).toEqual([path.join(root, 'libs', 'beta')])
    expect(expandGlob(root, './libs/alpha')).toEqual([path.join(root, 'libs', 'alpha')])
    expect(expandGlob(root, 'libs/zeta')).toEqual([])
    expect(expandGlob(root, 'nothing/*')).toEqual([])
  })
})

describe('Poetry dependency groups', () => {
  test('a path dependency in a dev group is a development dependency, not a runtime one', () => {
    const p = path
    const dir = fs.mkdtempSync(p.join(os.tmpdir(), 'dk-ws-group-'))
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(p.dirname(p.join(dir, rel)), { recursive: true })
      fs.writeFileSync(p.join(dir, rel), text)
    }
    write('packages/lib/pyproject.toml', '[tool.poetry]\nname = "lib"\nversion = "1.0.0"\n')
    write(
      'packages/app/pyproject.toml',
      '[tool.poetry]\nname = "app"\nversion = "1.0.0"\n[tool.poetry.group.dev.dependencies]\nlib = { path = "../lib", develop = true }\n'
    )
    const ws = discoverWorkspace(dir)
    const app = ws.get('app')!
    expect(app.internalDeps).toEqual([])
    expect(app.internalDevDeps).toEqual(['lib'])
  })
})
