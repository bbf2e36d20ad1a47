/** Parsers of bandit and pip-audit, fed with output captured from the real tools. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CommandResult } from '../../packages-shared/exec.js'
import { banditConfigArgs, parseBandit } from '../../packages-shared/tools/bandit.js'
import { parsePipAudit } from '../../packages-shared/tools/pip-audit.js'
import { findingIds } from '../../packages-shared/tools/security.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const CAPTURED = path.join(HERE, '..', 'fixtures', 'captured')
const result = (stdout: string, exitCode: number, stderr = ''): CommandResult => ({
  argv: [],
  exitCode,
  stdout,
  stderr,
  timedOut: false,
  durationMs: 1
})

describe('bandit JSON', () => {
  const inv = { root: '/repo', cwd: '/repo' }
  test('maps severity, 1-based columns, rule ids and urls from real bandit 1.9.4 output', () => {
    const out = parseBandit(result(fs.readFileSync(path.join(CAPTURED, 'bandit', 'vulnerable.json'), 'utf8'), 1), inv)
    expect(out.error).toBeUndefined()
    expect(out.findings.map((f) => [f.rule, f.line, f.column, f.severity])).toEqual([
      ['B404', 3, 1, 'note'],
      ['B602', 7, 12, 'error'],
      ['B105', 11, 16, 'note']
    ])
    expect(out.findings[1]!.file).toBe('packages/app/src/app/runner.py')
    expect(out.findings[1]!.message).toContain('subprocess_popen_with_shell_equals_true')
    expect(findingIds(out.findings[1]!)).toEqual(['B602', 'subprocess_popen_with_shell_equals_true'])
  })
  test('a clean run has no findings; exit 2 or unparsable output is an error', () => {
    expect(parseBandit(result(fs.readFileSync(path.join(CAPTURED, 'bandit', 'clean.json'), 'utf8'), 0), inv)).toEqual({ findings: [] })
    expect(parseBandit(result('', 2, 'usage: bandit'), inv).error).toContain('exited with code 2')
  })
  test('passes the project configuration only when it exists', () => {
    const dir = fs.mkdtempSync(path.join(HERE, '..', '..', '.cache-bandit-'))
    try {
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\n')
      expect(banditConfigArgs(dir)).toEqual([])
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.bandit]\nskips = ["B101"]\n')
      fs.writeFileSync(path.join(dir, '.bandit'), '[bandit]\n')
      expect(banditConfigArgs(dir)).toEqual(['-c', 'pyproject.toml', '--ini', '.bandit'])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('pip-audit JSON', () => {
  test('reads vulnerabilities with fixed versions and aliases from real pip-audit 2.10.1 output', () => {
    const out = parsePipAudit(result(fs.readFileSync(path.join(CAPTURED, 'pip-audit', 'osv-vulnerable.json'), 'utf8'), 1))
    expect(out.error).toBeUndefined()
    expect(out.dependencies).toEqual([
      {
        name: 'jinja2',
        version: '2.10',
        skipReason: undefined,
        vulns: [
          {
            id: 'CVE-2019-10906',
            fixVersions: ['2.10.1'],
            aliases: ['GHSA-462w-v97r-4m45'],
            description: 'Jinja2 sandbox escape via string formatting'
          }
        ]
      },
      { name: 'markupsafe', version: '1.1.1', skipReason: undefined, vulns: [] }
    ])
  })
  test('an unreachable advisory service (exit 1, no JSON) is an error, not a pass', () => {
    const out = parsePipAudit(result('', 1, fs.readFileSync(path.join(CAPTURED, 'pip-audit', 'osv-unreachable.stderr'), 'utf8')))
    expect(out.error).toContain('Connection refused')
  })
})
