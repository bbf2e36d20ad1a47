/**
 * build-packages' runs, every process through the context's exec: the tools provisioned,
 * every package built in dependency order, the checks that start a tool (twine) or ask the
 * index (pins), and the test install. Each returns what happened; checks.ts judges it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { toolboxFor } from '../../packages-shared/python/project-env/for-tools.js'
import { describeLink, guardPackages, type LinkGuard } from '../../packages-shared/links.js'
import type { OutputDirs } from '../../packages-shared/output-dirs.js'
import { findPython, toolVersion, type Interpreter } from '../../packages-shared/python/interpreter.js'
import { interpreterMarkers, toolEnv, type Toolbox, type ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { requiresPythonProblem } from '../../packages-shared/requires-python.js'
import { pinToolVersions } from '../../packages-shared/tool-pins.js'
import { TWINE } from '../../packages-shared/tools/twine.js'
import { hasPythonSources, type PythonPackage, type Workspace } from '../../packages-shared/workspace.js'
import { BUILD_TOOL, buildOne, runInDependencyOrder, sourceDateEpoch, type EpochSource, type FrontendTools } from './build.js'
import type { BuiltPackage } from './built.js'
import { readSdist, readWheel } from './dists.js'
import { DEFAULT_INDEX, type BuildInputs } from './inputs.js'
import { keptDirs, modulesToImport, outDirOf, repoVersions, type BuildPlan } from './plan.js'
import {
  createTestVenv,
  importModules,
  installWheels,
  runSmoke,
  unbuiltForTestInstall,
  type ImportResult,
  type StepOutcome,
  type TestVenv
} from './test-install.js'
import { twineCheck } from './verify-twine.js'
import { verifyInternalPins, type PinCheck } from './verify-versions.js'
import { indexVersions } from './package-index.js'

/** Packages refused before anything is built. */
export interface Refusals {
  guard: LinkGuard
  sourceless: PythonPackage[]
}

export function refusals(ws: Pick<Workspace, 'root'>, toBuild: readonly PythonPackage[]): Refusals {
  return {
    // A backend packs the file a symlink points at: a package holding a link out of the
    // repository (or a dangling one) is refused before anything is built (links.ts).
    guard: guardPackages(ws.root, toBuild, 'built'),
    // A package without any Python source would build (setuptools makes an empty wheel) and be
    // published as nothing: an error before building. Non-Python backends (maturin) are exempt.
    sourceless: toBuild.filter((p) => p.backend !== 'other' && !hasPythonSources(p))
  }
}

export interface Provisioned {
  box?: Toolbox
  python: Interpreter
  pinned: ToolRequirement[]
}

export async function provision(ctx: ActionContext, inputs: BuildInputs, plan: Pick<BuildPlan, 'tools'>): Promise<Provisioned> {
  if (plan.tools.length === 0) return { python: await findPython(ctx.common.python, ctx.io.env, ctx.exec), pinned: [] }
  const ws = ctx.workspace()
  const pinned = await pinToolVersions(ctx.io, ws, plan.tools, inputs.toolVersions, interpreterMarkers(ctx))
  const box = await toolboxFor(ctx, ws, ws.packages, pinned)
  return { box, python: box.python, pinned }
}

export interface BuildSetup {
  epoch: EpochSource
  env: Record<string, string | undefined>
  tools: FrontendTools
  uvVersion?: string
}

export async function prepareBuild(ctx: ActionContext, prov: Provisioned, uv: string | undefined): Promise<BuildSetup> {
  const { io } = ctx
  const root = ctx.workspace().root
  const epoch = await sourceDateEpoch(ctx.exec, root, io.env)
  if (epoch.source === 'fixed') io.notice(`${root} is not a git checkout: SOURCE_DATE_EPOCH is the fixed ${epoch.epoch} (1980-01-01).`)
  const env = { ...toolEnv(io.env, ctx.cacheRoot, undefined, process.platform, 'install'), SOURCE_DATE_EPOCH: epoch.epoch }
  const { box, python } = prov
  const tools: FrontendTools = {
    uv,
    python: python.path,
    buildPython: box?.which(BUILD_TOOL.executable) ? box.pythonPath : python.path,
    poetry: box?.which('poetry')
  }
  return { epoch, env, tools, uvVersion: uv ? await toolVersion(uv, env, ctx.exec) : undefined }
}

/** Empties the output folders of every package's old dists; returns this run's scratch folder. */
export function prepareFolders(ctx: ActionContext, inputs: BuildInputs, outputs: OutputDirs): string {
  // The dist dir holds this run's dists only: an earlier run's (of a package not selected
  // now) would otherwise be taken for this run's by whatever publishes the directory.
  for (const p of ctx.workspace().packages) {
    outputs.clearChild(inputs.distDir, p.id)
    if (inputs.dependenciesDir) outputs.clearChild(inputs.dependenciesDir, p.id)
  }
  fs.mkdirSync(ctx.tempDir, { recursive: true })
  return fs.mkdtempSync(path.join(ctx.tempDir, 'dk-actions-build-'))
}

export function removeScratch(ctx: ActionContext, scratch: string): void {
  if (!ctx.io.isDebug()) fs.rmSync(scratch, { recursive: true, force: true })
}

/** Every package of the plan built, at most max-parallel at once, each once its dependencies have. */
export async function buildAll(
  ctx: ActionContext,
  inputs: BuildInputs,
  plan: BuildPlan,
  setup: BuildSetup,
  refused: Refusals,
  scratch: string
): Promise<Map<string, BuiltPackage>> {
  const { io } = ctx
  const ws = ctx.workspace()
  const built = new Map<string, BuiltPackage>()
  const order = await runInDependencyOrder(
    plan.toBuild.map((p) => p.id),
    (id) => ws.graph.depsOf(id),
    ctx.common.maxParallel,
    async (id) => {
      const pkg = plan.byId.get(id)!
      const isSelected = plan.selectedIds.has(id)
      const outDir = outDirOf(plan, inputs, id, scratch)
      if (refused.sourceless.includes(pkg)) {
        const error = `refused before building: ${pkg.relDir} has no Python source file (.py) outside its tests`
        built.set(id, { pkg, selected: isSelected, outDir, ok: false, command: '', durationMs: 0, log: '', error })
        return false
      }
      const links = refused.guard.refused.get(id)
      if (links) {
        const error = `refused before building: ${describeLink(links[0]!)}${links.length > 1 ? ` (and ${links.length - 1} more)` : ''}`
        built.set(id, { pkg, selected: isSelected, outDir, ok: false, command: '', durationMs: 0, log: '', error })
        io.error(`${pkg.name} was not built: ${describeLink(links[0]!)}.`)
        return false
      }
      const outcome = await buildOne(
        ctx.exec,
        plan.frontends.get(id)!,
        setup.tools,
        pkg,
        outDir,
        setup.env,
        inputs.timeoutMs,
        keptDirs(inputs, pkg, ws.packages)
      )
      const b: BuiltPackage = {
        pkg,
        selected: isSelected,
        outDir,
        ok: outcome.ok,
        command: outcome.command,
        durationMs: outcome.durationMs,
        log: outcome.log,
        error: outcome.error
      }
      if (outcome.ok) {
        b.wheel = readWheel(outcome.wheel!)
        b.sdist = readSdist(outcome.sdist!)
      }
      built.set(id, b)
      await io.group(
        `build ${pkg.name}${isSelected ? '' : ' (dependency, for the test install)'}: ${outcome.ok ? 'ok' : 'failed'} (${outcome.durationMs} ms)`,
        async () => {
          io.info(`$ ${outcome.command}`)
          if (outcome.log) io.toolOutput(outcome.log)
        }
      )
      return outcome.ok
    }
  )
  for (const [id, r] of order) {
    if (r.skipped)
      built.set(id, {
        pkg: plan.byId.get(id)!,
        selected: plan.selectedIds.has(id),
        outDir: '',
        ok: false,
        skipped: r.skipped,
        command: '',
        durationMs: 0,
        log: ''
      })
  }
  return built
}

export interface VerifyRuns {
  /** Absent when twine did not run (twine-check is false, or nothing built). */
  twine?: CheckResult
  pins: PinCheck
}

/** The verification that starts a tool or asks the index; the rest reads the dists (checks.ts). */
export async function verifyRuns(
  ctx: ActionContext,
  inputs: BuildInputs,
  built: ReadonlyMap<string, BuiltPackage>,
  mine: BuiltPackage[],
  prov: Provisioned
): Promise<VerifyRuns> {
  const ws = ctx.workspace()
  const { box, pinned } = prov
  const twine =
    inputs.twineCheck && box && mine.length
      ? await twineCheck(
          ctx.exec,
          box,
          mine,
          ws.root,
          inputs.timeoutMs,
          inputs.strictMetadata,
          pinned.find((t) => t.executable === TWINE.executable)
        )
      : undefined
  const pins = await verifyInternalPins(mine, repoVersions(ws, built), inputs.indexUrl, (name) =>
    indexVersions(ctx.http, inputs.indexUrl, name)
  )
  for (const u of pins.unreachable) ctx.io.warning(`The package index could not be reached, so pins were not checked against it: ${u}`)
  return { twine, pins }
}

export type TestInstallOutcome =
  | { ran: false; reason: 'off' | 'unbuilt' | 'python'; detail: string }
  | {
      ran: true
      created: { venv?: TestVenv; step: StepOutcome }
      install: StepOutcome
      /** Set when the install worked: the modules and what importing each gave. */
      imports?: { modules: { module: string; package: string }[]; step: StepOutcome; results?: ImportResult[] }
      smoke?: StepOutcome
    }

/**
 * All wheels (the selection's and the dependencies built for it) installed into one fresh
 * venv, every selected module imported there, then the smoke test.
 */
export async function testInstall(
  ctx: ActionContext,
  inputs: BuildInputs,
  plan: BuildPlan,
  built: ReadonlyMap<string, BuiltPackage>,
  mine: readonly BuiltPackage[],
  python: Interpreter,
  scratch: string
): Promise<TestInstallOutcome> {
  const { io, exec } = ctx
  if (!inputs.testInstall) return { ran: false, reason: 'off', detail: 'test-install is false' }
  // Only a package that did not build stops the test install: without its wheel, the
  // others' dependency on it would come from an index. Verification findings do not: the
  // venv is scratch, and whether the wheels install and import is worth knowing with them.
  const unbuilt = unbuiltForTestInstall(plan.toBuild.map((p) => built.get(p.id)!))
  if (unbuilt) return { ran: false, reason: 'unbuilt', detail: unbuilt }
  // The resolver would refuse the wheels deep in its output; the reason is one line.
  const pythonProblem = requiresPythonProblem({ command: ctx.common.python, version: python.version }, plan.toBuild)
  if (pythonProblem) return { ran: false, reason: 'python', detail: pythonProblem }
  const created = await createTestVenv(exec, io.env, ctx.cacheRoot, scratch, python.path, inputs.timeoutMs)
  const wheels = plan.toBuild.map((p) => built.get(p.id)!.wheel!.path)
  const install = created.venv
    ? await installWheels(exec, created.venv, wheels, inputs.indexUrl === DEFAULT_INDEX ? undefined : inputs.indexUrl)
    : created.step
  await io.group(`test install of ${wheels.length} wheel(s): ${install.ok ? 'ok' : 'failed'}`, async () => {
    io.info(`$ ${install.command}`)
    if (install.output) io.toolOutput(install.output)
  })
  if (!install.ok || !created.venv) return { ran: true, created, install }
  const modules = modulesToImport(mine)
  const imported = await importModules(
    exec,
    created.venv,
    modules.map((m) => m.module)
  )
  const imports = { modules, ...imported }
  if (!inputs.smoke) return { ran: true, created, install, imports }
  const smoke = await runSmoke(exec, created.venv, inputs.smoke)
  await io.group(`smoke: ${smoke.ok ? 'ok' : 'failed'}`, async () => io.toolOutput(smoke.output))
  return { ran: true, created, install, imports, smoke }
}
