/**
 * What a built wheel or sdist holds: its file list, its core metadata, its size and
 * sha256. Read once per artifact; every verification works from this.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parseCoreMetadata, type CoreMetadata } from '../../packages-shared/core-metadata.js'
import { ArchiveError, isRegularFile, readTarGz, withZip } from '../../packages-shared/pypa/archive.js'

export interface DistFile {
  path: string
  file: string
  kind: 'wheel' | 'sdist'
  size: number
  sha256: string
  /** Paths inside the archive: for an sdist, relative to its top directory. */
  files: string[]
  metadata?: CoreMetadata
  /** Why the archive could not be read; the file then fails verification. */
  error?: string
}

function digest(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex')
}

export function readWheel(file: string): DistFile {
  const buf = fs.readFileSync(file)
  const base: DistFile = { path: file, file: path.basename(file), kind: 'wheel', size: buf.length, sha256: digest(buf), files: [] }
  try {
    withZip(buf, (zip) => {
      base.files = zip.names.filter((n) => !n.endsWith('/'))
      const meta = zip.names.find((n) => /^[^/]+\.dist-info\/METADATA$/.test(n))
      if (meta) base.metadata = parseCoreMetadata(zip.read(meta).toString('utf8'))
      else base.error = 'the wheel has no .dist-info/METADATA'
    })
  } catch (error) {
    base.error = error instanceof ArchiveError ? `the wheel is not a readable zip archive: ${error.message}` : String(error)
  }
  return base
}

export function readSdist(file: string): DistFile {
  const buf = fs.readFileSync(file)
  const base: DistFile = { path: file, file: path.basename(file), kind: 'sdist', size: buf.length, sha256: digest(buf), files: [] }
  try {
    const entries = readTarGz(buf).filter(isRegularFile)
    const tops = new Set(entries.map((e) => e.name.split('/')[0]))
    if (tops.size !== 1) {
      base.error = `an sdist must hold one top directory, this one holds ${[...tops].join(', ') || 'nothing'}`
      return base
    }
    const top = [...tops][0]!
    base.files = entries.map((e) => e.name.slice(top.length + 1)).filter(Boolean)
    const info = entries.find((e) => e.name === `${top}/PKG-INFO`)
    if (info) base.metadata = parseCoreMetadata(info.data.toString('utf8'))
    else base.error = 'the sdist has no PKG-INFO at its top'
  } catch (error) {
    base.error = error instanceof ArchiveError ? `the sdist is not a readable .tar.gz: ${error.message}` : String(error)
  }
  return base
}

/**
 * Top-level importable modules a wheel installs (packages, modules, extension modules).
 * A folder without `__init__` is a PEP 420 namespace, possibly shared with other
 * distributions: what this wheel provides is the real packages below it (`acme.core`).
 */
export function wheelTopLevelModules(files: readonly string[]): string[] {
  const out = new Set<string>()
  const code = (f: string): boolean => /\.(py|so|pyd)$/.test(f)
  const visit = (entries: string[][], prefix: string, depth: number): void => {
    const dirs = new Map<string, string[][]>()
    for (const [first, ...rest] of entries) {
      if (!first) continue
      if (rest.length === 0) {
        const name = first.replace(/\.(py|pyc|so|pyd)$/, '').split('.')[0]!
        if (code(first) && name !== '__init__' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out.add(prefix + name)
      } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(first)) {
        dirs.set(first, [...(dirs.get(first) ?? []), rest])
      }
    }
    for (const [dir, inner] of dirs) {
      if (!inner.some((r) => code(r[r.length - 1]!))) continue
      const regular = inner.some((r) => r.length === 1 && /^__init__\.(py|so|pyd)$|^__init__\..*\.(so|pyd)$/.test(r[0]!))
      if (regular || depth >= 4) out.add(prefix + dir)
      else visit(inner, `${prefix}${dir}.`, depth + 1)
    }
  }
  const top = files
    .map(stripDataDir)
    .map((f) => f.split('/'))
    .filter(([first]) => first && !first.endsWith('.dist-info') && !first.endsWith('.data'))
  visit(top, '', 0)
  return [...out].sort()
}

/** `pkg-1.0.data/purelib/x/y.py` installs as `x/y.py`. */
export function stripDataDir(file: string): string {
  return file.replace(/^[^/]+\.data\/(purelib|platlib)\//, '')
}
