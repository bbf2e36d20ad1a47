/**
 * Everything checked before the first upload, so a release either starts sound or does
 * not start: the files exist and pass the metadata checks, each package's wheel and sdist
 * agree on name and version, no file is named twice, the credentials are there, and the
 * index answers (and does not already hold a different file under one of our names).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isUserError } from '../../packages-shared/errors.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { normalizeName } from '../../packages-shared/names.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { projectFilesWithRetry, type IndexClient } from './index-client.js'
import { findDists, type GivenDist } from '../../packages-shared/dist-inputs.js'
import { sha256File } from '../../packages-shared/file-hash.js'
import { canonicalVersion } from '../../packages-shared/pypa/versions.js'
import { inspectDist } from './metadata.js'
import type { DistFile, FileState } from './plan.js'

export interface Problem {
  severity: 'error' | 'warning'
  message: string
  /** Path relative to the repository root, when the problem is about a file. */
  file?: string
  package?: string
}

export interface Candidate {
  path: string
  given?: GivenDist
}

export interface Collected {
  candidates: Candidate[]
  problems: Problem[]
}

/** Which files to publish: `dists`, else `dist-dir`, else each selected package's dist/. */
export function collectCandidates(
  given: GivenDist[] | undefined,
  distDir: string | undefined,
  selected: readonly PythonPackage[] | undefined,
  rel: (p: string) => string,
  /** Where `given` came from, for messages: the input, or the dist record. */
  givenFrom: { label: string; fix: string } = { label: "from 'dists'", fix: 'Download the build artifact into the workspace first.' }
): Collected {
  const problems: Problem[] = []
  if (given) {
    const candidates: Candidate[] = []
    for (const g of given) {
      if (!fs.existsSync(g.path))
        problems.push({
          severity: 'error',
          file: rel(g.path),
          message: `${rel(g.path)} (${givenFrom.label}) does not exist. ${givenFrom.fix}`
        })
      else candidates.push({ path: g.path, given: g })
    }
    return { candidates, problems }
  }
  if (distDir) {
    if (!fs.existsSync(distDir))
      return {
        candidates: [],
        problems: [
          {
            severity: 'error',
            message: `dist-dir ${rel(distDir)} does not exist. Build the packages (build-packages) or download their artifact first.`
          }
        ]
      }
    const files = findDists(distDir)
    if (files.length === 0)
      problems.push({ severity: 'error', message: `dist-dir ${rel(distDir)} holds no .whl or .tar.gz file. Build the packages first.` })
    return { candidates: files.map((p) => ({ path: p })), problems }
  }
  const candidates: Candidate[] = []
  for (const pkg of selected ?? []) {
    const dir = path.join(pkg.dir, 'dist')
    const files = findDists(dir, 0)
    if (files.length === 0) {
      problems.push({
        severity: 'error',
        package: pkg.id,
        message: `${pkg.name} has no dists in ${rel(dir)}. Run build-packages first, or set 'dists' or 'dist-dir'.`
      })
    }
    candidates.push(...files.map((p) => ({ path: p })))
  }
  return { candidates, problems }
}

export interface Inspected {
  files: DistFile[]
  problems: Problem[]
}

/**
 * Metadata checks on every file, and agreement between the files of each package.
 * `strict`: the strict-metadata input (metadata-policy.ts).
 */
export function inspectCandidates(candidates: readonly Candidate[], rel: (p: string) => string, strict = true): Inspected {
  const problems: Problem[] = []
  const files: DistFile[] = []
  const byName = new Map<string, string[]>()
  for (const c of candidates) {
    const filename = path.basename(c.path)
    byName.set(filename, [...(byName.get(filename) ?? []), c.path])
    const r = inspectDist(c.path, strict)
    const file = rel(c.path)
    if (typeof r === 'string') {
      problems.push({ severity: 'error', file, message: r })
      continue
    }
    for (const p of r.problems) problems.push({ severity: p.severity, file, message: `${filename}: ${p.message}` })
    if (!r.name || !r.version) continue
    const sha256 = sha256File(c.path)
    if (c.given?.sha256 && c.given.sha256 !== sha256) {
      problems.push({
        severity: 'error',
        file,
        message: `${filename} has sha256 ${sha256.slice(0, 12)}…, not the ${c.given.sha256.slice(0, 12)}… build-packages recorded: the file changed after the build. Rebuild, and publish the dists of that build.`
      })
    }
    if (c.given?.package && normalizeName(c.given.package) !== normalizeName(r.name)) {
      problems.push({
        severity: 'error',
        file,
        message: `${filename} is listed under package ${c.given.package} in 'dists' but its metadata says ${r.name}.`
      })
    }
    if (c.given?.version && canonicalVersion(c.given.version) !== canonicalVersion(r.version)) {
      problems.push({
        severity: 'error',
        file,
        message: `${filename} is listed with version ${c.given.version} in 'dists' but its metadata says ${r.version}.`
      })
    }
    files.push({
      path: c.path,
      filename,
      kind: r.kind,
      id: normalizeName(r.name),
      name: r.name,
      version: r.version,
      sha256,
      size: fs.statSync(c.path).size
    })
  }
  for (const [filename, where] of byName) {
    if (where.length > 1) {
      problems.push({
        severity: 'error',
        file: rel(where[1]!),
        message: `${filename} is given ${where.length} times (${where.map(rel).join(', ')}). Each file can be uploaded once: remove the copies.`
      })
    }
  }
  const byId = new Map<string, DistFile[]>()
  for (const f of files) byId.set(f.id, [...(byId.get(f.id) ?? []), f])
  for (const [id, mine] of byId) {
    const versions = [...new Set(mine.map((f) => canonicalVersion(f.version)))]
    if (versions.length > 1) {
      problems.push({
        severity: 'error',
        package: id,
        message: `The dists of ${mine[0]!.name} disagree on the version: ${mine.map((f) => `${f.filename} says ${f.version}`).join('; ')}. Remove stale files and rebuild so the wheel and sdist come from one build.`
      })
    }
    const names = [...new Set(mine.map((f) => f.name))]
    if (names.length > 1) {
      problems.push({ severity: 'warning', package: id, message: `The dists of ${id} spell the name differently (${names.join(', ')}).` })
    }
    if (!mine.some((f) => f.kind === 'sdist'))
      problems.push({
        severity: 'warning',
        package: id,
        message: `${mine[0]!.name} ${mine[0]!.version} has no sdist; users without a matching wheel cannot install it.`
      })
  }
  return { files, problems }
}

/** The index's answer for every file: absent, there with the same hash, or there with another. */
export async function checkIndex(
  io: RunnerIO,
  client: IndexClient,
  files: readonly DistFile[],
  skipExisting: boolean,
  retries: number,
  retryDelayMs: number
): Promise<{ states: Map<string, FileState>; problems: Problem[] }> {
  const states = new Map<string, FileState>()
  const problems: Problem[] = []
  for (const id of [...new Set(files.map((f) => f.id))]) {
    let listed
    try {
      listed = await projectFilesWithRetry(client, id, retries, retryDelayMs, (e, n, d) =>
        io.warning(`${e.message}; asking again in ${d} ms (retry ${n} of ${retries})`)
      )
    } catch (error) {
      // A proxy variable to fix is the user's error, not the index's silence.
      if (isUserError(error)) throw error
      problems.push({
        severity: 'error',
        package: id,
        message: `The index ${client.repo.indexUrl} does not answer: ${error instanceof Error ? error.message : String(error)}. Check 'repository-url' (and 'index-url') and that the index is up.`
      })
      // One unreachable index is enough to say.
      break
    }
    for (const f of files.filter((x) => x.id === id)) {
      const hit = listed.get(f.filename)
      if (!hit) {
        states.set(f.filename, 'absent')
      } else if (hit.sha256 && hit.sha256 !== f.sha256) {
        states.set(f.filename, 'different')
        problems.push({
          severity: 'error',
          file: toPosix(f.filename),
          package: id,
          message: `${f.filename} is already on the index with a different sha256 (index ${hit.sha256.slice(0, 12)}…, local ${f.sha256.slice(0, 12)}…). A file name can be used only once: bump the version and rebuild.`
        })
      } else {
        states.set(f.filename, 'same')
        if (!skipExisting)
          problems.push({
            severity: 'error',
            package: id,
            message: `${f.filename} is already on the index and skip-existing is false. Set skip-existing: true to skip it, or bump the version.`
          })
      }
    }
  }
  return { states, problems }
}
