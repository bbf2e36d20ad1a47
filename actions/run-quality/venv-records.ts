/**
 * What a tool venv holds, recorded beside the findings cache (and saved with it) by the run
 * that had the venv on disk: its fingerprint (toolFingerprint: the interpreter and every
 * distribution installed) and where its executables are. With it a later run keys its checks
 * without restoring the venv, and restores it only for a check the caches cannot answer.
 *
 * A venv's key hashes its pins, the interpreter's version and the platform (toolbox.ts), and a
 * cache entry never changes once saved, so the venv a later run would restore under that key
 * is the one recorded. A record is only ever used to find stored findings: a check that runs
 * restores the venv first and keys itself on the real fingerprint.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ProjectEnvironmentRecord } from '../../packages-shared/python/project-env/for-tools.js'

export const VENV_RECORD_FORMAT = 'dk-actions-venv/1'

export interface VenvRecord {
  fingerprint: string
  /** Executables by name, relative to the venv (venvExecutables). */
  executables: Record<string, string>
  /** A project environment's own facts (for-tools.ts), for the report of a run that does not make it. */
  project?: ProjectEnvironmentRecord
}

/** A path recorded inside a folder: relative, and never out of it. */
const inside = (p: unknown): boolean => typeof p === 'string' && p !== '' && !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..')

function validProject(p: unknown): p is ProjectEnvironmentRecord {
  if (typeof p !== 'object' || p === null) return false
  const r = p as Partial<ProjectEnvironmentRecord>
  return (
    inside(r.venv) &&
    (r.command === undefined || typeof r.command === 'string') &&
    typeof r.tools === 'object' &&
    r.tools !== null &&
    Object.values(r.tools).every((t) => typeof t === 'object' && t !== null && typeof (t as { source?: unknown }).source === 'string')
  )
}

const recordFile = (dir: string, key: string): string => path.join(dir, 'venvs', `${key.replace(/[^A-Za-z0-9_-]/g, '_')}.json`)

/** The record of the venv of `key`, or undefined (none, another format, or one that does not read). */
export function readVenvRecord(dir: string, key: string): VenvRecord | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(recordFile(dir, key), 'utf8')) as Partial<VenvRecord> & { format?: unknown }
    const exes = data.executables
    if (data.format !== VENV_RECORD_FORMAT || typeof data.fingerprint !== 'string' || typeof exes !== 'object' || exes === null)
      return undefined
    // A recorded path leads into the venv, never out of it.
    if (!Object.values(exes).every(inside) || (data.project !== undefined && !validProject(data.project))) return undefined
    return { fingerprint: data.fingerprint, executables: { ...exes }, ...(data.project ? { project: data.project } : {}) }
  } catch {
    return undefined
  }
}

/** Records (or replaces) what the venv of `key` holds; unchanged records are not written again. */
export function writeVenvRecord(dir: string, key: string, record: VenvRecord): void {
  const known = readVenvRecord(dir, key)
  if (known && JSON.stringify(known) === JSON.stringify(record)) return
  const file = recordFile(dir, key)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify({ format: VENV_RECORD_FORMAT, ...record }))
  fs.renameSync(tmp, file)
}
