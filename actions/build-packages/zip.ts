/**
 * A small reader for zip archives (wheels): the central directory lists every entry, and
 * each entry is stored or deflated. Node has zlib but no zip reader, and a wheel's file
 * list and METADATA are all the verification needs.
 */
import { inflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated. */
  method: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError'
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  const stop = Math.max(0, buf.length - 22 - 0xffff)
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD) return i
  }
  throw new ArchiveError('not a zip archive (no end of central directory record)')
}

export function listZip(buf: Buffer): ZipEntry[] {
  if (buf.length < 22) throw new ArchiveError('not a zip archive (too short)')
  const eocd = findEndOfCentralDirectory(buf)
  const count = buf.readUInt16LE(eocd + 10)
  const offset = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || offset === 0xffffffff) throw new ArchiveError('zip64 archives are not supported')
  const entries: ZipEntry[] = []
  let p = offset
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new ArchiveError(`corrupt central directory at entry ${i}`)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localHeaderOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen)
    })
    p += 46 + nameLen + extraLen + commentLen
  }
  return entries
}

export function readZipEntry(buf: Buffer, entry: ZipEntry): Buffer {
  const p = entry.localHeaderOffset
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) throw new ArchiveError(`corrupt local header for ${entry.name}`)
  // The local header's own name and extra lengths may differ from the central directory's.
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28)
  const data = buf.subarray(start, start + entry.compressedSize)
  if (entry.method === 0) return Buffer.from(data)
  if (entry.method === 8) return inflateRawSync(data)
  throw new ArchiveError(`${entry.name} uses unsupported compression method ${entry.method}`)
}
