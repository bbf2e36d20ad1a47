import type { CheckResult, Finding, ReportData } from '../../packages-shared/findings.js'
import { SUMMARY_LIMIT, checksTable, renderSummary } from '../../packages-shared/report/summary.js'

function report(checks: CheckResult[], extra: Partial<ReportData> = {}): ReportData {
  return {
    action: 'run-quality',
    version: '0.1.0',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 2500,
    workingDirectory: '/repo',
    packages: ['core', 'api'],
    passed: false,
    checks,
    ...extra
  }
}

const CHECKS: CheckResult[] = [
  {
    tool: 'flake8',
    toolVersion: '7.1.0',
    package: 'core',
    status: 'failed',
    durationMs: 340,
    findings: [
      {
        tool: 'flake8',
        package: 'core',
        file: 'core/a.py',
        line: 3,
        column: 80,
        rule: 'E501',
        severity: 'error',
        message: 'line too long (95 > 79)'
      },
      {
        tool: 'flake8',
        package: 'core',
        file: 'core/b.py',
        line: 7,
        rule: 'W291',
        severity: 'warning',
        message: 'trailing whitespace'
      }
    ]
  },
  { tool: 'mypy', package: 'api', status: 'passed', durationMs: 4200, findings: [] },
  { tool: 'bandit', status: 'skipped', durationMs: 0, findings: [], message: 'no bandit config' },
  {
    tool: 'pylint',
    status: 'error',
    durationMs: 65_000,
    findings: [],
    message: 'pylint crashed:\nTraceback',
    command: 'pylint src'
  }
]

function tableRows(markdown: string): string[] {
  return markdown.split('\n').filter((l) => l.startsWith('| '))
}

describe('renderSummary', () => {
  test('has a headline with the outcome, packages and counts', () => {
    const out = renderSummary({ title: 'Quality', report: report(CHECKS) })
    expect(out.startsWith('## ❌ Quality: failed\n')).toBe(true)
    expect(out).toContain('2 package(s): core, api')
    expect(out).toContain('1 error(s), 1 warning(s), 0 note(s)')
    expect(out).toContain('2.5 s')
  })

  test('a passing report says so', () => {
    const out = renderSummary({
      title: 'Quality',
      report: report([], { passed: true, packages: [] })
    })
    expect(out.startsWith('## ✅ Quality: passed\n')).toBe(true)
    expect(out).toContain('0 package(s): none')
    expect(tableRows(out)).toEqual([])
  })

  test('contains the table with a row for each check', () => {
    const rows = tableRows(renderSummary({ title: 'Quality', report: report(CHECKS) }))
    expect(rows).toEqual([
      '| check | package | status | errors | warnings | notes | time |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| flake8 7.1.0 | core | ❌ failed | 1 | 1 | 0 | 340 ms |',
      '| mypy | api | ✅ passed | 0 | 0 | 0 | 4.2 s |',
      '| bandit | all | ⏭️ skipped | 0 | 0 | 0 | 0 ms |',
      '| pylint | all | 💥 error | 0 | 0 | 0 | 1 m 5 s |'
    ])
  })

  test('lists the findings and error messages in details', () => {
    const out = renderSummary({ title: 'Quality', report: report(CHECKS) })
    expect(out).toContain('<details><summary>flake8 · core: 2 finding(s)</summary>')
    expect(out).toContain('- **error** `E501` `core/a.py:3:80` line too long (95 &gt; 79)')
    expect(out).toContain('- **warning** `W291` `core/b.py:7` trailing whitespace')
    expect(out).toContain('<details><summary>pylint: 0 finding(s) (error)</summary>')
    expect(out).toContain('```\npylint crashed:\nTraceback\n```')
    expect(out).toContain('Command: `pylint src`')
    // A passing check without findings or message has no details block.
    expect(out).not.toContain('<summary>mypy')
  })

  test('includes the action sections after the table', () => {
    const out = renderSummary({
      title: 'Quality',
      report: report(CHECKS),
      sections: ['### Built\n\n- core-1.0.whl\n\n\n']
    })
    expect(out).toContain('### Built\n\n- core-1.0.whl\n\n')
    expect(out.indexOf('### Built')).toBeGreaterThan(out.indexOf('| pylint |'))
    expect(out.indexOf('### Built')).toBeLessThan(out.indexOf('<details>'))
  })

  test('says how many findings were not annotated, with the report path', () => {
    const out = renderSummary({
      title: 'Quality',
      report: report(CHECKS, { annotations: { emitted: 30, notAnnotated: 17 } }),
      reportPath: '/tmp/dk-actions/run-quality.json'
    })
    expect(out).toContain('> 17 finding(s) were not annotated')
    expect(out).toContain('at most 10 errors, 10 warnings and 10 notices')
    expect(out).toContain('`/tmp/dk-actions/run-quality.json`')
  })

  test('says nothing about annotations when all were annotated', () => {
    const out = renderSummary({
      title: 'Quality',
      report: report(CHECKS, { annotations: { emitted: 2, notAnnotated: 0 } })
    })
    expect(out).not.toContain('not annotated')
  })

  test('escapes pipes in table cells', () => {
    const out = renderSummary({
      title: 'Quality',
      report: report([
        {
          tool: 'pytest | integration',
          package: 'a|b',
          status: 'passed',
          durationMs: 5,
          findings: []
        }
      ])
    })
    const rows = tableRows(out)
    expect(rows[2]).toBe('| pytest \\| integration | a\\|b | ✅ passed | 0 | 0 | 0 | 5 ms |')
    // Seven columns: the escaped pipes do not split cells.
    expect(rows[2]!.split(/(?<!\\)\|/).length - 2).toBe(7)
  })

  test('escapes HTML in finding messages', () => {
    const out = renderSummary({
      title: 'Q',
      report: report([
        {
          tool: 't',
          status: 'failed',
          durationMs: 1,
          findings: [{ tool: 't', severity: 'error', message: '<script>alert(1)</script>\nsecond line' }]
        }
      ])
    })
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(out).not.toContain('<script>')
    expect(out).not.toContain('second line')
  })

  test('20,000 findings in 40 checks: within the budget, every check listed in part, the cut said', () => {
    const long = 'x'.repeat(300)
    const checks: CheckResult[] = Array.from({ length: 40 }, (_, c) => ({
      tool: `tool${c}`,
      package: `pkg${c}`,
      status: 'failed' as const,
      durationMs: 10,
      findings: Array.from({ length: 500 }, (_, i): Finding => ({
        tool: `tool${c}`,
        file: `packages/pkg${c}/module_${i}.py`,
        line: i + 1,
        column: 1,
        rule: 'E999',
        severity: 'error',
        message: `${long} ${c}/${i}`
      }))
    }))
    expect(checks.flatMap((c) => c.findings)).toHaveLength(20_000)
    const budget = SUMMARY_LIMIT - 64 * 1024
    const out = renderSummary({
      title: 'Quality',
      report: report(checks, { annotations: { emitted: 10, notAnnotated: 19_990 } }),
      reportPath: '/tmp/r.json'
    })
    const bytes = Buffer.byteLength(out)
    expect(bytes).toBeLessThanOrEqual(budget)
    // Cut, but not empty: most of the budget is used.
    expect(bytes).toBeGreaterThan(budget * 0.8)
    // The budget is shared: every check shows some of its findings, none shows all.
    expect((out.match(/<details>/g) ?? []).length).toBe(40)
    const listed = (out.match(/^- \*\*error\*\* `E999`/gm) ?? []).length
    expect(listed).toBeGreaterThan(1000)
    expect(listed).toBeLessThan(20_000)
    expect((out.match(/^- … and \d+ more finding\(s\), in the JSON report$/gm) ?? []).length).toBe(40)
    expect(out).toContain(`${listed} of 20000 finding(s) are listed (40 check(s) in part)`)
    expect(out).toContain('This summary was cut')
    expect(out).toContain('`/tmp/r.json`')
    // The table still lists every check.
    expect(tableRows(out)).toHaveLength(42)
  })

  test('an explicit smaller budget is respected', () => {
    const checks: CheckResult[] = Array.from({ length: 5 }, (_, c) => ({
      tool: `t${c}`,
      status: 'failed' as const,
      durationMs: 1,
      findings: Array.from({ length: 50 }, (_, i): Finding => ({
        tool: `t${c}`,
        severity: 'warning',
        message: `warning number ${i} ${'y'.repeat(80)}`
      }))
    }))
    const out = renderSummary({ title: 'Q', report: report(checks) }, 12_000)
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(12_000)
    expect(out).toMatch(/This summary was cut to fit .*of 250 finding\(s\) are listed/)
  })

  test('10,000 checks over 2,000 packages: the headline and the table are capped too, and say so', () => {
    const packages = Array.from({ length: 2000 }, (_, i) => `package-with-a-long-name-${i}`)
    const checks: CheckResult[] = packages.flatMap((p) =>
      ['black', 'isort', 'flake8', 'mypy', 'pylint'].map((tool): CheckResult => ({
        tool,
        toolVersion: '1.2.3',
        package: p,
        status: 'failed',
        durationMs: 1234,
        findings: [{ tool, package: p, file: `packages/${p}/m.py`, line: 1, severity: 'error', rule: 'X1', message: 'm'.repeat(200) }],
        message: 'a message\n'.repeat(50),
        command: `${tool} packages/${p}`
      }))
    )
    const out = renderSummary({ title: 'Quality', report: report(checks, { packages }) })
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(SUMMARY_LIMIT - 64 * 1024)
    expect(out).toContain('2000 package(s): package-with-a-long-name-0, ')
    expect(out).toContain(' and 1950 more · ')
    expect(out).not.toContain('package-with-a-long-name-50,')
    const rows = tableRows(out)
    const shown = rows.length - 3
    expect(shown).toBeGreaterThan(100)
    expect(shown).toBeLessThan(10_000)
    expect(rows[rows.length - 1]).toBe(`| … ${10_000 - shown} more check(s) | | | | | | |`)
    expect(out).toContain(`the checks table shows ${shown} of 10000 checks`)
    const omitted = Number(/the details of (\d+) check\(s\) did not fit/.exec(out)![1])
    // Too many checks for a fair share each: the first ones get readable blocks, the rest are counted.
    const shownDetails = (out.match(/<details>/g) ?? []).length
    expect(shownDetails).toBeGreaterThan(50)
    expect(shownDetails + omitted).toBe(10_000)
  })

  test('huge sections are cut at a line, close their fences and details, and say so', () => {
    const fenced = '### Log\n\n<details><summary>log</summary>\n\n```\n' + 'a log line\n'.repeat(200_000) + '```\n\n</details>\n'
    const matrix = '### Matrix\n\n| a | b |\n| --- | --- |\n' + '| 1 | 2 |\n'.repeat(300_000)
    const small = '### Small\n\nall good\n'
    const out = renderSummary({ title: 'Q', report: report(CHECKS), sections: [fenced, small, matrix] })
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(SUMMARY_LIMIT - 64 * 1024)
    // The small section is whole, the big ones are cut and named.
    expect(out).toContain(small)
    expect(out).toMatch(/section “Log” cut to [\d.]+ KiB of [\d.]+ MiB/)
    expect(out).toMatch(/section “Matrix” cut to [\d.]+ KiB of [\d.]+ MiB/)
    // The fence and the details of the cut log are closed before the next section starts.
    const log = out.slice(out.indexOf('### Log'), out.indexOf('### Small'))
    expect((log.match(/^```$/gm) ?? []).length).toBe(2)
    expect((log.match(/<details>/g) ?? []).length).toBe((log.match(/<\/details>/g) ?? []).length)
    // Each table row of the cut matrix is whole.
    const matrixPart = out.slice(out.indexOf('### Matrix'))
    expect(
      matrixPart
        .split('\n')
        .filter((l) => l.startsWith('| 1'))
        .every((l) => l === '| 1 | 2 |')
    ).toBe(true)
    // The checks' details still get their room after the sections.
    expect(out).toContain('- **error** `E501` `core/a.py:3:80` line too long (95 &gt; 79)')
  })

  test('a check with one huge message and one huge diff stays within the budget', () => {
    const checks: CheckResult[] = [
      {
        tool: 'black',
        status: 'error',
        durationMs: 1,
        message: '`'.repeat(3) + 'x\n'.repeat(3_000_000),
        findings: [
          {
            tool: 'black',
            file: 'big.py',
            severity: 'error',
            message: 'black would reformat this file',
            detail: '+x = 1\n'.repeat(1_000_000)
          }
        ]
      }
    ]
    const out = renderSummary({ title: 'Q', report: report(checks) })
    expect(Buffer.byteLength(out)).toBeLessThan(200 * 1024)
    expect(out).toMatch(/cut here: 32\.0 KiB of [\d.]+ MiB shown/)
    expect(out).toContain('black would reformat this file')
  })

  test('nothing is said about cutting when everything fits', () => {
    const out = renderSummary({ title: 'Q', report: report(CHECKS), sections: ['### S\n\ntext\n'] })
    expect(out).not.toContain('did not fit')
    expect(out).not.toContain('cut')
  })
})

describe('checksTable', () => {
  test('counts findings by severity per check', () => {
    const table = checksTable([
      {
        tool: 'ruff',
        status: 'failed',
        durationMs: 999,
        findings: [
          { tool: 'ruff', severity: 'note', message: 'a' },
          { tool: 'ruff', severity: 'note', message: 'b' },
          { tool: 'ruff', severity: 'error', message: 'c' }
        ]
      }
    ]).text
    expect(table.split('\n')[2]).toBe('| ruff | all | ❌ failed | 1 | 0 | 2 | 999 ms |')
  })
})
