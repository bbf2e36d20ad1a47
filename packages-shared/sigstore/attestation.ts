/**
 * The attestation object PEP 740 defines (packaging.python.org, "Index hosted
 * attestations"): `version` 1, the verification material (the signing certificate as
 * base64 DER and the transparency log entries of the signature) and the envelope (the
 * statement's bytes and the DSSE signature, both base64). It is the file
 * `<dist>.publish.attestation` that pypa/gh-action-pypi-publish writes and that uv
 * publish uploads in the `attestations` field.
 */
import type { X509Certificate } from 'node:crypto'
import type { TransparencyLogEntry } from './rekor.js'

export const PUBLISH_ATTESTATION_SUFFIX = '.publish.attestation'

export interface Attestation {
  version: 1
  verification_material: { certificate: string; transparency_entries: TransparencyLogEntry[] }
  envelope: { statement: string; signature: string }
}

export function attestationFileName(distFileName: string): string {
  return `${distFileName}${PUBLISH_ATTESTATION_SUFFIX}`
}

export function buildAttestation(
  leaf: X509Certificate,
  entry: TransparencyLogEntry,
  statement: Uint8Array,
  signature: Uint8Array
): Attestation {
  return {
    version: 1,
    verification_material: { certificate: leaf.raw.toString('base64'), transparency_entries: [entry] },
    envelope: { statement: Buffer.from(statement).toString('base64'), signature: Buffer.from(signature).toString('base64') }
  }
}
