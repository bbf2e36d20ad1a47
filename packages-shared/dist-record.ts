/**
 * The dist record: build-packages writes, into the runner's temp dir, which files it built
 * where, from which checkout; publish-pypi and health-check read it when they are given no
 * dists, so consecutive steps of one job need no `dist-dir`. Only the files it lists are
 * used, never whatever else lies in the folder, and a record from another checkout or
 * another commit (a fixed RUNNER_TEMP on a workstation, a re-used runner) is refused aloud.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { sha256File } from './file-hash.js'
import type { Exec } from './exec.js'

export const RECORD_FILE = 'dk-actions-dist.json'
const SCHEMA = 1

export interface RecordedFile {
  /** Absolute path. */
  path: string
  kind: 'wheel' | 'sdist'
  sha256: string
  size: number
}

export interface RecordedPackage {
  /** Normalised name. */
  package: string
  name: string
  version: string
  files: RecordedFile[]
}

export interface DistRecord {
  schema: number
  /** The repository root the dists were built from (real path). */
  root: string
  /** Its HEAD commit then; null outside a git checkout. */
  commit: string | null
  distDir: string
  /** Whether build-packages passed: the dists of a failed build are not released. */
  passed: boolean
  createdAt: string
  packages: RecordedPackage[]
}

export type RecordLookup =
  | { state: 'none' }
  /** There is a record, but not of this checkout: why, said to the user. */
  | { state: 'stale'; file: string; reason: string }
  | { state: 'found'; file: string; record: DistRecord }

export function recordPath(tempDir: string): string {
  return path.join(tempDir, RECORD_FILE)
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return path.resolve(p)
  }
}

/** HEAD of the checkout at `root`, undefined when it is not one (or has no commit). */
export async function headCommit(root: string, exec: Exec): Promise<string | undefined> {
  const r = await exec({ argv: ['git', 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], cwd: root })
  const sha = r.stdout.trim()
  return r.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined
}

/** Removed when a build starts, so a build that stops half-way leaves no record of the previous one. */
export function clearDistRecord(tempDir: string): void {
  fs.rmSync(recordPath(tempDir), { force: true })
}

export async function writeDistRecord(
  tempDir: string,
  entry: { root: string; distDir: string; passed: boolean; packages: RecordedPackage[] },
  exec: Exec,
  now: Date = new Date()
): Promise<string> {
  const record: DistRecord = {
    schema: SCHEMA,
    root: realpath(entry.root),
    commit: (await headCommit(entry.root, exec)) ?? null,
    distDir: entry.distDir,
    passed: entry.passed,
    createdAt: now.toISOString(),
    packages: entry.packages
  }
  fs.mkdirSync(tempDir, { recursive: true })
  const file = recordPath(tempDir)
  // Written whole, then renamed: a reader never sees half a record.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n')
  fs.renameSync(`${file}.tmp`, file)
  return file
}

function isRecord(v: unknown): v is DistRecord {
  if (v === null || typeof v !== 'object') return false
  const r = v as Partial<DistRecord>
  return (
    r.schema === SCHEMA &&
    typeof r.root === 'string' &&
    (r.commit === null || typeof r.commit === 'string') &&
    typeof r.distDir === 'string' &&
    typeof r.passed === 'boolean' &&
    Array.isArray(r.packages) &&
    r.packages.every(
      (p) =>
        typeof p?.package === 'string' &&
        typeof p.name === 'string' &&
        typeof p.version === 'string' &&
        Array.isArray(p.files) &&
        p.files.every((f) => typeof f?.path === 'string' && (f.kind === 'wheel' || f.kind === 'sdist') && typeof f.sha256 === 'string')
    )
  )
}

/** The record in `tempDir`, checked against the checkout at `root` (its path and its HEAD). */
export async function readDistRecord(tempDir: string, root: string, exec: Exec): Promise<RecordLookup> {
  const file = recordPath(tempDir)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return { state: 'none' }
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return { state: 'stale', file, reason: 'it is not valid JSON' }
  }
  if (!isRecord(data)) return { state: 'stale', file, reason: 'it is not a record this version of dk-actions wrote' }
  const here = realpath(root)
  if (data.root !== here) return { state: 'stale', file, reason: `it lists dists built from another checkout (${data.root}, not ${here})` }
  const head = (await headCommit(root, exec)) ?? null
  if (data.commit !== head) {
    return {
      state: 'stale',
      file,
      reason: `it lists dists built at commit ${data.commit?.slice(0, 12) ?? '(no commit)'}, but the checkout is at ${head?.slice(0, 12) ?? '(no commit)'}`
    }
  }
  return { state: 'found', file, record: data }
}

export function recordedFiles(record: DistRecord): (RecordedFile & { package: RecordedPackage })[] {
  return record.packages.flatMap((p) => p.files.map((f) => ({ ...f, package: p })))
}

/** How the logs and summaries name dists taken from the record. */
export function describeRecord(record: DistRecord): string {
  return `built by build-packages in this job: ${record.distDir}`
}

/** Files the record lists that are gone or no longer what was built, as messages. */
export function recordProblems(record: DistRecord): string[] {
  const problems: string[] = []
  for (const f of recordedFiles(record)) {
    if (!fs.existsSync(f.path)) {
      problems.push(`${f.path} (${describeRecord(record)}) no longer exists. Run build-packages again.`)
      continue
    }
    const sha = sha256File(f.path)
    if (sha !== f.sha256) {
      problems.push(
        `${path.basename(f.path)} has sha256 ${sha.slice(0, 12)}…, not the ${f.sha256.slice(0, 12)}… build-packages recorded: the file changed after the build. Run build-packages again.`
      )
    }
  }
  return problems
}
