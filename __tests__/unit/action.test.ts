import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  defaultFailureMessage,
  reportBaseName,
  reportFailure,
  runAction,
  type ActionDefinition,
  type ActionResult
} from '../../packages-shared/action.js'
import { UserError } from '../../packages-shared/errors.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { createMemoryIO, type MemoryIO } from '../helpers/io-memory.js'
import { VERSION } from '../../packages-shared/version.js'

const STACK_LINE = '    at '

let workspace: string
let temp: string

beforeEach(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-action-ws-'))
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-action-tmp-'))
})

afterEach(() => {
  fs.rmSync(workspace, { recursive: true, force: true })
  fs.rmSync(temp, { recursive: true, force: true })
})

function memoryIO(inputs: Record<string, string> = {}): MemoryIO {
  return createMemoryIO(inputs, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp })
}

function definition(overrides: Partial<ActionDefinition<{ level: string }>> = {}): ActionDefinition<{ level: string }> {
  return {
    name: 'fake-action',
    title: 'Fake action',
    parseInputs: (reader) => ({ level: reader.string('level', 'x') }),
    run: async () => ({ passed: true, packages: [], checks: [] }),
    ...overrides
  }
}

function hasStack(io: MemoryIO): boolean {
  return io.logs.some((l) => l.message.includes(STACK_LINE)) || (io.failed ?? '').includes(STACK_LINE)
}

describe('runAction failures', () => {
  test('a UserError from parseInputs fails with exactly its message and no stack', async () => {
    const message = 'Input \'level\' has an invalid value "loud": allowed values are quiet, normal.'
    let ran = false
    const io = memoryIO({ level: 'loud' })
    await runAction(
      io,
      definition({
        parseInputs: () => {
          throw new UserError(message)
        },
        run: async () => {
          ran = true
          return { passed: true, packages: [], checks: [] }
        }
      })
    )
    expect(io.failed).toBe(message)
    expect(ran).toBe(false)
    expect(hasStack(io)).toBe(false)
    expect(io.logs.filter((l) => l.level === 'debug')).toEqual([])
    expect(io.outputs.passed).toBe('false')
  })

  test('a UserError from a real parser (bad install) fails with its message', async () => {
    const io = memoryIO({ install: 'everything' })
    await runAction(io, definition())
    expect(io.failed).toMatch(/^Input 'install' has an invalid value "everything": allowed values are auto, project, isolated, none\.$/)
    expect(hasStack(io)).toBe(false)
  })

  test('a UserError from run() fails with exactly its message', async () => {
    const io = memoryIO()
    await runAction(
      io,
      definition({
        run: async () => {
          throw new UserError('No Python packages found in /x.')
        }
      })
    )
    expect(io.failed).toBe('No Python packages found in /x.')
    expect(hasStack(io)).toBe(false)
  })

  test('a TypeError from run() is reported as a bug, with the stack at debug level', async () => {
    const io = memoryIO()
    await runAction(
      io,
      definition({
        run: async () => {
          const value = undefined as unknown as { length: number }
          return { passed: value.length > 0, packages: [], checks: [] }
        }
      })
    )
    expect(io.failed).toBeDefined()
    expect(io.failed).toContain('fake-action failed unexpectedly')
    expect(io.failed).toMatch(/bug/i)
    expect(io.failed).not.toContain(STACK_LINE)
    const debug = io.logs.filter((l) => l.level === 'debug')
    expect(debug).toHaveLength(1)
    expect(debug[0]!.message).toContain('TypeError')
    expect(debug[0]!.message).toContain(STACK_LINE)
    // The stack goes only to debug.
    expect(io.logs.filter((l) => l.level !== 'debug' && l.message.includes(STACK_LINE))).toEqual([])
    expect(io.outputs.passed).toBe('false')
  })

  test('a thrown non-Error is reported as a bug without a debug stack', () => {
    const io = memoryIO()
    reportFailure(io, 'thing', 'plain string')
    expect(io.failed).toBe('thing failed unexpectedly: plain string. This is a bug in dk-actions; please report it with the debug log.')
    expect(io.logs).toEqual([])
  })
})

describe('runAction success path', () => {
  const checks: CheckResult[] = [
    {
      tool: 'flake8',
      package: 'one',
      status: 'failed',
      durationMs: 12,
      findings: [
        {
          tool: 'flake8',
          package: 'one',
          file: 'packages/one/a.py',
          line: 3,
          column: 5,
          rule: 'E501',
          severity: 'error',
          message: 'line too long'
        },
        {
          tool: 'flake8',
          package: 'one',
          file: 'packages/one/b.py',
          line: 1,
          rule: 'W291',
          severity: 'warning',
          message: 'trailing whitespace'
        }
      ]
    },
    { tool: 'mypy', status: 'passed', durationMs: 40, findings: [] }
  ]

  test('writes the JSON report, summary and outputs; a passing result does not fail', async () => {
    const io = memoryIO()
    const seen: { level?: string; workspace?: string } = {}
    await runAction(
      io,
      definition({
        run: async (ctx, inputs) => {
          seen.level = inputs.level
          seen.workspace = ctx.common.workspace
          return {
            passed: true,
            packages: ['one'],
            checks,
            outputs: { extra: 'value' },
            sections: ['### Extra section']
          }
        }
      })
    )
    expect(io.failed).toBeUndefined()
    expect(seen).toEqual({ level: 'x', workspace: path.resolve(workspace) })
    const reportPath = path.join(temp, 'dk-actions', 'fake-action.json')
    expect(io.outputs).toEqual({
      passed: 'true',
      report: reportPath,
      findings: '2',
      extra: 'value'
    })
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as Record<string, unknown>
    expect(report.action).toBe('fake-action')
    expect(report.version).toBe(VERSION)
    expect(report.packages).toEqual(['one'])
    expect(report.passed).toBe(true)
    expect(report.annotations).toEqual({ emitted: 2, notAnnotated: 0 })
    expect(io.annotations.map((a) => [a.severity, a.title, a.file])).toEqual([
      ['error', 'flake8 E501', 'packages/one/a.py'],
      ['warning', 'flake8 W291', 'packages/one/b.py']
    ])
    expect(io.summary).toContain('Fake action: passed')
    expect(io.summary).toContain('### Extra section')
    expect(fs.existsSync(path.join(temp, 'dk-actions', 'fake-action.sarif'))).toBe(false)
  })

  test('a failing result fails with the default message and writes SARIF when asked', async () => {
    const io = memoryIO()
    const result: ActionResult = { passed: false, packages: ['one'], checks, sarif: true }
    await runAction(io, definition({ run: async () => result }))
    expect(io.failed).toBe('Fake action failed: 1 error(s), 1 warning(s). See the step summary for details.')
    const sarifPath = path.join(temp, 'dk-actions', 'fake-action.sarif')
    expect(io.outputs.sarif).toBe(sarifPath)
    const sarif = JSON.parse(fs.readFileSync(sarifPath, 'utf8')) as {
      version: string
      runs: unknown[]
    }
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs).toHaveLength(2)
  })

  test('a failing result with its own message uses it', async () => {
    const io = memoryIO()
    await runAction(
      io,
      definition({
        run: async () => ({ passed: false, packages: [], checks: [], failureMessage: 'Custom.' })
      })
    )
    expect(io.failed).toBe('Custom.')
  })
})

describe('work after the run (ActionContext.later)', () => {
  /** Work that ends a moment after it was handed over, saying when in `order`. */
  const slowWork = (order: string[]): Promise<void> =>
    new Promise((resolve) =>
      setTimeout(() => {
        order.push('later work ended')
        resolve()
      }, 50)
    )

  test('ends before the step reports its outputs', async () => {
    const order: string[] = []
    const io = memoryIO()
    const setOutput = io.setOutput.bind(io)
    io.setOutput = (name, value) => {
      if (name === 'passed') order.push('reported')
      setOutput(name, value)
    }
    await runAction(
      io,
      definition({
        run: async (ctx) => {
          ctx.later(slowWork(order))
          return { passed: true, packages: [], checks: [] }
        }
      })
    )
    expect(order).toEqual(['later work ended', 'reported'])
    expect(io.outputs.passed).toBe('true')
  })

  test('ends before the step fails, when the run threw after handing it over', async () => {
    const order: string[] = []
    const io = memoryIO()
    await runAction(
      io,
      definition({
        run: async (ctx) => {
          ctx.later(slowWork(order))
          throw new UserError('No Python packages found in /x.')
        }
      })
    )
    expect(order).toEqual(['later work ended'])
    expect(io.failed).toBe('No Python packages found in /x.')
  })

  test('work that fails is said in the debug log and changes no result', async () => {
    const io = memoryIO()
    await runAction(
      io,
      definition({
        run: async (ctx) => {
          ctx.later(Promise.reject(new Error('disk full')))
          return { passed: true, packages: [], checks: [] }
        }
      })
    )
    expect(io.outputs.passed).toBe('true')
    expect(io.failed).toBeUndefined()
    expect(io.logs).toContainEqual(expect.objectContaining({ level: 'debug', message: 'Work after the run failed: disk full' }))
  })
})

describe('helpers', () => {
  test('defaultFailureMessage names errored tools and counts', () => {
    const message = defaultFailureMessage('Quality', {
      passed: false,
      packages: [],
      checks: [
        { tool: 'mypy', package: 'core', status: 'error', durationMs: 1, findings: [] },
        { tool: 'black', status: 'error', durationMs: 1, findings: [] },
        {
          tool: 'flake8',
          status: 'failed',
          durationMs: 1,
          findings: [{ tool: 'flake8', severity: 'error', message: 'm' }]
        }
      ]
    })
    expect(message).toBe('Quality failed: mypy (core), black could not run; 1 error(s), 0 warning(s). See the step summary for details.')
  })

  test('reportBaseName keeps only safe characters', () => {
    expect(reportBaseName('run-quality')).toBe('run-quality')
    expect(reportBaseName('a/b c')).toBe('a-b-c')
  })
})
