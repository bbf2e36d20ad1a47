import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseToml } from 'smol-toml'
import { importNames, importRoots, isNamespaced } from '../../packages-shared/import-roots.js'
import { tempDirs } from './helpers/assertions.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const NAMESPACE_FIXTURE = path.resolve(HERE, '..', 'fixtures', 'workspaces', 'namespace-dotted')
const tempDir = tempDirs('dk-roots-')

/** Writes a tree of files (path → content) and returns its root. */
function tree(files: Record<string, string>): string {
  const root = tempDir()
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

function roots(dir: string, toml = ''): { dir: string; modules: string[] }[] {
  return importRoots(dir, parseToml(toml) as Record<string, unknown>).map((r) => ({
    dir: path.relative(dir, r.dir) || '.',
    modules: r.modules
  }))
}

describe('importRoots', () => {
  test('a classic src/ package: the package itself, with src/ on the path', () => {
    const dir = tree({ 'src/pkg_a/__init__.py': '', 'src/pkg_a/sub/__init__.py': '', 'tests/test_a.py': '' })
    expect(roots(dir)).toEqual([{ dir: 'src', modules: ['pkg_a'] }])
    expect(isNamespaced(importRoots(dir, {}))).toBe(false)
  })

  test('a flat layout keeps its packages and modules, and leaves tests, setup.py and folders of scripts alone', () => {
    const dir = tree({
      'flat/__init__.py': '',
      'helpers.py': '',
      'setup.py': '',
      'conftest.py': '',
      'tools/run.py': '',
      'tests/test_x.py': ''
    })
    expect(roots(dir)).toEqual([{ dir: '.', modules: ['flat', 'helpers'] }])
  })

  test('the fixture workspace: each member provides its real package below the shared acme namespace', () => {
    for (const [member, mod] of [
      ['core', 'acme.core'],
      ['extras', 'acme.extras']
    ]) {
      const dir = path.join(NAMESPACE_FIXTURE, 'src', 'acme', member!)
      const found = importRoots(dir, parseToml(fs.readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')) as Record<string, unknown>)
      expect(found).toEqual([{ dir, modules: [mod] }])
      expect(isNamespaced(found)).toBe(true)
    }
  })

  test('without configuration, a scan descends through two namespace levels to the real packages', () => {
    const dir = tree({
      'src/company/types/__init__.py': '',
      'src/company/types/money.py': '',
      'src/company/providers/openai/__init__.py': '',
      'src/company/providers/util.py': '',
      'src/company/providers/empty/README.md': ''
    })
    expect(roots(dir)).toEqual([{ dir: 'src', modules: ['company.providers.openai', 'company.providers.util', 'company.types'] }])
  })

  test('poetry packages with include and from', () => {
    const dir = tree({ 'lib/trulens/core/__init__.py': '', 'lib/trulens/core/x.py': '' })
    expect(roots(dir, '[tool.poetry]\nname = "trulens-core"\npackages = [{ include = "trulens", from = "lib" }]')).toEqual([
      { dir: 'lib', modules: ['trulens.core'] }
    ])
    expect(roots(dir, '[tool.poetry]\nname = "trulens-core"\npackages = [{ include = "trulens/core", from = "lib" }]')).toEqual([
      { dir: 'lib', modules: ['trulens.core'] }
    ])
  })

  test('hatch packages keep the last segment; only-include keeps the path less a sources prefix', () => {
    const dir = tree({ 'src/acme/types/__init__.py': '' })
    expect(roots(dir, '[tool.hatch.build.targets.wheel]\npackages = ["src/acme"]')).toEqual([{ dir: 'src', modules: ['acme.types'] }])
    expect(roots(dir, '[tool.hatch.build.targets.wheel]\nonly-include = ["src/acme"]\nsources = ["src"]')).toEqual([
      { dir: 'src', modules: ['acme.types'] }
    ])
    expect(roots(dir, '[tool.hatch.build.targets.wheel]\nonly-include = ["src/acme"]\nsources = { "src" = "" }')).toEqual([
      { dir: 'src', modules: ['acme.types'] }
    ])
  })

  test('setuptools package-dir, packages.find where, and an explicit packages list', () => {
    const dir = tree({ 'code/ns/pkg/__init__.py': '', 'code/ns/pkg/inner/__init__.py': '' })
    expect(roots(dir, '[tool.setuptools.packages.find]\nwhere = ["code"]')).toEqual([{ dir: 'code', modules: ['ns.pkg'] }])
    expect(roots(dir, '[tool.setuptools]\npackage-dir = { "" = "code" }')).toEqual([{ dir: 'code', modules: ['ns.pkg'] }])
    expect(roots(dir, '[tool.setuptools]\npackage-dir = { "" = "code" }\npackages = ["ns.pkg", "ns.pkg.inner", "ns.missing"]')).toEqual([
      { dir: 'code', modules: ['ns.pkg'] }
    ])
  })

  test('a folder with no Python code has no import roots', () => {
    expect(roots(tree({ 'README.md': '', 'tests/test_x.py': '' }))).toEqual([])
  })

  test('importNames merges the roots of several dists sharing one namespace', () => {
    const a = tree({ 'src/acme/a/__init__.py': '' })
    const b = tree({ 'src/acme/b/__init__.py': '' })
    expect(importNames([...importRoots(a, {}), ...importRoots(b, {})])).toEqual(['acme.a', 'acme.b'])
  })
})
