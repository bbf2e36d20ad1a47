/**
 * Fulcio, Sigstore's certificate authority: `POST /api/v2/signingCert` (Fulcio's v2 API,
 * fulcio.proto) with the OIDC token, the public key and a proof of possession (a
 * signature over the token's `sub` claim) returns a short-lived certificate for the key
 * naming the token's identity, with the chain up to Fulcio's root.
 */
import { X509Certificate } from 'node:crypto'
import type { Http } from '../github/http.js'
import type { EphemeralKey } from './ephemeral-key.js'
import { isRecord, postJson } from './json-request.js'
import { subjectOf } from './jwt-claims.js'
import { SigstoreError } from './sigstore-error.js'

export interface SigningCertificate {
  /** PEM certificates, the leaf first, as Fulcio returned them. */
  chain: string[]
  leaf: X509Certificate
  /** The identity the certificate names (its SubjectAltName), for the log. */
  identity: string
}

function chainOf(body: unknown): string[] | undefined {
  if (!isRecord(body)) return undefined
  // The SCT is either embedded in the leaf or detached beside the chain; the chain is the same.
  const signed = body.signedCertificateEmbeddedSct ?? body.signedCertificateDetachedSct
  if (!isRecord(signed) || !isRecord(signed.chain) || !Array.isArray(signed.chain.certificates)) return undefined
  const certs = signed.chain.certificates.filter((c): c is string => typeof c === 'string' && c.includes('BEGIN CERTIFICATE'))
  return certs.length > 0 ? certs : undefined
}

/** What Fulcio put in the SubjectAltName (for GitHub Actions, the workflow's URI). */
export function identityOf(cert: X509Certificate): string {
  // Node lists the names as `URI:https://...`, `email:...`, separated by ", ".
  const first = (cert.subjectAltName ?? '').split(', ')[0] ?? ''
  return first.replace(/^[A-Za-z ]+:/, '')
}

export async function requestSigningCertificate(
  http: Http,
  fulcioUrl: string,
  idToken: string,
  key: EphemeralKey
): Promise<SigningCertificate> {
  const url = `${fulcioUrl.replace(/\/+$/, '')}/api/v2/signingCert`
  const proof = key.sign(Buffer.from(subjectOf(idToken), 'utf8'))
  const answer = await postJson(http, 'Fulcio', url, {
    credentials: { oidcIdentityToken: idToken },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: key.publicKeyPem() },
      proofOfPossession: proof.toString('base64')
    }
  })
  if (answer.status !== 200 && answer.status !== 201) {
    throw new SigstoreError(
      `Fulcio at ${url} refused the signing certificate (status ${answer.status}${answer.reason ? `: ${answer.reason}` : ''})`,
      answer.status
    )
  }
  const chain = chainOf(answer.body)
  if (!chain) throw new SigstoreError(`Fulcio at ${url} answered ${answer.status} without a certificate chain`, answer.status)
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(chain[0]!)
  } catch (error) {
    throw new SigstoreError(
      `Fulcio at ${url} returned a certificate that does not parse (${error instanceof Error ? error.message : String(error)})`
    )
  }
  // A certificate for another key would make every signature unverifiable.
  if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(key.publicKeyDer())) {
    throw new SigstoreError(`Fulcio at ${url} returned a certificate for another public key than the one sent`)
  }
  return { chain, leaf, identity: identityOf(leaf) }
}
