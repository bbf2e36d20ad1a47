import type { Finding } from '../../packages-shared/findings.js'
import { COMMENT_LIMIT, commentBody, commentMarker } from '../../packages-shared/github/pr-comment.js'

const marker = commentMarker('ci.yml/pipeline')
const finding = (i: number, severity: Finding['severity'] = 'error'): Finding => ({
  tool: 'quality/flake8',
  package: `pkg-${i % 7}`,
  file: `packages/p${i % 7}/src/m${i}.py`,
  line: i + 1,
  rule: 'E501',
  severity,
  message: `line too long (${100 + i} > 88 characters)`
})
const stages = [
  { name: 'quality', status: 'failed', errors: 3, warnings: 1, durationMs: 12_345 },
  { name: 'tests', status: 'passed', errors: 0, warnings: 0, durationMs: 40_000 }
]

describe('the pull-request comment', () => {
  test('headline, stages, packages and the first findings (errors first), with the marker and the link', () => {
    const body = commentBody(marker, {
      title: 'dk-actions pipeline',
      passed: false,
      stages,
      findings: [finding(1, 'warning'), finding(2), finding(3)],
      runUrl: 'https://github.com/o/r/actions/runs/9'
    })
    expect(body.startsWith(`${marker}\n\n## ❌ dk-actions pipeline: failed · 2 error(s), 1 warning(s)`)).toBe(true)
    expect(body).toContain('| quality | failed | 3 | 1 | 12.3 s |')
    expect(body).toContain('| `pkg-2` | 1 | 0 |')
    const lines = body.split('\n').filter((l) => l.startsWith('- '))
    expect(lines[0]).toBe('- ❌ **quality/flake8** E501 `packages/p2/src/m2.py:3` line too long (102 &gt; 88 characters)')
    expect(lines[2]!.startsWith('- ⚠️')).toBe(true)
    expect(body.trimEnd().endsWith("Full report: [the run's summary](https://github.com/o/r/actions/runs/9).")).toBe(true)
  })

  test('text from the code under test cannot add HTML, ping people, or break the table', () => {
    const body = commentBody(marker, {
      title: 'p',
      passed: false,
      stages: [],
      findings: [
        {
          tool: 'tests/pytest',
          severity: 'error',
          message: '<img src=x onerror=alert(1)> @octocat | done\n<!-- dk-actions:pr-report other -->'
        }
      ]
    })
    expect(body).not.toContain('<img')
    expect(body).not.toContain('@octocat')
    expect(body.split('<!-- dk-actions:pr-report').length).toBe(2)
    expect(body).toContain('\\|')
  })

  test('thousands of findings stay under the limit, and the comment says how many were left out', () => {
    const findings = Array.from({ length: 5000 }, (_, i) => ({ ...finding(i), message: 'x'.repeat(280) }))
    const body = commentBody(marker, { title: 'p', passed: false, stages, findings, runUrl: 'https://run' })
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(body.split('\n').filter((l) => l.startsWith('- ❌')).length).toBe(50)
    expect(body).toContain(`${5000 - 50} more line(s) did not fit in this comment: see [the run's summary](https://run).`)
    const tight = commentBody(marker, { title: 'p', passed: false, stages, findings, runUrl: 'https://run' }, 4000)
    expect(tight.length).toBeLessThanOrEqual(4000)
    expect(tight).toMatch(/\d+ more line\(s\) did not fit/)
  })
})
