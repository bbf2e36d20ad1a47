/**
 * Reads one member out of a distribution without extracting it: the METADATA of a wheel
 * (a zip) and the PKG-INFO of an sdist (a gzipped tar). Small readers of our own, so the
 * pre-flight needs no Python.
 */
import * as fs from 'node:fs'
import * as zlib from 'node:zlib'

export class ArchiveError extends Error {}

interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  size: number
  localOffset: number
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length)
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done === length ? buf : buf.subarray(0, done)
}

/** The central directory of a zip file (zip64 included). */
function zipEntries(fd: number, fileSize: number): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 KiB.
  const tailLen = Math.min(fileSize, 22 + 0xffff)
  const tail = readAt(fd, fileSize - tailLen, tailLen)
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new ArchiveError('not a zip file (no end of central directory)')
  let count = tail.readUInt16LE(eocd + 10)
  let cdSize = tail.readUInt32LE(eocd + 12)
  let cdOffset = tail.readUInt32LE(eocd + 16)
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) throw new ArchiveError('zip64 locator missing')
    const z64 = readAt(fd, Number(tail.readBigUInt64LE(locator + 8)), 56)
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new ArchiveError('zip64 end record missing')
    count = Number(z64.readBigUInt64LE(32))
    cdSize = Number(z64.readBigUInt64LE(40))
    cdOffset = Number(z64.readBigUInt64LE(48))
  }
  const cd = readAt(fd, cdOffset, cdSize)
  const entries: ZipEntry[] = []
  let p = 0
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new ArchiveError('corrupt central directory')
    const nameLen = cd.readUInt16LE(p + 28)
    const extraLen = cd.readUInt16LE(p + 30)
    const commentLen = cd.readUInt16LE(p + 32)
    const entry: ZipEntry = {
      name: cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42)
    }
    // Zip64 extra field: the 64-bit values appear in this order, only for the fields that overflowed.
    let e = p + 46 + nameLen
    const extraEnd = e + extraLen
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e)
      const len = cd.readUInt16LE(e + 2)
      if (id === 0x0001) {
        let q = e + 4
        if (entry.size === 0xffffffff) {
          entry.size = Number(cd.readBigUInt64LE(q))
          q += 8
        }
        if (entry.compressedSize === 0xffffffff) {
          entry.compressedSize = Number(cd.readBigUInt64LE(q))
          q += 8
        }
        if (entry.localOffset === 0xffffffff) entry.localOffset = Number(cd.readBigUInt64LE(q))
      }
      e += 4 + len
    }
    entries.push(entry)
    p = extraEnd + commentLen
  }
  return entries
}

function zipExtract(fd: number, entry: ZipEntry): Buffer {
  const local = readAt(fd, entry.localOffset, 30)
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new ArchiveError(`corrupt local header for ${entry.name}`)
  const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
  const data = readAt(fd, start, entry.compressedSize)
  if (entry.method === 0) return data
  if (entry.method === 8) return zlib.inflateRawSync(data)
  throw new ArchiveError(`${entry.name} uses zip compression method ${entry.method}, which installers do not support`)
}

export interface WheelContents {
  names: string[]
  /** Reads a member by its exact name. */
  read(name: string): Buffer
}

/** Lists a wheel's members and reads the ones asked for, then closes the file. */
export function withZip<T>(file: string, fn: (zip: WheelContents) => T): T {
  const fd = fs.openSync(file, 'r')
  try {
    const entries = zipEntries(fd, fs.fstatSync(fd).size)
    const byName = new Map(entries.map((e) => [e.name, e]))
    return fn({
      names: entries.map((e) => e.name),
      read: (name) => {
        const entry = byName.get(name)
        if (!entry) throw new ArchiveError(`no member ${name}`)
        return zipExtract(fd, entry)
      }
    })
  } finally {
    fs.closeSync(fd)
  }
}

function tarString(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8')
}

function tarNumber(block: Buffer, start: number, length: number): number {
  // Base-256 (GNU) for very large members; octal otherwise.
  if ((block[start]! & 0x80) !== 0) {
    let n = 0
    for (let i = start + 1; i < start + length; i++) n = n * 256 + block[i]!
    return n
  }
  const text = tarString(block, start, length).trim()
  return text ? parseInt(text, 8) : 0
}

export interface TarMember {
  name: string
  type: string
  data: Buffer
}

/** Every regular member of a .tar.gz, with pax and GNU long names applied. */
export function readTarGz(file: string): TarMember[] {
  let tar: Buffer
  try {
    tar = zlib.gunzipSync(fs.readFileSync(file))
  } catch (error) {
    throw new ArchiveError(`not a gzip file (${error instanceof Error ? error.message : String(error)})`)
  }
  const members: TarMember[] = []
  let p = 0
  let longName: string | undefined
  while (p + 512 <= tar.length) {
    const header = tar.subarray(p, p + 512)
    if (header.every((b) => b === 0)) break
    const size = tarNumber(header, 124, 12)
    const type = String.fromCharCode(header[156] || 48)
    const prefix = tarString(header, 345, 155)
    let name = tarString(header, 0, 100)
    if (prefix && tar.subarray(p + 257, p + 262).toString('latin1') === 'ustar') name = `${prefix}/${name}`
    const data = tar.subarray(p + 512, p + 512 + size)
    p += 512 + Math.ceil(size / 512) * 512
    if (type === 'L') {
      longName = tarString(data, 0, data.length)
      continue
    }
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))
      if (m) longName = m[1]
      continue
    }
    if (type === 'g') continue
    members.push({ name: longName ?? name, type, data })
    longName = undefined
  }
  return members
}
