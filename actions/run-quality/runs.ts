/**
 * run-quality's plan carried out through the context: the folders it may read, the file
 * screen, the environments the tools run in, the fixers one at a time, then every check at
 * once, each process through `ctx.exec`.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext, Selection } from '../../packages-shared/context.js'
import { displayCommand, mapLimit } from '../../packages-shared/exec.js'
import { reachesThreshold, type CheckResult, type Finding } from '../../packages-shared/findings.js'
import {
  interpreterMarkers,
  provisionTools,
  venvExecutables,
  type Installer,
  type Toolbox,
  type ToolRequirement
} from '../../packages-shared/python/toolbox.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import { pinToolVersions, versionSource } from '../../packages-shared/tool-pins.js'
import { projectEnvironmentFor } from '../../packages-shared/python/project-env/for-tools.js'
import { distributionName, type ProjectEnvironment } from '../../packages-shared/python/project-env/provision.js'
import { toPosix } from '../../packages-shared/paths.js'
import { excludedUnder, screenCheck, screenFindings, screenSources } from '../../packages-shared/file-screen.js'
import { attributePackages, type QualityTool } from '../../packages-shared/tools/tool.js'
import { ConfigDigests, FindingsCache, findingsCacheDir, toolFingerprint } from '../../packages-shared/findings-cache.js'
import { scriptInterpreter } from '../../packages-shared/python/interpreter.js'
import { LISTING_VARIABLE, listingFile, readListing } from '../../packages-shared/python/lean-launch.js'
import { fileHashes } from '../../packages-shared/whole-run-cache.js'
import { packageImportRoots } from '../../packages-shared/import-roots.js'
import { repositoryFiles } from '../../packages-shared/workspace/files.js'
import { guardPackages, type LinkGuard } from '../../packages-shared/links.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import type { QualityInputs } from './inputs.js'
import {
  PYTEST_FOR_IMPORTS,
  QUALITY_TOOLS,
  byCost,
  fixOrder,
  jobShare,
  needsPytest,
  planRuns,
  runsInProject,
  type PlannedRun
} from './plan.js'
import { byFile, execute, invocation, toolEnvironment, where, type CacheUse, type RunOutcome } from './tool-run.js'
import { executeByModule, type RepositoryState } from './module-runs.js'
import { keepWholeRun, wholeRunAnswer } from './whole-runs.js'
import { readVenvRecord, writeVenvRecord } from './venv-records.js'

export type { CacheUse, RunOutcome } from './tool-run.js'

export interface QualityScope {
  ws: Workspace
  selection: Selection
  tools: QualityTool[]
  guard: LinkGuard
  /** The runs left once the file screen has set files aside. */
  runs: PlannedRun[]
  /** The file screen's check, when it set any file aside. */
  screen?: CheckResult
  includeRootTests: boolean
}

/** What is checked where: the selected packages (or the paths given) less what the link guard and the file screen refuse. */
export async function qualityScope(ctx: ActionContext, inputs: QualityInputs): Promise<QualityScope> {
  const ws = ctx.workspace()
  const selection = await ctx.selection()
  const root = ws.root
  const tools = inputs.checks.map((c) => QUALITY_TOOLS[c])
  // A linter reads what a symlink points at and a fixer writes through it: packages and
  // folders holding a link out of the repository are neither linted nor fixed (see links.ts).
  const rootTests = path.join(root, 'tests')
  const explicit = inputs.paths.length > 0
  const guard = explicit
    ? guardPackages(root, [], 'linted or fixed', inputs.paths)
    : guardPackages(root, selection.packages, 'linted or fixed', fs.existsSync(rootTests) ? [rootTests] : [])
  const paths = inputs.paths.filter((p) => !guard.unsafeDirs.includes(p))
  const includeRootTests =
    (ctx.common.packages.mode !== 'changed' || selection.packages.length > 0) &&
    selection.repositoryTargets !== false &&
    !guard.unsafeDirs.includes(rootTests)
  const planned = explicit && paths.length === 0 ? [] : planRuns(root, tools, guard.safe, paths, includeRootTests)
  // Files too large or not readable as Python are one finding each and kept from every tool.
  const screenStart = Date.now()
  const screened = screenSources(
    [...new Set(planned.flatMap((r) => [...r.targets.map((t) => path.resolve(r.cwd, t)), ...(r.modulePaths ?? [])]))],
    inputs.maxFileSize
  )
  const screen = screened.length
    ? screenCheck(attributePackages(screenFindings(root, screened), ws.packages), Date.now() - screenStart, (f) =>
        reachesThreshold(f.severity, inputs.failOn)
      )
    : undefined
  const skip = new Set(screened.map((s) => s.path))
  const runs = planned
    .map((r) => ({
      ...r,
      targets: r.targets.filter((t) => !skip.has(path.resolve(r.cwd, t))),
      exclude: excludedUnder(screened, r.cwd, [...r.targets, ...(r.modulePaths ?? []).map((p) => path.relative(r.cwd, p))])
    }))
    .filter((r) => r.targets.length > 0 || (r.modules?.length ?? 0) > 0)
  if (screen)
    ctx.io.info(
      `${screened.length} file(s) are not given to the tools (too large or not Python source): ${screen.findings.map((f) => f.file).join(', ')}`
    )
  return { ws, selection, tools, guard, runs, screen, includeRootTests }
}

export interface QualityEnvironments {
  /** The project's environment, when a tool runs in it. */
  project?: ProjectEnvironment
  boxOf(tool: QualityTool): Toolbox
  /** Each tool's version (in the order of scope.tools): known for pinned tools, else asked of the tool. */
  versions(): Promise<(string | undefined)[]>
  /** Where each tool's version came from, in the same order. */
  versionSources: (string | undefined)[]
  /** What installed the isolated tools in this run (none when their venv was cached). */
  installedWith?: Installer
}

/** Each tool's pinned requirement, in the order of scope.tools, then pytest when a tool imports the tests (said once in the log). */
export function qualityPins(ctx: ActionContext, inputs: QualityInputs, scope: QualityScope): Promise<ToolRequirement[]> {
  const { ws, tools } = scope
  return pinToolVersions(
    ctx.io,
    ws,
    [...tools.map((t) => t.requirement), ...(needsPytest(ws, tools, scope.runs) ? [PYTEST_FOR_IMPORTS] : [])],
    inputs.toolVersions,
    interpreterMarkers(ctx)
  )
}

/** The tools that import the project run in its environment (environments/); the others in a toolbox. */
export async function provisionQuality(
  ctx: ActionContext,
  inputs: QualityInputs,
  scope: QualityScope,
  pinnedTools?: ToolRequirement[]
): Promise<QualityEnvironments> {
  const pinned = pinnedTools ?? (await qualityPins(ctx, inputs, scope))
  const { common } = ctx
  const { ws, tools } = scope
  const requirements = pinned.slice(0, tools.length)
  const extras = pinned.slice(tools.length)
  const inProject = (t: QualityTool): boolean => runsInProject(common.install, t)
  const rootCode = scope.includeRootTests && fs.existsSync(path.join(ws.root, 'tests'))
  const project = tools.some(inProject)
    ? await projectEnvironmentFor(ctx, ws, scope.selection.packages, {
        rootCode,
        tools: [...requirements.filter((_, i) => inProject(tools[i]!)), ...extras],
        passEnv: inputs.passEnv,
        // Made only for a check the caches cannot answer.
        recorded: (key) => readVenvRecord(findingsCacheDir(ctx.cacheRoot), key)?.project
      })
    : undefined
  const others = requirements.filter((_, i) => !inProject(tools[i]!))
  const isolatedBox =
    others.length > 0 || !project
      ? await provisionTools(ctx, {
          mode: common.install === 'project' ? 'auto' : common.install,
          pythonCommand: common.python,
          tools: [...others, ...(project ? [] : extras)],
          cacheRoot: ctx.cacheRoot,
          workspace: ws,
          passEnv: inputs.passEnv,
          // A venv recorded beside the findings is restored only for a check the caches cannot answer.
          recorded: (key) => readVenvRecord(findingsCacheDir(ctx.cacheRoot), key)?.executables
        })
      : undefined
  const boxOf = (t: QualityTool): Toolbox => (project && inProject(t) ? project.box : isolatedBox!)
  const requirementOf = (t: QualityTool): ToolRequirement | undefined =>
    requirements.find((r) => r.requirement === t.requirement.requirement)
  return {
    project,
    boxOf,
    // Known once the venv is there: a deferred one may never be restored.
    get installedWith() {
      return isolatedBox?.installedWith
    },
    versions: () =>
      Promise.all(
        tools.map(async (t) => {
          const req = requirementOf(t)!
          if (project && inProject(t)) return project.tools.get(distributionName(req))?.version
          const box = boxOf(t)
          if (box.mode === 'isolated') return req.version
          const exe = box.which(t.requirement.executable)
          return exe ? toolVersion(exe, box.env, ctx.exec) : undefined
        })
      ),
    versionSources: tools.map((t) => {
      const req = requirementOf(t)
      return project && inProject(t) && req ? project.tools.get(distributionName(req))?.source : versionSource(boxOf(t).mode, req)
    })
  }
}

/** Beyond this many characters of file names, a run covers its targets rather than naming the files (argv limits). */
const MAX_NAMED = 60_000

interface Listing {
  files: string[]
  command: string
  durationMs: number
}

/** The files the run checks, as the tool itself lists them; a reason when it cannot. */
async function listFiles(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  timeoutMs: number
): Promise<Listing | string> {
  const local = run.tool.fileLocal!
  const inv = invocation(ctx, box, root, run, false, jobs)
  const argv = local.listFiles(inv, scriptInterpreter(inv.executable))
  if (!argv) return `${run.tool.name} cannot list its files here (${inv.executable} is not a Python script)`
  const result = await ctx.exec({ argv, cwd: run.cwd, env: toolEnvironment(box, run, inv), timeoutMs })
  const listed = result.timedOut ? undefined : local.parseFiles(result)
  if (!listed) return `${run.tool.name} did not list its files (exit code ${result.exitCode})`
  return repositoryListing(root, run, listed, displayCommand(argv), result.durationMs)
}

/** The files a tool listed, each a file of the repository (absolute, once each); a reason when one is not. */
function repositoryListing(
  root: string,
  run: PlannedRun,
  listed: readonly string[],
  command: string,
  durationMs: number
): Listing | string {
  const files: string[] = []
  for (const f of listed) {
    const abs = path.resolve(run.cwd, f)
    const rel = path.relative(root, abs)
    if (rel.startsWith('..') || path.isAbsolute(rel) || !fs.existsSync(abs) || !fs.statSync(abs).isFile())
      return `${run.tool.name} listed ${JSON.stringify(f)}, no file of the repository`
    files.push(abs)
  }
  return { files: [...new Set(files)], command, durationMs }
}

/**
 * A run with nothing cached: the tool checks its targets and lists its files in the same
 * process (FileLocalTool.observeFiles, under the lean launcher), which saves a second start of
 * the tool. Where it cannot, or its listing did not come, the listing command runs as well.
 */
async function coldRun(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  timeoutMs: number
): Promise<[Listing | string, RunOutcome]> {
  const local = run.tool.fileLocal!
  if (!local.observeFiles || !run.tool.lean) {
    return Promise.all([listFiles(ctx, box, root, run, jobs, timeoutMs), execute(ctx, box, root, run, false, jobs, timeoutMs)])
  }
  const file = listingFile(ctx.tempDir, run.tool.name)
  try {
    const outcome = await execute(ctx, box, root, run, false, jobs, timeoutMs, {
      prelude: local.observeFiles,
      env: { [LISTING_VARIABLE]: file }
    })
    const observed = readListing(file)
    const listed = observed && local.parseFiles(observed)
    if (listed) return [repositoryListing(root, run, listed, `${outcome.command} (listed by its own run)`, 0), outcome]
    ctx.io.debug(`${run.tool.name} in ${where(root, run)} did not list its files as it ran; they are listed on their own.`)
    return [await listFiles(ctx, box, root, run, jobs, timeoutMs), outcome]
  } finally {
    fs.rmSync(file, { force: true })
  }
}

/**
 * A check through the findings cache: the tool lists its files, the cache answers those it
 * holds under an unchanged key, and the tool checks the rest only (all of its targets when
 * nothing is cached, or when naming the files could change how it reads them). Findings are
 * kept only from a run that completed and whose findings all fall in the files it checked.
 */
async function executeCached(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  timeoutMs: number,
  repo: RepositoryState
): Promise<RunOutcome> {
  const local = run.tool.fileLocal!
  // Nothing changed since a clean run: its findings stand, without listing the files.
  const { kept, whole } = await wholeRunAnswer(ctx, box, root, run, jobs, repo, new ConfigDigests(root, local, box.env.HOME).at(root))
  if (kept) return kept
  const outcome = await executeListed(ctx, box, root, run, jobs, timeoutMs)
  if (!outcome.cache?.off) keepWholeRun(ctx, run, whole, outcome)
  return outcome
}

/**
 * A file-local check through the findings cache: the tool lists its files, the cache answers
 * those it holds under an unchanged key, and the tool checks the rest.
 */
async function executeListed(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  timeoutMs: number
): Promise<RunOutcome> {
  const local = run.tool.fileLocal!
  const inv = invocation(ctx, box, root, run, false, jobs)
  const dir = findingsCacheDir(ctx.cacheRoot)
  const identity = {
    tool: run.tool.name,
    fingerprint: toolFingerprint(inv.executable),
    options: run.tool.argv({ root: '', cwd: '', targets: [], executable: run.tool.name, fix: false })
  }
  const open = (files: string[]): FindingsCache =>
    new FindingsCache({ dir, root, cwd: run.cwd, run: identity, local, files, home: box.env.HOME })
  const off = (outcome: RunOutcome, why: string): RunOutcome => {
    ctx.io.info(`${run.tool.name} in ${where(root, run)}: the findings cache is not used: ${why}.`)
    return { ...outcome, cache: { files: 0, fromCache: 0, checked: 0, off: why } }
  }
  // Nothing cached yet for this run: list and check at once rather than one after the other.
  const cold = open([]).empty
  const [listing, coldOutcome] = cold
    ? await coldRun(ctx, box, root, run, jobs, timeoutMs)
    : [await listFiles(ctx, box, root, run, jobs, timeoutMs), undefined]
  if (typeof listing === 'string') return off(coldOutcome ?? (await execute(ctx, box, root, run, false, jobs, timeoutMs)), listing)
  ctx.io.debug(`${run.tool.name} in ${where(root, run)} lists its files: $ ${listing.command}`)
  const cache = open(listing.files)
  const { hits, misses } = coldOutcome ? { hits: new Map<string, Finding[]>(), misses: listing.files } : cache.lookup()
  const missRel = misses.map((f) => toPosix(path.relative(run.cwd, f)))
  const subset = hits.size > 0 && misses.length > 0 ? local.subsetArgs?.(inv, missRel) : undefined
  const whole = misses.length > 0 && (subset === undefined || missRel.join(' ').length > MAX_NAMED)
  const outcome =
    coldOutcome ??
    (misses.length === 0
      ? undefined
      : whole
        ? await execute(ctx, box, root, run, false, jobs, timeoutMs)
        : await execute(ctx, box, root, { ...run, targets: missRel }, false, jobs, timeoutMs, { extraArgs: subset }))
  const checkedFiles = whole || coldOutcome ? listing.files : misses
  if (outcome && !outcome.error) {
    const checked = new Map(checkedFiles.map((f) => [cache.rel(f), [] as Finding[]]))
    if (outcome.findings.every((f) => f.file !== undefined && checked.has(f.file))) {
      for (const f of outcome.findings) checked.get(f.file!)!.push(f)
      cache.store(new Map([...checked].map(([rel, found]) => [path.join(root, rel), found])))
    } else {
      ctx.io.info(`${run.tool.name} in ${where(root, run)}: findings outside the files it listed; none is kept in the findings cache.`)
    }
  }
  // A run over the whole targets answered for every file itself.
  const fromCache = whole ? [] : [...hits.values()].flat()
  const use: CacheUse = { files: listing.files.length, fromCache: whole ? 0 : hits.size, checked: outcome ? checkedFiles.length : 0 }
  ctx.io.info(
    `${run.tool.name} in ${where(root, run)}: ${use.files} file(s), ${use.fromCache} answered from the findings cache, ${use.checked} checked.`
  )
  if (!outcome) {
    const now = Date.now()
    const command = `${displayCommand(run.tool.argv(inv))} (not run: the findings cache answered for every file)`
    return {
      run,
      startedAt: now - listing.durationMs,
      endedAt: now,
      findings: byFile(fromCache),
      durationMs: listing.durationMs,
      command,
      cache: use
    }
  }
  return {
    ...outcome,
    run,
    findings: byFile([...fromCache, ...outcome.findings]),
    cache: use,
    durationMs: outcome.durationMs + (coldOutcome ? 0 : listing.durationMs)
  }
}

function hashFiles(dirs: string[]): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (p: string): void => {
    let st: fs.Stats
    try {
      st = fs.statSync(p)
    } catch {
      return
    }
    if (st.isDirectory()) {
      const base = path.basename(p)
      if (['.git', '.venv', 'venv', 'node_modules', '__pycache__', '.mypy_cache', '.ruff_cache', 'build', 'dist'].includes(base)) return
      for (const e of fs.readdirSync(p)) walk(path.join(p, e))
    } else if (p.endsWith('.py') || p.endsWith('.pyi')) {
      out.set(p, createHash('sha256').update(fs.readFileSync(p)).digest('hex'))
    }
  }
  for (const d of dirs) walk(d)
  return out
}

/** Runs the fixers one at a time; the repository-relative files they changed. */
export async function fixFiles(
  ctx: ActionContext,
  inputs: QualityInputs,
  scope: QualityScope,
  envs: QualityEnvironments
): Promise<string[]> {
  const root = scope.ws.root
  const dirs = [...new Set(scope.runs.flatMap((r) => r.targets.map((t) => path.resolve(r.cwd, t))))]
  const before = hashFiles(dirs)
  for (const r of fixOrder(scope.runs)) await execute(ctx, envs.boxOf(r.tool), root, r, true, ctx.common.maxParallel, inputs.timeoutMs)
  const after = hashFiles(dirs)
  const changed = [...after]
    .filter(([f, h]) => before.get(f) !== h)
    .map(([f]) => toPosix(path.relative(root, f)))
    .sort()
  ctx.io.info(changed.length ? `fix changed ${changed.length} file(s):\n${changed.join('\n')}` : 'fix changed no file.')
  return changed
}

/**
 * A whole-program check (mypy, pylint) through the whole-run cache: when nothing it could
 * read has changed since a clean run stored its findings, they stand and it does not run.
 * Otherwise a tool whose findings are kept per module (pylint) goes through that cache
 * (module-runs.ts); the others run over everything.
 */
async function executeWhole(
  ctx: ActionContext,
  box: Toolbox,
  root: string,
  run: PlannedRun,
  jobs: number,
  timeoutMs: number,
  repo: RepositoryState
): Promise<RunOutcome> {
  const { kept, whole } = await wholeRunAnswer(ctx, box, root, run, jobs, repo)
  if (kept) return kept
  const outcome = run.tool.byModuleCache
    ? await executeByModule(ctx, box, root, run, jobs, timeoutMs, repo, whole.identity)
    : { ...(await execute(ctx, box, root, run, false, jobs, timeoutMs)), cache: { files: 1, fromCache: 0, checked: 1, whole: true } }
  keepWholeRun(ctx, run, whole, outcome)
  return outcome
}

/** Every check at once, slowest first; the outcomes and the tools' versions. */
export async function runChecks(
  ctx: ActionContext,
  inputs: QualityInputs,
  scope: QualityScope,
  envs: QualityEnvironments
): Promise<{ outcomes: RunOutcome[]; versions: (string | undefined)[] }> {
  const { maxParallel } = ctx.common
  // Versions are known for pinned tools; otherwise ask each tool, alongside the runs.
  const versions = envs.versions()
  const share = jobShare(maxParallel, scope.runs.length)
  // The repository's files, listed and read once for every whole-program run, and only if one runs.
  const root = scope.ws.root
  let listed: string[] | undefined
  let hashes: Map<string, string> | undefined
  let roots: string[] | undefined
  const repo: RepositoryState = {
    files: () => (listed ??= repositoryFiles(root)),
    hashes: () => (hashes ??= fileHashes(root, repo.files())),
    importRoots: () => (roots ??= scope.ws.packages.flatMap((p) => [p.dir, ...packageImportRoots(p).map((r) => r.dir)]))
  }
  const jobsOf = (r: PlannedRun): number => (r.tool.cheapWorkers ? maxParallel : share)
  const outcomes = await mapLimit(byCost(scope.runs), maxParallel, (r) =>
    r.tool.fileLocal
      ? executeCached(ctx, envs.boxOf(r.tool), scope.ws.root, r, jobsOf(r), inputs.timeoutMs, repo)
      : executeWhole(ctx, envs.boxOf(r.tool), root, r, jobsOf(r), inputs.timeoutMs, repo)
  )
  recordVenvs(ctx, scope, envs)
  return { outcomes, versions: await versions }
}

/** Records what each tool venv and project environment on disk holds (venv-records.ts), for a later run that may not need it. */
function recordVenvs(ctx: ActionContext, scope: QualityScope, envs: QualityEnvironments): void {
  const boxes = new Map<Toolbox, string[]>()
  for (const t of scope.tools) {
    const box = envs.boxOf(t)
    if (box.venvKey && box.venv) boxes.set(box, [...(boxes.get(box) ?? []), t.requirement.executable])
  }
  for (const [box, exes] of boxes) {
    const what = box.mode === 'project' ? 'The project environment was not made' : 'The tool venv was not restored'
    if (box.deferred && !box.deferred.isReady()) {
      ctx.io.info(`${what}: the caches answered for every check.`)
      continue
    }
    const executables = venvExecutables(box.venv!, box, exes)
    const first = Object.values(executables)[0]
    const venv = path.relative(ctx.cacheRoot, box.venv!)
    if (!first || venv.startsWith('..') || path.isAbsolute(venv)) continue
    const project =
      box.mode === 'project' && envs.project
        ? { venv, command: envs.project.command, tools: Object.fromEntries(envs.project.tools) }
        : undefined
    writeVenvRecord(findingsCacheDir(ctx.cacheRoot), box.venvKey!, {
      fingerprint: toolFingerprint(path.join(box.venv!, first)),
      executables,
      ...(project ? { project } : {})
    })
  }
}
