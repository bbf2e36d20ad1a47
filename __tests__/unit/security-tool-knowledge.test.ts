import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { discoverWorkspace } from '../../packages-shared/workspace.js'
import { hasOwnBanditConfig } from '../../packages-shared/tools/bandit.js'
import { safetyArgv, safetyMessage, safetyShownArgv } from '../../packages-shared/tools/safety.js'
import { semgrepEnv, semgrepScanEnv } from '../../packages-shared/tools/semgrep.js'

let temp: string
beforeEach(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-sec-tools-'))
})
afterEach(() => fs.rmSync(temp, { recursive: true, force: true }))

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(temp, rel)), { recursive: true })
  fs.writeFileSync(path.join(temp, rel), text)
}

describe('bandit configuration', () => {
  test('a package below the root has its own with [tool.bandit] or a .bandit file; the root never does', () => {
    write('pyproject.toml', '[project]\nname = "root"\nversion = "1"\n\n[tool.bandit]\nskips = ["B101"]\n')
    write('packages/a/pyproject.toml', '[project]\nname = "a"\nversion = "1"\n\n[tool.bandit]\nskips = ["B101"]\n')
    write('packages/b/pyproject.toml', '[project]\nname = "b"\nversion = "1"\n')
    write('packages/b/.bandit', '[bandit]\nskips = B101\n')
    write('packages/c/pyproject.toml', '[project]\nname = "c"\nversion = "1"\n\n[tool.black]\nline-length = 88\n')
    for (const name of ['a', 'b', 'c']) write(`packages/${name}/${name}/__init__.py`, '')
    write('root/__init__.py', '')
    const ws = discoverWorkspace(temp)
    const own = Object.fromEntries(ws.packages.map((p) => [p.id, hasOwnBanditConfig(p)]))
    expect(own).toEqual({ root: false, a: true, b: true, c: false })
  })
})

describe('safety', () => {
  test('the finding names the package, the advisory, its CVE and the fixed versions', () => {
    expect(
      safetyMessage({
        name: 'jinja2',
        version: '2.4.1',
        id: '70612',
        cve: 'CVE-2019-8341',
        fixed: ['2.10.1', '3.1.5'],
        advisory: 'Server-side template injection.'
      })
    ).toBe('jinja2 2.4.1 is affected by safety advisory 70612 (CVE-2019-8341): Server-side template injection. Fixed in 2.10.1, 3.1.5.')
    expect(safetyMessage({ name: 'pyyaml', version: '5.3', id: '1', fixed: [], advisory: 'Unsafe load.' })).toBe(
      'pyyaml 5.3 is affected by safety advisory 1: Unsafe load.'
    )
  })
  test('the account key never appears in the command the report shows', () => {
    const argv = safetyArgv('safety', '/s/requirements.txt', 'the-key')
    expect(argv).toContain('the-key')
    expect(safetyShownArgv(argv, 'the-key')).toEqual([
      'safety',
      '--key',
      '***',
      '--disable-optional-telemetry',
      'check',
      '--json',
      '-r',
      '/s/requirements.txt'
    ])
  })
})

describe('semgrep environment', () => {
  test("the user's SEMGREP_* settings reach it, nothing else of the runner's, and the scan sends no metrics", () => {
    const env = semgrepEnv(
      { PATH: '/venv/bin' },
      { SEMGREP_RULES: 'p/python', SEMGREP_SEND_METRICS: 'on', GITHUB_TOKEN: 'secret', HOME: '/home/u' }
    )
    expect(env).toEqual({ PATH: '/venv/bin', SEMGREP_RULES: 'p/python', SEMGREP_SEND_METRICS: 'on' })
    expect(semgrepScanEnv(env)).toEqual({ PATH: '/venv/bin', SEMGREP_RULES: 'p/python', SEMGREP_SEND_METRICS: 'off' })
  })
})
