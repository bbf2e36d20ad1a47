/**
 * Checks an inclusion proof of an RFC 6962 / RFC 9162 Merkle tree (Rekor's): that the leaf
 * at `index`, with the audit path `hashes`, hashes up to `rootHash` for a tree of
 * `treeSize` leaves. It needs no key: a proof that does not add up means the log's answer
 * is broken, whoever signed it.
 */
import { createHash } from 'node:crypto'

export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(entry)
    .digest()
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest()
}

/** RFC 9162 section 2.1.3.2, with bigints: Rekor's indexes outgrow 32-bit shifts. */
export function inclusionProofHolds(
  leaf: Uint8Array,
  index: bigint,
  treeSize: bigint,
  hashes: readonly Uint8Array[],
  rootHash: Uint8Array
): boolean {
  if (index < 0n || index >= treeSize) return false
  let fn = index
  let sn = treeSize - 1n
  let r: Buffer = Buffer.from(leaf)
  for (const p of hashes) {
    if (sn === 0n) return false
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r)
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n
          sn >>= 1n
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn >>= 1n
    sn >>= 1n
  }
  return sn === 0n && r.equals(Buffer.from(rootHash))
}
