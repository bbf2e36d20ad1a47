/**
 * run-quality: black, isort, flake8, mypy, pylint (and ruff) over the selected packages,
 * concurrently, each tool reading the project's own configuration.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { displayCommand, mapLimit, processNotes, runCommand } from '../../packages-shared/exec.js'
import { reachesThreshold, type CheckResult, type Finding, type Severity } from '../../packages-shared/findings.js'
import { provisionTools, toolVersion, type Toolbox, type ToolRequirement } from '../../packages-shared/python.js'
import { pinToolVersions, versionSource } from '../../packages-shared/tool-pins.js'
import { projectEnvironmentFor } from '../../packages-shared/environments/for-tools.js'
import { distributionName, environmentsData, environmentsSection } from '../../packages-shared/environments/provision.js'
import { table } from '../../packages-shared/report/markdown.js'
import { toPosix } from '../../packages-shared/paths.js'
import { excludedUnder, screenCheck, screenFindings, screenSources } from '../../packages-shared/file-screen.js'
import { attributePackages, withRealFiles, type QualityTool } from '../../packages-shared/tools/tool.js'
import { guardPackages } from '../../packages-shared/links.js'
import { black } from '../../packages-shared/tools/black.js'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import { isort } from '../../packages-shared/tools/isort.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { pylint } from '../../packages-shared/tools/pylint.js'
import { ruff, ruffFormat } from '../../packages-shared/tools/ruff.js'
import { parseQualityInputs, type QualityCheck, type QualityInputs } from './inputs.js'
import { planRuns, type PlannedRun } from './plan.js'

export const QUALITY_TOOLS: Record<QualityCheck, QualityTool> = {
  black, isort, flake8, mypy, pylint, ruff, 'ruff-format': ruffFormat
}

/** Tools from the usually slowest to the fastest (measured on the example and larger trees). */
const COST = ['pylint', 'mypy', 'black', 'flake8', 'ruff-format', 'ruff', 'isort']
/** pytest for the type checkers to resolve the tests' imports; a pin of the project's applies to it too. */
const PYTEST_FOR_IMPORTS: ToolRequirement = { requirement: 'pytest', version: '9.2.0', executable: 'pytest' }

/** Tools that follow the project's imports, so under install: auto they run in its environment. */
const FOLLOW_IMPORTS = ['mypy', 'pylint']

interface RunOutcome {
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

async function execute(ctx: ActionContext, box: Toolbox, root: string, run: PlannedRun, fix: boolean, jobs: number, timeoutMs: number): Promise<RunOutcome> {
  const exe = box.which(run.tool.requirement.executable) ?? run.tool.requirement.executable
  // One cache folder per tool and folder it runs in: kept between runs, never shared by two at once.
  const cacheDir = path.join(ctx.cacheRoot, 'quality', run.tool.name, createHash('sha256').update(run.cwd).digest('hex').slice(0, 16))
  const inv = { root, cwd: run.cwd, targets: run.targets, executable: exe, fix, jobs, exclude: run.exclude, cacheDir, modules: run.modules, searchPath: run.searchPath }
  const argv = run.tool.argv(inv)
  const env = { ...box.env, ...run.tool.env?.(inv), ...(run.modules?.length && run.tool.byModule ? run.tool.byModule(inv, box.env) : {}) }
  const startedAt = Date.now()
  const result = await runCommand({ argv, cwd: run.cwd, env, timeoutMs })
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

function matrixSection(checks: CheckResult[], runs: RunOutcome[]): string {
  const packages = [...new Set(runs.flatMap((r) => r.run.packages))].sort()
  const extra = runs.some((r) => r.findings.some((f) => !f.package))
  const cols = [...packages, ...(extra ? ['other'] : [])]
  if (cols.length === 0) return ''
  const rows = checks.map((c) => {
    // Counted in one pass per check: a filter per column is checks × packages × findings.
    const counts = new Map<string, number>()
    for (const f of c.findings) counts.set(f.package ?? 'other', (counts.get(f.package ?? 'other') ?? 0) + 1)
    return [c.tool, ...cols.map((col) => (c.status === 'error' ? 'error' : counts.get(col) ? String(counts.get(col)) : '✓'))]
  })
  return `### Findings by tool and package\n\n${table(['tool', ...cols], rows)}`
}

export async function runQuality(ctx: ActionContext, inputs: QualityInputs): Promise<ActionResult> {
  const { io, common } = ctx
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
  const includeRootTests = (common.packages.mode !== 'changed' || selection.packages.length > 0) && !guard.unsafeDirs.includes(rootTests)
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
  if (screen) io.info(`${screened.length} file(s) are not given to the tools (too large or not Python source): ${screen.findings.map((f) => f.file).join(', ')}`)
  const packageIds = selection.packages.map((p) => p.id)

  if (runs.length === 0 && !screen) {
    io.info(guard.check ? 'Nothing to check: every selected folder holds a symlink out of the repository.' : 'Nothing to check: no package is selected.')
    return {
      passed: guard.check === undefined,
      packages: packageIds,
      checks: [
        ...(guard.check ? [guard.check] : []),
        ...tools.map((t): CheckResult => ({ tool: t.name, status: 'skipped', durationMs: 0, findings: [], message: guard.check ? 'every selected folder was refused' : 'no package selected' }))
      ],
      sarif: true,
      sections: [selection.changes ? `No package changed since \`${selection.changes.base.slice(0, 12)}\`.` : 'No package selected.'],
      failureMessage: guard.check ? `run-quality: ${guard.check.findings[0]!.message}` : undefined
    }
  }

  // Type checkers and pylint follow imports: tests import pytest, so an isolated venv that
  // checks tests carries it too (in project mode the project's own environment has it).
  const checksTests = runs.some((r) => r.targets.some((t) => /(^|\/)tests?(\/|$)/.test(t)) || r.packages.some((id) => ws.get(id)?.testsDir))
  const wantsPytest = checksTests && tools.some((t) => t.name === 'mypy' || t.name === 'pylint')
  const pinned = pinToolVersions(io, ws, [...tools.map((t) => t.requirement), ...(wantsPytest ? [PYTEST_FOR_IMPORTS] : [])], inputs.toolVersions)
  const requirements = pinned.slice(0, tools.length)
  const extras = pinned.slice(tools.length)
  // The tools that import the project (mypy, pylint; every tool under install: project) run
  // in the project's own environment (environments/); the others keep the toolbox below.
  const inProject = (t: QualityTool): boolean => common.install === 'project' || (common.install === 'auto' && FOLLOW_IMPORTS.includes(t.name))
  const project = tools.some(inProject)
    ? await projectEnvironmentFor(ctx, ws, selection.packages, { rootCode: includeRootTests && fs.existsSync(rootTests), tools: [...requirements.filter((_, i) => inProject(tools[i]!)), ...extras], passEnv: inputs.passEnv })
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

  const sections: string[] = []
  if (inputs.fix) {
    const dirs = [...new Set(runs.flatMap((r) => r.targets.map((t) => path.resolve(r.cwd, t))))]
    const before = hashFiles(dirs)
    // Fixers rewrite files, so they run one at a time, isort before black as black's profile expects.
    const order = ['isort', 'ruff', 'black', 'ruff-format']
    const fixRuns = runs.filter((r) => r.tool.fixes).sort((a, b) => order.indexOf(a.tool.name) - order.indexOf(b.tool.name))
    for (const r of fixRuns) await execute(ctx, boxOf(r.tool), root, r, true, common.maxParallel, inputs.timeoutMs)
    const after = hashFiles(dirs)
    const changed = [...after].filter(([f, h]) => before.get(f) !== h).map(([f]) => toPosix(path.relative(root, f))).sort()
    sections.push(changed.length ? `### Files changed by fix\n\n${changed.map((f) => `- \`${f}\``).join('\n')}\n` : '### Files changed by fix\n\nNone.\n')
    io.info(changed.length ? `fix changed ${changed.length} file(s):\n${changed.join('\n')}` : 'fix changed no file.')
  }

  // Versions are known for pinned tools; otherwise ask each tool, alongside the runs.
  const versions = Promise.all(
    tools.map(async (t) => {
      const req = requirements.find((r) => r.requirement === t.requirement.requirement)!
      if (project && inProject(t)) return project.tools.get(distributionName(req))?.version
      const box = boxOf(t)
      if (box.mode === 'isolated') return req.version
      const exe = box.which(t.requirement.executable)
      return exe ? toolVersion(exe, box.env, ctx.exec) : undefined
    })
  )
  const versionSources = tools.map((t) => {
    const req = requirements.find((r) => r.requirement === t.requirement.requirement)
    return project && inProject(t) && req ? project.tools.get(distributionName(req))?.source : versionSource(boxOf(t).mode, req)
  })
  // Slowest first: the wall time is bounded by the longest tool, so it must not wait for a slot.
  const byCost = [...runs].sort((a, b) => COST.indexOf(a.tool.name) - COST.indexOf(b.tool.name))
  const share = Math.max(1, Math.floor(common.maxParallel / Math.min(runs.length, common.maxParallel)))
  const outcomes = await mapLimit(byCost, common.maxParallel, (r) => execute(ctx, boxOf(r.tool), root, r, false, share, inputs.timeoutMs))
  const toolVersions = await versions

  const checks: CheckResult[] = tools.map((tool, i) => {
    const mine = outcomes.filter((o) => o.run.tool === tool)
    if (mine.length === 0) return { tool: tool.name, toolVersion: toolVersions[i], toolVersionSource: versionSources[i], status: 'skipped', durationMs: 0, findings: [], message: 'every target was set aside by the file screen' }
    const findings = attributePackages(withRealFiles(mine.flatMap((o) => o.findings), root), ws.packages)
    const errors = mine.filter((o) => o.error).map((o) => o.error!)
    const threshold: Severity | 'never' = inputs.failOn === 'never' ? 'error' : inputs.failOn
    return {
      tool: tool.name,
      toolVersion: toolVersions[i],
      toolVersionSource: versionSources[i],
      status: errors.length ? 'error' : findings.some((f) => reachesThreshold(f.severity, threshold)) ? 'failed' : 'passed',
      durationMs: Math.max(0, ...mine.map((o) => o.durationMs)),
      findings,
      message: errors.length ? errors.join('\n\n') : mine.some((o) => o.note) ? mine.flatMap((o) => o.note ?? []).join('\n') : undefined,
      command: mine.map((o) => o.command).join('\n')
    }
  })
  if (screen) checks.unshift(screen)
  sections.push(matrixSection(checks, outcomes))
  if (project) sections.push(environmentsSection([project]))
  if (guard.check) checks.unshift(guard.check)

  const errored = checks.filter((c) => c.status === 'error')
  const blocking = checks.flatMap((c) => c.findings).filter((f) => reachesThreshold(f.severity, inputs.failOn))
  // A refused folder fails the run whatever fail-on says: it was not checked.
  const passed = errored.length === 0 && blocking.length === 0 && guard.check === undefined
  return {
    passed,
    packages: packageIds,
    checks,
    sarif: true,
    sections,
    data: {
      environments: project ? environmentsData([project]) : undefined,
      timing: {
        processStart: Math.round(performance.timeOrigin),
        firstToolStart: outcomes.length ? Math.min(...outcomes.map((o) => o.startedAt)) : undefined,
        lastToolEnd: outcomes.length ? Math.max(...outcomes.map((o) => o.endedAt)) : undefined
      }
    },
    failureMessage: passed
      ? undefined
      : guard.check && !errored.some((c) => c !== guard.check) && blocking.every((f) => f.tool === 'symlinks')
        ? `run-quality: ${guard.check.findings[0]!.message}${guard.check.findings.length > 1 ? ` (and ${guard.check.findings.length - 1} more symlink(s); see the step summary)` : ''}`
        : errored.length
        ? `run-quality: ${errored.map((c) => c.tool).join(', ')} failed to run: ${errored[0]!.message!.split('\n')[0]}`
        : `run-quality found ${blocking.length} problem(s) at or above '${inputs.failOn}': ${[...new Set(blocking.map((f) => f.tool))].join(', ')}. See the annotations and the step summary.`
  }
}

export const runQualityAction: ActionDefinition<QualityInputs> = {
  name: 'run-quality',
  title: 'Code quality',
  parseInputs: (reader, common) => parseQualityInputs(reader, common),
  run: runQuality
}
