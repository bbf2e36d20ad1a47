/**
 * pylint's module listing (packages-shared/tools/pylint-modules.ts): the output its script
 * printed on the `modules` quality fixture (__tests__/fixtures/captured/quality/README.md),
 * and output that is not a listing.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommandResult } from '../../packages-shared/exec.js'
import { pylint } from '../../packages-shared/tools/pylint.js'
import { parsePylintModules } from '../../packages-shared/tools/pylint-modules.js'

const ROOT = '/work/repo'
const CAPTURED = fs
  .readFileSync(path.resolve('__tests__/fixtures/captured/quality/pylint-modules.stdout'), 'utf8')
  .replaceAll('{{root}}', ROOT)
const result = (stdout: string, over: Partial<CommandResult> = {}): CommandResult => ({
  argv: [],
  exitCode: 0,
  timedOut: false,
  stdout,
  stderr: '',
  durationMs: 1,
  ...over
})
const SRC = `${ROOT}/packages/pkg_core/src/pkg_core`

describe("pylint's module listing", () => {
  test('the modules in its order, its search path, the cross-module messages it has enabled, and each module’s imports', () => {
    const listing = parsePylintModules(result(CAPTURED))!
    expect(listing.modules.map((m) => m.name)).toEqual([
      'pkg_app',
      'pkg_app.cycle_b',
      'pkg_app.dup_two',
      'pkg_app.cycle_a',
      'pkg_app.app',
      'pkg_core',
      'pkg_core.dup_one',
      'pkg_core.base',
      'pkg_core.helpers',
      'pkg_core.unrelated'
    ])
    expect(listing.modules.find((m) => m.name === 'pkg_core')!.file).toBe(`${SRC}/__init__.py`)
    // The targets' folders first, then the init-hook's (the same ones), then the interpreter's.
    expect(listing.targetPaths).toEqual([`${ROOT}/packages/pkg_app/src`, `${ROOT}/packages/pkg_core/src`])
    expect(listing.searchPath.slice(0, 4)).toEqual([...listing.targetPaths, ...listing.targetPaths])
    expect(listing.enabled).toEqual({
      'duplicate-code': true,
      'cyclic-import': true,
      'useless-suppression': false,
      'suppressed-message': false
    })
    // `from .base import scale`: one dot, the module and the name (which may be a submodule).
    expect(listing.imports.get(`${SRC}/helpers.py`)).toEqual([
      { level: 1, name: 'base' },
      { level: 1, name: 'base.scale' }
    ])
    // `import os` and `from pkg_core.unrelated import summary`.
    expect(listing.imports.get(`${ROOT}/packages/pkg_app/src/pkg_app/app.py`)).toEqual([
      { level: 0, name: 'os' },
      { level: 0, name: 'pkg_core.unrelated' },
      { level: 0, name: 'pkg_core.unrelated.summary' }
    ])
    // `from pkg_app import cycle_b`, then `cycle_b.second()`: the attribute is read through the import.
    expect(listing.imports.get(`${ROOT}/packages/pkg_app/src/pkg_app/cycle_a.py`)).toEqual([
      { level: 0, name: 'pkg_app' },
      { level: 0, name: 'pkg_app.cycle_b' },
      { level: 0, name: 'pkg_app.cycle_b.second' }
    ])
    expect(listing.imports.get(`${SRC}/base.py`)).toEqual([])
  })

  test('a failed run, a crash before the listing, or a listing of another shape is no listing', () => {
    expect(parsePylintModules(result(CAPTURED, { exitCode: 32 }))).toBeUndefined()
    expect(parsePylintModules(result(CAPTURED, { timedOut: true }))).toBeUndefined()
    expect(
      parsePylintModules(result('', { stderr: "AttributeError: 'PyLinter' object has no attribute '_discover_files'" }))
    ).toBeUndefined()
    const header = CAPTURED.slice(0, CAPTURED.indexOf('\n') + 1)
    const data = JSON.parse(CAPTURED.slice(header.length)) as Record<string, unknown>
    const shaped = (over: Record<string, unknown>): CommandResult => result(header + JSON.stringify({ ...data, ...over }))
    expect(parsePylintModules(shaped({}))).toBeDefined()
    expect(parsePylintModules(shaped({ modules: [['pkg_app']] }))).toBeUndefined()
    expect(parsePylintModules(shaped({ enabled: { 'duplicate-code': 'yes' } }))).toBeUndefined()
    expect(parsePylintModules(shaped({ imports: { [`${SRC}/base.py`]: [[-1, 'x']] } }))).toBeUndefined()
    expect(parsePylintModules(result(`${header}{not json`))).toBeUndefined()
    // A module that does not parse imports nothing pylint could follow either.
    expect(parsePylintModules(shaped({ imports: { [`${SRC}/base.py`]: null } }))!.imports.get(`${SRC}/base.py`)).toBeNull()
  })

  test("the listing runs pylint's own command line by its interpreter; a run over some modules leaves the cross-module messages to a pass over all", () => {
    const cache = pylint.byModuleCache!
    const inv = { root: ROOT, cwd: ROOT, targets: ['packages/pkg_core/src'], executable: '/venv/bin/pylint', fix: false }
    const argv = cache.listModules(inv, '/venv/bin/python')!
    expect(argv.slice(0, 2)).toEqual(['/venv/bin/python', '-c'])
    expect(argv.slice(3)).toEqual(pylint.argv(inv).slice(1))
    expect(cache.listModules(inv, undefined)).toBeUndefined()
    expect(cache.partialArgs()).toEqual(['--disable=duplicate-code,cyclic-import'])
    expect(cache.crossArgs(['duplicate-code'])).toEqual(['--disable=all', '--enable=duplicate-code'])
    expect(cache.symbol({ tool: 'pylint', severity: 'note', message: 'm', rule: 'R0801 duplicate-code' })).toBe('duplicate-code')
  })
})
