import type { CheckResult } from '../../packages-shared/findings.js'
import { buildSarif } from '../../packages-shared/report/sarif.js'

interface SarifResult {
  ruleId?: string
  level?: string
  message: { text: string }
  locations?: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string }
      region?: { startLine?: number; startColumn?: number; endLine?: number; endColumn?: number }
    }
  }[]
  properties?: Record<string, unknown>
}
interface SarifRun {
  tool: {
    driver: {
      name: string
      version?: string
      semanticVersion?: string
      informationUri?: string
      rules: { id: string; helpUri?: string }[]
    }
  }
  automationDetails: { id: string }
  results: SarifResult[]
  invocations: {
    executionSuccessful: boolean
    toolExecutionNotifications?: { level: string; message: { text: string } }[]
  }[]
}
interface SarifLog {
  $schema: string
  version: string
  runs: SarifRun[]
}

/** The properties SARIF 2.1.0 requires of a log, its runs and their results. */
function structuralErrors(log: unknown): string[] {
  const errors: string[] = []
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(log)) return ['log is not an object']
  if (log.version !== '2.1.0') errors.push('version must be "2.1.0"')
  if (!Array.isArray(log.runs)) return [...errors, 'runs must be an array']
  log.runs.forEach((run: unknown, r) => {
    if (!isObject(run)) return errors.push(`runs[${r}] is not an object`)
    const driver = isObject(run.tool) ? run.tool.driver : undefined
    if (!isObject(driver) || typeof driver.name !== 'string' || driver.name === '') errors.push(`runs[${r}].tool.driver.name is required`)
    if (run.results !== undefined && !Array.isArray(run.results)) errors.push(`runs[${r}].results must be an array`)
    ;((run.results as unknown[]) ?? []).forEach((res, i) => {
      const where = `runs[${r}].results[${i}]`
      if (!isObject(res) || !isObject(res.message) || typeof res.message.text !== 'string') errors.push(`${where}.message.text is required`)
      else if (res.level !== undefined && !['none', 'note', 'warning', 'error'].includes(res.level as string))
        errors.push(`${where}.level is invalid`)
      for (const loc of (isObject(res) && Array.isArray(res.locations) ? res.locations : []) as unknown[]) {
        const region = isObject(loc) && isObject(loc.physicalLocation) ? loc.physicalLocation.region : undefined
        if (isObject(region)) {
          for (const key of ['startLine', 'startColumn', 'endLine', 'endColumn']) {
            const v = region[key]
            if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) errors.push(`${where} region.${key} must be >= 1`)
          }
        }
      }
    })
  })
  return errors
}

const CHECKS: CheckResult[] = [
  {
    tool: 'flake8',
    toolVersion: 'v7.1.0',
    package: 'core',
    status: 'failed',
    durationMs: 1,
    findings: [
      {
        tool: 'flake8',
        package: 'core',
        file: 'packages/core/a b.py',
        line: 3,
        column: 5,
        rule: 'E501',
        severity: 'error',
        message: 'line too long',
        url: 'https://example.com/E501'
      },
      {
        tool: 'flake8',
        package: 'core',
        file: 'packages/core/c.py',
        line: 9,
        column: 1,
        endLine: 9,
        endColumn: 4,
        rule: 'E501',
        severity: 'error',
        message: 'again'
      }
    ]
  },
  {
    tool: 'flake8',
    package: 'api',
    status: 'failed',
    durationMs: 1,
    findings: [
      {
        tool: 'flake8',
        package: 'api',
        file: 'packages/api/x.py',
        line: 1,
        rule: 'W291',
        severity: 'warning',
        message: 'trailing whitespace'
      }
    ]
  },
  {
    tool: 'mypy',
    status: 'failed',
    durationMs: 1,
    findings: [
      {
        tool: 'mypy',
        file: 'packages/api/y.py',
        line: 2,
        endLine: 5,
        column: 3,
        endColumn: 7,
        severity: 'note',
        message: 'multi-line'
      }
    ]
  },
  { tool: 'bandit', status: 'skipped', durationMs: 0, findings: [], message: 'not configured' },
  { tool: 'pylint', status: 'error', durationMs: 1, findings: [], message: 'pylint crashed' },
  {
    tool: 'build',
    status: 'failed',
    durationMs: 1,
    findings: [{ tool: 'build', severity: 'error', message: 'no file here' }]
  }
]

function sarif(checks: CheckResult[] = CHECKS): SarifLog {
  return buildSarif(checks, {
    category: 'dk-actions/run-quality',
    toolInfo: { mypy: { informationUri: 'https://mypy-lang.org' } }
  }) as unknown as SarifLog
}

function run(log: SarifLog, tool: string): SarifRun {
  const found = log.runs.find((r) => r.tool.driver.name === tool)
  expect(found).toBeDefined()
  return found!
}

describe('buildSarif', () => {
  test('is SARIF 2.1.0 with the schema and passes the structural check', () => {
    const log = sarif()
    expect(log.version).toBe('2.1.0')
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
    expect(structuralErrors(log)).toEqual([])
    // The output is plain JSON.
    expect(JSON.parse(JSON.stringify(log))).toEqual(log)
  })

  test('the structural check catches what it should', () => {
    expect(
      structuralErrors({
        version: '2.0.0',
        runs: [{ tool: { driver: {} }, results: [{ message: {} }] }]
      })
    ).toEqual(['version must be "2.1.0"', 'runs[0].tool.driver.name is required', 'runs[0].results[0].message.text is required'])
  })

  test('one run per tool that ran; skipped checks produce no run', () => {
    const log = sarif()
    expect(log.runs.map((r) => r.tool.driver.name)).toEqual(['flake8', 'mypy', 'pylint', 'build'])
    expect(run(log, 'flake8').results).toHaveLength(3)
  })

  test('each run has a distinct automationDetails.id under the category', () => {
    const ids = sarif().runs.map((r) => r.automationDetails.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual([
      'dk-actions/run-quality/flake8/',
      'dk-actions/run-quality/mypy/',
      'dk-actions/run-quality/pylint/',
      'dk-actions/run-quality/build/'
    ])
  })

  test('results carry rule, level, message and 1-based locations', () => {
    const [first, second, third] = run(sarif(), 'flake8').results
    expect(first).toEqual({
      ruleId: 'E501',
      level: 'error',
      message: { text: 'line too long' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'packages/core/a%20b.py', uriBaseId: '%SRCROOT%' },
            region: { startLine: 3, startColumn: 5 }
          }
        }
      ],
      properties: { package: 'core' }
    })
    expect(second!.locations![0]!.physicalLocation.region).toEqual({
      startLine: 9,
      startColumn: 1,
      endLine: 9,
      endColumn: 4
    })
    expect(third!.level).toBe('warning')
    expect(third!.ruleId).toBe('W291')
  })

  test('a multi-line region has no end column', () => {
    const [result] = run(sarif(), 'mypy').results
    expect(result!.level).toBe('note')
    expect(result!.ruleId).toBe('mypy')
    expect(result!.locations![0]!.physicalLocation.region).toEqual({
      startLine: 2,
      startColumn: 3,
      endLine: 5
    })
  })

  test('a finding without a file has no locations', () => {
    const [result] = run(sarif(), 'build').results
    expect(result).toEqual({ ruleId: 'build', level: 'error', message: { text: 'no file here' } })
  })

  test('rules are listed once, with the help link', () => {
    const driver = run(sarif(), 'flake8').tool.driver
    expect(driver.rules).toEqual([
      { id: 'E501', shortDescription: { text: 'E501' }, helpUri: 'https://example.com/E501' },
      { id: 'W291', shortDescription: { text: 'W291' } }
    ])
  })

  test('tool version and information URI', () => {
    const log = sarif()
    expect(run(log, 'flake8').tool.driver.version).toBe('v7.1.0')
    expect(run(log, 'flake8').tool.driver.semanticVersion).toBe('7.1.0')
    expect(run(log, 'mypy').tool.driver.version).toBeUndefined()
    expect(run(log, 'mypy').tool.driver.informationUri).toBe('https://mypy-lang.org')
    expect(run(log, 'flake8').tool.driver.informationUri).toBeUndefined()
  })

  test('errored tools have executionSuccessful false with a notification', () => {
    const log = sarif()
    expect(run(log, 'pylint').invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [{ level: 'error', message: { text: 'pylint crashed' } }]
      }
    ])
    expect(run(log, 'pylint').results).toEqual([])
    expect(run(log, 'flake8').invocations).toEqual([{ executionSuccessful: true }])
  })

  test('one errored check of a tool marks the whole run unsuccessful', () => {
    const log = sarif([
      { tool: 'mypy', package: 'a', status: 'passed', durationMs: 1, findings: [] },
      { tool: 'mypy', package: 'b', status: 'error', durationMs: 1, findings: [] }
    ])
    expect(log.runs).toHaveLength(1)
    expect(log.runs[0]!.invocations[0]!.executionSuccessful).toBe(false)
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications![0]!.message.text).toBe('tool failed')
  })

  test('no checks give no runs', () => {
    const log = sarif([])
    expect(log.runs).toEqual([])
    expect(structuralErrors(log)).toEqual([])
  })
})
