/**
 * A FAKE of Sigstore's Fulcio and Rekor, for tests: two local HTTP servers (127.0.0.1,
 * port 0) with a CA and a log of their own. The public instance cannot be reached from
 * the tests, and signing against it would write to a public, immutable log. It is not
 * Sigstore and trusts only the OIDC issuers the test gives it.
 *
 * It follows Sigstore's published API documents:
 * - Fulcio's v2 API (sigstore/fulcio `fulcio.proto`, "How certificate issuing works" in its
 *   docs): `POST /api/v2/signingCert` with `credentials.oidcIdentityToken` and
 *   `publicKeyRequest` {`publicKey` {`algorithm`, `content`: PEM}, `proofOfPossession`: a
 *   signature over the token's `sub`}; it checks the token (signature, issuer, audience
 *   `sigstore`, expiry) and the proof, and answers `signedCertificateEmbeddedSct.chain.certificates`
 *   (leaf, intermediate, root; PEM). The leaf lives ten minutes, has an empty subject, the
 *   code-signing usage, the workflow's URI in its SubjectAltName, and GitHub's workflow
 *   extensions from Fulcio's `docs/oid-info.md` (1.3.6.1.4.1.57264.1.8 issuer, .9 build
 *   signer URI, .12 source repository URI, .14 source repository ref, .20 build trigger,
 *   .21 run invocation URI). Errors are grpc-gateway's `{"code", "message"}`.
 *   `GET /api/v2/trustBundle` gives the chain.
 * - Rekor's v1 API (sigstore/rekor `openapi.yaml`, `pkg/types/dsse/v0.0.1` schema):
 *   `POST /api/v1/log/entries` with a `dsse` v0.0.1 proposed entry; it checks every
 *   envelope signature over DSSE's PAE with the verifier certificate's key, stores the
 *   canonical body (`envelopeHash`, `payloadHash`, `signatures` [{`signature`,
 *   `verifier`}]), and answers 201 with a LogEntry {uuid: {body, integratedTime, logID,
 *   logIndex, verification {inclusionProof {logIndex, rootHash, treeSize, hashes,
 *   checkpoint}, signedEntryTimestamp}}}: an RFC 6962 Merkle tree, a checkpoint as a
 *   signed note, and the SET as its key's ECDSA signature over the RFC 8785 JSON of
 *   {body, integratedTime, logID, logIndex}. `GET /api/v1/log/publicKey` gives its key.
 */
// @peculiar/x509 builds on tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import {
  X509Certificate,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  webcrypto,
  type KeyObject
} from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const
const CERT_LIFETIME_MS = 10 * 60_000
/** Entries in the log's earlier, frozen shards: global log indexes start after them, tree indexes at 0. */
const INACTIVE_SHARD_ENTRIES = 1_000
const TREE_ID = 3_904_496_407_287_907_110n

export interface TrustedIssuer {
  issuer: string
  publicKey: KeyObject
}

export interface FakeSigstoreOptions {
  issuers: TrustedIssuer[]
}

export interface RecordedCall {
  service: 'fulcio' | 'rekor'
  method: string
  path: string
  status: number
}

/** An answer the next request to a service gets instead of the real one. */
export interface InjectedFailure {
  status: number
  message: string
}

type Json = Record<string, unknown>

const isJson = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** RFC 8785 for the values used here: keys sorted, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isJson(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/** DSSE v1 PAE, written here apart from the client's, so the fake checks the client. */
function preAuthEncoding(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type, 'utf8')
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body])
}

const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** RFC 6962 Merkle tree hash of leaves [lo, hi). */
function subtreeHash(leaves: readonly Buffer[], lo: number, hi: number): Buffer {
  if (hi - lo === 1) return leaves[lo]!
  let k = 1
  while (k * 2 < hi - lo) k *= 2
  return sha256(Buffer.from([1]), subtreeHash(leaves, lo, lo + k), subtreeHash(leaves, lo + k, hi))
}

/** RFC 6962 PATH(m, D[lo:hi]), leaf to root. */
function auditPath(leaves: readonly Buffer[], m: number, lo: number, hi: number): Buffer[] {
  if (hi - lo <= 1) return []
  let k = 1
  while (k * 2 < hi - lo) k *= 2
  return m - lo < k
    ? [...auditPath(leaves, m, lo, lo + k), subtreeHash(leaves, lo + k, hi)]
    : [...auditPath(leaves, m, lo + k, hi), subtreeHash(leaves, lo, lo + k)]
}

/** A DER UTF8String, the value type of Fulcio's newer (…57264.1.8 and later) extensions. */
function utf8String(text: string): Buffer {
  const value = Buffer.from(text, 'utf8')
  const len =
    value.length < 0x80
      ? Buffer.from([value.length])
      : value.length < 0x100
        ? Buffer.from([0x81, value.length])
        : Buffer.from([0x82, value.length >> 8, value.length & 0xff])
  return Buffer.concat([Buffer.from([0x0c]), len, value])
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string
  ) {
    super(message)
  }
}

export class FakeSigstore {
  fulcioUrl = ''
  rekorUrl = ''
  readonly calls: RecordedCall[] = []
  /** Set to make the next request to that service fail with this answer. */
  failNext: { fulcio?: InjectedFailure; rekor?: InjectedFailure } = {}
  /** The canonical bodies stored, in log order. */
  readonly bodies: Buffer[] = []
  /** Certificates issued (PEM leaves), in order. */
  readonly issued: string[] = []
  rootPem = ''
  intermediatePem = ''
  readonly logPublicKey: KeyObject
  private readonly logPrivateKey: KeyObject
  private readonly leaves: Buffer[] = []
  private root?: { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }
  private intermediate?: { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }
  private servers: http.Server[] = []

  constructor(private readonly options: FakeSigstoreOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.logPrivateKey = privateKey
    this.logPublicKey = publicKey
  }

  /** The OIDC issuers Fulcio trusts; a test empties it to make Fulcio refuse every token. */
  get trusted(): TrustedIssuer[] {
    return this.options.issuers
  }

  /** SHA-256 of the log's public key (DER SPKI), hex: Rekor's logID. */
  get logId(): string {
    return createHash('sha256')
      .update(this.logPublicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
  }

  async start(): Promise<this> {
    const rootKeys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    const year = 365 * 24 * 3600_000
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(8).toString('hex'),
      name: 'O=fake-sigstore.test, CN=fake-sigstore root',
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + year),
      keys: rootKeys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)
      ]
    })
    const interKeys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    const inter = await x509.X509CertificateGenerator.create({
      serialNumber: randomBytes(8).toString('hex'),
      subject: 'O=fake-sigstore.test, CN=fake-sigstore intermediate',
      issuer: root.subject,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + year),
      publicKey: interKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning])
      ]
    })
    this.root = { cert: root, keys: rootKeys }
    this.intermediate = { cert: inter, keys: interKeys }
    this.rootPem = root.toString('pem')
    this.intermediatePem = inter.toString('pem')
    this.fulcioUrl = await this.listen('fulcio', (req, body) => this.fulcio(req, body))
    this.rekorUrl = await this.listen('rekor', (req, body) => this.rekor(req, body))
    return this
  }

  stop(): Promise<void> {
    return Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections()
            s.close(() => resolve())
          })
      )
    ).then(() => undefined)
  }

  private async listen(
    service: 'fulcio' | 'rekor',
    route: (req: http.IncomingMessage, body: Buffer) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>
  ): Promise<string> {
    const server = http.createServer((req, res) => {
      void (async () => {
        const body = await readBody(req)
        let answer: { status: number; body: unknown; headers?: Record<string, string> }
        const injected = this.failNext[service]
        if (injected) {
          delete this.failNext[service]
          answer = { status: injected.status, body: { code: injected.status, message: injected.message } }
        } else {
          try {
            answer = await route(req, body)
          } catch (error) {
            answer =
              error instanceof HttpFailure
                ? { status: error.status, body: { code: error.code, message: error.message, details: [] } }
                : { status: 500, body: { code: 13, message: String(error) } }
          }
        }
        this.calls.push({ service, method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://x').pathname, status: answer.status })
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
        res
          .writeHead(answer.status, {
            'Content-Type': typeof answer.body === 'string' ? 'application/x-pem-file' : 'application/json',
            ...answer.headers
          })
          .end(text)
      })()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.servers.push(server)
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  // --- Fulcio -------------------------------------------------------------

  /** The token's claims once its signature, issuer, audience and times check out (grpc code 16, unauthenticated, else). */
  private checkToken(jwt: string): Json {
    const parts = jwt.split('.')
    const unauthenticated = (why: string): HttpFailure =>
      new HttpFailure(401, 16, `There was an error processing the identity token: ${why}`)
    if (parts.length !== 3) throw unauthenticated('not a JWT')
    let claims: unknown
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
    } catch {
      throw unauthenticated('claims are not JSON')
    }
    if (!isJson(claims)) throw unauthenticated('claims are not an object')
    const trusted = this.options.issuers.find((i) => i.issuer === claims.iss)
    if (!trusted) throw unauthenticated(`issuer ${String(claims.iss)} is not trusted`)
    const signed = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: trusted.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2]!, 'base64url')
    )
    if (!signed) throw unauthenticated('bad signature')
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!aud.includes('sigstore')) throw unauthenticated('audience is not sigstore')
    const now = Date.now() / 1000
    if (typeof claims.exp !== 'number' || claims.exp < now) throw unauthenticated('token expired')
    if (typeof claims.sub !== 'string') throw unauthenticated('no subject')
    return claims
  }

  private async fulcio(req: http.IncomingMessage, raw: Buffer): Promise<{ status: number; body: unknown }> {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (req.method === 'GET' && path === '/api/v2/trustBundle')
      return { status: 200, body: { chains: [{ certificates: [this.intermediatePem, this.rootPem] }] } }
    if (req.method !== 'POST' || path !== '/api/v2/signingCert') throw new HttpFailure(404, 5, 'Not Found')
    let request: unknown
    try {
      request = JSON.parse(raw.toString('utf8'))
    } catch {
      throw new HttpFailure(400, 3, 'request body is not JSON')
    }
    if (!isJson(request)) throw new HttpFailure(400, 3, 'request body is not an object')
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const credentials = isJson(request.credentials) ? request.credentials : {}
    const jwt = typeof credentials.oidcIdentityToken === 'string' ? credentials.oidcIdentityToken : bearer
    if (!jwt) throw new HttpFailure(401, 16, 'There was an error processing the identity token: no token')
    const claims = this.checkToken(jwt)

    const pkr = isJson(request.publicKeyRequest) ? request.publicKeyRequest : undefined
    const content = pkr && isJson(pkr.publicKey) ? pkr.publicKey.content : undefined
    if (typeof content !== 'string' || typeof pkr?.proofOfPossession !== 'string')
      throw new HttpFailure(400, 3, 'publicKeyRequest with publicKey.content and proofOfPossession is required')
    let clientKey: KeyObject
    try {
      clientKey = createPublicKey(content)
    } catch {
      throw new HttpFailure(400, 3, 'The public key supplied in the request could not be parsed')
    }
    if (clientKey.asymmetricKeyType !== 'ec' || clientKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new HttpFailure(400, 3, 'The public key supplied in the request is not ECDSA P-256')
    const proofHolds = verify('sha256', Buffer.from(claims.sub as string, 'utf8'), clientKey, Buffer.from(pkr.proofOfPossession, 'base64'))
    if (!proofHolds) throw new HttpFailure(400, 3, 'The signature supplied in the request could not be verified')

    const leafPem = await this.issueLeaf(clientKey, claims)
    this.issued.push(leafPem)
    return {
      status: 200,
      body: { signedCertificateEmbeddedSct: { chain: { certificates: [leafPem, this.intermediatePem, this.rootPem] } } }
    }
  }

  /** A leaf for a GitHub Actions token, as Fulcio's certificate profile describes it. */
  private async issueLeaf(clientKey: KeyObject, claims: Json): Promise<string> {
    const spki = clientKey.export({ type: 'spki', format: 'der' })
    const publicKey = await webcrypto.subtle.importKey('spki', spki, ECDSA, true, ['verify'])
    const str = (k: string): string => (typeof claims[k] === 'string' ? (claims[k] as string) : '')
    const server = 'https://github.com'
    const ext = (n: number, value: string): x509.Extension => new x509.Extension(`1.3.6.1.4.1.57264.1.${n}`, false, utf8String(value))
    const extensions: x509.Extension[] = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `${server}/${str('job_workflow_ref')}` }], true),
      ext(8, str('iss')),
      ext(9, `${server}/${str('job_workflow_ref')}`),
      ext(12, `${server}/${str('repository')}`),
      ext(14, str('ref')),
      ext(20, str('event_name')),
      ext(21, `${server}/${str('repository')}/actions/runs/${str('run_id')}/attempts/${str('run_attempt')}`)
    ]
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: randomBytes(16)
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      subject: '',
      issuer: this.intermediate!.cert.subject,
      notBefore: new Date(Date.now() - 1000),
      notAfter: new Date(Date.now() + CERT_LIFETIME_MS),
      publicKey,
      signingKey: this.intermediate!.keys.privateKey,
      signingAlgorithm: SIGNING,
      extensions
    })
    return leaf.toString('pem')
  }

  // --- Rekor --------------------------------------------------------------

  private async rekor(
    req: http.IncomingMessage,
    raw: Buffer
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (req.method === 'GET' && path === '/api/v1/log/publicKey')
      return { status: 200, body: this.logPublicKey.export({ type: 'spki', format: 'pem' }).toString() }
    if (req.method !== 'POST' || path !== '/api/v1/log/entries') throw new HttpFailure(404, 404, 'Not Found')
    const badContent = (why: string): HttpFailure => new HttpFailure(400, 400, `error processing entry: ${why}`)
    let proposed: unknown
    try {
      proposed = JSON.parse(raw.toString('utf8'))
    } catch {
      throw badContent('body is not JSON')
    }
    if (!isJson(proposed) || proposed.kind !== 'dsse' || proposed.apiVersion !== '0.0.1' || !isJson(proposed.spec))
      throw badContent('only dsse 0.0.1 entries are accepted here')
    const content = isJson(proposed.spec.proposedContent) ? proposed.spec.proposedContent : undefined
    const verifiers = Array.isArray(content?.verifiers) ? content.verifiers.filter((v): v is string => typeof v === 'string') : []
    if (typeof content?.envelope !== 'string' || verifiers.length === 0) throw badContent('proposedContent needs envelope and verifiers')
    let envelope: unknown
    try {
      envelope = JSON.parse(content.envelope)
    } catch {
      throw badContent('envelope is not JSON')
    }
    if (
      !isJson(envelope) ||
      typeof envelope.payload !== 'string' ||
      typeof envelope.payloadType !== 'string' ||
      !Array.isArray(envelope.signatures)
    )
      throw badContent('envelope lacks payload, payloadType or signatures')
    const payload = Buffer.from(envelope.payload, 'base64')
    const keys = verifiers.map((v) => {
      try {
        return new X509Certificate(Buffer.from(v, 'base64').toString('utf8')).publicKey
      } catch {
        throw badContent('a verifier is not a PEM certificate')
      }
    })
    const signatures: { signature: string; verifier: string }[] = []
    for (const s of envelope.signatures) {
      const sig = isJson(s) && typeof s.sig === 'string' ? s.sig : undefined
      const i = sig
        ? keys.findIndex((k) => verify('sha256', preAuthEncoding(envelope.payloadType as string, payload), k, Buffer.from(sig, 'base64')))
        : -1
      if (!sig || i < 0) throw badContent('a signature does not verify with any verifier')
      signatures.push({ signature: sig, verifier: verifiers[i]! })
    }
    const body = Buffer.from(
      canonicalJson({
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(canonicalJson(envelope))).toString('hex') },
          payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
          signatures: signatures.sort((a, b) => a.signature.localeCompare(b.signature))
        }
      })
    )
    const leaf = sha256(Buffer.from([0]), body)
    if (this.leaves.some((l) => l.equals(leaf)))
      throw new HttpFailure(409, 409, 'an equivalent entry already exists in the transparency log')
    this.leaves.push(leaf)
    this.bodies.push(body)
    const treeIndex = this.leaves.length - 1
    const treeSize = this.leaves.length
    const rootHash = subtreeHash(this.leaves, 0, treeSize)
    const integratedTime = Math.floor(Date.now() / 1000)
    const logIndex = INACTIVE_SHARD_ENTRIES + treeIndex
    const set = sign(
      'sha256',
      Buffer.from(canonicalJson({ body: body.toString('base64'), integratedTime, logID: this.logId, logIndex })),
      this.logPrivateKey
    )
    const uuid = `${TREE_ID.toString(16).padStart(16, '0')}${leaf.toString('hex')}`
    return {
      status: 201,
      headers: { ETag: uuid, Location: `/api/v1/log/entries/${uuid}` },
      body: {
        [uuid]: {
          body: body.toString('base64'),
          integratedTime,
          logID: this.logId,
          logIndex,
          verification: {
            inclusionProof: {
              checkpoint: this.checkpoint(treeSize, rootHash),
              hashes: auditPath(this.leaves, treeIndex, 0, treeSize).map((h) => h.toString('hex')),
              logIndex: treeIndex,
              rootHash: rootHash.toString('hex'),
              treeSize
            },
            signedEntryTimestamp: set.toString('base64')
          }
        }
      }
    }
  }

  /** A signed note over the tree head, in Rekor's checkpoint format. */
  private checkpoint(treeSize: number, rootHash: Buffer): string {
    const origin = `${new URL(this.rekorUrl).host} - ${TREE_ID}`
    const note = `${origin}\n${treeSize}\n${rootHash.toString('base64')}\n`
    const hint = createHash('sha256')
      .update(this.logPublicKey.export({ type: 'spki', format: 'der' }))
      .digest()
      .subarray(0, 4)
    const sig = sign('sha256', Buffer.from(note), this.logPrivateKey)
    return `${note}\n\u2014 ${origin} ${Buffer.concat([hint, sig]).toString('base64')}\n`
  }

  /** The fake CA's root, for a test to check a chain against. */
  rootCertificate(): x509.X509Certificate {
    return this.root!.cert
  }
}
