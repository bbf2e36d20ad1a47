/**
 * The result of a whole-program tool (mypy, pylint) kept for a rerun on the very same
 * inputs: when no file of the repository, no option and nothing installed has changed since
 * the run that stored it, its findings stand and the tool does not run again. It reads
 * every module it imports, so any change anywhere is a miss: this answers "nothing
 * changed" (a re-run, a second workflow run, a push that touched only other paths' jobs)
 * and nothing less. Entries live beside the findings cache and travel with it.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Finding } from './findings.js'

export const WHOLE_RUN_FORMAT = 'dk-actions-whole-run/1'

/** A file this large is keyed by its size only: data, not sources a checker reads. */
const LARGE = 2 * 1024 * 1024

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

/** Each file's content hash (its size alone when large; `missing` when it cannot be read), by the path given. */
export function fileHashes(root: string, files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const rel of files) {
    let part: string
    try {
      const st = fs.statSync(path.join(root, rel))
      part = st.size > LARGE ? `size:${st.size}` : sha(fs.readFileSync(path.join(root, rel)))
    } catch {
      part = 'missing'
    }
    out.set(rel, part)
  }
  return out
}

/** One digest of the repository's files (paths and contents, as listed: workspace/files.ts), in path order. */
export function filesDigest(root: string, files: readonly string[], hashes: ReadonlyMap<string, string> = fileHashes(root, files)): string {
  const h = createHash('sha256')
  for (const rel of [...files].sort()) h.update(`${rel}\0${hashes.get(rel) ?? fileHashes(root, [rel]).get(rel)!}\n`)
  return h.digest('hex')
}

export interface WholeRunIdentity {
  tool: string
  /** toolFingerprint() of the executable (findings-cache.ts): the interpreter and every distribution installed. */
  fingerprint: string
  /** The command line with the repository root and the cache root replaced, so a checkout elsewhere keys the same. */
  argv: readonly string[]
  /** The folder it runs in, relative to the root. */
  cwd: string
  /** Variables that change what the tool reads (MYPYPATH, PYTHONPATH, PYLINTRC). */
  env: Readonly<Record<string, string | undefined>>
  /** filesDigest() of the repository. */
  files: string
}

export function wholeRunKey(id: WholeRunIdentity): string {
  return sha(JSON.stringify([WHOLE_RUN_FORMAT, id.tool, id.fingerprint, id.argv, id.cwd, Object.entries(id.env).sort(), id.files]))
}

/** `<dir>/whole/<tool>-<hash of the folder it runs in>.json`: one entry per tool and folder, replaced by each clean run. */
function entryFile(dir: string, tool: string, cwd: string): string {
  return path.join(dir, 'whole', `${tool}-${sha(cwd).slice(0, 16)}.json`)
}

/** The findings stored under `key`, or undefined (no entry, another key, or an entry that does not read). */
export function readWholeRun(dir: string, tool: string, cwd: string, key: string): Finding[] | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(entryFile(dir, tool, cwd), 'utf8')) as { format?: unknown; key?: unknown; findings?: unknown }
    if (data.format !== WHOLE_RUN_FORMAT || data.key !== key || !Array.isArray(data.findings)) return undefined
    const valid = data.findings.every(
      (f: unknown) =>
        typeof f === 'object' && f !== null && typeof (f as Finding).message === 'string' && typeof (f as Finding).tool === 'string'
    )
    return valid ? (data.findings as Finding[]) : undefined
  } catch {
    return undefined
  }
}

/** Stores a clean run's findings (the caller never stores a run that crashed or was stopped). Written whole, then renamed. */
export function writeWholeRun(dir: string, tool: string, cwd: string, key: string, findings: readonly Finding[]): void {
  const file = entryFile(dir, tool, cwd)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify({ format: WHOLE_RUN_FORMAT, key, findings }))
  fs.renameSync(tmp, file)
}
