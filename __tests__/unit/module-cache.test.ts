/**
 * pylint's per-module cache keys (packages-shared/module-cache.ts, import-graph.ts): a module's
 * key changes with what it reaches through its imports and with every file that is not a
 * module, and with nothing else. The `modules` fixture is keyed from what pylint's listing
 * printed on it (captured); the namespace and relative-import cases from listings written here.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Finding } from '../../packages-shared/findings.js'
import { keyModules, readModuleResults, writeModuleResults, type KeyedModules } from '../../packages-shared/module-cache.js'
import { parsePylintModules } from '../../packages-shared/tools/pylint-modules.js'
import type { ImportRef, ModuleListing } from '../../packages-shared/tools/tool.js'
import { fileHashes } from '../../packages-shared/whole-run-cache.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()
const RUN = { tool: 'pylint', fingerprint: 'fp', argv: ['--output-format=json2', 'packages'], cwd: '.', env: {} }

/** Every file under root, repository-relative (what workspace/files.ts lists outside git). */
function filesOf(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort()
}

function keysOf(root: string, listing: ModuleListing, run = RUN): KeyedModules {
  const files = filesOf(root)
  const keyed = keyModules({ root, listing, files, hashes: fileHashes(root, files), extraRoots: [root], run, present: [true] })
  if (typeof keyed === 'string') throw new Error(keyed)
  return keyed
}

/** The modules whose key differs between two keyings. */
function changed(a: KeyedModules, b: KeyedModules): string[] {
  return [...a.keys].filter(([f, k]) => b.keys.get(f)?.key !== k.key).map(([f]) => f)
}

const edit = (root: string, rel: string, text = '\nX = 1\n'): void => fs.appendFileSync(path.join(root, rel), text)

describe('keys of the modules fixture, from the listing pylint printed', () => {
  const CORE = 'packages/pkg_core/src/pkg_core'
  const APP = 'packages/pkg_app/src/pkg_app'
  function fixture(): { root: string; listing: ModuleListing } {
    const root = scratch.copy(path.resolve('__tests__/fixtures/quality/modules'), 'dk-modules-')
    const stdout = fs
      .readFileSync(path.resolve('__tests__/fixtures/captured/quality/pylint-modules.stdout'), 'utf8')
      .replaceAll('{{root}}', root)
    const listing = parsePylintModules({ argv: [], exitCode: 0, timedOut: false, stdout, stderr: '', durationMs: 1 })!
    return { root, listing }
  }

  test('the same tree keys the same; an edit invalidates the module and its importers (through a relative import too), nothing else', () => {
    const { root, listing } = fixture()
    const before = keysOf(root, listing)
    expect(before.keys.size).toBe(10)
    expect(changed(before, keysOf(root, listing))).toEqual([])

    // helpers.py reads base.py through `from .base import scale`.
    edit(root, `${CORE}/base.py`)
    const afterBase = keysOf(root, listing)
    expect(changed(before, afterBase).sort()).toEqual([`${CORE}/base.py`, `${CORE}/helpers.py`])
    expect(afterBase.keys.get(`${CORE}/base.py`)!.own).not.toBe(before.keys.get(`${CORE}/base.py`)!.own)
    // The importer's own part is unchanged: it is checked again for what it reads.
    expect(afterBase.keys.get(`${CORE}/helpers.py`)!.own).toBe(before.keys.get(`${CORE}/helpers.py`)!.own)

    // app.py reads unrelated.py (and the package's __init__ on the way).
    edit(root, `${CORE}/unrelated.py`)
    expect(changed(afterBase, keysOf(root, listing)).sort()).toEqual([`${APP}/app.py`, `${CORE}/unrelated.py`])
    const beforeInit = keysOf(root, listing)
    edit(root, `${CORE}/__init__.py`)
    // A package is imported before its submodule: every module importing from pkg_core reads its __init__
    // (helpers.py through `from .base`); base.py, which imports nothing, does not.
    expect(changed(beforeInit, keysOf(root, listing)).sort()).toEqual([`${APP}/app.py`, `${CORE}/__init__.py`, `${CORE}/helpers.py`])

    // A module nothing imports.
    const beforeDup = keysOf(root, listing)
    edit(root, `${CORE}/dup_one.py`)
    expect(changed(beforeDup, keysOf(root, listing))).toEqual([`${CORE}/dup_one.py`])
  })

  test('a change to any file that is not a module (the configuration) invalidates every module and the run’s own findings', () => {
    const { root, listing } = fixture()
    const before = keysOf(root, listing)
    edit(root, 'pyproject.toml', '\n[tool.pylint.format]\nmax-line-length = 60\n')
    const after = keysOf(root, listing)
    expect(changed(before, after)).toHaveLength(10)
    expect(after.runKey).not.toBe(before.runKey)
    // So do the tool, its options and a module newly on the search path.
    expect(changed(before, keysOf(root, { ...listing }, { ...RUN, argv: [...RUN.argv, '--disable=W0611'] }))).toHaveLength(10)
    const moved = keysOf(root, { ...listing, searchPath: [path.join(root, 'packages'), ...listing.searchPath] })
    expect(changed(after, moved)).toHaveLength(10)
  })
})

/** A listing as pylint's script prints it, for files written here. */
function listing(root: string, searchPath: string[], modules: Record<string, string>, imports: Record<string, ImportRef[]>): ModuleListing {
  return {
    modules: Object.entries(modules).map(([file, name]) => ({ name, file: path.join(root, file) })),
    searchPath: searchPath.map((p) => path.join(root, p)),
    targetPaths: searchPath.map((p) => path.join(root, p)),
    enabled: {},
    imports: new Map(Object.entries(imports).map(([f, refs]) => [path.join(root, f), refs]))
  }
}

function tree(files: Record<string, string>): string {
  const root = scratch.tempDir('dk-module-keys-')
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

describe('keys through relative imports and namespace packages', () => {
  test('relative imports resolve from the importing file’s folder, one dot per level', () => {
    const root = tree({
      'src/app/__init__.py': '',
      'src/app/sub/__init__.py': '',
      'src/app/sub/leaf.py': 'from .. import shared\nfrom ..util import helper\nfrom . import sibling\n',
      'src/app/sub/sibling.py': '',
      'src/app/shared.py': '',
      'src/app/util.py': '',
      'src/app/other.py': ''
    })
    const modules = {
      'src/app/__init__.py': 'app',
      'src/app/sub/__init__.py': 'app.sub',
      'src/app/sub/leaf.py': 'app.sub.leaf',
      'src/app/sub/sibling.py': 'app.sub.sibling',
      'src/app/shared.py': 'app.shared',
      'src/app/util.py': 'app.util',
      'src/app/other.py': 'app.other'
    }
    const refs: ImportRef[] = [
      { level: 2, name: '' },
      { level: 2, name: 'shared' },
      { level: 2, name: 'util' },
      { level: 2, name: 'util.helper' },
      { level: 1, name: '' },
      { level: 1, name: 'sibling' }
    ]
    const l = listing(root, ['src'], modules, { 'src/app/sub/leaf.py': refs })
    const before = keysOf(root, l)
    const leaf = 'src/app/sub/leaf.py'
    for (const reached of [
      'src/app/shared.py',
      'src/app/util.py',
      'src/app/sub/sibling.py',
      'src/app/__init__.py',
      'src/app/sub/__init__.py'
    ]) {
      edit(root, reached)
      const after = keysOf(root, l)
      expect({ reached, leaf: changed(before, after).includes(leaf) }).toEqual({ reached, leaf: true })
      Object.assign(before, after)
    }
    edit(root, 'src/app/other.py')
    expect(changed(before, keysOf(root, l))).toEqual(['src/app/other.py'])
    // `from ..util import helper`: were helper a module, a file appearing there is read too.
    fs.mkdirSync(path.join(root, 'src/app/util'))
    fs.writeFileSync(path.join(root, 'src/app/util/helper.py'), '')
    expect(changed(before, keysOf(root, l))).toContain(leaf)
  })

  test('a namespace shared by two roots: a portion edited, added or made a regular package changes its importers; another portion does not', () => {
    const root = tree({
      'libs/one/src/acme/core/__init__.py': '',
      'libs/one/src/acme/core/engine.py': '',
      'libs/two/src/acme/extra/__init__.py': '',
      'libs/two/src/acme/extra/plugin.py': 'from acme.core import engine\n',
      'libs/two/src/acme/extra/alone.py': '',
      'libs/three/src/acme/tools/__init__.py': ''
    })
    const modules = {
      'libs/one/src/acme/core/__init__.py': 'acme.core',
      'libs/one/src/acme/core/engine.py': 'acme.core.engine',
      'libs/two/src/acme/extra/__init__.py': 'acme.extra',
      'libs/two/src/acme/extra/plugin.py': 'acme.extra.plugin',
      'libs/two/src/acme/extra/alone.py': 'acme.extra.alone',
      'libs/three/src/acme/tools/__init__.py': 'acme.tools'
    }
    const plugin = 'libs/two/src/acme/extra/plugin.py'
    const imports = {
      [plugin]: [
        { level: 0, name: 'acme.core' },
        { level: 0, name: 'acme.core.engine' }
      ]
    }
    const roots = ['libs/one/src', 'libs/two/src', 'libs/three/src']
    const l = listing(root, roots, modules, imports)
    const before = keysOf(root, l)
    expect(before.keys.get(plugin)!.ambiguous).toBe(false)
    edit(root, 'libs/one/src/acme/core/engine.py')
    const edited = keysOf(root, l)
    expect(changed(before, edited)).toEqual(['libs/one/src/acme/core/engine.py', plugin])
    // Another distribution's portion of the namespace is not read.
    edit(root, 'libs/three/src/acme/tools/__init__.py')
    const other = keysOf(root, l)
    expect(changed(edited, other)).toEqual(['libs/three/src/acme/tools/__init__.py'])
    // A second `acme.core` appearing under another root: which one answers is the search path's order.
    fs.mkdirSync(path.join(root, 'libs/three/src/acme/core'))
    fs.writeFileSync(path.join(root, 'libs/three/src/acme/core/__init__.py'), '')
    const second = keysOf(root, l)
    expect(changed(other, second)).toContain(plugin)
    expect(second.keys.get(plugin)!.ambiguous).toBe(true)
    expect(second.keys.get('libs/two/src/acme/extra/alone.py')!.ambiguous).toBe(false)
    // `acme` made a regular package under one root hides the namespace: its importers change.
    fs.rmSync(path.join(root, 'libs/three/src/acme/core'), { recursive: true })
    const back = keysOf(root, l)
    fs.writeFileSync(path.join(root, 'libs/two/src/acme/__init__.py'), '')
    expect(changed(back, keysOf(root, l))).toContain(plugin)
  })
})

describe('stored module results', () => {
  const finding = (file: string): Finding => ({ tool: 'pylint', severity: 'warning', message: 'W0611 unused import os', file, line: 1 })
  const KEY = 'a'.repeat(64)
  const OWN = 'b'.repeat(64)

  test('come back as written; a manifest of another format or tool, or an entry not well formed, is left out', () => {
    const dir = scratch.tempDir('dk-module-results-')
    writeModuleResults(dir, 'pylint', '.', {
      run: { key: KEY, findings: [{ ...finding('pyproject.toml'), package: 'x' }] },
      modules: new Map([
        ['src/a.py', { key: KEY, own: OWN, content: OWN, findings: [finding('src/a.py')] }],
        ['src/b.py', { key: KEY, own: OWN, content: OWN, findings: [] }]
      ])
    })
    const back = readModuleResults(dir, 'pylint', '.')
    expect(back.run).toEqual({ key: KEY, findings: [finding('pyproject.toml')] })
    expect([...back.modules.keys()]).toEqual(['src/a.py', 'src/b.py'])
    expect(back.modules.get('src/a.py')!.findings).toEqual([finding('src/a.py')])
    expect(readModuleResults(dir, 'mypy', '.').modules.size).toBe(0)
    expect(readModuleResults(dir, 'pylint', 'packages/a').modules.size).toBe(0)

    const [file] = fs.readdirSync(path.join(dir, 'modules')).map((f) => path.join(dir, 'modules', f))
    const data = JSON.parse(fs.readFileSync(file!, 'utf8')) as { modules: Record<string, unknown> }
    data.modules['src/a.py'] = { key: KEY, own: OWN, content: OWN, findings: [finding('src/other.py')] }
    data.modules['src/b.py'] = { key: 'not-a-key', own: OWN, content: OWN, findings: [] }
    fs.writeFileSync(file!, JSON.stringify(data))
    expect(readModuleResults(dir, 'pylint', '.').modules.size).toBe(0)
    fs.writeFileSync(file!, JSON.stringify({ ...data, format: 'dk-actions-modules/0' }))
    expect(readModuleResults(dir, 'pylint', '.').run).toBeUndefined()
    fs.writeFileSync(file!, '{not json')
    expect(readModuleResults(dir, 'pylint', '.').modules.size).toBe(0)
  })
})
