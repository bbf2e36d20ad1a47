import {
  allFindings,
  countBySeverity,
  gatePassed,
  reachesThreshold,
  severityRank,
  type CheckResult,
  type Finding,
  type Severity
} from '../../packages-shared/findings.js'

const f = (severity: Severity, tool = 't'): Finding => ({
  tool,
  severity,
  message: `${tool} ${severity}`
})

describe('severity', () => {
  test('ranks error above warning above note', () => {
    expect(severityRank('error')).toBeGreaterThan(severityRank('warning'))
    expect(severityRank('warning')).toBeGreaterThan(severityRank('note'))
  })

  test.each([
    ['error', 'error', true],
    ['warning', 'error', false],
    ['note', 'error', false],
    ['error', 'warning', true],
    ['warning', 'warning', true],
    ['note', 'warning', false],
    ['note', 'note', true],
    ['error', 'never', false],
    ['note', 'never', false]
  ] as const)('%s reaches fail-on %s → %s', (severity, failOn, expected) => {
    expect(reachesThreshold(severity, failOn)).toBe(expected)
  })
})

describe('checks', () => {
  const checks: CheckResult[] = [
    { tool: 'a', status: 'failed', durationMs: 1, findings: [f('warning', 'a'), f('note', 'a')] },
    { tool: 'b', status: 'passed', durationMs: 1, findings: [] },
    { tool: 'c', status: 'failed', durationMs: 1, findings: [f('warning', 'c')] }
  ]

  test('allFindings flattens in order', () => {
    expect(allFindings(checks).map((x) => x.message)).toEqual(['a warning', 'a note', 'c warning'])
  })

  test('countBySeverity counts each severity', () => {
    expect(countBySeverity(allFindings(checks))).toEqual({ error: 0, warning: 2, note: 1 })
    expect(countBySeverity([])).toEqual({ error: 0, warning: 0, note: 0 })
  })

  test.each([
    ['error', true],
    ['warning', false],
    ['note', false],
    ['never', true]
  ] as const)('gatePassed with fail-on %s → %s', (failOn, expected) => {
    expect(gatePassed(checks, failOn)).toBe(expected)
  })

  test('an errored check always fails the gate, even with fail-on never', () => {
    const errored: CheckResult[] = [{ tool: 'x', status: 'error', durationMs: 1, findings: [] }]
    expect(gatePassed(errored, 'never')).toBe(false)
    expect(gatePassed([], 'note')).toBe(true)
  })
})
