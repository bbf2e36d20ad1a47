/**
 * Size limits on the built bundles with the real tools: a 5 MB one-line source and a binary
 * `.py` are one finding each and never reach a tool; 20,000 findings keep the step summary
 * under 1 MiB and the annotations within GitHub's budget, while the JSON report keeps them
 * all, with the action's heap bounded at 1 GiB.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, nodeBinaries, runBundle } from './harness.js'
import type { Finding } from '../../packages-shared/findings.js'

const node = nodeBinaries().at(-1)!
const PKG = 'packages/pkg_a/src/pkg_a'
const BIG = `${PKG}/generated_table.py`
const BINARY = `${PKG}/compiled.py`
const ALL_CHECKS = 'black,isort,flake8,mypy,pylint,ruff,ruff-format'
/** The bundle dies (V8 "heap limit", exit 134) instead of growing past this. */
const HEAP_LIMIT = { NODE_OPTIONS: '--max-old-space-size=1024' }

function addHostileFiles(ws: string): void {
  // One line of 5 MB: the shape that kept pylint busy for a quarter of an hour at 5.8 GB.
  fs.writeFileSync(path.join(ws, BIG), `TABLE = "${'0123456789abcdef'.repeat((5 * 1024 * 1024) / 16)}"\n`)
  // NUL bytes and bytes that are not UTF-8, with a .py name.
  fs.writeFileSync(path.join(ws, BINARY), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x0a, 0x00, 0x9c]))
}

function all(run: { report?: { checks: { findings: Finding[] }[] } }): Finding[] {
  return run.report!.checks.flatMap((c) => c.findings)
}

describe(`large and binary sources (bundle on ${node.label})`, () => {
  test('run-quality: the two files are one finding each, every tool still runs and reports the real defects', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    addHostileFiles(ws)
    const run = await runBundle(
      'run-quality',
      { checks: ALL_CHECKS, install: 'isolated', 'fail-on': 'note' },
      { workspace: ws, node: node.path, env: HEAP_LIMIT }
    )
    expect(run.stderr).not.toMatch(/heap limit|out of memory/i)
    expect(run.exitCode).toBe(1)
    const checks = run.report!.checks
    // Every check finished: none crashed on the files, none was left without its run.
    expect(checks.map((c) => [c.tool, c.status])).toEqual([
      ['file-screen', 'failed'],
      ['black', 'failed'],
      ['isort', 'failed'],
      ['flake8', 'failed'],
      ['mypy', 'failed'],
      ['pylint', 'failed'],
      ['ruff', 'failed'],
      ['ruff-format', 'failed']
    ])
    const screen = checks[0]!.findings
    expect(screen.map((f) => [f.file, f.rule, f.severity, f.package])).toEqual([
      [BINARY, 'dk-actions/binary-file', 'error', 'pkg-a'],
      [BIG, 'dk-actions/file-too-large', 'warning', 'pkg-a']
    ])
    // No tool saw them (no parse error, no line-too-long on the 5 MB line).
    const onThem = all(run).filter((f) => f.tool !== 'file-screen' && (f.file === BIG || f.file === BINARY))
    expect(onThem).toEqual([])
    // The seeded defects next to them are all still found (see EXPECTED.md of the fixture).
    const rules = all(run)
      .filter((f) => f.tool !== 'file-screen')
      .map((f) => `${f.tool} ${f.file} ${f.rule ?? ''}`)
    expect(rules).toEqual(
      expect.arrayContaining([
        `black ${PKG}/unformatted.py format`,
        `isort ${PKG}/unsorted_imports.py imports`,
        `flake8 ${PKG}/lint_errors.py F401`,
        `flake8 ${PKG}/lint_errors.py E501`,
        `mypy ${PKG}/typing_errors.py return-value`,
        `pylint ${PKG}/pylint_only.py W0102 dangerous-default-value`,
        `ruff ${PKG}/lint_errors.py F401`,
        `ruff-format ${PKG}/unformatted.py format`
      ])
    )
    expect(rules).toHaveLength(14)
    // The exclusions went through each tool's own option.
    const commands = checks.map((c) => c.command ?? '').join('\n')
    for (const option of ['--force-exclude', '--extend-skip', '--extend-exclude=', '--exclude ', '--ignore-paths='])
      expect(commands).toContain(option)
    expect(run.summary).toContain('dk-actions/file-too-large')
  })

  test('run-security: bandit scans the rest and the two files are one finding each', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    addHostileFiles(ws)
    fs.writeFileSync(
      path.join(ws, PKG, 'risky.py'),
      'import subprocess\n\n\ndef run(cmd: str) -> int:\n    return subprocess.call(cmd, shell=True)\n'
    )
    const run = await runBundle(
      'run-security',
      { checks: 'bandit', install: 'isolated' },
      { workspace: ws, node: node.path, env: HEAP_LIMIT }
    )
    expect(run.stderr).not.toMatch(/heap limit|out of memory/i)
    const checks = run.report!.checks.filter((c) => c.status !== 'skipped')
    expect(checks.map((c) => [c.tool, c.status])).toEqual([
      ['file-screen', 'failed'],
      ['bandit', 'failed']
    ])
    expect(checks[0]!.findings.map((f) => [f.file, f.rule])).toEqual([
      [BINARY, 'dk-actions/binary-file'],
      [BIG, 'dk-actions/file-too-large']
    ])
    const bandit = checks[1]!.findings
    expect(bandit.map((f) => `${f.file} ${f.rule}`)).toEqual(expect.arrayContaining([`${PKG}/risky.py B602`]))
    // bandit neither scanned nor failed on them (it reports unreadable files as bandit-error).
    expect(bandit.filter((f) => f.file === BIG || f.file === BINARY)).toEqual([])
    expect(checks[1]!.command).toContain(' -x ')
  })
})

describe(`20,000 findings (bundle on ${node.label})`, () => {
  test('the summary stays under 1 MiB and says what it cut, annotations within budget, the report holds all', async () => {
    const ws = copyFixture('__tests__/fixtures/quality/clean')
    // By construction: each line is one unused import, F401 for flake8 and for ruff, nothing else.
    const N = 20_000
    const dir = path.join(ws, 'packages/pkg_a/src/pkg_a')
    const perFile = 2_000
    for (let f = 0; f < N / perFile; f++) {
      const lines = Array.from({ length: perFile }, (_, i) => `import os as os_${f}_${i}`)
      fs.writeFileSync(path.join(dir, `noisy_${f}.py`), lines.join('\n') + '\n')
    }
    const run = await runBundle(
      'run-quality',
      { checks: 'flake8,ruff', install: 'isolated' },
      { workspace: ws, node: node.path, env: HEAP_LIMIT }
    )
    expect(run.stderr).not.toMatch(/heap limit|out of memory/i)
    expect(run.exitCode).toBe(1)
    for (const tool of ['flake8', 'ruff']) {
      const check = run.report!.checks.find((c) => c.tool === tool)!
      expect(check.status).toBe('failed')
      expect(check.findings).toHaveLength(N)
      // Exactly one F401 per generated line.
      const keys = new Set(check.findings.map((f) => `${f.file}:${f.line}:${f.rule}`))
      expect(keys.size).toBe(N)
      expect(check.findings.every((f) => f.rule === 'F401' && /noisy_\d+\.py$/.test(f.file!))).toBe(true)
    }
    expect(run.outputs.findings).toBe(String(2 * N))
    // GitHub shows 10 errors per step: 9 findings and the step's own failure; the rest are counted.
    const errors = run.annotations.filter((a) => a.severity === 'error')
    expect(errors).toHaveLength(10)
    expect(errors.filter((a) => a.props.file)).toHaveLength(9)
    expect(errors.at(-1)!.message).toMatch(/^run-quality found 40000 problem\(s\)/)
    expect(run.annotations.filter((a) => a.severity === 'warning')).toHaveLength(0)
    expect(run.report!.annotations).toEqual({ emitted: 9, notAnnotated: 2 * N - 9 })
    const bytes = Buffer.byteLength(run.summary)
    expect(bytes).toBeLessThan(1024 * 1024)
    expect(bytes).toBeGreaterThan(512 * 1024)
    const cut = /This summary was cut to fit .*? (\d+) of 40000 finding\(s\) are listed \(2 check\(s\) in part\)/.exec(run.summary)
    expect(cut).not.toBeNull()
    // The listed findings are really there, one line each.
    expect((run.summary.match(/^- \*\*error\*\* `F401` /gm) ?? []).length).toBe(Number(cut![1]))
    expect(run.summary).toContain(`${2 * N - 9} finding(s) were not annotated`)
    // SARIF holds them all as well.
    const sarif = JSON.parse(fs.readFileSync(run.outputs.sarif!, 'utf8')) as { runs: { results: unknown[] }[] }
    expect(sarif.runs.map((r) => r.results.length)).toEqual([N, N])
  })
})
