/**
 * No secret survives a failure. The publish-pypi and health-check bundles run against
 * pypiserver with authentication on (reads guarded too, for health-check), directly or
 * through the fault proxy: a wrong password, the index down, a 500, a timeout, a server
 * whose error page echoes the request's headers and body, a trusted-publishing index that
 * echoes the ID token, and a crashing uv stand-in that prints its environment and
 * arguments. Each run gets its own RUNNER_TEMP and workspace; afterwards every file under
 * them and under the runner's file-command dir, and the captured stdout, stderr, summary,
 * outputs, report and SARIF, are searched for the secret in every form it travels in:
 * plain, URL-encoded, and base64 inside a Basic Authorization header (`__token__:<token>`
 * and `user:password`). The masks must also be registered before the value is used.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, nodeBinaries, runBundle, type ActionRun } from './harness.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { freePort, startPypiServer, type LocalIndex } from './helpers/package-index.js'

jest.setTimeout(5 * 60_000)

const hex = (): string => randomBytes(8).toString('hex')
// Characters that URL-encoding changes, so the encoded form is a form of its own.
const TOKEN = `pypi-Ag${hex()}+/=`
const ALICE_PW = `al!ce/${hex()}+:@`
const READER_PW = `rd/${hex()}+@:!`
const NODE = nodeBinaries().at(-1)!.path
const PATH_KEY = Object.keys(process.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

/** Every form a secret travels in: plain, URL-encoded, and the Basic header forms. */
function forms(secret: string, username = '__token__'): Record<string, string> {
  return {
    plain: secret,
    'url-encoded': encodeURIComponent(secret),
    'base64 __token__:secret': b64(`__token__:${secret}`),
    [`base64 ${username}:secret`]: b64(`${username}:${secret}`)
  }
}

let fixture: string
let realUv: string
let standinDir: string
const cleanup: (() => Promise<void> | void)[] = []

function uvBuild(pkgDir: string, out: string): void {
  execFileSync(realUv, ['build', '--quiet', '--out-dir', out, pkgDir], {
    env: { ...process.env, UV_CACHE_DIR: path.join(os.tmpdir(), 'dk-secrets-uv-cache') },
    stdio: 'pipe'
  })
}

beforeAll(() => {
  realUv = execFileSync('sh', ['-c', 'command -v uv']).toString().trim()
  fixture = copyFixture('examples/monorepo')
  uvBuild(path.join(fixture, 'packages', 'common'), path.join(fixture, 'packages', 'common', 'dist'))
  // A crashing uv stand-in: `venv` and `--version` go to the real uv, anything else prints
  // the environment and the arguments (secrets included) and dies of SIGSEGV.
  standinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-crashing-uv-'))
  fs.writeFileSync(
    path.join(standinDir, 'uv'),
    [
      '#!/usr/bin/env python3',
      'import os, signal, sys',
      `REAL = ${JSON.stringify(realUv)}`,
      "if len(sys.argv) > 1 and sys.argv[1] in ('venv', '--version'):",
      '    os.execv(REAL, [REAL] + sys.argv[1:])',
      // Variables named like secrets and the arguments come last: tools' error tails are what reports quote.
      "secretish = lambda k: 'TOKEN' in k or 'PASSWORD' in k",
      "for k, v in sorted(os.environ.items(), key=lambda kv: (secretish(kv[0]), kv[0])): print(f'{k}={v}', file=sys.stderr)",
      "print('crashing uv stand-in, arguments:', ' '.join(sys.argv[1:]), file=sys.stderr, flush=True)",
      'os.kill(os.getpid(), signal.SIGSEGV)',
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
}, 120_000)

afterAll(async () => {
  for (const c of cleanup.reverse()) await c()
})

interface IsolatedRun extends ActionRun {
  runnerTemp: string
  workspace: string
}

/** A run with its own RUNNER_TEMP and its own copy of the workspace, so the search covers only what it wrote. */
async function isolatedRun(
  action: string,
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {}
): Promise<IsolatedRun> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-secrets-run-'))
  const workspace = path.join(root, 'workspace')
  fs.cpSync(fixture, workspace, { recursive: true })
  const runnerTemp = path.join(root, 'runner-temp')
  const run = await runBundle(action, inputs, { workspace, node: NODE, env, runnerTemp })
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }))
  return { ...run, runnerTemp, workspace }
}

function filesUnder(dir: string): string[] {
  const out: string[] = []
  if (!fs.existsSync(dir)) return out
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    // Links are not followed: what they point to is not something the run wrote here.
    if (e.isDirectory()) out.push(...filesUnder(p))
    else if (e.isFile()) out.push(p)
  }
  return out
}

/** Where each form of the secret appears: captured streams, runner files, report, SARIF, every file of RUNNER_TEMP and the workspace. */
function leaks(run: IsolatedRun, secretForms: Record<string, string>): string[] {
  const texts: Record<string, Buffer> = {
    // The mask commands themselves are the one place the value must appear.
    stdout: Buffer.from(
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n')
    ),
    stderr: Buffer.from(run.stderr),
    summary: Buffer.from(run.summary),
    outputs: Buffer.from(JSON.stringify(run.outputs))
  }
  const files = [...filesUnder(run.runnerTemp), ...filesUnder(run.workspace), ...filesUnder(run.runnerDir)]
  for (const f of files) texts[f] = fs.readFileSync(f)
  const found: string[] = []
  for (const [where, buf] of Object.entries(texts)) {
    for (const [form, value] of Object.entries(secretForms)) if (buf.includes(value)) found.push(`${form} in ${where}`)
  }
  return found
}

function expectNoLeak(run: IsolatedRun, secretForms: Record<string, string>): void {
  // The search covered the run's report (and SARIF when written) and its files.
  expect(run.outputs.report && fs.existsSync(run.outputs.report)).toBeTruthy()
  expect(run.outputs.report!.startsWith(run.runnerTemp)).toBe(true)
  expect(leaks(run, secretForms)).toEqual([])
}

/** Each form's mask command comes before the first line that is not a mask command. */
function expectMaskedFirst(run: ActionRun, secretForms: Record<string, string>, before?: RegExp): void {
  const lines = run.stdout.split('\n')
  const limit = before ? lines.findIndex((l) => before.test(l)) : lines.findIndex((l) => !l.startsWith('::add-mask::'))
  expect(limit).toBeGreaterThan(0)
  for (const [form, value] of Object.entries(secretForms)) {
    expect({ form, masked: run.masks.includes(value) }).toEqual({ form, masked: true })
    expect({ form, maskLine: lines.indexOf(`::add-mask::${value}`) < limit }).toEqual({ form, maskLine: true })
  }
}

describe('publish-pypi leaves no secret behind, whatever the failure', () => {
  let index: LocalIndex
  beforeAll(async () => {
    index = await startPypiServer({ __token__: TOKEN, alice: ALICE_PW })
    cleanup.push(() => index.stop())
  })
  afterEach(() => {
    for (const f of fs.readdirSync(index.packagesDir)) fs.rmSync(path.join(index.packagesDir, f))
  })

  async function proxy(): Promise<FaultProxy> {
    const p = await new FaultProxy(index.url).start()
    cleanup.push(() => p.stop())
    return p
  }

  const base = { packages: 'dataknobs-common', 'retry-delay': '100ms' }

  test('a wrong password', async () => {
    const wrong = `wr/ng+${hex()}:@`
    const run = await isolatedRun('publish-pypi', { ...base, 'repository-url': index.url, username: 'alice', password: wrong })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::.*rejected the credentials/)
    expect(index.files()).toEqual([])
    expectMaskedFirst(run, forms(wrong, 'alice'))
    expectNoLeak(run, forms(wrong, 'alice'))
  })

  test('an index that is down', async () => {
    const port = await freePort()
    const run = await isolatedRun('publish-pypi', { ...base, 'repository-url': `http://127.0.0.1:${port}/`, token: TOKEN, retries: '1' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::publish-pypi pre-flight failed/)
    expectMaskedFirst(run, forms(TOKEN))
    expectNoLeak(run, forms(TOKEN))
  })

  test('an index that answers 500', async () => {
    const p = await proxy()
    p.rules = [{ method: 'POST', fault: 'status-500' }]
    const run = await isolatedRun('publish-pypi', { ...base, 'repository-url': p.url, token: TOKEN, retries: '1' })
    expect(run.exitCode).toBe(1)
    expect(p.events.filter((e) => e.status === 500).length).toBeGreaterThan(0)
    expectNoLeak(run, forms(TOKEN))
  })

  test('an upload that times out', async () => {
    const p = await proxy()
    p.rules = [{ method: 'POST', fault: 'slow' }]
    p.slowMs = 60_000
    const run = await isolatedRun(
      'publish-pypi',
      { ...base, 'repository-url': p.url, token: TOKEN, retries: '0' },
      { UV_HTTP_TIMEOUT: '2' }
    )
    expect(run.exitCode).toBe(1)
    expect(JSON.stringify(run.report!.results)).toMatch(/timed out|timeout/i)
    expect(index.files()).toEqual([])
    expectNoLeak(run, forms(TOKEN))
  })

  test.each<{ auth: string; inputs: Record<string, string>; secret: string; user: string }>([
    { auth: 'token', inputs: { token: TOKEN }, secret: TOKEN, user: '__token__' },
    { auth: 'username and password', inputs: { username: 'alice', password: ALICE_PW }, secret: ALICE_PW, user: 'alice' }
  ])('a server whose error page echoes the request headers and body ($auth)', async ({ inputs, secret, user }) => {
    const p = await proxy()
    p.rules = [{ method: 'POST', fault: 'echo' }]
    const run = await isolatedRun('publish-pypi', { ...base, 'repository-url': p.url, retries: '0', ...inputs })
    expect(run.exitCode).toBe(1)
    // The page really carried the credentials back (Basic user:secret), and uv quoted it.
    expect(p.echoed.join('\n')).toContain(b64(`${user}:${secret}`))
    expect(JSON.stringify(run.report!.results)).toContain('authorization: Basic ***')
    expectMaskedFirst(run, forms(secret, user))
    expectNoLeak(run, forms(secret, user))
  })

  test('a crash of uv (a crashing uv stand-in that prints its environment and arguments)', async () => {
    const run = await isolatedRun(
      'publish-pypi',
      { ...base, 'repository-url': index.url, token: TOKEN, retries: '0' },
      { [PATH_KEY]: `${standinDir}${path.delimiter}${process.env[PATH_KEY]}` }
    )
    expect(run.exitCode).toBe(1)
    const results = JSON.stringify(run.report!.results)
    // The stand-in ran, and printed uv's token variable, which the report shows masked.
    expect(results).toContain('crashing uv stand-in')
    expect(results).toContain('UV_PUBLISH_TOKEN=***')
    expect(index.files()).toEqual([])
    expectNoLeak(run, forms(TOKEN))
  })

  test('trusted publishing: an index that echoes the ID token in its refusal', async () => {
    const p = await proxy()
    const jwt = `eyJ.fake-github-oidc.${hex()}`
    const requestToken = `gh-request-${hex()}`
    p.extra = (req, body, res) => {
      const pathname = new URL(req.url ?? '/', p.url).pathname
      if (pathname === '/_/oidc/audience') return (res.writeHead(200).end('{"audience":"local-index"}'), true)
      if (pathname === '/github/idtoken') return (res.writeHead(200).end(JSON.stringify({ value: jwt })), true)
      if (pathname === '/_/oidc/mint-token') {
        const echo = `request ${body.toString('utf8')} headers ${JSON.stringify(req.headers)}`
        return (
          res
            .writeHead(422)
            .end(JSON.stringify({ message: 'Token request failed', errors: [{ code: 'invalid-publisher', description: echo }] })),
          true
        )
      }
      return false
    }
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: `${p.url}github/idtoken?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }
    const run = await isolatedRun('publish-pypi', { ...base, 'repository-url': p.url }, env)
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('invalid-publisher: request {"token":"***"}')
    // Minted during the run: masked before any failure could print them.
    expectMaskedFirst(run, { jwt, 'request token': requestToken }, /^::error::/)
    expectNoLeak(run, { ...forms(jwt), 'request token': requestToken })
  })
})

describe('health-check with a credentialed index-url against pypiserver that guards reads', () => {
  let index: LocalIndex
  let credentialed: string
  beforeAll(async () => {
    index = await startPypiServer({ reader: READER_PW }, 'download,list,update')
    cleanup.push(() => index.stop())
    for (const f of fs.readdirSync(path.join(fixture, 'packages', 'common', 'dist')).filter((f) => /\.(whl|tar\.gz)$/.test(f))) {
      fs.copyFileSync(path.join(fixture, 'packages', 'common', 'dist', f), path.join(index.packagesDir, f))
    }
    credentialed = index.simpleUrl.replace('http://', `http://reader:${encodeURIComponent(READER_PW)}@`)
    // Reads really need the credentials.
    expect((await fetch(`${index.simpleUrl}dataknobs-common/`)).status).toBe(401)
  })

  const redactedUrl = (url: string): string => url.replace(/\/\/[^@/]+@/, '//***@')

  test('a healthy release passes: the index probe sends the credentials, and they appear nowhere', async () => {
    const run = await isolatedRun('health-check', { packages: 'dataknobs-common==1.0.0', 'index-url': credentialed, timeout: '2m' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.healthy).toBe('true')
    const report = run.report as unknown as {
      index: { url: string }
      install: { attempts: number; listings: Record<string, Record<string, { state: string }>> }
    }
    expect(report.index.url).toBe(redactedUrl(credentialed))
    // The probe worked: it read the project page through the credentials.
    expect(report.install.listings['dataknobs-common']).toEqual({
      [redactedUrl(credentialed)]: expect.objectContaining({ state: 'listed' })
    })
    expect(report.install.attempts).toBe(1)
    expectMaskedFirst(run, forms(READER_PW, 'reader'))
    expectNoLeak(run, forms(READER_PW, 'reader'))
  })

  test('a wrong password', async () => {
    const wrong = `wr0ng/${hex()}+@`
    const url = index.simpleUrl.replace('http://', `http://reader:${encodeURIComponent(wrong)}@`)
    const run = await isolatedRun('health-check', {
      packages: 'dataknobs-common==1.0.0',
      'index-url': url,
      timeout: '15s',
      'retry-interval': '2s'
    })
    expect(run.exitCode).toBe(1)
    expect(run.report!.checks.find((c) => c.tool === 'install')!.status).toBe('failed')
    expectMaskedFirst(run, forms(wrong, 'reader'))
    expectNoLeak(run, forms(wrong, 'reader'))
  })

  test('an index that is down', async () => {
    const port = await freePort()
    const url = `http://reader:${encodeURIComponent(READER_PW)}@127.0.0.1:${port}/simple/`
    const run = await isolatedRun('health-check', {
      packages: 'dataknobs-common==1.0.0',
      'index-url': url,
      timeout: '5s',
      'retry-interval': '2s'
    })
    expect(run.exitCode).toBe(1)
    expect(run.report!.checks[0]!.findings[0]!.rule).toBe('index-unreachable')
    expectNoLeak(run, forms(READER_PW, 'reader'))
  })

  test('an index that answers 500', async () => {
    const p = await new FaultProxy(index.url).start()
    cleanup.push(() => p.stop())
    p.rules = [{ method: 'GET', fault: 'status-500' }]
    const url = p.url.replace('http://', `http://reader:${encodeURIComponent(READER_PW)}@`) + 'simple/'
    const run = await isolatedRun('health-check', {
      packages: 'dataknobs-common==1.0.0',
      'index-url': url,
      timeout: '5s',
      'retry-interval': '2s'
    })
    expect(run.exitCode).toBe(1)
    expect(p.events.filter((e) => e.status === 500).length).toBeGreaterThan(0)
    expectNoLeak(run, forms(READER_PW, 'reader'))
  })

  test('a crash of uv (a crashing uv stand-in that prints its environment and arguments)', async () => {
    const run = await isolatedRun(
      'health-check',
      { packages: 'dataknobs-common==1.0.0', 'index-url': credentialed, timeout: '1m' },
      { [PATH_KEY]: `${standinDir}${path.delimiter}${process.env[PATH_KEY]}` }
    )
    expect(run.exitCode).toBe(1)
    const install = run.report!.install as { status: string; output: string }
    expect(install.status).toBe('broken')
    expect(run.stdout).toContain('crashing uv stand-in')
    expectNoLeak(run, forms(READER_PW, 'reader'))
  })
})

describe('the root pipeline masks every stage secret, whether the stage runs or not', () => {
  test('a run that fails on its first input has already masked them all, in every form', async () => {
    const publishToken = `pypi-pipe${hex()}+/`
    const securityToken = `ghs_${hex()}`
    const safetyKey = `safety-${hex()}`
    const publishPassword = `pw/${hex()}@`
    const healthPassword = `hp+${hex()}`
    const buildToken = `bt${hex()}`
    const run = await isolatedRun('pipeline', {
      stages: 'no-such-stage',
      'publish-token': publishToken,
      'publish-username': 'alice',
      'publish-password': publishPassword,
      'security-token': securityToken,
      'security-safety-api-key': safetyKey,
      'health-index-url': `https://reader:${encodeURIComponent(healthPassword)}@index.example/simple/`,
      'build-index-url': `https://${buildToken}@index.example/simple/`
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain("Input 'stages' has an invalid value")
    const all = {
      ...forms(publishToken),
      ...Object.fromEntries(Object.entries(forms(publishPassword, 'alice')).map(([k, v]) => [`publish password ${k}`, v])),
      'security token': securityToken,
      'safety key': safetyKey,
      ...Object.fromEntries(Object.entries(forms(healthPassword, 'reader')).map(([k, v]) => [`health index ${k}`, v])),
      'build index token': buildToken
    }
    expectMaskedFirst(run, all)
    expect(leaks(run, all)).toEqual([])
  })
})
