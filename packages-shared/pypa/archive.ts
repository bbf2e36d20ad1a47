/**
 * The one reader of distribution archives: wheels (zip) and sdists (gzipped tar). Node has
 * zlib but no archive reader, and what we need is small: a wheel's file list and METADATA,
 * an sdist's file list and PKG-INFO. build-packages' verification and publish-pypi's
 * pre-flight both read through here, so a file one accepts the other cannot refuse.
 *
 * The rules follow what pip, twine and the index read with (Python's zipfile and tarfile),
 * not a subset: zip64 records, base-256 tar numbers and global PAX headers included.
 */
import * as fs from 'node:fs'
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib'

/** The archive is not one we can read; the message says what is wrong with it. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError'
}

// ---------------------------------------------------------------------------------------
// zip

export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated: the two methods installers accept. */
  method: number
  flags: number
  crc32: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

export interface ZipArchive {
  entries: readonly ZipEntry[]
  /** Every entry's name, directories (ending in `/`) included, in directory order. */
  names: string[]
  /** The bytes of the entry of this exact name. */
  read(name: string): Buffer
}

const EOCD = 0x06054b50
const ZIP64_EOCD = 0x06064b50
const ZIP64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const U16 = 0xffff
const U32 = 0xffffffff

/** Reads bytes at an offset: from a file, so a wheel is never loaded whole, or from memory. */
type ReadAt = (position: number, length: number) => Buffer

function u64(buf: Buffer, at: number): number {
  const n = buf.readBigUInt64LE(at)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveError('a zip64 size or offset is out of range')
  return Number(n)
}

/** Where the central directory is and how many entries it holds, zip64 records included. */
function centralDirectory(readAt: ReadAt, fileSize: number): { count: number; size: number; offset: number } {
  if (fileSize < 22) throw new ArchiveError('not a zip file (too short)')
  // The end record is the last 22 bytes plus a comment of up to 64 KiB.
  const tailStart = Math.max(0, fileSize - 22 - U16)
  const tail = readAt(tailStart, fileSize - tailStart)
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new ArchiveError('not a zip file (no end of central directory record)')
  const dir = {
    count: tail.readUInt16LE(eocd + 10),
    size: tail.readUInt32LE(eocd + 12),
    offset: tail.readUInt32LE(eocd + 16)
  }
  // A writer whose counts or offsets overflow stores sentinels here and the true values in a
  // zip64 end record, found through the locator just before; Python's zipfile takes the zip64
  // record whenever the locator is there, so we do too.
  const locator = eocd - 20
  if (locator >= 0 && tail.readUInt32LE(locator) === ZIP64_LOCATOR) {
    const at = u64(tail, locator + 8)
    const rec = readAt(at, 56)
    if (rec.length < 56 || rec.readUInt32LE(0) !== ZIP64_EOCD) throw new ArchiveError('corrupt zip64 end of central directory record')
    return { count: u64(rec, 32), size: u64(rec, 40), offset: u64(rec, 48) }
  }
  if (dir.count === U16 || dir.size === U32 || dir.offset === U32)
    throw new ArchiveError('the zip64 end of central directory record is missing')
  return dir
}

function listEntries(readAt: ReadAt, fileSize: number): ZipEntry[] {
  const dir = centralDirectory(readAt, fileSize)
  if (dir.offset + dir.size > fileSize) throw new ArchiveError('the central directory lies past the end of the file (truncated?)')
  const cd = readAt(dir.offset, dir.size)
  const entries: ZipEntry[] = []
  let p = 0
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ArchiveError(`corrupt central directory at entry ${i}`)
    const nameLen = cd.readUInt16LE(p + 28)
    const extraLen = cd.readUInt16LE(p + 30)
    const commentLen = cd.readUInt16LE(p + 32)
    // Names are UTF-8 in every wheel writer we know; a name without the UTF-8 flag would be
    // CP437 to zipfile, which differs only outside ASCII.
    const entry: ZipEntry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42)
    }
    // The zip64 extra field (id 1) holds 64-bit values only for the fields that overflowed,
    // in this order: size, compressed size, local header offset.
    const extraEnd = p + 46 + nameLen + extraLen
    for (let e = p + 46 + nameLen; e + 4 <= extraEnd; e += 4 + cd.readUInt16LE(e + 2)) {
      if (cd.readUInt16LE(e) !== 1) continue
      let q = e + 4
      const end = Math.min(extraEnd, q + cd.readUInt16LE(e + 2))
      const next = (): number => {
        if (q + 8 > end) throw new ArchiveError(`corrupt zip64 extra field for ${entry.name}`)
        q += 8
        return u64(cd, q - 8)
      }
      if (entry.size === U32) entry.size = next()
      if (entry.compressedSize === U32) entry.compressedSize = next()
      if (entry.localHeaderOffset === U32) entry.localHeaderOffset = next()
    }
    entries.push(entry)
    p = extraEnd + commentLen
  }
  return entries
}

function extract(readAt: ReadAt, entry: ZipEntry): Buffer {
  if (entry.flags & 1) throw new ArchiveError(`${entry.name} is encrypted`)
  const local = readAt(entry.localHeaderOffset, 30)
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw new ArchiveError(`corrupt local header for ${entry.name}`)
  // The local header's name and extra lengths may differ from the central directory's (a
  // zip64 local extra, for one); the sizes come from the central directory, which is final.
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
  const raw = readAt(start, entry.compressedSize)
  if (raw.length < entry.compressedSize) throw new ArchiveError(`${entry.name} is truncated`)
  let data: Buffer
  if (entry.method === 0) data = raw
  else if (entry.method === 8) {
    try {
      // Never inflate past the declared size: a lying entry is an error, not a memory blow-up.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) })
    } catch (error) {
      throw new ArchiveError(`${entry.name} does not inflate to its declared ${entry.size} bytes (${(error as Error).message})`)
    }
  } else throw new ArchiveError(`${entry.name} uses zip compression method ${entry.method}, which installers do not support`)
  if (data.length !== entry.size || crc32(data) >>> 0 !== entry.crc32)
    throw new ArchiveError(`${entry.name} fails its size or CRC check (corrupt archive)`)
  return data
}

/**
 * Lists a zip's entries from its central directory and reads only the entries asked for;
 * a file is read by ranges and closed when `fn` returns.
 */
export function withZip<T>(source: string | Buffer, fn: (zip: ZipArchive) => T): T {
  if (Buffer.isBuffer(source)) return openZip((at, len) => source.subarray(at, at + len), source.length, fn)
  const fd = fs.openSync(source, 'r')
  try {
    const readAt: ReadAt = (at, len) => {
      const buf = Buffer.alloc(len)
      let done = 0
      while (done < len) {
        const n = fs.readSync(fd, buf, done, len - done, at + done)
        if (n === 0) break
        done += n
      }
      return buf.subarray(0, done)
    }
    return openZip(readAt, fs.fstatSync(fd).size, fn)
  } finally {
    fs.closeSync(fd)
  }
}

function openZip<T>(readAt: ReadAt, size: number, fn: (zip: ZipArchive) => T): T {
  const entries = listEntries(readAt, size)
  const byName = new Map(entries.map((e) => [e.name, e]))
  return fn({
    entries,
    names: entries.map((e) => e.name),
    read: (name) => {
      const entry = byName.get(name)
      if (!entry) throw new ArchiveError(`no member ${name}`)
      return extract(readAt, entry)
    }
  })
}

// ---------------------------------------------------------------------------------------
// tar

export interface TarMember {
  name: string
  /** '0' file ('\0' reads as '0'), '5' directory, '2' symlink, '7' contiguous file, ... */
  type: string
  size: number
  data: Buffer
}

/** Members that hold their own bytes (what an sdist's file list is made of). */
export function isRegularFile(member: TarMember): boolean {
  return member.type === '0' || member.type === '7'
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start)
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end)
}

/** A numeric header field: octal text, or base-256 (GNU, and tarfile past 8 GiB). */
function tarNumber(header: Buffer, start: number, len: number, what: string): number {
  const first = header[start]!
  if (first === 0x80 || first === 0xff) {
    if (first === 0xff) throw new ArchiveError(`negative ${what} in a tar header`)
    let n = 0
    for (let i = start + 1; i < start + len; i++) n = n * 256 + header[i]!
    if (!Number.isSafeInteger(n)) throw new ArchiveError(`${what} out of range in a tar header`)
    return n
  }
  const text = cString(header, start, len).trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError(`invalid ${what} ${JSON.stringify(text)} in a tar header`)
  return parseInt(text, 8)
}

/** tarfile accepts a checksum over unsigned or signed bytes (old Sun tars used signed). */
function checksumMatches(header: Buffer): boolean {
  const stored = tarNumber(header, 148, 8, 'checksum')
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  return stored === unsigned || stored === signed
}

/** PAX records: "<len> <key>=<value>\n", the length in bytes, the record included. */
function paxRecords(data: Buffer, into: Record<string, string>): void {
  let p = 0
  while (p < data.length) {
    const space = data.indexOf(0x20, p)
    if (space === -1) break
    const len = parseInt(data.toString('latin1', p, space), 10)
    if (!Number.isFinite(len) || len <= 0 || p + len > data.length) throw new ArchiveError('corrupt PAX header')
    const record = data.toString('utf8', space + 1, p + len - 1)
    const eq = record.indexOf('=')
    if (eq > 0) into[record.slice(0, eq)] = record.slice(eq + 1)
    p += len
  }
}

function readTar(tar: Buffer): TarMember[] {
  const members: TarMember[] = []
  // A global header ('g') applies to every member after it, an extended one ('x') to the next
  // only, over the global one; tarfile and GNU tar both apply a global `path`.
  const globalPax: Record<string, string> = {}
  let pax: Record<string, string> | undefined
  let longName: string | undefined
  let p = 0
  while (p + 512 <= tar.length) {
    const header = tar.subarray(p, p + 512)
    if (header.every((b) => b === 0)) break
    if (!checksumMatches(header)) throw new ArchiveError(`bad tar header checksum at byte ${p}${p === 0 ? ' (not a tar archive?)' : ''}`)
    const base = cString(header, 0, 100)
    // Old tars mark a directory by a trailing slash on a type-'\0' member (tarfile reads it so).
    const type = header[156] === 0 ? (base.endsWith('/') ? '5' : '0') : String.fromCharCode(header[156]!)
    const records = { ...globalPax, ...pax }
    // A PAX `size` replaces the header's (PAX writers put 0 there past 8 GiB).
    const size = type !== 'x' && type !== 'g' && records.size !== undefined ? Number(records.size) : tarNumber(header, 124, 12, 'size')
    if (!Number.isSafeInteger(size) || size < 0) throw new ArchiveError(`invalid size ${JSON.stringify(records.size)} in a PAX header`)
    // Links, devices and directories carry no data whatever their size field says (tarfile).
    const dataSize = /^[1-6]$/.test(type) ? 0 : size
    if (p + 512 + dataSize > tar.length) throw new ArchiveError(`the tar archive is truncated (a member at byte ${p} needs ${size} bytes)`)
    const data = tar.subarray(p + 512, p + 512 + dataSize)
    p += 512 + Math.ceil(dataSize / 512) * 512
    if (type === 'g') {
      paxRecords(data, globalPax)
      continue
    }
    if (type === 'x') {
      paxRecords(data, (pax = {}))
      continue
    }
    if (type === 'L') {
      longName = cString(data, 0, data.length)
      continue
    }
    if (type === 'K') continue // GNU long link name: we never follow links.
    const prefix = header.toString('latin1', 257, 262) === 'ustar' ? cString(header, 345, 155) : ''
    let name = pax?.path ?? longName ?? globalPax.path ?? (prefix ? `${prefix}/${base}` : base)
    if (type === '5') name = name.replace(/\/+$/, '')
    // `tar -czf x.tar.gz ./pkg-1.0` writes `./pkg-1.0/...`, which unpacks to the same tree as
    // `pkg-1.0/...`; both actions look for `pkg-1.0/PKG-INFO`, so the archive says it once.
    name = name.replace(/^(?:\.\/)+/, '')
    members.push({ name, type, size, data })
    pax = undefined
    longName = undefined
  }
  return members
}

/** Every member of a .tar.gz (a path or its bytes), PAX and GNU long names applied. */
export function readTarGz(source: string | Buffer): TarMember[] {
  const gz = Buffer.isBuffer(source) ? source : fs.readFileSync(source)
  let tar: Buffer
  try {
    tar = gunzipSync(gz)
  } catch (error) {
    throw new ArchiveError(`not a gzip file (${(error as Error).message})`)
  }
  return readTar(tar)
}
