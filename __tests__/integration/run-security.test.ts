/**
 * run-security's bundle on the security fixtures, with the real tools the action installs
 * itself (bandit, pip-audit) and pip-audit auditing against a small local OSV database
 * served by the action on loopback: nothing reaches an advisory service.
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Finding } from '../../packages-shared/findings.js'
import { RUNNER_TEMP, copyFixture, nodeBinaries, runBundle } from './harness.js'

const GHSA = 'GHSA-462w-v97r-4m45'

/** One OSV record (as published for CVE-2019-10906): jinja2 before 2.10.1. */
function writeAdvisoryDb(ws: string): string {
  const dir = path.join(ws, 'advisories', 'PyPI', 'jinja2')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(dir, `${GHSA}.json`),
    JSON.stringify({
      schema_version: '1.4.0',
      id: GHSA,
      aliases: ['CVE-2019-10906'],
      summary: 'Jinja2 sandbox escape via string formatting',
      published: '2019-04-10T14:30:24Z',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'Jinja2' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.10.1' }] }]
        }
      ]
    })
  )
  return 'advisories'
}

function fixture(name: 'vulnerable' | 'clean' | 'unlocked'): string {
  const ws = copyFixture(`__tests__/fixtures/security/${name}`)
  writeAdvisoryDb(ws)
  return ws
}

function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10)
}

const find = (findings: Finding[], f: Partial<Finding>): Finding | undefined =>
  findings.find((x) => Object.entries(f).every(([k, v]) => (x as unknown as Record<string, unknown>)[k] === v))

const [first] = nodeBinaries()
// Each run installs or reuses the pinned tools; allow for a cold tool cache.
const T = 10 * 60_000

describe.each(nodeBinaries())('run-security bundle on $label', (node) => {
  test(
    'finds shell=True, the hard-coded password, the vulnerable locked jinja2 and the workflow problems at their lines, and fails',
    async () => {
      const ws = fixture('vulnerable')
      const run = await runBundle('run-security', { 'advisory-db': 'advisories', install: 'isolated' }, { workspace: ws, node: node.path })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      const findings = run.report!.checks.flatMap((c) => c.findings)
      const runner = 'packages/app/src/app/runner.py'
      expect(find(findings, { tool: 'bandit', rule: 'B602', file: runner, line: 7, column: 12, severity: 'error' })).toBeDefined()
      expect(find(findings, { tool: 'bandit', rule: 'B105', file: runner, line: 11, column: 16 })).toBeDefined()
      expect(find(findings, { tool: 'bandit', rule: 'B404', file: runner, line: 3 })).toBeDefined()
      const vuln = find(findings, {
        tool: 'dependencies',
        rule: GHSA,
        file: 'packages/app/poetry.lock',
        line: 4,
        package: 'app',
        severity: 'error'
      }) as (Finding & { ids?: string[] }) | undefined
      expect(vuln).toBeDefined()
      expect(vuln!.ids).toEqual(expect.arrayContaining([GHSA, 'CVE-2019-10906']))
      expect(vuln!.message).toContain('jinja2 2.10')
      expect(vuln!.message).toContain('Fixed in 2.10.1')
      expect(findings.filter((f) => f.tool === 'dependencies')).toHaveLength(1) // markupsafe 1.1.1 is clean in this database
      const wf = '.github/workflows/ci.yml'
      expect(find(findings, { tool: 'workflows', rule: 'unpinned-uses', file: wf, line: 10, column: 15 })).toBeDefined()
      expect(
        find(findings, { tool: 'workflows', rule: 'script-injection', file: wf, line: 12, column: 32, severity: 'error' })
      ).toBeDefined()
      expect(find(findings, { tool: 'workflows', rule: 'missing-permissions', file: wf })).toBeDefined()
      expect(findings).toHaveLength(7)
      // SARIF: one run per tool, each with its own category.
      const sarif = JSON.parse(fs.readFileSync(run.outputs.sarif!, 'utf8')) as {
        runs: { tool: { driver: { name: string } }; automationDetails: { id: string } }[]
      }
      expect(sarif.runs.map((r) => r.tool.driver.name).sort()).toEqual(['bandit', 'dependencies', 'workflows'])
      const ids = sarif.runs.map((r) => r.automationDetails.id)
      expect(new Set(ids).size).toBe(ids.length)
      // Optional tools that are not installed are a clear skip.
      expect(run.report!.checks.find((c) => c.tool === 'trivy')).toMatchObject({ status: 'skipped' })
    },
    T
  )

  test(
    'the clean fixture passes with zero findings',
    async () => {
      const ws = fixture('clean')
      const run = await runBundle('run-security', { 'advisory-db': 'advisories', install: 'isolated' }, { workspace: ws, node: node.path })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      expect(run.outputs.findings).toBe('0')
      for (const c of run.report!.checks.filter((x) => ['bandit', 'dependencies', 'workflows'].includes(x.tool)))
        expect(c.status).toBe('passed')
    },
    T
  )
})

describe(`run-security ignores, tool availability and SARIF upload (${first!.label})`, () => {
  test(
    'an ignore that expired yesterday fails the run and says it expired',
    async () => {
      const ws = fixture('vulnerable')
      const run = await runBundle(
        'run-security',
        {
          checks: 'dependencies',
          'advisory-db': 'advisories',
          install: 'isolated',
          ignore: `${GHSA} until ${day(-1)}: waiting for the 2.10.1 upgrade`
        },
        { workspace: ws, node: first!.path }
      )
      expect(run.exitCode).toBe(1)
      const dep = run.report!.checks.flatMap((c) => c.findings).find((f) => f.rule === GHSA)
      expect(dep?.severity).toBe('error')
      expect(dep?.message).toContain(`The ignore of ${GHSA} expired on ${day(-1)}`)
      expect(run.summary).toContain('expired, reported again')
    },
    T
  )

  test(
    'ignores that expire next year silence their findings (by advisory alias and rule id) and the summary lists them',
    async () => {
      const ws = fixture('vulnerable')
      const until = `${new Date().getUTCFullYear() + 1}-06-30`
      const run = await runBundle(
        'run-security',
        {
          'advisory-db': 'advisories',
          install: 'isolated',
          ignore: [
            `CVE-2019-10906 until ${until}: upgrade scheduled`,
            `B602 until ${until}: input is trusted`,
            `script-injection until ${until}: title is sanitised`
          ].join('\n')
        },
        { workspace: ws, node: first!.path }
      )
      expect(run.exitCode).toBe(0)
      const findings = run.report!.checks.flatMap((c) => c.findings)
      expect(findings.find((f) => f.rule === GHSA || f.rule === 'B602' || f.rule === 'script-injection')).toBeUndefined()
      expect(findings.find((f) => f.rule === 'unpinned-uses')).toBeDefined()
      expect(run.summary).toContain('### Ignored findings')
      expect(run.summary).toContain(`| \`CVE-2019-10906\` | ${until} | upgrade scheduled | 1 | ✅ active |`)
      expect(run.summary).toContain('input is trusted')
    },
    T
  )

  test(
    'without a lock file: one uv pip compile for the package that needs the index, no venv for any package, and the resolved jinja2 2.10 is found',
    async () => {
      const ws = fixture('unlocked')
      const scratchRoot = path.join(RUNNER_TEMP, 'dk-actions-security')
      const before = new Set(fs.existsSync(scratchRoot) ? fs.readdirSync(scratchRoot) : [])
      const run = await runBundle(
        'run-security',
        { checks: 'dependencies', 'advisory-db': 'advisories', install: 'isolated' },
        { workspace: ws, node: first!.path }
      )
      expect(run.exitCode).toBe(1)
      const deps = run.report!.checks.filter((c) => c.tool === 'dependencies')
      expect(deps.map((c) => [c.package, c.status]).sort()).toEqual([
        ['app', 'failed'],
        ['core', 'passed']
      ])
      expect(deps.find((c) => c.package === 'core')!.message).toBe('packages/core/pyproject.toml: no third-party dependency to audit')
      const findings = deps.flatMap((c) => c.findings)
      expect(findings).toHaveLength(1) // markupsafe, resolved through core's extra, is clean in this database
      expect(findings[0]).toMatchObject({ rule: GHSA, file: 'packages/app/pyproject.toml', package: 'app', severity: 'error' })
      expect(findings[0]!.message).toContain('app depends on jinja2 2.10 (resolved for app)')
      expect(run.stdout.match(/\$ \S*uv pip compile /g)).toHaveLength(1)
      expect(run.stdout).toContain('uv pip compile for app (2 requirement(s))')
      // This run's scratch folder: the requirements it resolved, and no venv of a package.
      const made = fs.readdirSync(scratchRoot).filter((d) => !before.has(d))
      expect(made).toHaveLength(1)
      const files = fs.readdirSync(path.join(scratchRoot, made[0]!))
      expect(files).toContain('requirements-app.in')
      expect(files.filter((f) => f.startsWith('env-'))).toEqual([])
      expect(fs.readFileSync(path.join(scratchRoot, made[0]!, 'requirements-app.in'), 'utf8')).toBe(
        "markupsafe>=2 ; python_version >= '3.9'\njinja2==2.10\n"
      )
      // Nothing was built in the sources either.
      expect(fs.readdirSync(path.join(ws, 'packages', 'app')).sort()).toEqual(['pyproject.toml', 'src'])
    },
    T
  )

  test(
    'a requested tool that is missing fails clearly; safety without a key is skipped with a notice',
    async () => {
      const ws = fixture('clean')
      const run = await runBundle('run-security', { checks: 'workflows,trivy,safety' }, { workspace: ws, node: first!.path })
      expect(run.exitCode).toBe(1)
      const trivy = run.report!.checks.find((c) => c.tool === 'trivy')
      expect(trivy?.status).toBe('error')
      expect(trivy?.message).toContain('not on PATH')
      expect(run.report!.checks.find((c) => c.tool === 'safety')?.status).toBe('skipped')
      expect(run.annotations.some((a) => a.severity === 'notice' && a.message.includes('safety-api-key'))).toBe(true)
      expect(run.stdout).toContain('trivy could not run')
    },
    T
  )

  describe('upload-sarif against a local fake of the code-scanning API (POST /repos/{owner}/{repo}/code-scanning/sarifs)', () => {
    let server: http.Server
    let api: string
    let status = 202
    const received: { url: string; auth?: string; body: Record<string, string> }[] = []
    const polled: string[] = []
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          if (req.method === 'GET') {
            // The upload's processing status (GET …/code-scanning/sarifs/{id}), polled after a 202.
            polled.push(req.url ?? '')
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ processing_status: 'failed', errors: ['locationFromSarifResult: expected a physical location'] }))
            return
          }
          received.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
          res.writeHead(status, { 'content-type': 'application/json' })
          res.end(
            JSON.stringify(
              status === 202
                ? {
                    id: '47177e22-5596-11eb-80a1-c1e54ef945c6',
                    url: `${api}/repos/octo/app/code-scanning/sarifs/47177e22-5596-11eb-80a1-c1e54ef945c6`
                  }
                : {
                    message: 'Advanced Security must be enabled for this repository to use code scanning.',
                    documentation_url: 'https://docs.github.com/rest'
                  }
            )
          )
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise<void>((r) => server.close(() => r())))
    const env = (): Record<string, string> => ({
      GITHUB_API_URL: api,
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'push'
    })

    test(
      'uploads gzipped, base64 SARIF with the commit and ref, and outputs the upload id',
      async () => {
        status = 202
        received.length = 0
        const ws = fixture('vulnerable')
        const run = await runBundle(
          'run-security',
          { checks: 'workflows', 'upload-sarif': 'true', token: 'ghs_test_token' },
          { workspace: ws, node: first!.path, env: env() }
        )
        expect(run.outputs['sarif-id']).toBe('47177e22-5596-11eb-80a1-c1e54ef945c6')
        expect(received).toHaveLength(1)
        expect(received[0]!.url).toBe('/repos/octo/app/code-scanning/sarifs')
        expect(received[0]!.auth).toBe('Bearer ghs_test_token')
        expect(received[0]!.body).toMatchObject({ commit_sha: 'a'.repeat(40), ref: 'refs/heads/main' })
        const sarif = JSON.parse(gunzipSync(Buffer.from(received[0]!.body.sarif!, 'base64')).toString('utf8'))
        expect(sarif.runs[0].automationDetails.id).toBe('dk-actions/run-security/workflows/')
        expect(sarif.runs[0].results.length).toBe(3)
        // Masked before first use: the only occurrence is the mask command itself.
        expect(run.stdout.split('ghs_test_token').length - 1).toBe(1)
        expect(run.stdout).toContain('::add-mask::ghs_test_token')
        // GitHub's verdict on the file is waited for, and a refusal is said, not hidden.
        expect(polled).toEqual(['/repos/octo/app/code-scanning/sarifs/47177e22-5596-11eb-80a1-c1e54ef945c6'])
        expect(run.summary).toContain(
          'Code scanning could not process it, so its findings show no alert: locationFromSarifResult: expected a physical location.'
        )
        expect(
          run.annotations.some((a) => a.severity === 'warning' && a.message.includes('Code scanning could not process the SARIF'))
        ).toBe(true)
      },
      T
    )

    test(
      'a 403 is reported as code scanning not enabled or a token without security-events: write, without failing the run',
      async () => {
        status = 403
        const ws = fixture('clean')
        const run = await runBundle(
          'run-security',
          { checks: 'workflows', 'upload-sarif': 'true', token: 'ghs_test_token' },
          { workspace: ws, node: first!.path, env: env() }
        )
        expect(run.exitCode).toBe(0)
        expect(run.summary).toContain('code scanning is not enabled for octo/app, or the token lacks security-events: write')
        expect(run.annotations.some((a) => a.severity === 'warning' && a.message.includes('SARIF was not uploaded'))).toBe(true)
      },
      T
    )

    test(
      'without a token it says so and does not call the API',
      async () => {
        received.length = 0
        const ws = fixture('clean')
        const run = await runBundle(
          'run-security',
          { checks: 'workflows', 'upload-sarif': 'true', token: '' },
          { workspace: ws, node: first!.path, env: env() }
        )
        expect(run.exitCode).toBe(0)
        expect(received).toHaveLength(0)
        expect(run.summary).toContain('SARIF not uploaded: no token')
      },
      T
    )
  })
})
