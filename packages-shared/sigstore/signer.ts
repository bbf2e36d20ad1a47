/**
 * Signs PEP 740 publish attestations for one run: one ephemeral key, a Fulcio
 * certificate for it, and per dist a signed statement recorded in Rekor. Fulcio's
 * certificates live about ten minutes and Rekor only accepts entries made while the
 * certificate is valid, so a run with many dists asks for a fresh certificate (with a
 * fresh OIDC token) before the current one runs out.
 */
import type { Http } from '../github/http.js'
import { buildAttestation, type Attestation } from './attestation.js'
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js'
import { EphemeralKey } from './ephemeral-key.js'
import { requestSigningCertificate, type SigningCertificate } from './fulcio.js'
import { publishStatement, statementBytes } from './in-toto.js'
import { logDsseEntry, type TransparencyLogEntry } from './rekor.js'

export interface SigstoreInstance {
  fulcioUrl: string
  rekorUrl: string
}

export const PUBLIC_SIGSTORE: SigstoreInstance = { fulcioUrl: 'https://fulcio.sigstore.dev', rekorUrl: 'https://rekor.sigstore.dev' }

export interface SignerOptions {
  http: Http
  instance: SigstoreInstance
  /** An OIDC token with audience `sigstore`, asked for each time a certificate is needed. */
  idToken: () => Promise<string>
  now?: () => number
}

/** Time left on a certificate below which a new one is asked for: a Rekor round trip must fit in it. */
const RENEW_BEFORE_MS = 90_000

export interface SignedDist {
  attestation: Attestation
  entry: TransparencyLogEntry
}

export class AttestationSigner {
  private readonly key = EphemeralKey.generate()
  private cert?: SigningCertificate

  constructor(private readonly opts: SignerOptions) {}

  /** The certificate in use (asked for on first use, renewed near its end). */
  async certificate(): Promise<SigningCertificate> {
    const now = (this.opts.now ?? Date.now)()
    if (!this.cert || new Date(this.cert.leaf.validTo).getTime() - now < RENEW_BEFORE_MS) {
      this.cert = await requestSigningCertificate(this.opts.http, this.opts.instance.fulcioUrl, await this.opts.idToken(), this.key)
    }
    return this.cert
  }

  /** The publish attestation of one dist, its signature recorded in the log. */
  async attest(filename: string, sha256: string): Promise<SignedDist> {
    const cert = await this.certificate()
    const statement = statementBytes(publishStatement(filename, sha256))
    const { envelope, signature } = signEnvelope(statement, IN_TOTO_PAYLOAD_TYPE, (data) => this.key.sign(data))
    const entry = await logDsseEntry(this.opts.http, this.opts.instance.rekorUrl, envelope, cert.chain[0]!)
    return { attestation: buildAttestation(cert.leaf, entry, statement, signature), entry }
  }
}
