import { createMemoryIO } from '../helpers/io-memory.js'
import type { Finding, Severity } from '../../packages-shared/findings.js'
import { ANNOTATION_LIMITS, annotationTitle, emitAnnotations, planAnnotations } from '../../packages-shared/report/annotations.js'

function findings(n: number, tool: string, severity: Severity, extra: Partial<Finding> = {}): Finding[] {
  return Array.from({ length: n }, (_, i) => ({
    tool,
    severity,
    file: `src/${tool}_${i}.py`,
    line: i + 1,
    message: `${tool} ${severity} ${i}`,
    ...extra
  }))
}

describe('planAnnotations', () => {
  test('the limits are 10 errors, 10 warnings and 10 notes', () => {
    expect(ANNOTATION_LIMITS).toEqual({ error: 10, warning: 10, note: 10 })
  })

  test('everything fits under the limits', () => {
    const all = [...findings(3, 'flake8', 'error'), ...findings(2, 'mypy', 'warning'), ...findings(1, 'pylint', 'note')]
    const plan = planAnnotations(all)
    expect(plan.annotated).toHaveLength(6)
    expect(plan.notAnnotated).toBe(0)
  })

  test('caps each severity at 10 and counts the rest exactly', () => {
    const all = [...findings(25, 'flake8', 'error'), ...findings(14, 'flake8', 'warning'), ...findings(10, 'flake8', 'note')]
    const plan = planAnnotations(all)
    const bySeverity = (s: Severity): number => plan.annotated.filter((f) => f.severity === s).length
    expect(bySeverity('error')).toBe(10)
    expect(bySeverity('warning')).toBe(10)
    expect(bySeverity('note')).toBe(10)
    expect(plan.notAnnotated).toBe(15 + 4 + 0)
    expect(plan.annotated.length + plan.notAnnotated).toBe(all.length)
  })

  test('most severe first: errors, then warnings, then notes', () => {
    const all = [...findings(2, 'x', 'note'), ...findings(2, 'x', 'warning'), ...findings(2, 'x', 'error')]
    expect(planAnnotations(all).annotated.map((f) => f.severity)).toEqual(['error', 'error', 'warning', 'warning', 'note', 'note'])
  })

  test('30 flake8 errors and 3 mypy errors: all 3 mypy errors are annotated', () => {
    const flake8 = findings(30, 'flake8', 'error')
    const mypy = findings(3, 'mypy', 'error')
    const plan = planAnnotations([...flake8, ...mypy])
    expect(plan.annotated).toHaveLength(10)
    expect(plan.annotated.filter((f) => f.tool === 'mypy')).toEqual(mypy)
    expect(plan.annotated.filter((f) => f.tool === 'flake8')).toEqual(flake8.slice(0, 7))
    expect(plan.notAnnotated).toBe(23)
  })

  test('round-robin over tools: three noisy tools share the slots', () => {
    const plan = planAnnotations([...findings(20, 'a', 'error'), ...findings(20, 'b', 'error'), ...findings(20, 'c', 'error')])
    const count = (tool: string): number => plan.annotated.filter((f) => f.tool === tool).length
    expect([count('a'), count('b'), count('c')]).toEqual([4, 3, 3])
    // Each tool's findings keep their order: first the first one.
    expect(plan.annotated.slice(0, 3).map((f) => f.message)).toEqual(['a error 0', 'b error 0', 'c error 0'])
    expect(plan.notAnnotated).toBe(50)
  })

  test('round-robin also spreads over packages of one tool', () => {
    const plan = planAnnotations([
      ...findings(15, 'mypy', 'error', { package: 'core' }),
      ...findings(2, 'mypy', 'error', { package: 'api' })
    ])
    expect(plan.annotated.filter((f) => f.package === 'api')).toHaveLength(2)
    expect(plan.annotated.filter((f) => f.package === 'core')).toHaveLength(8)
  })

  test('findings without a file are annotated on the run, within the same budget', () => {
    const withoutFile = findings(4, 'build', 'error', { file: undefined })
    const plan = planAnnotations([...withoutFile, ...findings(2, 'flake8', 'error'), ...findings(1, 'x', 'warning', { file: '' })])
    expect(plan.annotated).toHaveLength(7)
    expect(plan.annotated.filter((f) => !f.file)).toHaveLength(5)
    expect(plan.notAnnotated).toBe(0)
  })

  test('custom limits are respected', () => {
    const plan = planAnnotations(findings(5, 'a', 'warning'), { error: 0, warning: 2, note: 0 })
    expect(plan.annotated).toHaveLength(2)
    expect(plan.notAnnotated).toBe(3)
  })

  test('the plan is the same whatever the tool order in the input', () => {
    const a = findings(12, 'a', 'error')
    const b = findings(12, 'b', 'error')
    expect(
      planAnnotations([...a, ...b])
        .annotated.map((f) => f.message)
        .sort()
    ).toEqual(
      planAnnotations([...b, ...a])
        .annotated.map((f) => f.message)
        .sort()
    )
  })

  test('nothing in, nothing out', () => {
    expect(planAnnotations([])).toEqual({ annotated: [], notAnnotated: 0 })
  })
})

describe('annotationTitle', () => {
  test('is "tool rule", or the tool alone', () => {
    expect(annotationTitle({ tool: 'flake8', rule: 'E501', severity: 'error', message: 'm' })).toBe('flake8 E501')
    expect(annotationTitle({ tool: 'black', severity: 'error', message: 'm' })).toBe('black')
  })
})

describe('emitAnnotations', () => {
  test('calls io.annotate with the location, 1-based columns and "tool rule" title', () => {
    const io = createMemoryIO()
    const plan = emitAnnotations(io, [
      {
        tool: 'flake8',
        rule: 'E501',
        severity: 'error',
        file: 'pkg/a.py',
        line: 12,
        column: 80,
        endColumn: 95,
        message: 'line too long'
      },
      {
        tool: 'mypy',
        rule: 'arg-type',
        severity: 'warning',
        file: 'pkg/b.py',
        line: 3,
        column: 1,
        message: 'bad arg'
      },
      { tool: 'pylint', severity: 'note', file: 'pkg/c.py', message: 'file-level note' }
    ])
    expect(plan.notAnnotated).toBe(0)
    expect(io.annotations).toEqual([
      {
        severity: 'error',
        message: 'line too long',
        title: 'flake8 E501',
        file: 'pkg/a.py',
        startLine: 12,
        endLine: undefined,
        startColumn: 80,
        endColumn: 95
      },
      {
        severity: 'warning',
        message: 'bad arg',
        title: 'mypy arg-type',
        file: 'pkg/b.py',
        startLine: 3,
        endLine: undefined,
        startColumn: 1,
        endColumn: undefined
      },
      {
        severity: 'note',
        message: 'file-level note',
        title: 'pylint',
        file: 'pkg/c.py',
        startLine: undefined,
        endLine: undefined,
        startColumn: undefined,
        endColumn: undefined
      }
    ])
  })

  test('columns are dropped on multi-line annotations and kept when the end is the same line', () => {
    const io = createMemoryIO()
    emitAnnotations(io, [
      {
        tool: 't',
        severity: 'error',
        file: 'a.py',
        line: 1,
        endLine: 4,
        column: 2,
        endColumn: 9,
        message: 'multi'
      },
      {
        tool: 't',
        severity: 'error',
        file: 'a.py',
        line: 5,
        endLine: 5,
        column: 2,
        endColumn: 9,
        message: 'single'
      }
    ])
    expect(io.annotations.map((a) => [a.message, a.startLine, a.endLine, a.startColumn, a.endColumn])).toEqual([
      ['multi', 1, 4, undefined, undefined],
      ['single', 5, 5, 2, 9]
    ])
  })

  test('emits only the planned annotations', () => {
    const io = createMemoryIO()
    const plan = emitAnnotations(io, [...findings(30, 'flake8', 'error'), ...findings(3, 'mypy', 'error')])
    expect(io.annotations).toHaveLength(10)
    expect(io.annotations.filter((a) => a.title === 'mypy')).toHaveLength(3)
    expect(plan.notAnnotated).toBe(23)
  })

  test("a reserved slot (a failing step's own error) leaves room under the limit, per severity", () => {
    const io = createMemoryIO()
    const plan = emitAnnotations(io, [...findings(30, 'flake8', 'error'), ...findings(30, 'mypy', 'warning')], { error: 1 })
    expect(io.annotations.filter((a) => a.severity === 'error')).toHaveLength(9)
    expect(io.annotations.filter((a) => a.severity === 'warning')).toHaveLength(10)
    expect(plan.notAnnotated).toBe(41)
  })
})
