import type { Finding } from '../../packages-shared/findings.js'
import { applyIgnores, parseIgnores, today, type Ignore, type IgnoreOutcome } from '../../actions/run-security/ignores.js'

describe('ignore input', () => {
  test('parses ids, dates and reasons (reasons may hold commas and colons)', () => {
    expect(parseIgnores('GHSA-xxxx-xxxx-xxxx until 2027-01-31: fixed upstream in 3.2, see: #12\n\n# comment\nB602\nCVE-1 : why')).toEqual([
      { id: 'GHSA-xxxx-xxxx-xxxx', until: '2027-01-31', reason: 'fixed upstream in 3.2, see: #12' },
      { id: 'B602', until: undefined, reason: undefined },
      { id: 'CVE-1', until: undefined, reason: 'why' }
    ])
  })
  test('a bad date is one clear line naming the input', () => {
    expect(() => parseIgnores('B602 until 2027-02-30')).toThrow('Input \'ignore\' has an invalid date "2027-02-30"')
    expect(() => parseIgnores('B602 until tomorrow')).toThrow(/YYYY-MM-DD/)
  })
  test('active ignores drop findings by rule or alias; expired ones turn them into errors', () => {
    const findings = [
      { tool: 'dependencies', rule: 'GHSA-1', ids: ['GHSA-1', 'CVE-9'], severity: 'error', message: 'jinja2' },
      { tool: 'bandit', rule: 'B602', severity: 'error', message: 'shell' },
      { tool: 'bandit', rule: 'B105', severity: 'note', message: 'password' }
    ] as Finding[]
    const ignores: Ignore[] = parseIgnores('cve-9 until 2030-01-01\nB602 until 2020-01-01: old')
    const outcomes = new Map<Ignore, IgnoreOutcome>()
    const kept = applyIgnores(findings, ignores, '2026-06-01', outcomes)
    expect(kept.map((f) => [f.rule, f.severity])).toEqual([
      ['B602', 'error'],
      ['B105', 'note']
    ])
    expect(kept[0]!.message).toBe('The ignore of B602 expired on 2020-01-01 (old): shell')
    expect([...outcomes.values()].map((o) => [o.ignore.id, o.expired, o.matched])).toEqual([
      ['cve-9', false, 1],
      ['B602', true, 1]
    ])
  })
  test('an ignore holds through its last day', () => {
    const outcomes = new Map<Ignore, IgnoreOutcome>()
    const f = [{ tool: 'bandit', rule: 'B1', severity: 'error', message: 'x' }] as Finding[]
    expect(applyIgnores(f, parseIgnores('B1 until 2026-06-01'), '2026-06-01', outcomes)).toEqual([])
    expect(today(new Date('2026-06-01T23:59:00Z'))).toBe('2026-06-01')
  })
})
