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
import { applyPins, provisionTools, toolVersion, type Toolbox } from '../../packages-shared/python.js'
import { table } from '../../packages-shared/report/markdown.js'
import { toPosix } from '../../packages-shared/paths.js'
import { attributePackages, type QualityTool } from '../../packages-shared/tools/tool.js'
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
  const inv = { root, cwd: run.cwd, targets: run.targets, executable: exe, fix, jobs }
  const argv = run.tool.argv(inv)
  const startedAt = Date.now()
  const result = await runCommand({ argv, cwd: run.cwd, env: box.env, timeoutMs })
  const endedAt = Date.now()
  const where = toPosix(path.relative(root, run.cwd)) || '.'
  const notes = processNotes(`${run.tool.name} (in ${where})`, result)
  // A stopped tool's partial output is no verdict: the check is an error, never a pass.
  const parsed = notes.timeout ? { findings: [], error: notes.timeout } : run.tool.parse(result, inv)
  if (notes.orphans) ctx.io.warning(notes.orphans)
  await ctx.io.group(`${run.tool.name} in ${where}: ${parsed.error ? 'error' : `${parsed.findings.length} finding(s)`} (${result.durationMs} ms)`, async () => {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    if (result.stdout.trim()) ctx.io.info(result.stdout.trimEnd())
    if (result.stderr.trim()) ctx.io.info(result.stderr.trimEnd())
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
  const rows = checks.map((c) => [
    c.tool,
    ...cols.map((col) => {
      if (c.status === 'error') return 'error'
      const n = c.findings.filter((f) => (f.package ?? 'other') === col).length
      return n === 0 ? '✓' : String(n)
    })
  ])
  return `### Findings by tool and package\n\n${table(['tool', ...cols], rows)}`
}

export async function runQuality(ctx: ActionContext, inputs: QualityInputs): Promise<ActionResult> {
  const { io, common } = ctx
  const ws = ctx.workspace()
  const selection = await ctx.selection()
  const root = ws.root
  const tools = inputs.checks.map((c) => QUALITY_TOOLS[c])
  const includeRootTests = common.packages.mode !== 'changed' || selection.packages.length > 0
  const runs = planRuns(root, tools, selection.packages, inputs.paths, includeRootTests)
  const packageIds = selection.packages.map((p) => p.id)

  if (runs.length === 0) {
    io.info('Nothing to check: no package is selected.')
    return {
      passed: true,
      packages: packageIds,
      checks: tools.map((t) => ({ tool: t.name, status: 'skipped', durationMs: 0, findings: [], message: 'no package selected' })),
      sarif: true,
      sections: [selection.changes ? `No package changed since \`${selection.changes.base.slice(0, 12)}\`.` : 'No package selected.']
    }
  }

  const requirements = applyPins(tools.map((t) => t.requirement), inputs.toolVersions)
  // Type checkers and pylint follow imports: tests import pytest, so an isolated venv that
  // checks tests carries it too (in project mode the project's own environment has it).
  const checksTests = runs.some((r) => r.targets.some((t) => /(^|\/)tests?(\/|$)/.test(t)) || r.packages.some((id) => ws.get(id)?.testsDir))
  const extras = checksTests && tools.some((t) => t.name === 'mypy' || t.name === 'pylint')
    ? applyPins([{ requirement: 'pytest', version: '9.2.0', executable: 'pytest' }], inputs.toolVersions)
    : []
  const box = await provisionTools(io, {
    mode: common.install,
    pythonCommand: common.python,
    tools: [...requirements, ...extras],
    cacheRoot: ctx.cacheRoot,
    workspace: ws,
    passEnv: inputs.passEnv
  })
  // black keeps its cache in the user's home by default; keep it with ours.
  box.env.BLACK_CACHE_DIR = box.env.BLACK_CACHE_DIR || path.join(ctx.cacheRoot, 'black')

  const sections: string[] = []
  if (inputs.fix) {
    const dirs = [...new Set(runs.flatMap((r) => r.targets.map((t) => path.resolve(r.cwd, t))))]
    const before = hashFiles(dirs)
    // Fixers rewrite files, so they run one at a time, isort before black as black's profile expects.
    const order = ['isort', 'ruff', 'black', 'ruff-format']
    const fixRuns = runs.filter((r) => r.tool.fixes).sort((a, b) => order.indexOf(a.tool.name) - order.indexOf(b.tool.name))
    for (const r of fixRuns) await execute(ctx, box, root, r, true, common.maxParallel, inputs.timeoutMs)
    const after = hashFiles(dirs)
    const changed = [...after].filter(([f, h]) => before.get(f) !== h).map(([f]) => toPosix(path.relative(root, f))).sort()
    sections.push(changed.length ? `### Files changed by fix\n\n${changed.map((f) => `- \`${f}\``).join('\n')}\n` : '### Files changed by fix\n\nNone.\n')
    io.info(changed.length ? `fix changed ${changed.length} file(s):\n${changed.join('\n')}` : 'fix changed no file.')
  }

  // Versions are known for pinned tools; otherwise ask each tool, alongside the runs.
  const versions = Promise.all(
    tools.map(async (t) => {
      const req = requirements.find((r) => r.requirement === t.requirement.requirement)!
      if (box.mode === 'isolated') return req.version
      const exe = box.which(t.requirement.executable)
      return exe ? toolVersion(exe, box.env) : undefined
    })
  )
  // Slowest first: the wall time is bounded by the longest tool, so it must not wait for a slot.
  const byCost = [...runs].sort((a, b) => COST.indexOf(a.tool.name) - COST.indexOf(b.tool.name))
  const share = Math.max(1, Math.floor(common.maxParallel / Math.min(runs.length, common.maxParallel)))
  const outcomes = await mapLimit(byCost, common.maxParallel, (r) => execute(ctx, box, root, r, false, share, inputs.timeoutMs))
  const toolVersions = await versions

  const checks: CheckResult[] = tools.map((tool, i) => {
    const mine = outcomes.filter((o) => o.run.tool === tool)
    const findings = attributePackages(mine.flatMap((o) => o.findings), ws.packages)
    const errors = mine.filter((o) => o.error).map((o) => o.error!)
    const threshold: Severity | 'never' = inputs.failOn === 'never' ? 'error' : inputs.failOn
    return {
      tool: tool.name,
      toolVersion: toolVersions[i],
      status: errors.length ? 'error' : findings.some((f) => reachesThreshold(f.severity, threshold)) ? 'failed' : 'passed',
      durationMs: Math.max(0, ...mine.map((o) => o.durationMs)),
      findings,
      message: errors.length ? errors.join('\n\n') : mine.some((o) => o.note) ? mine.flatMap((o) => o.note ?? []).join('\n') : undefined,
      command: mine.map((o) => o.command).join('\n')
    }
  })
  sections.push(matrixSection(checks, outcomes))

  const errored = checks.filter((c) => c.status === 'error')
  const blocking = checks.flatMap((c) => c.findings).filter((f) => reachesThreshold(f.severity, inputs.failOn))
  const passed = errored.length === 0 && blocking.length === 0
  return {
    passed,
    packages: packageIds,
    checks,
    sarif: true,
    sections,
    data: {
      timing: {
        processStart: Math.round(performance.timeOrigin),
        firstToolStart: Math.min(...outcomes.map((o) => o.startedAt)),
        lastToolEnd: Math.max(...outcomes.map((o) => o.endedAt))
      }
    },
    failureMessage: passed
      ? undefined
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
