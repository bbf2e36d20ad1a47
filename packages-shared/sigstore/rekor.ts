/**
 * Rekor, Sigstore's transparency log: `POST /api/v1/log/entries` with a `dsse` v0.0.1
 * entry (the signed envelope and the certificate that verifies it) records the signature
 * publicly. The answer (Rekor's OpenAPI `LogEntry`) is read back into a
 * TransparencyLogEntry as Sigstore's protobuf-specs define it in JSON, the form PEP 740's
 * `transparency_entries` hold: log index, log ID, integrated time, the signed entry
 * timestamp (the log's promise) and the inclusion proof with its checkpoint.
 */
import { createHash } from 'node:crypto'
import type { Http } from '../github/http.js'
import type { Envelope } from './dsse.js'
import { isRecord, postJson } from './json-request.js'
import { inclusionProofHolds, leafHash } from './merkle.js'
import { SigstoreError } from './sigstore-error.js'

export interface TransparencyLogEntry {
  logIndex: string
  logId: { keyId: string }
  kindVersion: { kind: string; version: string }
  integratedTime: string
  inclusionPromise: { signedEntryTimestamp: string }
  inclusionProof: { logIndex: string; rootHash: string; treeSize: string; hashes: string[]; checkpoint: { envelope: string } }
  canonicalizedBody: string
}

/** The entry Rekor is asked to add: the envelope as a JSON string, the certificate as base64 of its PEM. */
export function dsseProposedEntry(envelope: Envelope, certificatePem: string): Record<string, unknown> {
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: { proposedContent: { envelope: JSON.stringify(envelope), verifiers: [Buffer.from(certificatePem, 'utf8').toString('base64')] } }
  }
}

function integer(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v)
  return undefined
}

const HEX64 = /^[0-9a-f]{64}$/i
const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64')

/** Adds the envelope to the log and returns the entry, after checking it is ours and its inclusion proof adds up. */
export async function logDsseEntry(
  http: Http,
  rekorUrl: string,
  envelope: Envelope,
  certificatePem: string
): Promise<TransparencyLogEntry> {
  const url = `${rekorUrl.replace(/\/+$/, '')}/api/v1/log/entries`
  const answer = await postJson(http, 'Rekor', url, dsseProposedEntry(envelope, certificatePem))
  const bad = (what: string): SigstoreError => new SigstoreError(`Rekor at ${url} answered ${answer.status} with ${what}`, answer.status)
  if (answer.status !== 201 && answer.status !== 200) {
    throw new SigstoreError(
      `Rekor at ${url} refused the log entry (status ${answer.status}${answer.reason ? `: ${answer.reason}` : ''})`,
      answer.status
    )
  }
  const entries = isRecord(answer.body) ? Object.values(answer.body) : []
  const e = entries[0]
  if (entries.length !== 1 || !isRecord(e)) throw bad('no single log entry')
  const logIndex = integer(e.logIndex)
  const integratedTime = integer(e.integratedTime)
  if (
    typeof e.body !== 'string' ||
    logIndex === undefined ||
    integratedTime === undefined ||
    typeof e.logID !== 'string' ||
    !HEX64.test(e.logID)
  )
    throw bad('an entry without body, log index, integrated time or log ID')

  const bodyBytes = Buffer.from(e.body, 'base64')
  let stored: unknown
  try {
    stored = JSON.parse(bodyBytes.toString('utf8'))
  } catch {
    throw bad('an entry body that is not JSON')
  }
  if (!isRecord(stored) || stored.kind !== 'dsse' || typeof stored.apiVersion !== 'string' || !isRecord(stored.spec))
    throw bad('an entry that is not a dsse entry')
  // The log must have recorded this envelope: its signature and the hash of its payload.
  const sigs = Array.isArray(stored.spec.signatures) ? stored.spec.signatures : []
  const ours = envelope.signatures[0]!.sig
  const payloadSha = createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('hex')
  const payloadHash = isRecord(stored.spec.payloadHash) ? stored.spec.payloadHash.value : undefined
  if (!sigs.some((s) => isRecord(s) && s.signature === ours) || payloadHash !== payloadSha) throw bad('an entry for another envelope')

  const verification = isRecord(e.verification) ? e.verification : {}
  const set = verification.signedEntryTimestamp
  const proof = isRecord(verification.inclusionProof) ? verification.inclusionProof : undefined
  if (typeof set !== 'string' || !set) throw bad('no signed entry timestamp')
  // PyPI (through sigstore's bundle rules) requires the proof, not only the promise.
  if (!proof) throw bad('no inclusion proof')
  const proofIndex = integer(proof.logIndex)
  const treeSize = integer(proof.treeSize)
  const hashes = Array.isArray(proof.hashes) ? proof.hashes : undefined
  if (
    proofIndex === undefined ||
    treeSize === undefined ||
    typeof proof.rootHash !== 'string' ||
    !HEX64.test(proof.rootHash) ||
    !hashes?.every((h): h is string => typeof h === 'string' && HEX64.test(h)) ||
    typeof proof.checkpoint !== 'string' ||
    !proof.checkpoint
  )
    throw bad('an incomplete inclusion proof')
  const holds = inclusionProofHolds(
    leafHash(bodyBytes),
    proofIndex,
    treeSize,
    hashes.map((h) => Buffer.from(h, 'hex')),
    Buffer.from(proof.rootHash, 'hex')
  )
  if (!holds) throw bad('an inclusion proof that does not lead to its root hash')

  return {
    logIndex: logIndex.toString(),
    logId: { keyId: hexToBase64(e.logID) },
    kindVersion: { kind: 'dsse', version: stored.apiVersion },
    integratedTime: integratedTime.toString(),
    inclusionPromise: { signedEntryTimestamp: set },
    inclusionProof: {
      logIndex: proofIndex.toString(),
      rootHash: hexToBase64(proof.rootHash),
      treeSize: treeSize.toString(),
      hashes: hashes.map(hexToBase64),
      checkpoint: { envelope: proof.checkpoint }
    },
    canonicalizedBody: e.body
  }
}
