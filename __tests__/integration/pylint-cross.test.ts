/**
 * The records of pylint's cross-module checks (packages-shared/tools/pylint-cross.ts) with the
 * real pylint, through the built run-quality bundle. The fixture holds a cycle, an import
 * pylint leaves out of the graph (under TYPE_CHECKING), one a pragma leaves out, and three
 * copies of a function. After each edit the pass over every module reads the unchanged ones
 * from their records, and the report equals a run without any cache on the same tree.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ReportData } from '../../packages-shared/findings.js'
import { copyFixture, gitInit, RUNNER_TEMP, runBundle, type ActionRun } from './harness.js'

const FINDINGS = path.join(RUNNER_TEMP, 'dk-actions-cache', 'quality', 'findings')
const SRC = 'src/crossy'

async function pylint(ws: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const run = await runBundle('run-quality', { checks: 'pylint', install: 'isolated', ...inputs }, { workspace: ws })
  expect(run.report).toBeDefined()
  return run
}

const findings = (run: ActionRun) => (run.report as ReportData).checks.find((c) => c.tool === 'pylint')!.findings
const cross = (run: ActionRun): string[] =>
  findings(run)
    .filter((f) => /duplicate-code|cyclic-import/.test(f.rule ?? ''))
    .map((f) => `${f.rule}: ${f.message.split('\n').slice(0, 3).join(' ')}`)

/**
 * The same tree without any cache, pylint sequential: what every warm run must equal. Which
 * copies one duplicate-code message names depends on the order pylint reads the modules; the
 * pass from records reads them in pylint's sequential order, a parallel run in its workers'.
 */
async function fresh(ws: string): Promise<ActionRun> {
  fs.rmSync(FINDINGS, { recursive: true, force: true })
  return pylint(ws, { 'max-parallel': '1' })
}

describe('pylint cross-module records with the real pylint', () => {
  test('each edit: the pass over all reads the unchanged modules from records, and the report equals a run without the cache', async () => {
    fs.rmSync(FINDINGS, { recursive: true, force: true })
    const ws = copyFixture('__tests__/fixtures/quality/cross')
    gitInit(ws)
    const cold = await pylint(ws)
    // The loop is a cycle; the ring is not (its closing import is under TYPE_CHECKING), nor is the
    // pair whose import carries a pragma. Three copies are one message.
    const coldCross = cross(cold)
    expect(coldCross).toHaveLength(2)
    expect(coldCross[0]).toBe('R0401 cyclic-import: Cyclic import (crossy.loop_a -> crossy.loop_b)')
    // Which two of the copies it names, and in which order, depends on the order the parallel
    // workers read them.
    const named = /^R0801 duplicate-code: Similar lines in 2 files ==crossy\.copy_(\w+):\[1:6\] ==crossy\.copy_(\w+):\[1:6\]$/.exec(
      coldCross[1]!
    )
    expect(named).not.toBeNull()
    const copies = [named![1], named![2]]
    expect(new Set(copies).size).toBe(2)
    for (const copy of copies) expect(['one', 'two', 'three']).toContain(copy)
    const [folder] = fs.readdirSync(path.join(FINDINGS, 'cross'))
    const records = path.join(FINDINGS, 'cross', folder!)
    expect(fs.readdirSync(records)).toHaveLength(12)

    const edits: [string, (text: string) => string][] = [
      // A fourth copy, in a module that had none.
      ['leaf.py', (t) => `${t}\n\n${fs.readFileSync(path.join(ws, SRC, 'copy_one.py'), 'utf8').replace('scaled_one', 'scaled_four')}`],
      // The loop's closing import removed: no cycle.
      ['loop_b.py', () => 'def back() -> int:\n    return 0\n'],
      // The ring's closing import out of TYPE_CHECKING: a cycle through two unchanged modules.
      [
        'ring_c.py',
        (t) =>
          t.replace('if TYPE_CHECKING:\n    from crossy import ring_a', 'from crossy import ring_a  # noqa\n\nif TYPE_CHECKING:\n    pass')
      ]
    ]
    const seen: string[][] = []
    for (const [file, edit] of edits) {
      const target = path.join(ws, SRC, file)
      fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')))
      const warm = await pylint(ws)
      expect(warm.stdout).toMatch(/\(duplicate-code, cyclic-import over all 12 module\(s\), \d+ from their records\)/)
      const reference = await fresh(ws)
      expect(findings(warm)).toEqual(findings(reference))
      seen.push(cross(warm))
      // The next edit starts from a warm cache again.
      fs.rmSync(FINDINGS, { recursive: true, force: true })
      await pylint(ws)
    }
    expect(seen[0]!.some((m) => m.startsWith('R0801') && m.includes('crossy.leaf'))).toBe(true)
    expect(seen[1]!.some((m) => m.startsWith('R0401'))).toBe(false)
    expect(seen[2]).toContain('R0401 cyclic-import: Cyclic import (crossy.ring_a -> crossy.ring_b -> crossy.ring_c)')
    // Records of modules that changed are replaced, not kept beside the new ones.
    expect(fs.readdirSync(records)).toHaveLength(12)
  })
})
