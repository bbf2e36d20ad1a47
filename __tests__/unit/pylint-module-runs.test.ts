/**
 * run-quality's pylint through the per-module cache (actions/run-quality/module-runs.ts), with
 * a recorded exec: the module listing answers with what pylint's script printed on the
 * `modules` fixture (captured), and pylint with json2 output for the modules it is given, so
 * each test says which runs a change leads to and what the report holds.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runQualityAction } from '../../actions/run-quality/main.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { recordedExec, testContext, writeObservedListing, type Answer, type ExecRule } from '../helpers/recorded.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()
const CAPTURED = path.resolve('__tests__/fixtures/captured/quality')
const CORE = 'packages/pkg_core/src/pkg_core'
const APP = 'packages/pkg_app/src/pkg_app'

interface Message {
  symbol: string
  id: string
  path: string
  line: number
  text: string
}

/** What the full run reports on the fixture: two per-module findings and the two cross-module ones (on the module pylint ended on). */
const FULL: Message[] = [
  { symbol: 'unused-import', id: 'W0611', path: `${APP}/app.py`, line: 1, text: 'Unused import os' },
  {
    symbol: 'using-constant-test',
    id: 'W0125',
    path: `${APP}/cycle_b.py`,
    line: 4,
    text: 'Using a conditional statement with a constant value'
  },
  {
    symbol: 'duplicate-code',
    id: 'R0801',
    path: `${CORE}/unrelated.py`,
    line: 1,
    text: 'Similar lines in 2 files\n==pkg_app.dup_two:[1:7]'
  },
  {
    symbol: 'cyclic-import',
    id: 'R0401',
    path: `${CORE}/unrelated.py`,
    line: 1,
    text: 'Cyclic import (pkg_app.cycle_a -> pkg_app.cycle_b)'
  }
]

function json2(messages: readonly Message[]): Answer {
  const type = (id: string): string => ({ W: 'warning', R: 'refactor', C: 'convention', E: 'error' })[id[0]!] ?? 'warning'
  const out = messages.map((m) => ({
    type: type(m.id),
    symbol: m.symbol,
    message: m.text,
    messageId: m.id,
    line: m.line,
    column: 0,
    endLine: null,
    endColumn: null,
    path: m.path
  }))
  return { exitCode: messages.length ? 4 : 0, stdout: JSON.stringify({ messages: out, statistics: {} }, null, 4) }
}

type Kind = 'full' | 'partial' | 'cross'
const kindOf = (spec: CommandSpec): Kind =>
  spec.argv.includes('--disable=all') ? 'cross' : spec.argv.includes('--disable=duplicate-code,cyclic-import') ? 'partial' : 'full'

interface Pylint {
  /** Messages of a full run on the tree as it is now. */
  messages: Message[]
  /** What the listing says is enabled, over the captured answer. */
  enabled?: Record<string, boolean>
  /** Answers for a kind of run instead of the messages. */
  crash?: Partial<Record<Kind, Answer>>
  /** false: a run given the listing prelude writes no listing (a pylint whose internals differ). */
  observes?: boolean
}

/** pylint and its listing as the real ones answer on the fixture: a run reports the messages of the modules it is given. */
function rules(ws: string, p: Pylint): ExecRule[] {
  const listing = (): Answer => {
    const text = fs.readFileSync(path.join(CAPTURED, 'pylint-modules.stdout'), 'utf8').replaceAll('{{root}}', ws)
    if (!p.enabled) return { stdout: text }
    const [header, body] = [text.slice(0, text.indexOf('\n') + 1), JSON.parse(text.slice(text.indexOf('\n') + 1)) as { enabled: object }]
    return { stdout: header + JSON.stringify({ ...body, enabled: { ...body.enabled, ...p.enabled } }) }
  }
  return [
    { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.11.7\n' } },
    { match: (s) => s.argv[1] === '--version', answer: { stdout: fs.readFileSync(path.join(CAPTURED, 'pylint-version.stdout'), 'utf8') } },
    { match: (s) => s.argv[1] === '-c' && s.argv[2]!.includes('PyLinter.check = listed'), answer: listing },
    {
      match: (s) => path.basename(s.argv[0]!) === 'pylint',
      answer: (spec) => {
        const kind = kindOf(spec)
        if (p.observes !== false) writeObservedListing(spec, listing().stdout!)
        const crash = p.crash?.[kind]
        if (crash) return crash
        const cross = (m: Message): boolean => m.symbol === 'duplicate-code' || m.symbol === 'cyclic-import'
        if (kind === 'cross') return json2(p.messages.filter(cross))
        if (kind === 'full') return json2(p.messages)
        // A run over some modules reports them, and what it says of the configuration, as any run does.
        return json2(p.messages.filter((m) => !cross(m) && (spec.argv.includes(m.path) || !m.path.endsWith('.py'))))
      }
    }
  ]
}

/** pylint and its interpreter on PATH: a console script whose `#!` names that Python, as in a venv. */
function toolsOnPath(): string {
  const bin = scratch.tempDir('dk-pylint-bin-')
  for (const n of ['pylint', 'python3']) fs.writeFileSync(path.join(bin, n), `#!${path.join(bin, 'python3')}\nexit 99\n`, { mode: 0o755 })
  return bin
}

async function quality(ws: string, where: { bin: string; temp: string }, p: Pylint) {
  const exec = recordedExec(rules(ws, p))
  const { ctx, io } = testContext({
    inputs: { install: 'none', checks: 'pylint', 'max-parallel': '1' },
    env: { GITHUB_WORKSPACE: ws, PATH: where.bin, RUNNER_TEMP: where.temp },
    exec
  })
  const result = await runQualityAction.run(ctx, runQualityAction.parseInputs(new InputReader(io), ctx.common, io))
  const check = result.checks.find((c) => c.tool === 'pylint')!
  const runs = exec.calls.filter((c) => path.basename(c.argv[0]!) === 'pylint' && c.argv[1] !== '--version')
  const table = result.sections!.find((s) => s.startsWith('### Findings cache')) ?? ''
  // What was launched, in order: pylint's runs and its module listing.
  const order = exec.calls.flatMap((c) =>
    c.argv[2]?.includes('PyLinter.check = listed') ? ['listing'] : runs.includes(c) ? [kindOf(c)] : []
  )
  return { result, check, io, table, kinds: runs.map(kindOf), runs, order }
}

function setUp() {
  const ws = scratch.copy(path.resolve('__tests__/fixtures/quality/modules'), 'dk-pylint-modules-')
  return { ws, where: { bin: toolsOnPath(), temp: scratch.tempDir('dk-pylint-temp-') } }
}

const rulesOf = (c: { findings: { file?: string; rule?: string }[] }): string[] => c.findings.map((f) => `${f.file} ${f.rule}`)

describe('pylint through the per-module cache (recorded runs)', () => {
  test('cold: one full run beside the listing; an imported module edited: it and its importer alone, and a pass over all for the cross-module messages', async () => {
    const { ws, where } = setUp()
    const cold = await quality(ws, where, { messages: FULL })
    expect(cold.kinds).toEqual(['full'])
    expect(cold.table).toContain('| pylint | 10 modules | 0 | 10 of 10 |')
    expect(rulesOf(cold.check)).toEqual([
      `${APP}/app.py W0611 unused-import`,
      `${APP}/cycle_b.py W0125 using-constant-test`,
      // The cross-module findings last in their file, by rule, whichever pass found them.
      `${CORE}/unrelated.py R0401 cyclic-import`,
      `${CORE}/unrelated.py R0801 duplicate-code`
    ])

    fs.appendFileSync(path.join(ws, CORE, 'base.py'), '\nimport json\n')
    const edited: Message[] = [
      ...FULL,
      { symbol: 'unused-import', id: 'W0611', path: `${CORE}/base.py`, line: 4, text: 'Unused import json' }
    ]
    const warm = await quality(ws, where, { messages: edited })
    // Few modules edited, the same configuration: the pass over all starts beside the listing, the partial run after it.
    expect(warm.order).toEqual(['cross', 'listing', 'partial'])
    // Nothing stored: the full run lists its modules itself, under the lean launcher's prelude.
    expect(cold.order).toEqual(['full'])
    expect(cold.runs[0]!.launched?.prelude).toBeDefined()
    expect(cold.runs[0]!.env?.DK_ACTIONS_LISTING_INPUT).toBeDefined()
    const partial = warm.runs.find((r) => kindOf(r) === 'partial')!
    expect(partial.argv.filter((a) => a.endsWith('.py'))).toEqual([`${CORE}/base.py`, `${CORE}/helpers.py`])
    // The folders every target puts on sys.path in the full run, so each module finds the others.
    expect(partial.env!.PYTHONPATH!.split(path.delimiter)).toEqual([
      path.join(ws, 'packages/pkg_app/src'),
      path.join(ws, 'packages/pkg_core/src')
    ])
    expect(warm.table).toContain('| pylint | 10 modules | 8 | 2 of 10, duplicate-code and cyclic-import over all |')
    const said = warm.io.logs.map((l) => l.message).find((m) => m.startsWith('pylint in .: 2 of 10'))
    expect(said).toBe(`pylint in .: 2 of 10 module(s) to check again (changed: ${CORE}/base.py; importing a change: ${CORE}/helpers.py).`)
    // The stored findings of the others, the partial run's, and the cross pass's: once each.
    expect(rulesOf(warm.check)).toEqual([
      `${APP}/app.py W0611 unused-import`,
      `${APP}/cycle_b.py W0125 using-constant-test`,
      `${CORE}/base.py W0611 unused-import`,
      // The cross-module findings last in their file, by rule, whichever pass found them.
      `${CORE}/unrelated.py R0401 cyclic-import`,
      `${CORE}/unrelated.py R0801 duplicate-code`
    ])

    // Nothing changed since: the whole-run cache answers, nothing runs.
    const again = await quality(ws, where, { messages: edited })
    expect(again.kinds).toEqual([])
    expect(rulesOf(again.check)).toEqual(rulesOf(warm.check))
  })

  test("findings about no module (the configuration's) are the run's own: kept once, whatever was checked again", async () => {
    const { ws, where } = setUp()
    const option: Message = {
      symbol: 'useless-option-value',
      id: 'R0022',
      path: 'pyproject.toml',
      line: 1,
      text: "Useless option value for '--disable'"
    }
    const messages = [option, ...FULL]
    await quality(ws, where, { messages })
    fs.appendFileSync(path.join(ws, CORE, 'dup_one.py'), '\nX = 1\n')
    const warm = await quality(ws, where, { messages })
    expect(warm.kinds.sort()).toEqual(['cross', 'partial'])
    expect(rulesOf(warm.check).filter((r) => r.startsWith('pyproject.toml'))).toEqual(['pyproject.toml R0022 useless-option-value'])
    expect(warm.check.findings).toHaveLength(messages.length)
  })

  test('a crashed pass keeps nothing: the check is an error and the next run checks the same modules again', async () => {
    const { ws, where } = setUp()
    await quality(ws, where, { messages: FULL })
    fs.appendFileSync(path.join(ws, CORE, 'dup_one.py'), '\nX = 1\n')
    const crashed = await quality(ws, where, {
      messages: FULL,
      crash: { cross: { exitCode: 1, stdout: '', stderr: 'Traceback (most recent call last):\nastroid.exceptions.AstroidError\n' } }
    })
    expect(crashed.check.status).toBe('error')
    expect(crashed.check.message).toContain('pylint exited with code 1')
    const next = await quality(ws, where, { messages: FULL })
    expect(next.kinds.sort()).toEqual(['cross', 'partial'])
    expect(next.table).toContain('| pylint | 10 modules | 9 | 1 of 10,')
    expect(next.check.status).toBe('passed')
  })

  test('one run over every module when more than half changed, when a suppression message is enabled, or without cross-module messages no pass', async () => {
    const { ws, where } = setUp()
    await quality(ws, where, { messages: FULL })
    for (const f of ['__init__.py', 'base.py', 'helpers.py', 'unrelated.py', 'dup_one.py']) fs.appendFileSync(path.join(ws, CORE, f), '\n')
    fs.appendFileSync(path.join(ws, APP, 'dup_two.py'), '\n')
    const most = await quality(ws, where, { messages: FULL })
    expect(most.kinds).toEqual(['full'])
    expect(most.io.logs.map((l) => l.message)).toContain(
      'pylint in .: one run over every module: more than half of the modules to check again.'
    )
    expect(most.table).toContain('| pylint | 10 modules | 0 | 10 of 10 |')

    // useless-suppression turned on: every module again (the configuration changed), and so on for each edit.
    const suppressing = { messages: FULL, enabled: { 'useless-suppression': true } }
    fs.appendFileSync(path.join(ws, 'pyproject.toml'), '\n[tool.pylint.reports]\nreports = false\n')
    expect((await quality(ws, where, suppressing)).kinds).toEqual(['full'])
    fs.appendFileSync(path.join(ws, APP, 'app.py'), '\n')
    const suppressed = await quality(ws, where, suppressing)
    expect(suppressed.kinds).toEqual(['full'])
    expect(suppressed.io.logs.map((l) => l.message)).toContain(
      'pylint in .: one run over every module: useless-suppression is enabled (a run over some modules reports it differently).'
    )

    // The configuration turns both cross-module messages off: every module again, then no pass over all.
    const off = { messages: FULL.slice(0, 2), enabled: { 'duplicate-code': false, 'cyclic-import': false } }
    fs.appendFileSync(path.join(ws, 'pyproject.toml'), '\n[tool.pylint.design]\nmax-args = 9\n')
    expect((await quality(ws, where, off)).kinds).toEqual(['full'])
    fs.appendFileSync(path.join(ws, APP, 'app.py'), '\n')
    const none = await quality(ws, where, off)
    expect(none.kinds).toEqual(['partial'])
    expect(none.table).toContain('| pylint | 10 modules | 9 | 1 of 10 |')
  })

  test('a full run that did not list its modules as it ran: the listing runs after it, with the same answer', async () => {
    const { ws, where } = setUp()
    const observed = await quality(ws, where, { messages: FULL })
    const { ws: other, where: apart } = setUp()
    const listedApart = await quality(other, apart, { messages: FULL, observes: false })
    expect(listedApart.order).toEqual(['full', 'listing'])
    expect(listedApart.table).toBe(observed.table.replaceAll(ws, other))
    expect(rulesOf(listedApart.check)).toEqual(rulesOf(observed.check))
    // Both kept every module: a second run with nothing changed runs nothing.
    expect((await quality(other, apart, { messages: FULL })).kinds).toEqual([])
    expect((await quality(ws, where, { messages: FULL })).kinds).toEqual([])
  })

  test('a listing that fails leaves the run whole, and says why', async () => {
    const { ws, where } = setUp()
    const exec = rules(ws, { messages: FULL, observes: false })
    exec.splice(2, 1, {
      match: (s) => s.argv[1] === '-c',
      answer: { exitCode: 1, stderr: "AttributeError: type object 'PyLinter' has no attribute 'check'\n" }
    })
    const r = recordedExec(exec)
    const { ctx, io } = testContext({
      inputs: { install: 'none', checks: 'pylint' },
      env: { GITHUB_WORKSPACE: ws, PATH: where.bin, RUNNER_TEMP: where.temp },
      exec: r
    })
    const result = await runQualityAction.run(ctx, runQualityAction.parseInputs(new InputReader(io), ctx.common, io))
    expect(io.logs.map((l) => l.message)).toContain(
      'pylint in .: the per-module cache is not used: pylint did not list its modules (exit code 1).'
    )
    expect(result.sections!.find((s) => s.startsWith('### Findings cache'))).toContain('| pylint | whole run | — | all |')
    expect(result.checks.find((c) => c.tool === 'pylint')!.findings).toHaveLength(4)
  })
})
