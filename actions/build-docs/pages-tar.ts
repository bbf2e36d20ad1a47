/**
 * The site as GitHub Pages takes it: actions/deploy-pages deploys an artifact holding one
 * `artifact.tar`, an uncompressed tar of the site's files at its root (`./index.html`), as
 * actions/upload-pages-artifact makes it with `tar --dereference --hard-dereference` (no
 * links: Pages refuses them), leaving out `.git` and `.github`.
 *
 * Written here, in POSIX ustar with pax headers for long or non-ASCII names, because no tar
 * library is a dependency of this package: `tar-stream` is in node_modules only as a
 * dependency of `archiver` (itself @actions/artifact's), so importing it would lean on an
 * undeclared, untyped package that any update of @actions/artifact may drop or change; and
 * the runner's `tar` is GNU tar on Linux, bsdtar on macOS and Windows, with different options
 * for dereferencing. The format needs little: 512-byte headers, the file's bytes padded to
 * 512, two zero blocks at the end.
 *
 * Symbolic links are followed when they stay inside the site, and left out (and said) when
 * they point outside it: what a link in a pull request's docs points at must not be published.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { STAMP } from '../../packages-shared/output-dirs.js'

const BLOCK = 512
/** An ustar size field holds 11 octal digits: up to 8 GiB - 1 (Pages sites are at most 1 GB). */
const MAX_SIZE = 8 * 1024 ** 3 - 1
/** Names upload-pages-artifact leaves out, at any depth. */
const LEFT_OUT = new Set(['.git', '.github'])

export interface TarEntry {
  /** Path inside the archive, posix, `./`-prefixed; directories end in `/`. */
  name: string
  kind: 'file' | 'dir'
  /** The file to read (files only). */
  source?: string
  size: number
  mtime: number
}

export interface SiteListing {
  entries: TarEntry[]
  /** Links left out, relative to the site (they point outside it). */
  skipped: string[]
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** The site's files and folders in a stable order, links followed within the site. */
export function listSite(siteDir: string): SiteListing {
  const realRoot = fs.realpathSync(siteDir)
  const entries: TarEntry[] = [{ name: './', kind: 'dir', size: 0, mtime: Math.floor(fs.statSync(realRoot).mtimeMs / 1000) }]
  const skipped: string[] = []
  const walk = (dir: string, prefix: string, seen: ReadonlySet<string>): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      if (LEFT_OUT.has(name) || (prefix === '' && name === STAMP)) continue
      const p = path.join(dir, name)
      const rel = prefix + name
      let real: string
      let st: fs.Stats
      try {
        real = fs.realpathSync(p)
        st = fs.statSync(real)
      } catch {
        skipped.push(rel)
        continue
      }
      if (!inside(realRoot, real)) {
        skipped.push(rel)
        continue
      }
      const mtime = Math.floor(st.mtimeMs / 1000)
      if (st.isDirectory()) {
        // A link to a folder above it would never end.
        if (seen.has(real)) {
          skipped.push(rel)
          continue
        }
        entries.push({ name: `./${rel}/`, kind: 'dir', size: 0, mtime })
        walk(p, `${rel}/`, new Set([...seen, real]))
      } else if (st.isFile()) {
        entries.push({ name: `./${rel}`, kind: 'file', source: real, size: st.size, mtime })
      }
    }
  }
  walk(realRoot, '', new Set([realRoot]))
  return { entries, skipped }
}

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as ustar writes them.
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function paxRecord(key: string, value: string): Buffer {
  // "<length> key=value\n", where the length counts itself.
  const body = ` ${key}=${value}\n`
  let len = Buffer.byteLength(body) + 1
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body)
  return Buffer.from(`${len}${body}`, 'utf8')
}

/** The name and prefix fields for `name`, or undefined when it needs a pax header. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined
  if (name.length <= 100) return { name, prefix: '' }
  // Split at a slash so that the prefix fits 155 bytes and the rest 100.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue
    const prefix = name.slice(0, i)
    const rest = name.slice(i + 1)
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { name: rest, prefix }
    if (name.length - i > 100) break
  }
  return undefined
}

function header(fields: { name: string; prefix: string; mode: number; size: number; mtime: number; type: string }): Buffer {
  const h = Buffer.alloc(BLOCK, 0)
  h.write(fields.name, 0, 100, 'utf8')
  h.write(octal(fields.mode, 8), 100, 8, 'ascii')
  h.write(octal(0, 8), 108, 8, 'ascii')
  h.write(octal(0, 8), 116, 8, 'ascii')
  h.write(octal(fields.size, 12), 124, 12, 'ascii')
  h.write(octal(fields.mtime, 12), 136, 12, 'ascii')
  h.write('        ', 148, 8, 'ascii')
  h.write(fields.type, 156, 1, 'ascii')
  h.write('ustar\0', 257, 6, 'ascii')
  h.write('00', 263, 2, 'ascii')
  h.write(fields.prefix, 345, 155, 'utf8')
  let sum = 0
  for (const b of h) sum += b
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii')
  return h
}

function padding(size: number): Buffer {
  const rest = size % BLOCK
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0)
}

/** The headers of one entry: a pax header first when its name does not fit ustar. */
export function entryHeaders(e: TarEntry): Buffer[] {
  const mode = e.kind === 'dir' ? 0o755 : 0o644
  const type = e.kind === 'dir' ? '5' : '0'
  const split = splitName(e.name)
  if (split) return [header({ ...split, mode, size: e.size, mtime: e.mtime, type })]
  const pax = paxRecord('path', e.name)
  // The ustar name of an entry with a pax path is a placeholder readers ignore; kept ASCII and short.
  const short = `./PaxHeaders/${path.posix
    .basename(e.name.replace(/\/$/, ''))
    .replace(/[^\x20-\x7e]/g, '_')
    .slice(0, 80)}`
  return [
    header({ name: short, prefix: '', mode: 0o644, size: pax.length, mtime: e.mtime, type: 'x' }),
    pax,
    padding(pax.length),
    header({ name: short.slice(0, 100) + (e.kind === 'dir' ? '/' : ''), prefix: '', mode, size: e.size, mtime: e.mtime, type })
  ]
}

export interface TarResult {
  files: number
  bytes: number
  skipped: string[]
}

/** Writes the site into `tarFile` (created or replaced), streaming each file through a fixed buffer. */
export function writeSiteTar(siteDir: string, tarFile: string): TarResult {
  const { entries, skipped } = listSite(siteDir)
  const fd = fs.openSync(tarFile, 'w')
  let bytes = 0
  const write = (b: Buffer): void => {
    if (b.length === 0) return
    fs.writeSync(fd, b)
    bytes += b.length
  }
  const chunk = Buffer.alloc(1024 * 1024)
  try {
    for (const e of entries) {
      if (e.size > MAX_SIZE) throw new Error(`${e.name} is larger than a tar entry can hold (8 GiB)`)
      for (const h of entryHeaders(e)) write(h)
      if (e.kind !== 'file') continue
      const src = fs.openSync(e.source!, 'r')
      let left = e.size
      try {
        // The size in the header is the size read: a file that changes meanwhile is cut or padded to it.
        while (left > 0) {
          const n = fs.readSync(src, chunk, 0, Math.min(chunk.length, left), null)
          if (n === 0) break
          write(chunk.subarray(0, n))
          left -= n
        }
      } finally {
        fs.closeSync(src)
      }
      if (left > 0) write(Buffer.alloc(left, 0))
      write(padding(e.size))
    }
    write(Buffer.alloc(BLOCK * 2, 0))
  } finally {
    fs.closeSync(fd)
  }
  return { files: entries.filter((e) => e.kind === 'file').length, bytes, skipped }
}
