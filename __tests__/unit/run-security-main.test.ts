/**
 * run-security's whole flow through a recorded exec: the tools answer with output captured
 * from the real bandit 1.9.4 and pip-audit 2.10.1 on the `vulnerable` security fixture
 * (__tests__/fixtures/captured/README-security.md), and any other command fails the test.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { runSecurityAction } from '../../actions/run-security/main.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { InputReader } from '../../packages-shared/inputs.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { recordedExec, recordedHttp, testContext, type Answer, type ExecRule, type HttpRoute } from '../helpers/recorded.js'
import { scratchDirs, writeSrcPackages } from '../helpers/scratch.js'

const CAPTURED = path.resolve('__tests__/fixtures/captured')
const captured = (file: string): string => fs.readFileSync(path.join(CAPTURED, file), 'utf8')
const GHSA = 'GHSA-462w-v97r-4m45'

const scratch = scratchDirs()
const tempDir = scratch.tempDir

/** A copy of a security fixture, outside any git checkout (discovery walks the files). */
function fixture(name: 'vulnerable' | 'clean'): string {
  return scratch.copy(path.resolve('__tests__/fixtures/security', name), `dk-sec-main-${name}-`)
}

/** A PATH folder holding the named tools, so install: none finds them; the recorded exec answers for them. */
function toolsOnPath(...names: string[]): string {
  const bin = tempDir('dk-sec-bin-')
  for (const n of names) fs.writeFileSync(path.join(bin, n), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  return bin
}

const PYTHON: ExecRule = { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.11.2\n' } }
const VERSIONS: ExecRule[] = [
  { match: /\/bandit --version$/, answer: { stdout: 'bandit 1.9.4\n  python version = 3.11.2\n' } },
  { match: /\/pip-audit --version$/, answer: { stdout: 'pip-audit 2.10.1\n' } }
]
const BANDIT_VULNERABLE: ExecRule = { match: /\/bandit -r /, answer: { exitCode: 1, stdout: captured('bandit/vulnerable.json') } }
const PIP_AUDIT_VULNERABLE: ExecRule = {
  match: /\/pip-audit -r /,
  answer: { exitCode: 1, stdout: captured('pip-audit/osv-vulnerable.json') }
}

async function run(
  ws: string,
  inputs: Record<string, string>,
  rules: ExecRule[],
  tools = ['bandit', 'pip-audit'],
  options: { routes?: HttpRoute[]; env?: Record<string, string> } = {}
) {
  const exec = recordedExec(rules)
  const http = recordedHttp(options.routes ?? [])
  const env = { GITHUB_WORKSPACE: ws, PATH: toolsOnPath(...tools), RUNNER_TEMP: tempDir('dk-sec-temp-'), ...options.env }
  const { ctx, io } = testContext({ inputs: { install: 'none', ...inputs }, env, exec, http })
  const parsed = runSecurityAction.parseInputs(new InputReader(io), ctx.common, io)
  const result = await runSecurityAction.run(ctx, parsed)
  const check = (tool: string): CheckResult => {
    const found = result.checks.find((c) => c.tool === tool)
    if (!found) throw new Error(`no ${tool} check in ${result.checks.map((c) => c.tool).join(', ')}`)
    return found
  }
  return { result, check, exec, http, io }
}

describe('run-security main through recorded tools', () => {
  test('the vulnerable fixture: bandit and the dependency audit fail with the captured findings, the workflow audit finds the pinning and injection', async () => {
    const ws = fixture('vulnerable')
    const { result, check, exec } = await run(ws, {}, [PYTHON, ...VERSIONS, BANDIT_VULNERABLE, PIP_AUDIT_VULNERABLE])

    expect(result.checks.map((c) => c.tool)).toEqual(['bandit', 'dependencies', 'workflows'])
    const bandit = check('bandit')
    expect(bandit.status).toBe('failed')
    expect(bandit.toolVersion).toBe('1.9.4')
    expect(bandit.findings.map((f) => [f.file, f.line, f.rule, f.severity, f.package])).toEqual([
      ['packages/app/src/app/runner.py', 3, 'B404', 'note', 'app'],
      ['packages/app/src/app/runner.py', 7, 'B602', 'error', 'app'],
      ['packages/app/src/app/runner.py', 11, 'B105', 'note', 'app']
    ])
    const deps = check('dependencies')
    expect(deps.status).toBe('failed')
    expect(deps.toolVersion).toBe('pip-audit 2.10.1')
    expect(deps.findings).toHaveLength(1)
    expect(deps.findings[0]).toMatchObject({ rule: GHSA, file: 'packages/app/poetry.lock', line: 4, package: 'app', severity: 'error' })
    expect(deps.findings[0]!.message).toContain(
      'app depends on jinja2 2.10 (locked in packages/app/poetry.lock), affected by GHSA-462w-v97r-4m45 (CVE-2019-10906)'
    )
    expect(deps.findings[0]!.message).toContain('Fixed in 2.10.1.')
    expect(check('workflows').findings.map((f) => [f.rule, f.line])).toEqual(
      expect.arrayContaining([
        ['unpinned-uses', 10],
        ['script-injection', 12]
      ])
    )

    expect(result.passed).toBe(false)
    expect(result.packages).toEqual(['app'])
    expect(result.failureMessage).toMatch(/^run-security found \d+ problem\(s\) at or above 'error' \(bandit, dependencies, workflows\)/)
    // bandit runs once from the root over the package's module; pip-audit over the locked set, with no online fallback.
    const commands = exec.commands()
    const banditRun = commands.find((c) => /\/bandit -r /.test(c))!
    expect(banditRun).toMatch(/\/bandit -r packages\/app\/src\/app -f json -q --severity-level low --confidence-level low$/)
    const audit = exec.calls.find((c) => /\/pip-audit$/.test(c.argv[0]!) && c.argv[1] === '-r')!
    expect(fs.readFileSync(audit.argv[2]!, 'utf8')).toBe('jinja2==2.10\nmarkupsafe==1.1.1\n')
    expect(audit.argv).not.toContain('--osv-url')
    expect(commands.filter((c) => /\/bandit -r |\/pip-audit -r /.test(c))).toHaveLength(2)
  })

  describe('without a lock file: requirements resolved by uv pip compile, nothing installed', () => {
    /** packages/app needs core (with core's `speed` extra) and jinja2; core needs tomli; docs needs nothing. */
    function unlocked(): string {
      const ws = tempDir('dk-sec-main-unlocked-')
      writeSrcPackages(ws, ['app', 'core', 'docs'], 'VALUE = 1\n')
      fs.writeFileSync(
        path.join(ws, 'packages', 'app', 'pyproject.toml'),
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["core[speed]", "jinja2==2.10"]\n'
      )
      fs.writeFileSync(
        path.join(ws, 'packages', 'core', 'pyproject.toml'),
        '[project]\nname = "core"\nversion = "1.0"\ndependencies = ["tomli>=2"]\n[project.optional-dependencies]\nspeed = ["markupsafe>=1.1; python_version >= \'3.8\'"]\n'
      )
      return ws
    }
    const compiled = (spec: CommandSpec): Answer => ({
      stdout: fs.readFileSync(spec.argv[3]!, 'utf8').includes('jinja2')
        ? 'jinja2==2.10\nmarkupsafe==1.1.1\n    # via jinja2\ntomli==2.0.1\n'
        : 'tomli==2.0.1\n'
    })
    const UV_COMPILE: ExecRule = { match: /\/uv pip compile /, answer: compiled }
    // The captured audit of jinja2 2.10 for the set holding it; tomli alone is clean.
    const PIP_AUDIT_BY_SET: ExecRule = {
      match: /\/pip-audit -r /,
      answer: (spec) =>
        /jinja2/i.test(fs.readFileSync(spec.argv[2]!, 'utf8'))
          ? { exitCode: 1, stdout: captured('pip-audit/osv-vulnerable.json') }
          : { stdout: '{"dependencies": [{"name": "tomli", "version": "2.0.1", "vulns": []}], "fixes": []}' }
    }

    test('uv pip compile runs once for each package with third-party requirements, no venv is made, and pip-audit audits the resolved set', async () => {
      const ws = unlocked()
      const { result, exec, io } = await run(
        ws,
        { checks: 'dependencies' },
        [PYTHON, ...VERSIONS, UV_COMPILE, PIP_AUDIT_BY_SET],
        ['pip-audit', 'uv']
      )
      // Once for app and once for core; docs needs nothing from the index, so nothing is resolved for it.
      const compiles = new Map(
        exec.calls.filter((c) => c.argv[1] === 'pip' && c.argv[2] === 'compile').map((c) => [path.basename(c.cwd!), c])
      )
      expect(exec.calls.filter((c) => c.argv[2] === 'compile')).toHaveLength(2)
      expect([...compiles.keys()].sort()).toEqual(['app', 'core'])
      const app = compiles.get('app')!
      expect(app.argv.slice(4)).toEqual(['--python', '/usr/bin/python3', '--no-header', '--no-annotate', '--quiet'])
      expect(app.cwd).toBe(path.join(ws, 'packages', 'app'))
      // core's own requirement and its `speed` extra's (marker kept), never core itself.
      expect(fs.readFileSync(app.argv[3]!, 'utf8')).toBe("tomli>=2\nmarkupsafe>=1.1 ; python_version >= '3.8'\njinja2==2.10\n")
      expect(fs.readFileSync(compiles.get('core')!.argv[3]!, 'utf8')).toBe('tomli>=2\n')
      expect(exec.commands().filter((c) => /venv|pip install|-m pip/.test(c))).toEqual([])
      const audits = exec.calls
        .filter((c) => /\/pip-audit$/.test(c.argv[0]!) && c.argv[1] === '-r')
        .map((c) => fs.readFileSync(c.argv[2]!, 'utf8'))
        .sort()
      expect(audits).toEqual(['jinja2==2.10\nmarkupsafe==1.1.1\ntomli==2.0.1\n', 'tomli==2.0.1\n'])
      expect(
        exec.calls.filter((c) => c.argv[1] === '-r').every((c) => c.argv.includes('--no-deps') && c.argv.includes('--disable-pip'))
      ).toBe(true)

      const deps = new Map(result.checks.filter((c) => c.tool === 'dependencies').map((c) => [c.package, c]))
      expect([...deps].map(([p, c]) => [p, c.status]).sort()).toEqual([
        ['app', 'failed'],
        ['core', 'passed'],
        ['docs', 'passed']
      ])
      expect(deps.get('core')!.findings).toEqual([])
      expect(deps.get('docs')!.message).toBe('packages/docs/pyproject.toml: no third-party dependency to audit')
      const found = deps.get('app')!.findings
      expect(found).toHaveLength(1)
      expect(found[0]).toMatchObject({ rule: GHSA, file: 'packages/app/pyproject.toml', package: 'app', severity: 'error' })
      expect(found[0]!.line).toBeUndefined()
      expect(found[0]!.message).toContain('app depends on jinja2 2.10 (resolved for app), affected by GHSA-462w-v97r-4m45')
      expect(io.logs.some((l) => l.message.includes('uv pip compile for app (3 requirement(s))'))).toBe(true)
    })

    test('the index settings reach uv pip compile through its environment, never its command line', async () => {
      const ws = unlocked()
      const { exec } = await run(ws, { checks: 'dependencies' }, [PYTHON, ...VERSIONS, UV_COMPILE, PIP_AUDIT_BY_SET], ['pip-audit', 'uv'], {
        env: { UV_INDEX_URL: 'https://user:secret@index.example/simple' }
      })
      const compile = exec.calls.find((c) => c.argv[2] === 'compile')!
      expect(compile.env!.UV_INDEX_URL).toBe('https://user:secret@index.example/simple')
      expect(compile.argv.join(' ')).not.toContain('secret')
    })

    test('a resolution that fails is an error naming the package and suggesting a lock file; the other packages are still audited', async () => {
      const ws = unlocked()
      fs.writeFileSync(
        path.join(ws, 'packages', 'docs', 'pyproject.toml'),
        '[project]\nname = "docs"\nversion = "1.0"\ndependencies = ["no-such-dist-xyz>=99"]\n'
      )
      const { result } = await run(
        ws,
        { checks: 'dependencies' },
        [
          PYTHON,
          ...VERSIONS,
          {
            match: (spec) => spec.argv[2] === 'compile' && fs.readFileSync(spec.argv[3]!, 'utf8').includes('no-such-dist'),
            answer: {
              exitCode: 1,
              stderr:
                '  × No solution found when resolving dependencies:\n  ╰─▶ Because no-such-dist-xyz was not found in the package registry and you require no-such-dist-xyz>=99, we can conclude that your requirements are unsatisfiable.\n'
            }
          },
          UV_COMPILE,
          PIP_AUDIT_BY_SET
        ],
        ['pip-audit', 'uv']
      )
      const docs = result.checks.find((c) => c.tool === 'dependencies' && c.package === 'docs')!
      expect(docs.status).toBe('error')
      expect(docs.message).toMatch(
        /^Could not resolve the requirements of docs with uv pip compile \(add a uv\.lock, poetry\.lock, pylock\.toml or a requirements\.txt with hashes to audit the locked set instead\): /
      )
      expect(docs.message).toContain('no-such-dist-xyz was not found in the package registry')
      expect(result.checks.find((c) => c.tool === 'dependencies' && c.package === 'app')!.status).toBe('failed')
      expect(result.passed).toBe(false)
    })

    test.each([
      ['with', ['pip-audit', 'uv']],
      ['without', ['pip-audit']]
    ])(
      'the example monorepo, %s uv on PATH: no package needs anything from the index, so nothing is resolved, installed or audited',
      async (_, tools) => {
        const ws = scratch.copy(path.resolve('examples/monorepo'), 'dk-sec-main-example-')
        const { result, exec } = await run(ws, { checks: 'dependencies' }, [PYTHON, ...VERSIONS], tools)
        const deps = result.checks.filter((c) => c.tool === 'dependencies')
        expect(deps.length).toBeGreaterThan(1)
        for (const c of deps)
          expect(c).toMatchObject({ status: 'passed', message: expect.stringContaining('no third-party dependency to audit') })
        expect(exec.commands().filter((c) => !/ --version$/.test(c) && !/^python3 -c /.test(c))).toEqual([])
        expect(result.passed).toBe(true)
      }
    )

    test('without uv on PATH, a package with third-party requirements is installed into a venv of its own as before, and the log says why', async () => {
      const ws = unlocked()
      const { result, exec, io } = await run(
        ws,
        { checks: 'dependencies' },
        [
          PYTHON,
          ...VERSIONS,
          // The venv's folder, as python -m venv leaves it (the suite stamps it as its own).
          { match: /^\/usr\/bin\/python3 -m venv /, answer: (spec) => (fs.mkdirSync(spec.argv.at(-1)!, { recursive: true }), {}) },
          { match: /\/bin\/python -m pip install /, answer: {} },
          {
            match: /\/bin\/python -c /,
            answer: (spec) => ({
              stdout: spec.argv[0]!.includes('env-app')
                ? '[["Jinja2", "2.10"], ["MarkupSafe", "1.1.1"], ["app", "1.0"], ["core", "1.0"], ["pip", "25.0"]]'
                : '[["core", "1.0"]]'
            })
          },
          PIP_AUDIT_BY_SET
        ],
        ['pip-audit']
      )
      expect(exec.calls.filter((c) => c.argv[2] === 'compile')).toEqual([])
      // app and core have third-party requirements; docs has none and gets no venv.
      expect(
        exec
          .commands()
          .filter((c) => / -m venv /.test(c))
          .map((c) => path.basename(c.split(' ').pop()!))
          .sort()
      ).toEqual(['env-app', 'env-core'])
      expect(io.logs).toContainEqual(
        expect.objectContaining({
          level: 'info',
          message: expect.stringMatching(
            /^uv is not available: (app, core|core, app) are installed into a venv each to list their dependencies/
          )
        })
      )
      const app = result.checks.find((c) => c.tool === 'dependencies' && c.package === 'app')!
      expect(app.findings[0]!.message).toContain('app depends on jinja2 2.10 (installed for app)')
    })

    test('a root pylock.toml is the lock of every package: audited from it, nothing resolved', async () => {
      const ws = unlocked()
      fs.copyFileSync(path.resolve('__tests__/fixtures/security/locks/pylock/pylock.toml'), path.join(ws, 'pylock.toml'))
      const { result, exec } = await run(ws, { checks: 'dependencies' }, [PYTHON, ...VERSIONS, PIP_AUDIT_VULNERABLE], ['pip-audit', 'uv'])
      expect(exec.calls.filter((c) => c.argv[2] === 'compile')).toEqual([])
      const audit = exec.calls.find((c) => /\/pip-audit$/.test(c.argv[0]!) && c.argv[1] === '-r')!
      expect(fs.readFileSync(audit.argv[2]!, 'utf8')).toBe('Jinja2==2.10\nmarkupsafe==1.1.1\ntomli==2.0.1\n')
      const deps = result.checks.find((c) => c.tool === 'dependencies')!
      expect(deps.findings[0]).toMatchObject({ rule: GHSA, file: 'pylock.toml', line: 17 })
      expect(deps.findings[0]!.message).toContain('depends on jinja2 2.10 (locked in pylock.toml)')
    })
  })

  test('a scanner that cannot start is an error, never a pass, and the run says which could not run', async () => {
    const ws = fixture('clean')
    const { result, check } = await run(
      ws,
      { checks: 'bandit' },
      [PYTHON, ...VERSIONS, { match: /\/bandit -r /, answer: { exitCode: 127, spawnError: 'command not found: bandit' } }],
      ['bandit']
    )
    expect(check('bandit')).toMatchObject({ status: 'error', findings: [] })
    expect(check('bandit').message).toContain('bandit could not run: command not found: bandit')
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe('run-security: bandit could not run: bandit could not run: command not found: bandit')
  })

  test('an active ignore clears the advisory it names; an expired one reports its finding again and warns', async () => {
    const ws = fixture('vulnerable')
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
    const active = await run(
      ws,
      { checks: 'dependencies', ignore: `${GHSA} until ${future}: no fix we can take yet` },
      [PYTHON, ...VERSIONS, PIP_AUDIT_VULNERABLE],
      ['pip-audit']
    )
    expect(active.check('dependencies')).toMatchObject({ status: 'passed', findings: [] })
    expect(active.result.passed).toBe(true)
    expect(active.result.data!.ignores).toEqual([expect.objectContaining({ id: GHSA, until: future, expired: false, matched: 1 })])
    expect(active.result.sections!.join('\n')).toContain('### Ignored findings')
    expect(active.result.sections!.join('\n')).toContain('✅ active')

    const expired = await run(
      ws,
      { checks: 'dependencies', ignore: `${GHSA} until 2020-01-31` },
      [PYTHON, ...VERSIONS, PIP_AUDIT_VULNERABLE],
      ['pip-audit']
    )
    expect(expired.check('dependencies').status).toBe('failed')
    expect(expired.check('dependencies').findings.map((f) => f.rule)).toEqual([GHSA])
    expect(expired.io.logs).toContainEqual({
      level: 'warning',
      message: `The ignore of ${GHSA} expired on 2020-01-31; its 1 finding(s) are reported again.`
    })
    expect(expired.result.passed).toBe(false)
  })

  test('pip-audit that cannot reach the advisory service is an error after its attempts, not a clean audit', async () => {
    const ws = fixture('vulnerable')
    const { result, check, exec } = await run(
      ws,
      { checks: 'dependencies', 'audit-retries': '0' },
      [
        PYTHON,
        ...VERSIONS,
        { match: /\/pip-audit -r /, answer: { exitCode: 1, stdout: '', stderr: captured('pip-audit/osv-unreachable.stderr') } }
      ],
      ['pip-audit']
    )
    const deps = check('dependencies')
    expect(deps.status).toBe('error')
    expect(deps.message).toMatch(
      /^pip-audit could not audit packages\/app\/poetry\.lock after 1 attempt\(s\): pip-audit exited with code 1:/
    )
    expect(deps.message).toContain('Connection refused')
    expect(result.failureMessage).toMatch(/^run-security: dependencies could not run: pip-audit could not audit/)
    expect(exec.commands().filter((c) => /\/pip-audit -r /.test(c))).toHaveLength(1)
  })

  test('workflows and trivy run in a repository without Python packages; trivy asked for but absent is an error; nothing starts', async () => {
    const ws = tempDir('dk-sec-main-actions-')
    fs.mkdirSync(path.join(ws, '.github', 'workflows'), { recursive: true })
    fs.copyFileSync(
      path.resolve('__tests__/fixtures/security/clean/.github/workflows/ci.yml'),
      path.join(ws, '.github', 'workflows', 'ci.yml')
    )
    const { result, check, exec } = await run(ws, { checks: 'workflows,trivy' }, [], [])
    expect(result.packages).toEqual([])
    expect(check('workflows')).toMatchObject({ status: 'passed', findings: [] })
    expect(check('trivy').status).toBe('error')
    expect(check('trivy').message).toContain("trivy was requested in 'checks' but is not on PATH")
    expect(result.passed).toBe(false)
    expect(exec.calls).toEqual([])
  })

  test('a selection scans only that package; safety without a key is skipped with a notice; a SARIF upload without a token says why', async () => {
    const ws = tempDir('dk-sec-main-two-')
    writeSrcPackages(ws, ['alpha', 'beta'], 'VALUE = 1\n')
    const { result, check, exec, http, io } = await run(
      ws,
      { checks: 'bandit,safety', packages: 'beta', 'upload-sarif': 'true', token: '' },
      [PYTHON, ...VERSIONS, { match: /\/bandit -r /, answer: { exitCode: 0, stdout: captured('bandit/clean.json') } }],
      ['bandit']
    )
    expect(result.packages).toEqual(['beta'])
    const bandits = exec.commands().filter((c) => /\/bandit -r /.test(c))
    expect(bandits).toHaveLength(1)
    expect(bandits[0]).toContain('-r packages/beta/src/beta -f json')
    expect(bandits[0]).not.toContain('alpha')
    expect(check('bandit').status).toBe('passed')
    expect(check('safety')).toMatchObject({ status: 'skipped', message: "no 'safety-api-key': safety needs an account key" })
    expect(io.logs).toContainEqual(
      expect.objectContaining({ level: 'notice', message: expect.stringContaining("'safety-api-key' is empty") })
    )
    expect(result.data!.sarifUpload).toEqual({ uploaded: false, reason: "no token: set the 'token' input (it defaults to github.token)" })
    expect(result.sections!.join('\n')).toContain('SARIF not uploaded: no token')
    expect(result.outputs).toEqual({})
    expect(http.requests).toEqual([])
    expect(result.passed).toBe(true)
  })

  test("upload-sarif sends the checks to code scanning through the run's HTTP client and outputs the upload id", async () => {
    const ws = fixture('vulnerable')
    const url = 'https://api.github.test/repos/acme/app/code-scanning/sarifs'
    const { result, http } = await run(ws, { checks: 'workflows', 'upload-sarif': 'true', token: 'ghs_recorded' }, [], [], {
      env: {
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_REF: 'refs/heads/main',
        GITHUB_API_URL: 'https://api.github.test'
      },
      routes: [
        { match: `POST ${url}`, answer: () => new Response(JSON.stringify({ id: 'sarif-123', url: `${url}/sarif-123` }), { status: 202 }) },
        {
          match: `GET ${url}/sarif-123`,
          answer: () => new Response(JSON.stringify({ processing_status: 'complete', analyses_url: 'x' }), { status: 200 })
        }
      ]
    })
    expect(http.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${url}`, `GET ${url}/sarif-123`])
    expect(http.requests[1]!.init.headers).toMatchObject({ authorization: 'Bearer ghs_recorded' })
    const body = JSON.parse(String(http.requests[0]!.init.body)) as { commit_sha: string; ref: string; sarif: string }
    expect(body).toMatchObject({ commit_sha: 'a'.repeat(40), ref: 'refs/heads/main' })
    const sarif = JSON.parse(gunzipSync(Buffer.from(body.sarif, 'base64')).toString('utf8')) as {
      runs: { automationDetails: { id: string }; results: { ruleId: string }[] }[]
    }
    expect(sarif.runs.map((r) => r.automationDetails.id)).toEqual(['dk-actions/run-security/workflows/'])
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['unpinned-uses', 'script-injection']))
    expect(result.outputs).toEqual({ 'sarif-id': 'sarif-123' })
    expect(result.data!.sarifUpload).toMatchObject({ uploaded: true, id: 'sarif-123' })
    expect(result.sections!.join('\n')).toContain(
      'SARIF uploaded to code scanning (upload id `sarif-123`). Code scanning has processed it.'
    )
    expect(result.data!.sarifUpload).toMatchObject({ processing: 'complete' })
    expect(result.passed).toBe(false)
  })
})
