/**
 * PEP 740 attestations, end to end against the Sigstore fake (__tests__/helpers/fake-sigstore.ts,
 * which follows Fulcio's v2 and Rekor's v1 API documents) and a fake GitHub OIDC issuer
 * (fake-github-oidc.ts): publish-pypi's bundle (dist/) publishes the
 * example monorepo's dists (built with uv) with trusted publishing to a real pypiserver
 * behind a recording proxy that also serves PyPI's audience and mint-token endpoints, and
 * uv publish uploads each dist with its attestation.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { X509Certificate, createHash, randomBytes, verify } from 'node:crypto'
import * as fs from 'node:fs'
import type * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeGitHubOidc } from '../helpers/fake-github-oidc.js'
import { FakeSigstore, canonicalJson } from '../helpers/fake-sigstore.js'
import { copyFixture, expectSecretNowhere, runBundle, RUNNER_TEMP, type ActionRun } from './harness.js'
import { FaultProxy } from './helpers/fault-proxy.js'
import { startPypiServer, type LocalIndex } from './helpers/package-index.js'

jest.setTimeout(10 * 60_000)

const UPLOAD_TOKEN = `pypi-minted-${randomBytes(12).toString('hex')}`
const API_TOKEN = `pypi-api-${randomBytes(12).toString('hex')}`
const PACKAGES = ['common', 'structures']

interface Upload {
  file: string
  /** The `attestations` form field, parsed, when the upload had one. */
  attestations?: unknown[]
}

let ws: string
let oidc: FakeGitHubOidc
let sigstore: FakeSigstore
let dists: { path: string; filename: string }[]
const cleanup: (() => Promise<void> | void)[] = []

function uv(): string {
  return execFileSync('sh', ['-c', 'command -v uv']).toString().trim()
}

const sha256Of = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')
const attestationPath = (dist: string): string => `${dist}.publish.attestation`

/** The form fields of a multipart upload: each part's name, file name and value. */
function formFields(contentType: string | undefined, body: Buffer): { name: string; filename?: string; value: Buffer }[] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType ?? '')?.[2]
  if (!boundary) return []
  const out: { name: string; filename?: string; value: Buffer }[] = []
  const sep = Buffer.from(`--${boundary}`)
  let at = body.indexOf(sep)
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length)
    if (next < 0) break
    const part = body.subarray(at + sep.length + 2, next - 2)
    const split = part.indexOf('\r\n\r\n')
    const head = part.subarray(0, split).toString('latin1')
    const name = /name="([^"]*)"/.exec(head)?.[1]
    if (name !== undefined) out.push({ name, filename: /filename="([^"]*)"/.exec(head)?.[1], value: part.subarray(split + 4) })
    at = next
  }
  return out
}

/** The index behind a proxy that records every upload and serves GitHub's token endpoint and PyPI's trusted-publishing endpoints. */
async function trustedIndex(): Promise<{ index: LocalIndex; proxy: FaultProxy; uploads: Upload[] }> {
  const index = await startPypiServer({ __token__: UPLOAD_TOKEN })
  const proxy = await new FaultProxy(index.url).start()
  cleanup.push(
    () => index.stop(),
    () => proxy.stop()
  )
  const uploads: Upload[] = []
  proxy.extra = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): boolean => {
    if (oidc.answer('/github/idtoken', req, res)) return true
    const url = new URL(req.url ?? '/', proxy.url)
    const json = (status: number, data: unknown): true => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(data))
      return true
    }
    if (url.pathname === '/_/oidc/audience') return json(200, { audience: 'local-index' })
    if (url.pathname === '/_/oidc/mint-token' && req.method === 'POST') {
      // PyPI's check, in short: a token GitHub signed, for this index's audience.
      const jwt = String((JSON.parse(body.toString('utf8')) as { token?: string }).token ?? '')
      const [h, p, s] = jwt.split('.')
      const claims = p ? (JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { aud?: string }) : {}
      const signed =
        Boolean(s) &&
        verify('sha256', Buffer.from(`${h}.${p}`), { key: oidc.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'))
      if (!signed || claims.aud !== 'local-index')
        return json(422, {
          message: 'Token request failed',
          errors: [{ code: 'invalid-token', description: 'not a token for this index' }]
        })
      return json(200, { success: true, token: UPLOAD_TOKEN, expires: Math.floor(Date.now() / 1000) + 900 })
    }
    if (req.method === 'POST') {
      const fields = formFields(req.headers['content-type'], body)
      const content = fields.find((f) => f.name === 'content')
      const att = fields.find((f) => f.name === 'attestations')
      uploads.push({
        file: content?.filename ?? '?',
        ...(att ? { attestations: JSON.parse(att.value.toString('utf8')) as unknown[] } : {})
      })
    }
    return false
  }
  return { index, proxy, uploads }
}

function removeAttestations(): void {
  for (const d of dists) fs.rmSync(attestationPath(d.path), { force: true })
}

/** The secret is nowhere in the run, nor in the attestations it wrote. */
function expectNowhere(run: ActionRun, secret: string): void {
  const attestations = dists
    .map((d) => (fs.existsSync(attestationPath(d.path)) ? fs.readFileSync(attestationPath(d.path), 'utf8') : ''))
    .join('\n')
  expectSecretNowhere(run, secret, { attestations })
}

beforeAll(async () => {
  ws = copyFixture('examples/monorepo')
  for (const p of PACKAGES) {
    execFileSync(uv(), ['build', '--quiet', '--out-dir', path.join(ws, 'packages', p, 'dist'), path.join(ws, 'packages', p)], {
      cwd: ws,
      env: { ...process.env, UV_CACHE_DIR: path.join(os.tmpdir(), 'dk-publish-uv-cache') },
      stdio: 'pipe'
    })
  }
  dists = PACKAGES.flatMap((p) => {
    const dir = path.join(ws, 'packages', p, 'dist')
    return fs
      .readdirSync(dir)
      .filter((f) => /\.(whl|tar\.gz)$/.test(f))
      .map((f) => ({ path: path.join(dir, f), filename: f }))
  }).sort((a, b) => a.filename.localeCompare(b.filename))
  expect(dists).toHaveLength(4)
  oidc = new FakeGitHubOidc()
  sigstore = await new FakeSigstore({ issuers: [{ issuer: oidc.issuer, publicKey: oidc.publicKey }] }).start()
  cleanup.push(() => sigstore.stop())
  fs.mkdirSync(RUNNER_TEMP, { recursive: true })
}, 600_000)

afterAll(async () => {
  for (const c of cleanup.reverse()) await c()
})

const packagesInput = PACKAGES.map((p) => `dataknobs-${p}`).join(',')

/** publish-pypi with trusted publishing through the proxy, attesting for any index with the fake Sigstore. */
const attestedRun = (proxyUrl: string): Promise<ActionRun> =>
  runBundle(
    'publish-pypi',
    {
      'repository-url': proxyUrl,
      packages: packagesInput,
      attestations: 'any-index',
      'fulcio-url': sigstore.fulcioUrl,
      'rekor-url': sigstore.rekorUrl
    },
    { workspace: ws, env: oidc.env(`${proxyUrl}github/idtoken`), runnerTemp: RUNNER_TEMP }
  )

describe('publish-pypi attestations, against the Sigstore fake (fake-sigstore.ts: Fulcio v2 signingCert, Rekor v1 log entries)', () => {
  test('trusted publishing: each dist is attested (the signature checks with the leaf, the leaf chains to the fake CA, the subject is the uploaded sha256), the attestation lies next to the dist and went up with it', async () => {
    removeAttestations()
    const { index, proxy, uploads } = await trustedIndex()
    const before = sigstore.issued.length
    const run = await attestedRun(proxy.url)
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.report!.authentication).toBe('trusted-publishing')
    expect(index.files()).toEqual(dists.map((d) => d.filename))
    // One certificate for the run; one log entry per dist.
    expect(sigstore.issued.length - before).toBe(1)
    expect(oidc.issued.map((t) => t.audience)).toEqual(expect.arrayContaining(['local-index', 'sigstore']))

    const root = new X509Certificate(sigstore.rootPem)
    const intermediate = new X509Certificate(sigstore.intermediatePem)
    for (const d of dists) {
      const file = attestationPath(d.path)
      expect(fs.existsSync(file)).toBe(true)
      const att = JSON.parse(fs.readFileSync(file, 'utf8')) as {
        version: number
        verification_material: { certificate: string; transparency_entries: Record<string, unknown>[] }
        envelope: { statement: string; signature: string }
      }
      expect(att.version).toBe(1)
      // The certificate: the fake's leaf for the workflow, chained to the fake's root.
      const leaf = new X509Certificate(Buffer.from(att.verification_material.certificate, 'base64'))
      expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true)
      expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true)
      expect(leaf.subjectAltName).toBe(`URI:${oidc.workflowUri}`)
      // The statement: PyPI's publish predicate over exactly the file the index now holds.
      const statementBytes = Buffer.from(att.envelope.statement, 'base64')
      const statement = JSON.parse(statementBytes.toString('utf8')) as Record<string, unknown>
      expect(statement).toEqual({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: d.filename, digest: { sha256: sha256Of(path.join(index.packagesDir, d.filename)) } }],
        predicateType: 'https://docs.pypi.org/attestations/publish/v1',
        predicate: {}
      })
      // The DSSE signature, over PAE, with the leaf's key.
      const type = 'application/vnd.in-toto+json'
      const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${statementBytes.length} `), statementBytes])
      expect(verify('sha256', pae, leaf.publicKey, Buffer.from(att.envelope.signature, 'base64'))).toBe(true)
      // The log entry: the fake's, with its signed entry timestamp, made while the leaf was valid.
      const [entry] = att.verification_material.transparency_entries as {
        logIndex: string
        logId: { keyId: string }
        kindVersion: { kind: string; version: string }
        integratedTime: string
        inclusionPromise: { signedEntryTimestamp: string }
        inclusionProof: { logIndex: string; treeSize: string; checkpoint: { envelope: string } }
        canonicalizedBody: string
      }[]
      expect(entry!.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' })
      expect(Buffer.from(entry!.logId.keyId, 'base64').toString('hex')).toBe(sigstore.logId)
      const set = canonicalJson({
        body: entry!.canonicalizedBody,
        integratedTime: Number(entry!.integratedTime),
        logID: sigstore.logId,
        logIndex: Number(entry!.logIndex)
      })
      expect(
        verify('sha256', Buffer.from(set), sigstore.logPublicKey, Buffer.from(entry!.inclusionPromise.signedEntryTimestamp, 'base64'))
      ).toBe(true)
      const t = Number(entry!.integratedTime) * 1000
      expect(t >= new Date(leaf.validFrom).getTime() - 1000 && t <= new Date(leaf.validTo).getTime()).toBe(true)
      expect(entry!.inclusionProof.checkpoint.envelope).toContain(`\n${entry!.inclusionProof.treeSize}\n`)
      // The upload carried exactly this attestation.
      const sent = uploads.filter((u) => u.file === d.filename)
      expect(sent).toHaveLength(1)
      expect(sent[0]!.attestations).toEqual([att])
      expect(run.stdout).toContain(`Attestations: ${d.filename} signed as ${oidc.workflowUri}, logged at index ${entry!.logIndex}`)
    }
    expect(run.summary).toContain(`**Attestations:** 4 file(s) signed as \`${oidc.workflowUri}\``)
    expect(run.report!.attestations).toMatchObject({ made: true, identity: oidc.workflowUri, rekorUrl: sigstore.rekorUrl })
    // Every token GitHub gave (the one for PyPI, the one for Sigstore) and the minted one were masked, and appear nowhere.
    for (const t of oidc.issued) {
      expect(run.masks).toContain(t.jwt)
      expectNowhere(run, t.jwt)
    }
    expectNowhere(run, UPLOAD_TOKEN)
    expect(proxy.events.filter((e) => e.method === 'POST')).toHaveLength(4)
  })

  test('with an API token: no attestation is made, the log says why, and the uploads carry none', async () => {
    removeAttestations()
    const index = await startPypiServer({ __token__: API_TOKEN })
    cleanup.push(() => index.stop())
    const calls = sigstore.calls.length
    const run = await runBundle(
      'publish-pypi',
      {
        'repository-url': index.url,
        packages: packagesInput,
        token: API_TOKEN,
        'fulcio-url': sigstore.fulcioUrl,
        'rekor-url': sigstore.rekorUrl,
        attestations: 'any-index'
      },
      { workspace: ws, env: oidc.env('http://127.0.0.1:9/github/idtoken'), runnerTemp: RUNNER_TEMP }
    )
    expect(run.exitCode).toBe(0)
    expect(index.files()).toEqual(dists.map((d) => d.filename))
    expect(run.stdout).toContain(
      'Attestations: none made: publishing with an API token; PyPI takes attestations only from trusted publishers'
    )
    expect(sigstore.calls.length).toBe(calls)
    for (const d of dists) expect(fs.existsSync(attestationPath(d.path))).toBe(false)
    expect(run.report!.attestations).toMatchObject({ made: false })
  })

  test('trusted publishing to an index other than PyPI with the default `attestations: true`: none are made, and the log says how to ask for them', async () => {
    removeAttestations()
    const { index, proxy, uploads } = await trustedIndex()
    const calls = sigstore.calls.length
    const run = await runBundle(
      'publish-pypi',
      { 'repository-url': proxy.url, packages: packagesInput, 'fulcio-url': sigstore.fulcioUrl, 'rekor-url': sigstore.rekorUrl },
      { workspace: ws, env: oidc.env(`${proxy.url}github/idtoken`), runnerTemp: RUNNER_TEMP }
    )
    expect(run.exitCode).toBe(0)
    expect(index.files()).toEqual(dists.map((d) => d.filename))
    expect(run.stdout).toContain(
      `Attestations: none made: ${new URL(proxy.url).host} is not PyPI or TestPyPI, the indexes known to take them (\`attestations: any-index\``
    )
    expect(sigstore.calls.length).toBe(calls)
    expect(uploads.every((u) => u.attestations === undefined)).toBe(true)
  })

  test.each([
    {
      name: 'Rekor answers 503',
      arrange: () => (sigstore.failNext.rekor = { status: 503, message: 'rekor is overloaded' }),
      message:
        /Attestations: signing \S+ failed: Rekor at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/log\/entries refused the log entry \(status 503: rekor is overloaded\)\. Sigstore may be down or unreachable/
    },
    {
      name: 'Fulcio refuses the OIDC token (issuer not trusted)',
      arrange: () => {
        const trusted = sigstore.trusted.splice(0)
        cleanup.push(() => void sigstore.trusted.push(...trusted))
        return () => sigstore.trusted.push(...trusted)
      },
      message:
        /Attestations: signing \S+ failed: Fulcio at http:\/\/127\.0\.0\.1:\d+\/api\/v2\/signingCert refused the signing certificate \(status 401: There was an error processing the identity token: issuer https:\/\/token\.actions\.githubusercontent\.com is not trusted\)\. Fulcio did not accept the job's OIDC token/
    }
  ])(
    'a Sigstore failure ($name) fails the step with what failed, the status and the fix, and uploads nothing',
    async ({ arrange, message }) => {
      removeAttestations()
      const { index, proxy, uploads } = await trustedIndex()
      const restore = arrange()
      try {
        const run = await attestedRun(proxy.url)
        expect(run.exitCode).toBe(1)
        // The problem's own annotation, then the step's failure, which repeats it.
        const errors = run.annotations.filter((a) => a.severity === 'error').map((a) => a.message)
        const error = errors.find((m) => m.startsWith('publish-pypi pre-flight failed, nothing was uploaded: '))
        expect(error).toBeDefined()
        expect(error!).toMatch(message)
        expect(error!).toContain('To publish without attestations, set `attestations: false`.')
        expect(index.files()).toEqual([])
        expect(uploads).toEqual([])
        for (const t of oidc.issued) expectNowhere(run, t.jwt)
      } finally {
        if (typeof restore === 'function') restore()
      }
    }
  )
})
