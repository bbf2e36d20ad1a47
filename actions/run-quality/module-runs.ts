/**
 * A whole-program check (pylint) through the per-module cache (module-cache.ts), once the
 * whole-run cache has missed. The tool lists its modules and their imports; each module's key
 * says whether anything it reads changed. At most half of them changed: the tool checks those
 * alone, with the cross-module messages off, and beside it a pass over every module reports
 * only those messages; the rest keep their stored findings. More: one run over everything, as
 * with nothing stored. Either way the report is the one a full run gives.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import { tail, type CommandResult } from '../../packages-shared/exec.js'
import type { Finding } from '../../packages-shared/findings.js'
import { findingsCacheDir } from '../../packages-shared/findings-cache.js'
import { scriptInterpreter } from '../../packages-shared/python/interpreter.js'
import { LISTING_INPUT_VARIABLE, LISTING_VARIABLE, listingFile, readListing } from '../../packages-shared/python/lean-launch.js'
import {
  configDigest,
  keyModules,
  likelyPartial,
  readModuleResults,
  runIdentityDigest,
  writeModuleResults,
  type KeyedModules,
  type ModuleResults
} from '../../packages-shared/module-cache.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { Toolbox } from '../../packages-shared/python/toolbox.js'
import { crossPluginArgs, pruneCrossRecords, writeCrossPlugin, type CrossRecords } from '../../packages-shared/tools/pylint-cross.js'
import type { ModuleListing } from '../../packages-shared/tools/tool.js'
import type { PlannedRun } from './plan.js'
import { byFile, execute, invocation, toolEnvironment, where, type ExecuteOptions, type RunOutcome } from './tool-run.js'

/** The repository's files, listed and hashed once for every whole-program run. */
export interface RepositoryState {
  files(): string[]
  hashes(): ReadonlyMap<string, string>
  /** Folders names may be imported from besides the tool's own search path (import roots, package folders). */
  importRoots(): string[]
}

/** What the whole-run key was made of (runs.ts): the same identity keys every module. */
export interface RunIdentity {
  fingerprint: string
  argv: readonly string[]
  cwd: string
  env: Readonly<Record<string, string | undefined>>
}

/** Beyond this many characters of module names, a run covers its targets (argv limits). */
const MAX_NAMED = 60_000

const PYTHON = /\.pyi?$/

/** How many names a log line lists before it counts the rest. */
const SHOWN = 10

const listed = (names: readonly string[]): string =>
  names.length > SHOWN ? `${names.slice(0, SHOWN).join(', ')} and ${names.length - SHOWN} more` : names.join(', ')

interface Keyed extends KeyedModules {
  listing: ModuleListing
  durationMs: number
}

export async function executeByModule(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  timeoutMs: number,
  repo: RepositoryState,
  identity: RunIdentity
): Promise<RunOutcome> {
  const tool = run.tool.byModuleCache!
  const name = run.tool.name
  const cwd = where(root, run)
  const inv = invocation(ctx, box, root, run, false, jobs)
  const dir = findingsCacheDir(ctx.cacheRoot)
  const full = (options?: ExecuteOptions): Promise<RunOutcome> => execute(ctx, box, root, run, false, jobs, timeoutMs, options)
  const whole = (outcome: RunOutcome, off: string): RunOutcome => {
    ctx.io.info(`${name} in ${cwd}: the per-module cache is not used: ${off}.`)
    return { ...outcome, cache: { files: 1, fromCache: 0, checked: 1, whole: true, off } }
  }
  const listArgv = tool.listModules(inv, scriptInterpreter(inv.executable))
  if (!listArgv) return whole(await full(), `${name} cannot list its modules here (${inv.executable} is not a Python script)`)

  const stored = readModuleResults(dir, name, cwd)
  // The repository's other Python files: a module may reach another through one of them.
  const pythonFiles = repo.files().filter((f) => PYTHON.test(f))
  const others = (): string => JSON.stringify(pythonFiles.map((f) => path.join(root, f)))
  /** The listing `r` printed, keyed; a reason when it printed none. */
  const keyedListing = (r: CommandResult): Keyed | string => {
    const listing = tool.parseModules(r)
    if (!listing) {
      ctx.io.debug(`${name} module listing (exit code ${r.exitCode}):\n${tail(r.stderr || r.stdout, 25)}`)
      return `${name} did not list its modules (exit code ${r.exitCode}${r.timedOut ? ', timed out' : ''})`
    }
    return keyedModules(listing, r.durationMs)
  }
  const keyedModules = (listing: ModuleListing, durationMs: number): Keyed | string => {
    // What the run's own findings depend on besides the run: whether each argument names something.
    const present = [
      ...run.targets.map((t) => fs.existsSync(path.resolve(run.cwd, t))),
      ...(run.modules ?? []).map((m) => listing.modules.some((x) => x.name === m || x.name.startsWith(`${m}.`)))
    ]
    const keyed = keyModules({
      root,
      listing,
      files: repo.files(),
      hashes: repo.hashes(),
      extraRoots: [run.cwd, root, ...repo.importRoots()],
      run: { tool: name, ...identity },
      present
    })
    return typeof keyed === 'string' ? `${name} ${keyed}` : { listing, ...keyed, durationMs }
  }
  const list = async (): Promise<Keyed | string> =>
    keyedListing(await ctx.exec({ argv: listArgv, cwd: run.cwd, env: toolEnvironment(box, run, inv), timeoutMs, stdin: others() }))

  const began = Date.now()
  const hint = { run: runIdentityDigest({ tool: name, ...identity }), config: configDigest(root, repo.files(), repo.hashes()) }
  // Every run over all modules records what the cross-module checks read of each (pylint-cross.ts).
  const cross = crossRecordsFor(ctx, dir, name, cwd, hint)
  const recording = (replay?: string): { extraArgs: string[]; env: Record<string, string> } =>
    crossPluginArgs(cross, toolEnvironment(box, run, inv).PYTHONPATH ?? ctx.io.env.PYTHONPATH, replay)
  const recorded = fs.readdirSync(cross.records).length > 0
  /** The pass over every module for the cross-module messages; `replay`: the modules whose records stand in for them. */
  const crossRun = (enabled: readonly string[], total: number | undefined, replay?: string[]): Promise<RunOutcome> => {
    const label = `${enabled.join(', ')} over all${total === undefined ? '' : ` ${total}`} module(s)`
    if (!replay?.length) {
      const plugin = recording()
      return execute(ctx, box, root, run, false, jobs, timeoutMs, {
        ...plugin,
        extraArgs: [...tool.crossArgs(enabled), ...plugin.extraArgs],
        label
      })
    }
    const list = path.join(ctx.tempDir, `dk-actions-${name}-replay-${process.pid}-${Date.now()}.json`)
    fs.writeFileSync(list, JSON.stringify(replay))
    const plugin = recording(list)
    // Sequential: with most modules read from their records, workers would only cost their start.
    return execute(ctx, box, root, run, false, 1, timeoutMs, {
      ...plugin,
      extraArgs: [...tool.crossArgs(enabled), ...plugin.extraArgs],
      label: `${label}, ${replay.length} from their records`
    }).finally(() => fs.rmSync(list, { force: true }))
  }
  const pruned = (outcome: RunOutcome | undefined): void => {
    if (outcome && !outcome.error && !outcome.note) pruneCrossRecords(cross.records, began - 2000)
  }
  /**
   * The run over all modules when nothing is stored, listing its modules as it checks them
   * (ModuleCacheTool.observeModules, in pylint's own process); where that listing did not come,
   * the listing command runs after it. Without a prelude the two run side by side.
   */
  const listedFullRun = async (): Promise<[Keyed | string, RunOutcome]> => {
    if (!tool.observeModules || !run.tool.lean) return Promise.all([list(), full(recording())])
    const output = listingFile(ctx.tempDir, name)
    const input = `${output}.in`
    try {
      fs.writeFileSync(input, others())
      const plugin = recording()
      const outcome = await full({
        ...plugin,
        prelude: tool.observeModules,
        env: { ...plugin.env, [LISTING_VARIABLE]: output, [LISTING_INPUT_VARIABLE]: input }
      })
      const printed = readListing(output)
      const listing = printed && tool.parseModules(printed)
      if (listing) return [keyedModules(listing, 0), outcome]
      ctx.io.debug(`${name} in ${cwd} did not list its modules as it ran; they are listed on their own.`)
      return [await list(), outcome]
    } finally {
      for (const f of [output, input]) fs.rmSync(f, { force: true })
    }
  }
  // Before the listing: whether a run over some modules is likely (the same run and configuration,
  // few modules edited). Then the pass over all starts beside the listing (unless records can
  // answer for most modules, which needs the listing first); otherwise the full run does.
  const likely = likelyPartial(stored, { ...hint, hashOf: (f) => repo.hashes().get(f) })
  const early =
    likely && !recorded && stored.hint!.crossPass.length
      ? { enabled: stored.hint!.crossPass, run: crossRun(stored.hint!.crossPass, stored.modules.size) }
      : undefined
  const [keyed, fullRun] = likely ? [await list(), undefined] : await listedFullRun()
  if (typeof keyed === 'string') {
    const outcome = fullRun ?? (await full())
    await early?.run
    return whole(outcome, keyed)
  }
  const { modules, keys, listing } = keyed
  const total = modules.size
  const crossPass = tool.crossModule.filter((m) => listing.enabled[m])
  const blocked = tool.suppression.filter((m) => listing.enabled[m])
  const isCross = (f: Finding): boolean => tool.crossModule.includes(tool.symbol(f) ?? '')

  /** A full run's findings kept per module (the cross-module ones left to the next pass over all). */
  const storeFull = (outcome: RunOutcome): void => {
    if (outcome.error || outcome.note) return
    const results: ModuleResults = {
      run: { key: keyed.runKey, findings: [] },
      hint: { ...hint, crossPass, partial: blocked.length === 0 },
      modules: new Map()
    }
    for (const [file, k] of keys) results.modules.set(file, { key: k.key, own: k.own, content: k.content, findings: [] })
    for (const f of outcome.findings) {
      if (isCross(f)) continue
      const entry = f.file === undefined ? undefined : results.modules.get(f.file)
      ;(entry ?? results.run!).findings.push(f)
    }
    writeModuleResults(dir, name, cwd, results)
  }
  const answered = (outcome: RunOutcome, fromCache: number, checked: number, crossed: string[] = []): RunOutcome => ({
    ...outcome,
    findings: crossLast(byFile(outcome.findings), isCross),
    cache: { files: 1, fromCache: 0, checked: 1, whole: true, modules: { files: total, fromCache, checked, crossPass: crossed } }
  })
  if (stored.modules.size === 0 && fullRun) {
    storeFull(fullRun)
    pruned(fullRun)
    ctx.io.info(`${name} in ${cwd}: ${total} module(s), none stored yet: all checked.`)
    return answered(fullRun, 0, total)
  }

  const missed: string[] = []
  const why = { changed: [] as string[], importing: [] as string[], added: [] as string[] }
  for (const [file, k] of keys) {
    const entry = stored.modules.get(file)
    if (entry?.key === k.key) continue
    missed.push(file)
    if (!entry) why.added.push(file)
    else if (entry.own !== k.own) why.changed.push(file)
    else why.importing.push(file)
  }
  const reasons = [
    why.changed.length ? `changed: ${listed(why.changed)}` : '',
    why.importing.length ? `importing a change: ${listed(why.importing)}` : '',
    why.added.length ? `new: ${listed(why.added)}` : ''
  ].filter(Boolean)
  ctx.io.info(
    `${name} in ${cwd}: ${missed.length} of ${total} module(s) to check again${reasons.length ? ` (${reasons.join('; ')})` : ''}.`
  )
  const runLevel = stored.run?.key === keyed.runKey ? stored.run.findings : undefined
  const ambiguous = missed.filter((f) => keys.get(f)!.ambiguous)
  const named = missed.map((f) => toPosix(path.relative(run.cwd, path.join(root, f))))
  const wholeBecause =
    missed.length * 2 > total
      ? 'more than half of the modules to check again'
      : runLevel === undefined
        ? 'its configuration or arguments changed'
        : blocked.length
          ? `${blocked.join(', ')} is enabled (a run over some modules reports it differently)`
          : ambiguous.length
            ? `${listed(ambiguous)} import a name that more than one search root holds`
            : named.join(' ').length > MAX_NAMED
              ? 'too many modules to name'
              : undefined
  if (wholeBecause || fullRun) {
    ctx.io.info(`${name} in ${cwd}: one run over every module: ${wholeBecause ?? 'it started before the modules were listed'}.`)
    const [outcome] = await Promise.all([fullRun ?? full(recording()), early?.run])
    storeFull(outcome)
    pruned(outcome)
    return answered(fullRun ? outcome : { ...outcome, durationMs: outcome.durationMs + keyed.durationMs }, 0, total)
  }

  // Named to the tool as the full run would reach them: by file, or by import name for a run given names.
  const byName = (file: string): string | undefined => {
    if (!run.modules?.length) return undefined
    const abs = path.join(root, file)
    return (run.modulePaths ?? []).some((p) => abs === p || abs.startsWith(p + path.sep))
      ? modules.get(file)!.replace(/\.__init__$/, '')
      : undefined
  }
  const partialRun: PlannedRun = {
    ...run,
    targets: missed.filter((f) => byName(f) === undefined).map((f) => toPosix(path.relative(run.cwd, path.join(root, f)))),
    modules: run.modules?.length ? missed.map(byName).filter((n): n is string => n !== undefined) : undefined
  }
  // The folders every target puts on the search path in a full run, so a module checked alone
  // finds the others as it would there.
  const partialInv = invocation(ctx, box, root, partialRun, false, jobs)
  const pythonPath = [...listing.targetPaths, toolEnvironment(box, partialRun, partialInv).PYTHONPATH]
    .filter((p): p is string => Boolean(p))
    .join(path.delimiter)
  const missedSet = new Set(missed)
  const replay = [...keys.keys()].filter((f) => !missedSet.has(f)).map((f) => path.join(root, f))
  const [partial, crossed] = await Promise.all([
    missed.length
      ? // Workers for fewer modules than there are of them only cost their start.
        execute(ctx, box, root, partialRun, false, Math.min(jobs, missed.length), timeoutMs, {
          extraArgs: tool.partialArgs(),
          env: { PYTHONPATH: pythonPath },
          label: `${missed.length} module(s)`
        })
      : undefined,
    // The pass started beside the listing stands when it looked for the same messages.
    early && early.enabled.join() === crossPass.join()
      ? early.run
      : Promise.all([early?.run, crossPass.length ? crossRun(crossPass, total, replay) : undefined]).then(([, c]) => c)
  ])
  pruned(crossed)
  const parts = [partial, crossed].filter((o): o is RunOutcome => o !== undefined)
  const kept = [...keys.keys()].filter((f) => !missedSet.has(f)).flatMap((f) => stored.modules.get(f)!.findings)
  const fresh = (partial?.findings ?? []).filter((f) => f.file !== undefined && missedSet.has(f.file) && !isCross(f))
  const crossFound = (crossed?.findings ?? []).filter((f) => crossPass.includes(tool.symbol(f) ?? ''))
  const errors = parts.filter((o) => o.error).map((o) => o.error!)
  const notes = parts.filter((o) => o.note).map((o) => o.note!)
  const now = Date.now()
  const outcome: RunOutcome = {
    run,
    startedAt: Math.min(now, ...parts.map((o) => o.startedAt)),
    endedAt: Math.max(now, ...parts.map((o) => o.endedAt)),
    findings: [...(runLevel ?? []), ...kept, ...fresh, ...crossFound],
    error: errors.length ? errors.join('\n\n') : undefined,
    note: notes.length ? notes.join('\n') : undefined,
    // From the listing (or the pass started beside it) to the last run's end.
    durationMs: now - began,
    command: parts.length ? parts.map((o) => o.command).join('\n') : `(not run: every module's findings stand)`
  }
  if (!outcome.error && !outcome.note) {
    const results: ModuleResults = { run: stored.run, hint: { ...hint, crossPass, partial: blocked.length === 0 }, modules: new Map() }
    for (const [file, k] of keys) {
      const findings = missedSet.has(file) ? fresh.filter((f) => f.file === file) : stored.modules.get(file)!.findings
      results.modules.set(file, { key: k.key, own: k.own, content: k.content, findings })
    }
    writeModuleResults(dir, name, cwd, results)
  }
  return answered(outcome, total - missed.length, missed.length, crossPass)
}

/** This run's records of the cross-module checks: a folder per tool and working directory, named into each record by the run and its configuration. */
function crossRecordsFor(ctx: ActionContext, dir: string, tool: string, cwd: string, hint: { run: string; config: string }): CrossRecords {
  const digest = (data: string): string => createHash('sha256').update(data).digest('hex')
  const records = path.join(dir, 'cross', `${tool}-${digest(cwd).slice(0, 16)}`)
  fs.mkdirSync(records, { recursive: true })
  return { plugin: writeCrossPlugin(ctx.cacheRoot), records, salt: digest(JSON.stringify([hint.run, hint.config])) }
}

/**
 * In each file the cross-module findings go after the others, by rule and message: a parallel
 * run and a sequential pass close their checkers in different orders, and the report must not
 * depend on which of them ran.
 */
function crossLast(findings: readonly Finding[], isCross: (f: Finding) => boolean): Finding[] {
  const key = (f: Finding): string => `${f.rule ?? ''}\u0000${f.message}`
  return findings
    .map((f, i) => ({ f, i, cross: isCross(f) }))
    .sort((a, b) => {
      if (a.f.file !== b.f.file || a.cross !== b.cross) return a.f.file !== b.f.file ? a.i - b.i : Number(a.cross) - Number(b.cross)
      if (!a.cross) return a.i - b.i
      const [x, y] = [key(a.f), key(b.f)]
      return x < y ? -1 : x > y ? 1 : a.i - b.i
    })
    .map((e) => e.f)
}
