/**
 * What health-check installs from when `find-links` is empty. With `index-url: none` (a job
 * checking the dists it just built): the files build-packages recorded earlier in this job
 * (packages-shared/dist-record.ts), copied alone into a scratch folder so nothing else lying
 * in the dist folder can be installed, else each checked package's own dist/. With an index,
 * the release is installed from the index alone, so the check proves the index serves it:
 * the record then only says which versions were built.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import type { Runtime } from '../../packages-shared/exec.js'
import {
  describeRecord,
  readDistRecord,
  recordProblems,
  recordedFiles,
  type DistRecord,
  type RecordLookup
} from '../../packages-shared/dist-record.js'
import { redact } from '../../packages-shared/secrets.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import type { Target } from './targets.js'

export interface HealthDistSource {
  kind: 'find-links' | 'record' | 'package-dist' | 'index'
  /** Where the installed dists came from, for the log and the summary. */
  description: string
  findLinks: string[]
}

/** The record of this checkout, when build-packages passed; said aloud when there is one it cannot use. */
export async function usableRecord(
  rt: Runtime,
  tempDir: string,
  root: string | undefined
): Promise<{ record?: DistRecord; lookup: RecordLookup }> {
  if (root === undefined) return { lookup: { state: 'none' } }
  const lookup = await readDistRecord(tempDir, root, rt.exec)
  if (lookup.state === 'stale') rt.io.warning(`The dist record ${lookup.file} is not used: ${lookup.reason}.`)
  if (lookup.state !== 'found') return { lookup }
  return { record: lookup.record, lookup }
}

function hasDists(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'))
  } catch {
    return false
  }
}

export function chooseHealthSource(
  inputs: { indexUrl: string; findLinks: string[] },
  lookup: RecordLookup,
  ws: Workspace | undefined,
  targets: readonly Target[],
  scratch: string
): HealthDistSource {
  if (inputs.findLinks.length > 0) {
    return {
      kind: 'find-links',
      description: `${inputs.indexUrl ? `the index ${redact(inputs.indexUrl)} and ` : ''}the 'find-links' input: ${inputs.findLinks.map(redact).join(', ')}`,
      findLinks: inputs.findLinks
    }
  }
  const record = lookup.state === 'found' ? lookup.record : undefined
  if (inputs.indexUrl) {
    const built = record?.passed
      ? ` (the versions ${describeRecord(record)}; those files are not installed from, so the check proves the index serves the release)`
      : ''
    return { kind: 'index', description: `the index ${redact(inputs.indexUrl)}${built}`, findLinks: [] }
  }
  if (record) {
    if (!record.passed)
      throw new UserError(
        `build-packages failed in this job (${lookup.state === 'found' ? lookup.file : ''}): its dists are not checked. Fix the build, or set 'find-links' to dists built elsewhere.`
      )
    const problems = recordProblems(record)
    if (problems.length) throw new UserError(problems[0]!)
    const dir = path.join(scratch, 'find-links')
    fs.mkdirSync(dir, { recursive: true })
    for (const f of recordedFiles(record)) fs.copyFileSync(f.path, path.join(dir, path.basename(f.path)))
    return { kind: 'record', description: describeRecord(record), findLinks: [dir] }
  }
  const dirs = targets
    .map((t) => ws?.get(t.id))
    .filter((p) => p !== undefined)
    .map((p) => path.join(p.dir, 'dist'))
    .filter(hasDists)
  if (dirs.length === 0) {
    const why = lookup.state === 'stale' ? `the dist record is not used (${lookup.reason})` : 'build-packages has not run in this job'
    throw new UserError(
      `Input 'index-url' is none, but there is nothing to install from: ${why}, and no checked package has dists in its dist/. Set 'find-links' to the directory of the dists to install, or run build-packages first.`
    )
  }
  const rel = (d: string): string => (ws ? path.relative(ws.root, d) || '.' : d)
  return { kind: 'package-dist', description: `each package's dist/ (fallback): ${dirs.map(rel).join(', ')}`, findLinks: dirs }
}
