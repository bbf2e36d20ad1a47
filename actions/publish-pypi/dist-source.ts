/**
 * Where publish-pypi takes its files from, in this order: the `dists` input, the `dist-dir`
 * input, the dists build-packages recorded earlier in this job (packages-shared/dist-record.ts),
 * else each selected package's own dist/ (dists built some other way).
 */
import * as path from 'node:path'
import type { Runtime } from '../../packages-shared/exec.js'
import { describeRecord, readDistRecord, recordedFiles } from '../../packages-shared/dist-record.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import type { GivenDist, PublishInputs } from './inputs.js'
import type { Problem } from './preflight.js'

export interface DistSource {
  /** What the summary and the log say about where the dists came from. */
  description: string
  kind: 'dists' | 'dist-dir' | 'record' | 'package-dist'
  given?: GivenDist[]
  distDir?: string
  /** How messages name a missing given file, and what fixes it. */
  givenFrom?: { label: string; fix: string }
  problems: Problem[]
}

export async function chooseDistSource(
  rt: Runtime,
  tempDir: string,
  inputs: Pick<PublishInputs, 'dists' | 'distDir'>,
  root: string | undefined,
  selected: readonly PythonPackage[] | undefined,
  rel: (p: string) => string
): Promise<DistSource> {
  if (inputs.dists) return { kind: 'dists', description: "the 'dists' input", given: inputs.dists, problems: [] }
  if (inputs.distDir)
    return { kind: 'dist-dir', description: `the 'dist-dir' input: ${rel(inputs.distDir)}`, distDir: inputs.distDir, problems: [] }
  const fallback = `each package's dist/ (fallback): ${(selected ?? []).map((p) => rel(path.join(p.dir, 'dist'))).join(', ') || 'no package selected'}`
  if (root === undefined) return { kind: 'package-dist', description: fallback, problems: [] }
  const lookup = await readDistRecord(tempDir, root, rt.exec)
  if (lookup.state === 'stale') {
    // Never silently: the record may name another checkout's (or another commit's) dists.
    const message = `The dist record ${lookup.file} is not used: ${lookup.reason}. Taking each package's dist/ instead; run build-packages in this job, or set 'dist-dir'.`
    return {
      kind: 'package-dist',
      description: `${fallback} (the record of build-packages was not used: ${lookup.reason})`,
      problems: [{ severity: 'warning', message }]
    }
  }
  if (lookup.state === 'none') return { kind: 'package-dist', description: fallback, problems: [] }
  const { record } = lookup
  const description = describeRecord(record)
  if (!record.passed) {
    return {
      kind: 'record',
      description,
      given: [],
      problems: [
        {
          severity: 'error',
          message: `build-packages failed in this job (${lookup.file}): nothing is published from a failed build. Fix the build, or set 'dist-dir' to dists built elsewhere.`
        }
      ]
    }
  }
  const given = recordedFiles(record).map((f): GivenDist => ({
    path: f.path,
    package: f.package.name,
    version: f.package.version,
    sha256: f.sha256
  }))
  const recordedIds = new Set(record.packages.map((p) => p.package))
  const notBuilt = (selected ?? []).filter((p) => !recordedIds.has(p.id))
  if (notBuilt.length) rt.io.info(`Not built by build-packages in this job, so not published: ${notBuilt.map((p) => p.name).join(', ')}`)
  const problems: Problem[] = given.length
    ? []
    : [
        {
          severity: 'error',
          message: `build-packages in this job built no dists (${lookup.file}). Build the packages first, or set 'dist-dir'.`
        }
      ]
  return { kind: 'record', description, given, givenFrom: { label: description, fix: 'Run build-packages again in this job.' }, problems }
}
