/**
 * The publish loop: packages in dependency order, each file checked against the index
 * before every attempt (so a retry after a dropped connection never uploads twice and a
 * re-run skips what is there), retries with backoff, and a failure holding back only
 * the packages that depend on the one that failed.
 */
import type { DependencyGraph } from '../../packages-shared/graph.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { IndexError, backoff, projectFilesWithRetry, sleep, type IndexClient } from './index-client.js'
import { blockersOf, type DistFile, type PlannedPackage } from './plan.js'
import type { Uploader } from './uploader.js'

export type FileStatus = 'uploaded' | 'skipped' | 'failed' | 'not-attempted'
export type PackageStatus = 'uploaded' | 'skipped' | 'failed' | 'blocked'

export interface FileResult {
  filename: string
  sha256: string
  status: FileStatus
  attempts: number
  reason?: string
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

type FileOutcome = { status: 'uploaded' | 'skipped'; attempts: number; reason?: string } | { status: 'failed'; attempts: number; reason: string; auth?: boolean }

async function indexHash(io: RunnerIO, client: IndexClient, file: DistFile, opts: PublishOptions): Promise<string | null | undefined> {
  const files = await projectFilesWithRetry(client, file.id, opts.retries, opts.retryDelayMs, (e, n, d) =>
    io.warning(`${e.message}; asking again in ${d} ms (retry ${n} of ${opts.retries})`)
  )
  const hit = files.get(file.filename)
  // null: listed without a hash, so it cannot be compared.
  return hit ? (hit.sha256 ?? null) : undefined
}

async function publishFile(io: RunnerIO, client: IndexClient, uploader: Uploader, file: DistFile, opts: PublishOptions): Promise<FileOutcome> {
  let lastReason = ''
  let attempted = 0
  // An attempt whose answer was lost (dropped connection, 5xx) may still have landed.
  let lostAnswer = false
  let existsAnswers = 0
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) {
      const delay = backoff(attempt, opts.retryDelayMs)
      io.info(`  retrying ${file.filename} in ${delay} ms (attempt ${attempt + 1} of ${opts.retries + 1})`)
      await sleep(delay)
    }
    // Before every attempt: the previous one may have landed although we saw no answer.
    let onIndex: string | null | undefined
    try {
      onIndex = await indexHash(io, client, file, opts)
    } catch (error) {
      lastReason = error instanceof Error ? error.message : String(error)
      if (error instanceof IndexError && !error.retriable) return { status: 'failed', attempts: attempted, reason: lastReason }
      continue
    }
    if (onIndex !== undefined) {
      if (onIndex !== null && onIndex !== file.sha256) {
        return {
          status: 'failed',
          attempts: attempted,
          reason: `${file.filename} is already on the index with a different sha256 (index ${onIndex.slice(0, 12)}…, local ${file.sha256.slice(0, 12)}…). A file name can be used only once: bump the version and rebuild.`
        }
      }
      if (lostAnswer) return { status: 'uploaded', attempts: attempted, reason: 'landed during an attempt whose answer was lost' }
      if (attempted > 0) return { status: 'skipped', attempts: attempted, reason: 'appeared on the index meanwhile' }
      if (!opts.skipExisting) return { status: 'failed', attempts: 0, reason: `${file.filename} is already on the index (skip-existing is false)` }
      return { status: 'skipped', attempts: 0 }
    }
    attempted++
    const { outcome, command, output } = await uploader.upload(file.path)
    io.debug(`$ ${command}\n${output}`)
    switch (outcome.kind) {
      case 'uploaded':
        return { status: 'uploaded', attempts: attempted }
      case 'exists':
        // Someone (or our lost attempt) put it there: the next check compares the hash.
        // Not a failure: check the index again at once (it compares the hash).
        lastReason = 'the index says the file already exists, but does not list it'
        if (++existsAnswers > opts.retries) return { status: 'failed', attempts: attempted, reason: lastReason }
        attempt--
        continue
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
          files.push({ filename: file.filename, sha256: file.sha256, status: 'not-attempted', attempts: 0, reason: 'an earlier file of the package failed' })
          continue
        }
        const r = await publishFile(io, client, uploader, file, opts)
        files.push({ filename: file.filename, sha256: file.sha256, status: r.status, attempts: r.attempts, reason: r.reason })
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
      results.push({ ...ident(pkg), status: files.some((f) => f.status === 'uploaded') ? 'uploaded' : 'skipped', files, durationMs: Date.now() - started })
    }
  }
  return results
}

function ident(pkg: PlannedPackage): { id: string; name: string; version: string } {
  return { id: pkg.id, name: pkg.name, version: pkg.version }
}
