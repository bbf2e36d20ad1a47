/**
 * pylint's per-module cache with the real pylint, through the built run-quality bundle: after
 * a first run, an edit to one module imported by another re-checks those two alone (plus the
 * pass over every module for duplicate-code and cyclic-import), and the report is the one a
 * run without any cache gives on the same tree, duplicate code between the edited module and
 * an unchanged one included.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ReportData } from '../../packages-shared/findings.js'
import { copyFixture, gitInit, RUNNER_TEMP, runBundle, type ActionRun } from './harness.js'

const FINDINGS = path.join(RUNNER_TEMP, 'dk-actions-cache', 'quality', 'findings')
const CORE = 'packages/pkg_core/src/pkg_core'
const EDITED = `${CORE}/base.py`
const IMPORTER = `${CORE}/helpers.py`

interface ModuleUse {
  files: number
  fromCache: number
  checked: number
  crossPass: string[]
}

async function pylint(ws: string): Promise<ActionRun> {
  const run = await runBundle('run-quality', { checks: 'pylint', install: 'isolated' }, { workspace: ws })
  expect(run.report).toBeDefined()
  return run
}

const check = (run: ActionRun) => (run.report as ReportData).checks.find((c) => c.tool === 'pylint')!
const modules = (run: ActionRun): ModuleUse => (run.report!.findingsCache as Record<string, { modules: ModuleUse }>).pylint.modules

/** What the report says of pylint, without what differs from run to run (durations, commands). */
function verdict(run: ActionRun): unknown {
  const c = check(run)
  return { passed: run.outputs.passed, status: c.status, findings: c.findings, message: c.message }
}

const rules = (run: ActionRun, file: string): string[] =>
  check(run)
    .findings.filter((f) => f.file === file)
    .map((f) => f.rule!)

describe('pylint per-module cache with the real pylint', () => {
  test('cold run, one imported module edited, warm run: that module and its importer are checked again, and the report equals a run without the cache', async () => {
    fs.rmSync(FINDINGS, { recursive: true, force: true })
    const ws = copyFixture('__tests__/fixtures/quality/modules')
    gitInit(ws)
    const cold = await pylint(ws)
    expect(modules(cold)).toEqual({ files: 10, fromCache: 0, checked: 10, crossPass: [] })
    // One record per module of what duplicate-code and cyclic-import read of it.
    const [records] = fs.readdirSync(path.join(FINDINGS, 'cross'))
    expect(fs.readdirSync(path.join(FINDINGS, 'cross', records!)).filter((f) => f.endsWith('.json'))).toHaveLength(10)
    // The duplicate and the cycle of the fixture, both reported on the module pylint ended on.
    const crossCold = check(cold).findings.filter((f) => /duplicate-code|cyclic-import/.test(f.rule ?? ''))
    expect(crossCold.map((f) => f.rule).sort()).toEqual(['R0401 cyclic-import', 'R0801 duplicate-code'])

    // The edit copies unrelated.py's body (an unchanged module) and adds an unused import.
    const copied = fs.readFileSync(path.join(ws, CORE, 'unrelated.py'), 'utf8').replace('def summary(', 'def described(')
    fs.writeFileSync(path.join(ws, EDITED), `import json\n\n\n${fs.readFileSync(path.join(ws, EDITED), 'utf8')}\n\n${copied}`)
    const warm = await pylint(ws)
    expect(modules(warm)).toEqual({ files: 10, fromCache: 8, checked: 2, crossPass: ['duplicate-code', 'cyclic-import'] })
    const partial = warm.stdout.split('\n').find((l) => /pylint .*--disable=duplicate-code,cyclic-import/.test(l))!
    expect(partial).toContain(EDITED)
    expect(partial).toContain(IMPORTER)
    expect(partial).not.toContain('unrelated.py')
    expect(check(warm).command).toMatch(/--disable=all --enable=duplicate-code,cyclic-import --load-plugins=dk_actions_pylint_cross/)
    // The pass over all read the 8 unchanged modules from the records the cold run left.
    expect(warm.stdout).toContain('pylint in . (duplicate-code, cyclic-import over all 10 module(s), 8 from their records)')
    expect(warm.stdout).toContain(`pylint in .: 2 of 10 module(s) to check again (changed: ${EDITED}; importing a change: ${IMPORTER})`)
    expect(warm.summary).toContain('| pylint | 10 modules | 8 | 2 of 10, duplicate-code and cyclic-import over all |')
    expect(rules(warm, EDITED)).toContain('W0611 unused-import')
    // The new duplicate spans the edited module and an unchanged one: only the pass over all sees it.
    const duplicates = check(warm).findings.filter((f) => f.rule === 'R0801 duplicate-code')
    expect(duplicates).toHaveLength(2)
    expect(duplicates.some((f) => f.message.includes('pkg_core.base') && f.message.includes('pkg_core.unrelated'))).toBe(true)

    // The same tree without any cache: the same findings, in the same order, and the same verdict.
    fs.rmSync(FINDINGS, { recursive: true, force: true })
    const fresh = await pylint(ws)
    expect(modules(fresh).fromCache).toBe(0)
    expect(verdict(warm)).toEqual(verdict(fresh))

    // An edit in a module nothing imports re-checks it alone; the report still equals a full run's.
    fs.appendFileSync(path.join(ws, CORE, 'dup_one.py'), '\n\nUNUSED = 1\n')
    const leaf = await pylint(ws)
    expect(modules(leaf)).toMatchObject({ fromCache: 9, checked: 1 })
    fs.rmSync(FINDINGS, { recursive: true, force: true })
    expect(verdict(leaf)).toEqual(verdict(await pylint(ws)))

    // A configuration change invalidates every module: one run over everything.
    fs.appendFileSync(path.join(ws, 'pyproject.toml'), '\n[tool.pylint.format]\nmax-line-length = 60\n')
    const configured = await pylint(ws)
    expect(modules(configured)).toMatchObject({ fromCache: 0, checked: 10 })
    expect(configured.stdout).toContain('one run over every module: more than half of the modules to check again')
  })
})
