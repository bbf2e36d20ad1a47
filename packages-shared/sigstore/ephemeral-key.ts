/**
 * The signing key of one run: ECDSA P-256, made in memory and never written anywhere.
 * Fulcio binds it to the workflow's identity for a few minutes; after the run it is gone,
 * so there is no key to store, rotate or leak. The private half has no accessor: only
 * sign() uses it, and neither JSON nor util.inspect can show it.
 */
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'

export class EphemeralKey {
  readonly #privateKey: KeyObject
  readonly publicKey: KeyObject

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey
    this.publicKey = createPublicKey(privateKey)
  }

  static generate(): EphemeralKey {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    return new EphemeralKey(privateKey)
  }

  /** SubjectPublicKeyInfo as PEM, the form Fulcio's `publicKey.content` takes. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }

  /** SubjectPublicKeyInfo as DER, to compare with the key a certificate carries. */
  publicKeyDer(): Buffer {
    return this.publicKey.export({ type: 'spki', format: 'der' })
  }

  /** ECDSA over SHA-256, DER-encoded: the signature form Fulcio, Rekor and DSSE verifiers read. */
  sign(data: Uint8Array): Buffer {
    return sign('sha256', data, this.#privateKey)
  }

  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKeyPem() }
  }
}
