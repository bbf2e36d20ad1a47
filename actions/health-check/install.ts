/**
 * Installs the targets into a fresh venv, bypassing every cache, and retries with
 * backoff while the release is not on the index yet (an index shows a new release some
 * minutes after the upload). A release that installs but is broken fails at once.
 */
import * as path from 'node:path'
import { displayCommand, type Runtime } from '../../packages-shared/exec.js'
import type { Http } from '../../packages-shared/github/http.js'
import { venvPython } from '../../packages-shared/paths.js'
import { redact } from '../../packages-shared/secrets.js'
import { backoffDelay, sleep } from '../../packages-shared/github/retry.js'
import { classifyInstallFailure, type InstallFailure } from './install-errors.js'
import { errorLines } from '../../packages-shared/install-output.js'
import { probeIndex, type Listing } from './simple-index.js'
import { requirement, type Target } from './targets.js'

export interface InstallSource {
  indexUrl: string
  extraIndexUrls: string[]
  findLinks: string[]
}

export interface InstallOutcome {
  status: 'installed' | InstallFailure
  installer: 'uv' | 'pip'
  attempts: number
  durationMs: number
  /** Errors of the last failed attempt (the tool's own words). */
  output: string
  command: string
  /** What each index last said about each target, by target id then index URL. */
  listings: Record<string, Record<string, Listing>>
}

export function installArgv(venv: string, uv: string | undefined, source: InstallSource, requirements: string[]): string[] {
  const py = venvPython(venv)
  const where = [
    ...(source.indexUrl ? ['--index-url', source.indexUrl] : ['--no-index']),
    ...source.extraIndexUrls.flatMap((u) => ['--extra-index-url', u]),
    ...source.findLinks.flatMap((l) => ['--find-links', l])
  ]
  // A cached index page or wheel could hide a release published a second ago, or serve one
  // the index no longer has: nothing comes from a cache.
  return uv
    ? [uv, 'pip', 'install', '--python', py, '--no-cache', ...where, ...requirements]
    : [py, '-m', 'pip', 'install', '--no-cache-dir', '--no-input', '--disable-pip-version-check', ...where, ...requirements]
}

export interface RetryOptions {
  deadline: number
  retryIntervalMs: number
  /** First wait; it doubles up to retryIntervalMs. */
  firstDelayMs?: number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
}

async function listingsFor(http: Http, targets: Target[], indexes: string[]): Promise<Record<string, Record<string, Listing>>> {
  const out: Record<string, Record<string, Listing>> = {}
  await Promise.all(
    targets.flatMap((t) =>
      indexes.map(async (index) => {
        const listing = await probeIndex(http, index, t.name, t.version)
        ;(out[t.id] ??= {})[redact(index)] = listing
      })
    )
  )
  return out
}

/** Targets every index answered "not listed" for (unknown answers do not count). */
export function unlisted(targets: Target[], listings: Record<string, Record<string, Listing>>): Target[] {
  return targets.filter((t) => {
    const answers = Object.values(listings[t.id] ?? {})
    return answers.length > 0 && answers.every((l) => l.state === 'not-listed')
  })
}

export async function installWithRetry(
  rt: Runtime & { readonly http: Http },
  venv: string,
  uv: string | undefined,
  env: Record<string, string | undefined>,
  source: InstallSource,
  targets: Target[],
  options: RetryOptions
): Promise<InstallOutcome> {
  const { io } = rt
  const now = options.now ?? Date.now
  const wait = options.sleep ?? sleep
  const started = now()
  const argv = installArgv(venv, uv, source, targets.map(requirement))
  const command = redact(displayCommand(argv))
  const indexes = [source.indexUrl, ...source.extraIndexUrls].filter(Boolean)
  const firstDelay = Math.min(options.firstDelayMs ?? 2000, options.retryIntervalMs)
  let attempts = 0
  let last: InstallFailure = 'not-found'
  let output = ''
  let listings: Record<string, Record<string, Listing>> = {}
  for (;;) {
    attempts++
    const final = now() >= options.deadline
    let askedResolver = false
    const elapsed = `${Math.round((now() - started) / 1000)}s`
    listings = await listingsFor(rt.http, targets, indexes)
    const missing = unlisted(targets, listings)
    // Local dists (find-links) may hold what the indexes lack; and the last attempt always
    // asks the resolver, so a misread index page can never turn a pass into a failure.
    if (missing.length > 0 && source.findLinks.length === 0 && !final) {
      last = 'not-found'
      output = missing.map((t) => `${requirement(t)} is not listed on ${indexes.map(redact).join(', ')} yet`).join('\n')
      io.info(`[${elapsed}] attempt ${attempts}: ${missing.map(requirement).join(', ')} not listed on the index yet`)
    } else {
      askedResolver = true
      io.info(`[${elapsed}] attempt ${attempts}: $ ${command}`)
      const r = await rt.exec({ argv, cwd: path.dirname(venv), env, timeoutMs: Math.max(60_000, options.deadline - now()) })
      const text = `${r.stdout}\n${r.stderr}`
      if (r.exitCode === 0) {
        io.toolOutput(redact(r.stdout.trim() || r.stderr.trim()))
        return { status: 'installed', installer: uv ? 'uv' : 'pip', attempts, durationMs: now() - started, output: '', command, listings }
      }
      last = r.spawnError && !r.timedOut ? 'broken' : classifyInstallFailure(text)
      output = redact(r.spawnError && !r.timedOut ? r.spawnError : errorLines(text))
      io.toolOutput(output)
      io.info(
        `→ ${last === 'broken' ? 'the release installs but is broken: not retrying' : last === 'unreachable' ? 'the index is unreachable: retrying' : 'not on the index yet: retrying'}`
      )
      if (last === 'broken') {
        return { status: 'broken', installer: uv ? 'uv' : 'pip', attempts, durationMs: now() - started, output, command, listings }
      }
    }
    const left = options.deadline - now()
    if (left <= 0 && askedResolver) break
    if (left > 0) await wait(Math.min(backoffDelay(attempts, firstDelay, options.random, options.retryIntervalMs), left))
  }
  return { status: last, installer: uv ? 'uv' : 'pip', attempts, durationMs: now() - started, output, command, listings }
}
