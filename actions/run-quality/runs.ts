/**
 * run-quality's plan carried out through the context: the folders it may read, the file
 * screen, the environments the tools run in, the fixers one at a time, then every check at
 * once, each process through `ctx.exec`.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext, Selection } from '../../packages-shared/context.js'
import { displayCommand, mapLimit, processNotes } from '../../packages-shared/exec.js'
import { reachesThreshold, type CheckResult, type Finding } from '../../packages-shared/findings.js'
import { provisionTools, type Installer, type Toolbox, type ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import { pinToolVersions, versionSource } from '../../packages-shared/tool-pins.js'
import { projectEnvironmentFor } from '../../packages-shared/python/project-env/for-tools.js'
import { distributionName, type ProjectEnvironment } from '../../packages-shared/python/project-env/provision.js'
import { toPosix } from '../../packages-shared/paths.js'
import { excludedUnder, screenCheck, screenFindings, screenSources } from '../../packages-shared/file-screen.js'
import { attributePackages, type QualityTool } from '../../packages-shared/tools/tool.js'
import { guardPackages, type LinkGuard } from '../../packages-shared/links.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import type { QualityInputs } from './inputs.js'
import { PYTEST_FOR_IMPORTS, QUALITY_TOOLS, byCost, fixOrder, jobShare, needsPytest, planRuns, runsInProject, type PlannedRun } from './plan.js'

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
}

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
  const includeRootTests = (ctx.common.packages.mode !== 'changed' || selection.packages.length > 0) && selection.repositoryTargets !== false && !guard.unsafeDirs.includes(rootTests)
  const planned = explicit && paths.length === 0 ? [] : planRuns(root, tools, guard.safe, paths, includeRootTests)
  // Files too large or not readable as Python are one finding each and kept from every tool.
  const screenStart = Date.now()
  const screened = screenSources([...new Set(planned.flatMap((r) => [...r.targets.map((t) => path.resolve(r.cwd, t)), ...(r.modulePaths ?? [])]))], inputs.maxFileSize)
  const screen = screened.length
    ? screenCheck(attributePackages(screenFindings(root, screened), ws.packages), Date.now() - screenStart, (f) => reachesThreshold(f.severity, inputs.failOn))
    : undefined
  const skip = new Set(screened.map((s) => s.path))
  const runs = planned
    .map((r) => ({ ...r, targets: r.targets.filter((t) => !skip.has(path.resolve(r.cwd, t))), exclude: excludedUnder(screened, r.cwd, [...r.targets, ...(r.modulePaths ?? []).map((p) => path.relative(r.cwd, p))]) }))
    .filter((r) => r.targets.length > 0 || (r.modules?.length ?? 0) > 0)
  if (screen) ctx.io.info(`${screened.length} file(s) are not given to the tools (too large or not Python source): ${screen.findings.map((f) => f.file).join(', ')}`)
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

/** The tools that import the project run in its environment (environments/); the others in a toolbox. */
export async function provisionQuality(ctx: ActionContext, inputs: QualityInputs, scope: QualityScope): Promise<QualityEnvironments> {
  const { common } = ctx
  const { ws, tools } = scope
  const pinned = pinToolVersions(ctx.io, ws, [...tools.map((t) => t.requirement), ...(needsPytest(ws, tools, scope.runs) ? [PYTEST_FOR_IMPORTS] : [])], inputs.toolVersions)
  const requirements = pinned.slice(0, tools.length)
  const extras = pinned.slice(tools.length)
  const inProject = (t: QualityTool): boolean => runsInProject(common.install, t)
  const rootCode = scope.includeRootTests && fs.existsSync(path.join(ws.root, 'tests'))
  const project = tools.some(inProject)
    ? await projectEnvironmentFor(ctx, ws, scope.selection.packages, { rootCode, tools: [...requirements.filter((_, i) => inProject(tools[i]!)), ...extras], passEnv: inputs.passEnv })
    : undefined
  const others = requirements.filter((_, i) => !inProject(tools[i]!))
  const isolatedBox = others.length > 0 || !project
    ? await provisionTools(ctx, {
        mode: common.install === 'project' ? 'auto' : common.install,
        pythonCommand: common.python,
        tools: [...others, ...(project ? [] : extras)],
        cacheRoot: ctx.cacheRoot,
        workspace: ws,
        passEnv: inputs.passEnv
      })
    : undefined
  const boxOf = (t: QualityTool): Toolbox => (project && inProject(t) ? project.box : isolatedBox!)
  const requirementOf = (t: QualityTool): ToolRequirement | undefined => requirements.find((r) => r.requirement === t.requirement.requirement)
  return {
    project,
    boxOf,
    installedWith: isolatedBox?.installedWith,
    versions: () => Promise.all(tools.map(async (t) => {
      const req = requirementOf(t)!
      if (project && inProject(t)) return project.tools.get(distributionName(req))?.version
      const box = boxOf(t)
      if (box.mode === 'isolated') return req.version
      const exe = box.which(t.requirement.executable)
      return exe ? toolVersion(exe, box.env, ctx.exec) : undefined
    })),
    versionSources: tools.map((t) => {
      const req = requirementOf(t)
      return project && inProject(t) && req ? project.tools.get(distributionName(req))?.source : versionSource(boxOf(t).mode, req)
    })
  }
}

async function execute(ctx: ActionContext, box: Toolbox, root: string, run: PlannedRun, fix: boolean, jobs: number, timeoutMs: number): Promise<RunOutcome> {
  const exe = box.which(run.tool.requirement.executable) ?? run.tool.requirement.executable
  // One cache folder per tool and folder it runs in: kept between runs, never shared by two at once.
  const cacheDir = path.join(ctx.cacheRoot, 'quality', run.tool.name, createHash('sha256').update(run.cwd).digest('hex').slice(0, 16))
  const inv = { root, cwd: run.cwd, targets: run.targets, executable: exe, fix, jobs, exclude: run.exclude, cacheDir, modules: run.modules, searchPath: run.searchPath }
  const argv = run.tool.argv(inv)
  const env = { ...box.env, ...run.tool.env?.(inv), ...(run.modules?.length && run.tool.byModule ? run.tool.byModule(inv, box.env) : {}) }
  const startedAt = Date.now()
  const result = await ctx.exec({ argv, cwd: run.cwd, env, timeoutMs })
  const endedAt = Date.now()
  const where = toPosix(path.relative(root, run.cwd)) || '.'
  const notes = processNotes(`${run.tool.name} (in ${where})`, result)
  // A stopped tool's partial output is no verdict: the check is an error, never a pass.
  const parsed = notes.timeout ? { findings: [], error: notes.timeout } : run.tool.parse(result, inv)
  if (notes.orphans) ctx.io.warning(notes.orphans)
  await ctx.io.group(`${run.tool.name} in ${where}: ${parsed.error ? 'error' : `${parsed.findings.length} finding(s)`} (${result.durationMs} ms)`, async () => {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    if (result.stdout.trim()) ctx.io.toolOutput(result.stdout.trimEnd())
    if (result.stderr.trim()) ctx.io.toolOutput(result.stderr.trimEnd())
  })
  return { run, startedAt, endedAt, findings: parsed.findings, error: parsed.error, note: notes.orphans, durationMs: result.durationMs, command: displayCommand(argv) }
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
export async function fixFiles(ctx: ActionContext, inputs: QualityInputs, scope: QualityScope, envs: QualityEnvironments): Promise<string[]> {
  const root = scope.ws.root
  const dirs = [...new Set(scope.runs.flatMap((r) => r.targets.map((t) => path.resolve(r.cwd, t))))]
  const before = hashFiles(dirs)
  for (const r of fixOrder(scope.runs)) await execute(ctx, envs.boxOf(r.tool), root, r, true, ctx.common.maxParallel, inputs.timeoutMs)
  const after = hashFiles(dirs)
  const changed = [...after].filter(([f, h]) => before.get(f) !== h).map(([f]) => toPosix(path.relative(root, f))).sort()
  ctx.io.info(changed.length ? `fix changed ${changed.length} file(s):\n${changed.join('\n')}` : 'fix changed no file.')
  return changed
}

/** Every check at once, slowest first; the outcomes and the tools' versions. */
export async function runChecks(ctx: ActionContext, inputs: QualityInputs, scope: QualityScope, envs: QualityEnvironments): Promise<{ outcomes: RunOutcome[]; versions: (string | undefined)[] }> {
  const { maxParallel } = ctx.common
  // Versions are known for pinned tools; otherwise ask each tool, alongside the runs.
  const versions = envs.versions()
  const share = jobShare(maxParallel, scope.runs.length)
  const outcomes = await mapLimit(byCost(scope.runs), maxParallel, (r) => execute(ctx, envs.boxOf(r.tool), scope.ws.root, r, false, share, inputs.timeoutMs))
  return { outcomes, versions: await versions }
}
