/**
 * The whole-run answer of every check (whole-run-cache.ts): when no file of the repository,
 * no option, no configuration and nothing installed has changed since a clean run, its
 * findings stand and the tool does not run, nor list its files. This needs no tool venv: the
 * fingerprint of the venv (what is installed in it) is recorded beside the findings by the
 * run that made or restored it (venv-records.ts), so a second workflow run with nothing
 * changed neither restores the venv nor runs any tool.
 */
import type { ActionContext } from '../../packages-shared/context.js'
import { displayCommand } from '../../packages-shared/exec.js'
import { findingsCacheDir, toolFingerprint } from '../../packages-shared/findings-cache.js'
import { toolboxReady, type Toolbox } from '../../packages-shared/python/toolbox.js'
import { filesDigest, readWholeRun, wholeRunKey, writeWholeRun } from '../../packages-shared/whole-run-cache.js'
import type { RepositoryState, RunIdentity } from './module-runs.js'
import type { PlannedRun } from './plan.js'
import { invocation, toolEnvironment, where, type RunOutcome } from './tool-run.js'
import { readVenvRecord } from './venv-records.js'

export interface WholeRun {
  key: string
  identity: RunIdentity
  argv: string[]
  /** The folder the tool runs in, relative to the root. */
  cwd: string
}

/**
 * What the tool's findings depend on in its installation (toolFingerprint); for a venv not
 * restored yet, what the run that last had it recorded (venv-records.ts).
 */
function fingerprintOf(ctx: ActionContext, box: Toolbox, executable: string): string {
  if (box.deferred && !box.deferred.isReady() && box.venvKey)
    return readVenvRecord(findingsCacheDir(ctx.cacheRoot), box.venvKey)?.fingerprint ?? toolFingerprint(executable)
  return toolFingerprint(executable)
}

/**
 * The run's whole-run identity and key. `outside` is a digest of what it reads beyond the
 * repository's files (configuration above the root and in the home), '' for none.
 */
function wholeRunOf(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  repo: RepositoryState,
  outside = ''
): WholeRun {
  const inv = invocation(ctx, box, root, run, false, jobs)
  const argv = run.tool.argv(inv)
  const env = toolEnvironment(box, run, inv)
  // The cache root first: it may lie inside the repository (a RUNNER_TEMP in the workspace).
  const relative = (a: string): string => a.split(ctx.cacheRoot).join('<cache>').split(root).join('<root>')
  const cwd = where(root, run)
  const identity: RunIdentity = {
    fingerprint: fingerprintOf(ctx, box, inv.executable),
    argv: argv.slice(1).map(relative),
    cwd,
    env: { MYPYPATH: env.MYPYPATH, PYTHONPATH: env.PYTHONPATH, PYLINTRC: env.PYLINTRC, ...(outside ? { outside } : {}) }
  }
  const key = wholeRunKey({ tool: run.tool.name, ...identity, files: filesDigest(root, repo.files(), repo.hashes()) })
  ctx.io.debug(`whole-run key of ${run.tool.name} in ${cwd}: ${key}`)
  return { key, identity, argv, cwd }
}

/** The stored findings of a run under an unchanged key, as its outcome; undefined on a miss. */
function keptOutcome(ctx: ActionContext, run: PlannedRun, whole: WholeRun): RunOutcome | undefined {
  const kept = readWholeRun(findingsCacheDir(ctx.cacheRoot), run.tool.name, whole.cwd, whole.key)
  if (!kept) return undefined
  const now = Date.now()
  ctx.io.info(
    `${run.tool.name} in ${whole.cwd}: nothing changed since its last run; its ${kept.length} finding(s) stand (whole-run cache).`
  )
  return {
    run,
    startedAt: now,
    endedAt: now,
    findings: kept,
    durationMs: 0,
    command: displayCommand(whole.argv),
    cache: { files: 1, fromCache: 1, checked: 0, whole: true }
  }
}

/**
 * The run's stored findings when nothing changed (`kept`), else its whole-run key to keep the
 * findings under once it has run; a deferred venv is restored first, and the key made again
 * on its real fingerprint.
 */
export async function wholeRunAnswer(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  repo: RepositoryState,
  outside = ''
): Promise<{ kept?: RunOutcome; whole: WholeRun }> {
  const first = wholeRunOf(ctx, box, root, run, jobs, repo, outside)
  const kept = keptOutcome(ctx, run, first)
  if (kept) return { kept, whole: first }
  const pending = toolboxReady(box)
  if (!pending) return { whole: first }
  await pending
  return { whole: wholeRunOf(ctx, box, root, run, jobs, repo, outside) }
}

/** Keeps a clean run's findings under its key; a run that failed or left a note is not kept. */
export function keepWholeRun(ctx: ActionContext, run: PlannedRun, whole: WholeRun, outcome: RunOutcome): void {
  if (!outcome.error && !outcome.note) writeWholeRun(findingsCacheDir(ctx.cacheRoot), run.tool.name, whole.cwd, whole.key, outcome.findings)
}
