/**
 * The publish loop: packages in dependency order, each file checked against the index
 * before every attempt (so a retry after a dropped connection never uploads twice and a
 * re-run skips what is there), an "already exists" answer settled by what the index lists
 * (the same sha256 is a skip: another publisher won the race), retries with backoff, and a
 * failure holding back only the packages that depend on the one that failed.
 */
import type { DependencyGraph } from '../../packages-shared/graph.js'
import { backoffDelay, sleep, withRetry } from '../../packages-shared/github/retry.js'
import { isUserError } from '../../packages-shared/errors.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { IndexError, projectFilesWithRetry, type IndexClient } from './index-client.js'
import { blockersOf, type DistFile, type PlannedPackage } from './plan.js'
import type { Uploader } from './uploader.js'

export type FileStatus = 'uploaded' | 'skipped' | 'failed' | 'not-attempted'
export type PackageStatus = 'uploaded' | 'skipped' | 'failed' | 'blocked'

/**
 * Why a file was not uploaded: it was on the index before our first attempt, or another
 * publisher's upload of the same file won the race with ours (the index answered "already
 * exists" and then listed the same sha256).
 */
export type SkipKind = 'on-index' | 'concurrent'

export interface FileResult {
  filename: string
  sha256: string
  status: FileStatus
  attempts: number
  reason?: string
  skipped?: SkipKind
}

export interface PackageResult {
  id: string
  name: string
  version: string
  status: PackageStatus
  files: FileResult[]
  /** Why it failed, or which failures held it back. */
  reason?: string
  blockedBy?: string[]
  durationMs?: number
}

export interface PublishOptions {
  retries: number
  retryDelayMs: number
  skipExisting: boolean
  graph?: DependencyGraph
}

type FileOutcome =
  | { status: 'uploaded'; attempts: number; reason?: string }
  | { status: 'skipped'; attempts: number; reason: string; skipped: SkipKind }
  | { status: 'failed'; attempts: number; reason: string; auth?: boolean }

async function indexHash(io: RunnerIO, client: IndexClient, file: DistFile, opts: PublishOptions): Promise<string | null | undefined> {
  const files = await projectFilesWithRetry(client, file.id, opts.retries, opts.retryDelayMs, (e, n, d) =>
    io.warning(`${e.message}; asking again in ${d} ms (retry ${n} of ${opts.retries})`)
  )
  const hit = files.get(file.filename)
  // null: listed without a hash, so it cannot be compared.
  return hit ? (hit.sha256 ?? null) : undefined
}

/** What it means that the index lists the file (with `onIndex` as its sha256, null when unlisted). */
function listed(file: DistFile, onIndex: string | null, attempted: number, lostAnswer: boolean, opts: PublishOptions): FileOutcome {
  if (onIndex !== null && onIndex !== file.sha256) {
    return {
      status: 'failed',
      attempts: attempted,
      reason: `${file.filename} is already on the index with a different sha256 (index ${onIndex.slice(0, 12)}…, local ${file.sha256.slice(0, 12)}…). A file name can be used only once: bump the version and rebuild.`
    }
  }
  if (lostAnswer) return { status: 'uploaded', attempts: attempted, reason: 'landed during an attempt whose answer was lost' }
  if (attempted > 0)
    return {
      status: 'skipped',
      attempts: attempted,
      skipped: 'concurrent',
      reason: 'uploaded concurrently by another publisher: the index answered that it exists and lists the same sha256'
    }
  if (!opts.skipExisting)
    return { status: 'failed', attempts: 0, reason: `${file.filename} is already on the index (skip-existing is false)` }
  return { status: 'skipped', attempts: 0, skipped: 'on-index', reason: 'already on the index with the same sha256' }
}

/**
 * The index answered "already exists" (409; 400 as pypi.org words it; or uv's own second
 * look found it): another publisher won the race, or an earlier attempt of ours landed
 * unanswered. Only the index's listing can say which file it holds. Uploading again would
 * get the same answer, so the listing is read again instead, with backoff (it may lag
 * behind the upload), a bounded number of times.
 */
async function confirmExisting(
  io: RunnerIO,
  client: IndexClient,
  file: DistFile,
  opts: PublishOptions,
  attempted: number,
  lostAnswer: boolean
): Promise<FileOutcome> {
  let lastReason = 'it is not listed'
  let onIndex: string | null | undefined
  try {
    onIndex = await withRetry(() => indexHash(io, client, file, opts), {
      retries: opts.retries,
      baseMs: opts.retryDelayMs,
      // Not listed yet is worth another read; so is any failure but the index's own final answer.
      retriable: (o) => (o.ok ? o.value === undefined : !isUserError(o.error) && !(o.error instanceof IndexError && !o.error.retriable)),
      onRetry: (o) => {
        if (!o.ok) lastReason = o.error instanceof Error ? o.error.message : String(o.error)
      }
    })
  } catch (error) {
    if (isUserError(error)) throw error
    lastReason = error instanceof Error ? error.message : String(error)
  }
  if (onIndex !== undefined) return listed(file, onIndex, attempted, lostAnswer, opts)
  return {
    status: 'failed',
    attempts: attempted,
    reason: `the index answered that ${file.filename} already exists, but its listing does not show it (${lastReason}). A file name cannot be used again, even after a deletion: bump the version and rebuild.`
  }
}

async function publishFile(
  io: RunnerIO,
  client: IndexClient,
  uploader: Uploader,
  file: DistFile,
  opts: PublishOptions
): Promise<FileOutcome> {
  let lastReason = ''
  let attempted = 0
  // An attempt whose answer was lost (dropped connection, 5xx) may still have landed.
  let lostAnswer = false
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) {
      const delay = backoffDelay(attempt, opts.retryDelayMs)
      io.info(`  retrying ${file.filename} in ${delay} ms (attempt ${attempt + 1} of ${opts.retries + 1})`)
      await sleep(delay)
    }
    // Before every attempt: the previous one may have landed although we saw no answer.
    let onIndex: string | null | undefined
    try {
      onIndex = await indexHash(io, client, file, opts)
    } catch (error) {
      if (isUserError(error)) throw error
      lastReason = error instanceof Error ? error.message : String(error)
      if (error instanceof IndexError && !error.retriable) return { status: 'failed', attempts: attempted, reason: lastReason }
      continue
    }
    if (onIndex !== undefined) return listed(file, onIndex, attempted, lostAnswer, opts)
    attempted++
    const { outcome, command, output } = await uploader.upload(file.path)
    io.debug(`$ ${command}\n${output}`)
    switch (outcome.kind) {
      case 'uploaded':
        return { status: 'uploaded', attempts: attempted }
      case 'exists':
        return confirmExisting(io, client, file, opts, attempted, lostAnswer)
      case 'auth':
        return { status: 'failed', attempts: attempted, auth: true, reason: `the index rejected the credentials: ${outcome.reason}` }
      case 'rejected':
        return { status: 'failed', attempts: attempted, reason: `the index refused ${file.filename}: ${outcome.reason}` }
      case 'retriable':
        lastReason = outcome.reason
        lostAnswer = true
        io.warning(`Uploading ${file.filename} failed (${outcome.reason}); the index is checked again before the next attempt.`)
    }
  }
  return { status: 'failed', attempts: attempted, reason: `gave up after ${attempted} attempt(s): ${lastReason}` }
}

export async function publishAll(
  io: RunnerIO,
  plan: readonly PlannedPackage[],
  client: IndexClient,
  uploader: Uploader,
  opts: PublishOptions
): Promise<PackageResult[]> {
  const results: PackageResult[] = []
  const failed: string[] = []
  let authFailure: string | undefined
  for (const pkg of plan) {
    const notAttempted = (reason: string): FileResult[] =>
      pkg.files.map((f) => ({ filename: f.filename, sha256: f.sha256, status: 'not-attempted' as const, attempts: 0, reason }))
    if (authFailure) {
      results.push({ ...ident(pkg), status: 'blocked', files: notAttempted(authFailure), reason: authFailure, blockedBy: ['credentials'] })
      continue
    }
    const blockers = blockersOf(pkg.id, failed, opts.graph)
    if (blockers.length > 0) {
      const reason = `held back: depends on ${blockers.join(', ')}, which failed to publish`
      io.warning(`${pkg.name} ${pkg.version}: ${reason}`)
      // Not added to `failed`: its own dependents are held back by the same root failures.
      results.push({ ...ident(pkg), status: 'blocked', files: notAttempted(reason), reason, blockedBy: blockers })
      continue
    }
    const files: FileResult[] = []
    const started = Date.now()
    let failure: string | undefined
    await io.group(`Publishing ${pkg.name} ${pkg.version}`, async () => {
      for (const file of pkg.files) {
        if (failure) {
          files.push({
            filename: file.filename,
            sha256: file.sha256,
            status: 'not-attempted',
            attempts: 0,
            reason: 'an earlier file of the package failed'
          })
          continue
        }
        const r = await publishFile(io, client, uploader, file, opts)
        files.push({
          filename: file.filename,
          sha256: file.sha256,
          status: r.status,
          attempts: r.attempts,
          reason: r.reason,
          ...(r.status === 'skipped' ? { skipped: r.skipped } : {})
        })
        io.info(`  ${file.filename}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`)
        if (r.status === 'failed') {
          failure = r.reason
          if ('auth' in r && r.auth) authFailure = `not attempted: the index rejected the credentials on ${file.filename}`
        }
      }
    })
    if (failure) {
      failed.push(pkg.id)
      results.push({ ...ident(pkg), status: 'failed', files, reason: failure, durationMs: Date.now() - started })
    } else {
      results.push({
        ...ident(pkg),
        status: files.some((f) => f.status === 'uploaded') ? 'uploaded' : 'skipped',
        files,
        durationMs: Date.now() - started
      })
    }
  }
  return results
}

function ident(pkg: PlannedPackage): { id: string; name: string; version: string } {
  return { id: pkg.id, name: pkg.name, version: pkg.version }
}
