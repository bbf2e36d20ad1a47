/**
 * A small reader for gzip-compressed tar archives (sdists): 512-byte headers, ustar
 * prefixes, PAX `path` records and GNU long names, which is what Python's tarfile and the
 * build backends write.
 */
import { gunzipSync } from 'node:zlib'
import { ArchiveError } from './zip.js'

export interface TarEntry {
  name: string
  /** '0' file, '5' directory, '2' symlink, ... */
  type: string
  size: number
  data: Buffer
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start)
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end)
}

function octal(buf: Buffer, start: number, len: number): number {
  // Sizes beyond 8 GiB use base-256; sdists never get there.
  if ((buf[start]! & 0x80) !== 0) throw new ArchiveError('base-256 sizes are not supported')
  const text = cString(buf, start, len).trim()
  return text === '' ? 0 : parseInt(text, 8)
}

/** PAX records: "<len> <key>=<value>\n". */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let p = 0
  while (p < data.length) {
    const space = data.indexOf(0x20, p)
    if (space === -1) break
    const len = parseInt(data.toString('utf8', p, space), 10)
    if (!Number.isFinite(len) || len <= 0) break
    const record = data.toString('utf8', space + 1, p + len - 1)
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    p += len
  }
  return out
}

export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = []
  let p = 0
  let longName: string | undefined
  let globalPax: Record<string, string> = {}
  let pax: Record<string, string> = {}
  while (p + 512 <= tar.length) {
    const header = tar.subarray(p, p + 512)
    if (header.every((b) => b === 0)) break
    const size = octal(header, 124, 12)
    const type = String.fromCharCode(header[156] || 0x30)
    const data = tar.subarray(p + 512, p + 512 + size)
    p += 512 + Math.ceil(size / 512) * 512
    if (type === 'x') {
      pax = paxRecords(data)
      continue
    }
    if (type === 'g') {
      globalPax = { ...globalPax, ...paxRecords(data) }
      continue
    }
    if (type === 'L') {
      longName = cString(data, 0, data.length)
      continue
    }
    const magic = header.toString('latin1', 257, 262)
    const prefix = magic === 'ustar' ? cString(header, 345, 155) : ''
    const base = cString(header, 0, 100)
    const name = pax.path ?? longName ?? globalPax.path ?? (prefix ? `${prefix}/${base}` : base)
    entries.push({ name, type: type === '\0' ? '0' : type, size, data: Buffer.from(data) })
    pax = {}
    longName = undefined
  }
  return entries
}

export function readTarGz(buf: Buffer): TarEntry[] {
  let tar: Buffer
  try {
    tar = gunzipSync(buf)
  } catch (error) {
    throw new ArchiveError(`not a gzip file: ${(error as Error).message}`)
  }
  return readTar(tar)
}
