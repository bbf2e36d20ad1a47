/** One run of one quality tool through the context: its invocation, its environment, the process, its findings. */
import { createHash } from 'node:crypto'
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import { displayCommand, processNotes } from '../../packages-shared/exec.js'
import type { Finding } from '../../packages-shared/findings.js'
import { leanArgv } from '../../packages-shared/python/lean-launch.js'
import { toolboxReady, type Toolbox } from '../../packages-shared/python/toolbox.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { ToolInvocation } from '../../packages-shared/tools/tool.js'
import type { PlannedRun } from './plan.js'

export interface RunOutcome {
  run: PlannedRun
  /** Epoch ms when the tool was launched and when it exited (for the overhead figures). */
  startedAt: number
  endedAt: number
  findings: Finding[]
  error?: string
  /** Said in the check's message without failing it (killed background processes). */
  note?: string
  durationMs: number
  command: string
  /** How the findings cache answered, for tools that check files one at a time. */
  cache?: CacheUse
}

export interface CacheUse {
  /** Files the run covers, those answered from the findings cache, and those the tool checked. */
  files: number
  fromCache: number
  checked: number
  /** Why the cache could not be used, when it could not. */
  off?: string
  /** A whole-program tool: one answer for the whole run (files, fromCache and checked count runs). */
  whole?: boolean
  /**
   * A whole-program run answered per module (module-cache.ts): its modules, those whose stored
   * findings stood, those the tool checked, and the cross-module messages a pass over all of
   * them looked for when it checked only some.
   */
  modules?: ModuleUse
}

export interface ModuleUse {
  files: number
  fromCache: number
  checked: number
  crossPass: string[]
}

export function invocation(ctx: ActionContext, box: Toolbox, root: string, run: PlannedRun, fix: boolean, jobs: number): ToolInvocation {
  const exe = box.which(run.tool.requirement.executable) ?? run.tool.requirement.executable
  // One cache folder per tool and folder it runs in, kept between runs (caches.ts). Named by the
  // folder's path in the repository, not on disk: a checkout elsewhere (act gives each job a new
  // one) still finds mypy's cache, whose entries name the files by the relative paths it is given.
  const cacheDir = path.join(
    ctx.cacheRoot,
    'quality',
    run.tool.name,
    createHash('sha256')
      .update(toPosix(path.relative(root, run.cwd)) || '.')
      .digest('hex')
      .slice(0, 16)
  )
  return {
    root,
    cwd: run.cwd,
    targets: run.targets,
    executable: exe,
    fix,
    jobs,
    exclude: run.exclude,
    cacheDir,
    modules: run.modules,
    searchPath: run.searchPath
  }
}

export function toolEnvironment(box: Toolbox, run: PlannedRun, inv: ToolInvocation): Record<string, string | undefined> {
  return { ...box.env, ...run.tool.env?.(inv), ...(run.modules?.length && run.tool.byModule ? run.tool.byModule(inv, box.env) : {}) }
}

export const where = (root: string, run: PlannedRun): string => toPosix(path.relative(root, run.cwd)) || '.'

export interface ExecuteOptions {
  /** Arguments after the tool's own. */
  extraArgs?: readonly string[]
  /** Variables over the tool's environment. */
  env?: Readonly<Record<string, string>>
  /** Said after the folder in the log's group title (what part of the run this is). */
  label?: string
  /** Python the lean launcher runs in the tool's process first (FileLocalTool.observeFiles), for a lean tool. */
  prelude?: string
}

export async function execute(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  fix: boolean,
  jobs: number,
  timeoutMs: number,
  options: ExecuteOptions = {}
): Promise<RunOutcome> {
  const pending = toolboxReady(box)
  if (pending) await pending
  const inv = invocation(ctx, box, root, run, fix, jobs)
  const argv = [...run.tool.argv(inv), ...(options.extraArgs ?? [])]
  const env = { ...toolEnvironment(box, run, inv), ...options.env }
  // A prelude is only ever given for a lean tool (runs.ts, module-runs.ts).
  const launched = run.tool.lean ? leanArgv(ctx.cacheRoot, argv, options.prelude) : undefined
  const startedAt = Date.now()
  // A tool given workers beside other runs (QualityTool.cheapWorkers) yields the cores to them first.
  const lowPriority = run.tool.cheapWorkers === true && jobs > 1
  const result = await ctx.exec({ argv: launched ?? argv, cwd: run.cwd, env, timeoutMs, ...(lowPriority ? { lowPriority } : {}) })
  const endedAt = Date.now()
  const notes = processNotes(`${run.tool.name} (in ${where(root, run)})`, result)
  // A stopped tool's partial output is no verdict: the check is an error, never a pass.
  const parsed = notes.timeout ? { findings: [], error: notes.timeout } : run.tool.parse(result, inv)
  if (notes.orphans) ctx.io.warning(notes.orphans)
  await ctx.io.group(
    `${run.tool.name} in ${where(root, run)}${options.label ? ` (${options.label})` : ''}: ${parsed.error ? 'error' : `${parsed.findings.length} finding(s)`} (${result.durationMs} ms)`,
    async () => {
      ctx.io.info(`$ ${displayCommand(argv)}`)
      if (launched) ctx.io.info(`(run by ${displayCommand(launched.slice(0, 2))}: fewer garbage collections, no teardown at exit)`)
      if (result.stdout.trim()) ctx.io.toolOutput(result.stdout.trimEnd())
      if (result.stderr.trim()) ctx.io.toolOutput(result.stderr.trimEnd())
    }
  )
  return {
    run,
    startedAt,
    endedAt,
    findings: parsed.findings,
    error: parsed.error,
    note: notes.orphans,
    durationMs: result.durationMs,
    command: displayCommand(argv)
  }
}

/** Findings grouped by file in path order, each file's in the tool's order: the same order whatever the cache answered. */
export function byFile(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => {
      const x = a.f.file ?? ''
      const y = b.f.file ?? ''
      return x < y ? -1 : x > y ? 1 : a.i - b.i
    })
    .map((e) => e.f)
}
