/**
 * build-packages: every selected package built (sdist + wheel) with its own backend,
 * every artifact verified, then all wheels test-installed together into one fresh venv
 * and every top-level module imported.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import { nestedPackageDirs } from '../../packages-shared/build-leftovers.js'
import { tail } from '../../packages-shared/exec.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { findExecutable } from '../../packages-shared/paths.js'
import { findPython, toolEnv, toolVersion, type Interpreter, type Toolbox, type ToolRequirement } from '../../packages-shared/python.js'
import { toolboxFor } from '../../packages-shared/environments/for-tools.js'
import { requiresPythonProblem } from '../../packages-shared/requires-python.js'
import { pinToolVersions } from '../../packages-shared/tool-pins.js'
import { TWINE } from '../../packages-shared/tools/twine.js'
import { hasPythonSources, type PythonPackage } from '../../packages-shared/workspace.js'
import { BUILD_TOOL, POETRY_TOOL, buildOne, frontendFor, runInDependencyOrder, sourceDateEpoch, type Frontend, type FrontendTools } from './build.js'
import { builtVersion, pyprojectOf, type BuiltPackage } from './built.js'
import { readSdist, readWheel, wheelTopLevelModules } from './dists.js'
import { parseBuildInputs, type BuildInputs } from './inputs.js'
import { packagesSection } from './summary.js'
import { createTestVenv, importModules, installWheels, runSmoke, unbuiltForTestInstall } from './test-install.js'
import { verifyWheelModules, verifySdistContents } from './verify-contents.js'
import { verifyDependencies } from './verify-dependencies.js'
import { verifyMetadata } from './verify-metadata.js'
import { twineCheck } from './verify-twine.js'
import { verifyExpectedVersion, verifyInternalPins } from './verify-versions.js'
import { indexVersions } from './package-index.js'
import { DEFAULT_INDEX } from './inputs.js'
import { describeLink, guardPackages } from '../../packages-shared/links.js'
import { clearDistRecord, recordDists } from './dist-record.js'
import { errorLines, failureReason } from '../../packages-shared/install-output.js'

export interface DistInfo {
  package: string
  name: string
  version: string
  path: string
  wheel: string
  sdist: string
  sha256: { wheel: string; sdist: string }
  size: { wheel: number; sdist: number }
}

function check(tool: string, findings: Finding[], extra: Partial<CheckResult> = {}): CheckResult {
  const status = findings.some((f) => f.severity === 'error') ? 'failed' : 'passed'
  return { tool, status, durationMs: 0, findings, ...extra }
}

function skipped(tool: string, message: string): CheckResult {
  return { tool, status: 'skipped', durationMs: 0, findings: [], message }
}

function matrixOf(packages: readonly PythonPackage[], built: ReadonlyMap<string, BuiltPackage>): string {
  const include = packages.map((p) => {
    const b = built.get(p.id)
    return { package: p.id, name: p.name, path: p.relDir, version: (b && builtVersion(b)) ?? p.version ?? '' }
  })
  return JSON.stringify({ include })
}

async function provision(ctx: ActionContext, inputs: BuildInputs, frontends: Set<Frontend>): Promise<{ box?: Toolbox; python: Interpreter; pinned: ToolRequirement[] }> {
  const tools: ToolRequirement[] = []
  if (inputs.twineCheck) tools.push(TWINE)
  if (frontends.has('build')) tools.push(BUILD_TOOL)
  if (frontends.has('poetry')) tools.push(POETRY_TOOL)
  if (tools.length === 0) return { python: await findPython(ctx.common.python, ctx.io.env, ctx.exec), pinned: [] }
  const pinned = pinToolVersions(ctx.io, ctx.workspace(), tools, inputs.toolVersions)
  const ws = ctx.workspace()
  const box = await toolboxFor(ctx, ws, ws.packages, pinned)
  return { box, python: box.python, pinned }
}

export async function buildPackages(ctx: ActionContext, inputs: BuildInputs): Promise<ActionResult> {
  const { io, common } = ctx
  const ws = ctx.workspace()
  const selection = await ctx.selection()
  const selected = selection.packages
  const baseOutputs = { 'dist-dir': inputs.distDir }
  // Checked (and created, stamped) before anything is built or deleted: see output-dirs.ts.
  const outputs = await ctx.outputs()
  outputs.claimAll([
    { origin: { input: 'dist-dir', value: inputs.distDirRaw || inputs.distDir }, dir: inputs.distDir, kind: 'clear' },
    ...(inputs.dependenciesDir ? [{ origin: { input: 'dependencies-dir', value: inputs.dependenciesDirRaw }, dir: inputs.dependenciesDir, kind: 'clear' as const }] : [])
  ])
  if (inputs.tagNote) io.notice(inputs.tagNote)
  // The previous build's record goes first: a run that stops half-way must not leave it behind.
  clearDistRecord(ctx.tempDir)

  if (selected.length === 0) {
    io.info('Nothing to build: no package is selected.')
    return {
      passed: true,
      packages: [],
      checks: [skipped('build', 'no package selected')],
      outputs: { ...baseOutputs, dists: '[]', matrix: JSON.stringify({ include: [] }), 'has-packages': 'false' },
      sections: [selection.changes ? `No package changed since \`${selection.changes.base.slice(0, 12)}\`; nothing to build.` : 'No package selected; nothing to build.'],
      data: { dists: [], matrix: { include: [] } }
    }
  }

  // Dependencies outside the selection are built too (into scratch, not published): the
  // test install must take the repository's packages from wheels, never from an index.
  const selectedIds = new Set(selected.map((p) => p.id))
  const closure = new Set([...selectedIds, ...(inputs.testInstall ? ws.graph.dependenciesOf(selectedIds) : [])])
  const toBuild = ws.packages.filter((p) => closure.has(p.id))

  // A backend packs the file a symlink points at: a package holding a link out of the
  // repository (or a dangling one) is refused before anything is built (links.ts).
  const guard = guardPackages(ws.root, toBuild, 'built')
  // A package without any Python source would build (setuptools makes an empty wheel) and be
  // published as nothing: an error before building. Non-Python backends (maturin) are exempt.
  const sourceless = toBuild.filter((p) => p.backend !== 'other' && !hasPythonSources(p))

  const uv = findExecutable('uv', { pathValue: io.env.PATH })
  if (inputs.backend === 'uv' && !uv) {
    throw new UserError("Input 'backend' is 'uv', but uv is not on PATH. Install it first (astral-sh/setup-uv), or use backend: auto or build.")
  }
  const frontends = new Map(toBuild.map((p) => [p.id, frontendFor(p, inputs.backend, uv !== undefined)]))
  const { box, python, pinned } = await provision(ctx, inputs, new Set(frontends.values()))
  const epoch = await sourceDateEpoch(ws.root, io.env)
  if (epoch.source === 'fixed') io.notice(`${ws.root} is not a git checkout: SOURCE_DATE_EPOCH is the fixed ${epoch.epoch} (1980-01-01).`)
  const buildEnv = { ...toolEnv(io.env, ctx.cacheRoot, undefined, process.platform, 'install'), SOURCE_DATE_EPOCH: epoch.epoch }
  const tools: FrontendTools = {
    uv,
    python: python.path,
    buildPython: box?.which(BUILD_TOOL.executable) ? box.pythonPath : python.path,
    poetry: box?.which('poetry')
  }
  const uvVersion = uv ? await toolVersion(uv, buildEnv, ctx.exec) : undefined

  // The dist dir holds this run's dists only: an earlier run's (of a package not selected
  // now) would otherwise be taken for this run's by whatever publishes the directory.
  for (const p of ws.packages) {
    outputs.clearChild(inputs.distDir, p.id)
    if (inputs.dependenciesDir) outputs.clearChild(inputs.dependenciesDir, p.id)
  }
  fs.mkdirSync(ctx.tempDir, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(ctx.tempDir, 'dk-actions-build-'))
  const built = new Map<string, BuiltPackage>()
  const byId = new Map(toBuild.map((p) => [p.id, p]))
  const order = await runInDependencyOrder(
    toBuild.map((p) => p.id),
    (id) => ws.graph.depsOf(id),
    common.maxParallel,
    async (id) => {
      const pkg = byId.get(id)!
      const isSelected = selectedIds.has(id)
      const outDir = isSelected ? path.join(inputs.distDir, id) : path.join(inputs.dependenciesDir ?? path.join(scratch, 'support'), id)
      if (sourceless.includes(pkg)) {
        const error = `refused before building: ${pkg.relDir} has no Python source file (.py) outside its tests`
        built.set(id, { pkg, selected: isSelected, outDir, ok: false, command: '', durationMs: 0, log: '', error })
        return false
      }
      const links = guard.refused.get(id)
      if (links) {
        const error = `refused before building: ${describeLink(links[0]!)}${links.length > 1 ? ` (and ${links.length - 1} more)` : ''}`
        built.set(id, { pkg, selected: isSelected, outDir, ok: false, command: '', durationMs: 0, log: '', error })
        io.error(`${pkg.name} was not built: ${describeLink(links[0]!)}.`)
        return false
      }
      // The output folders and nested packages (built at the same time) are not this build's leftovers.
      const keep = [inputs.distDir, ...(inputs.dependenciesDir ? [inputs.dependenciesDir] : []), ...nestedPackageDirs(pkg.dir, ws.packages.map((p) => p.dir))]
      const outcome = await buildOne(frontends.get(id)!, tools, pkg, outDir, buildEnv, inputs.timeoutMs, keep)
      const b: BuiltPackage = { pkg, selected: isSelected, outDir, ok: outcome.ok, command: outcome.command, durationMs: outcome.durationMs, log: outcome.log, error: outcome.error }
      if (outcome.ok) {
        b.wheel = readWheel(outcome.wheel!)
        b.sdist = readSdist(outcome.sdist!)
      }
      built.set(id, b)
      await io.group(`build ${pkg.name}${isSelected ? '' : ' (dependency, for the test install)'}: ${outcome.ok ? 'ok' : 'failed'} (${outcome.durationMs} ms)`, async () => {
        io.info(`$ ${outcome.command}`)
        if (outcome.log) io.toolOutput(outcome.log)
      })
      return outcome.ok
    }
  )
  for (const [id, r] of order) {
    if (r.skipped) {
      const pkg = byId.get(id)!
      built.set(id, { pkg, selected: selectedIds.has(id), outDir: '', ok: false, skipped: r.skipped, command: '', durationMs: 0, log: '' })
    }
  }

  const checks: CheckResult[] = guard.check ? [guard.check] : []
  if (sourceless.length > 0) {
    checks.push(check('sources', sourceless.map((p): Finding => ({
      tool: 'sources',
      package: p.id,
      file: pyprojectOf(p),
      severity: 'error',
      message: `${p.name} (${p.relDir}) has no Python source file outside its tests, so its wheel would hold no code: add the package's modules, or remove ${pyprojectOf(p)} if the folder is not a package.`
    }))))
  }
  const frontendLabel = (f: Frontend): string => (f === 'uv' ? `uv build${uvVersion ? ` (uv ${uvVersion})` : ''}` : f === 'poetry' ? 'poetry build' : 'python -m build')
  for (const pkg of toBuild) {
    const b = built.get(pkg.id)!
    if (!b.selected && b.ok) continue
    const findings: Finding[] = b.ok
      ? []
      : [{
          tool: 'build',
          package: pkg.id,
          file: pyprojectOf(pkg),
          severity: 'error',
          message: b.skipped
            ? `${pkg.name} was not built: its dependency ${b.skipped} failed to build.`
            : `${pkg.name} did not build${b.selected ? '' : ' (needed for the test install)'}: ${(b.error ?? '').split('\n')[0]}`,
          detail: b.skipped ? undefined : tail(b.log, 40)
        }]
    checks.push({
      tool: 'build',
      toolVersion: frontendLabel(frontends.get(pkg.id)!),
      package: pkg.id,
      status: b.ok ? 'passed' : 'failed',
      durationMs: b.durationMs,
      findings,
      command: b.command || undefined,
      message: b.ok ? undefined : b.error ?? (b.skipped ? `dependency ${b.skipped} failed` : undefined)
    })
  }

  // Verification of every selected artifact. Each check runs whatever the others found, and
  // so does the test install below: one pass reports every problem.
  const mine = toBuild.map((p) => built.get(p.id)!).filter((b) => b.selected && b.ok)
  const internalIds = new Set(ws.packages.map((p) => p.id))
  const metadataFindings = mine.flatMap((b) => verifyMetadata(b, inputs.strictMetadata))
  const lenient = !inputs.strictMetadata && metadataFindings.some((f) => f.severity === 'warning')
  checks.push(check('metadata', metadataFindings, lenient ? { message: 'strict-metadata is false: metadata warnings do not fail the step' } : {}))
  if (inputs.twineCheck && box) {
    checks.push(mine.length ? await twineCheck(ctx.exec, box, mine, ws.root, inputs.timeoutMs, inputs.strictMetadata, pinned.find((t) => t.executable === TWINE.executable)) : skipped('twine', 'nothing built'))
  } else {
    checks.push(skipped('twine', 'twine-check is false'))
  }
  checks.push(check('wheel-contents', mine.flatMap((b) => verifyWheelModules(b, ws))))
  checks.push(check('sdist-contents', mine.flatMap((b) => verifySdistContents(b, ws))))
  checks.push(check('dependencies', mine.flatMap((b) => verifyDependencies(b, internalIds))))
  const versionFindings: Finding[] = inputs.expected ? mine.flatMap((b) => verifyExpectedVersion(b, inputs.expected!)) : []
  const repoVersions = new Map(
    ws.packages.map((p) => {
      const b = built.get(p.id)
      return [p.id, { name: p.name, version: (b?.ok && b.selected && builtVersion(b)) || p.version, building: Boolean(b?.ok && b.selected) }]
    })
  )
  const pins = await verifyInternalPins(mine, repoVersions, inputs.indexUrl, (name) => indexVersions(ctx.http, inputs.indexUrl, name))
  for (const u of pins.unreachable) io.warning(`The package index could not be reached, so pins were not checked against it: ${u}`)
  versionFindings.push(...pins.findings)
  checks.push(check('versions', versionFindings, { message: inputs.expected ? `expected ${inputs.expected.version} (from ${inputs.expected.source})` : undefined }))

  // Only a package that did not build stops the test install: without its wheel, the
  // others' dependency on it would come from an index. Verification findings do not: the
  // venv is scratch, and whether the wheels install and import is worth knowing with them.
  const unbuilt = unbuiltForTestInstall(toBuild.map((p) => built.get(p.id)!))
  const pythonProblem = requiresPythonProblem({ command: ctx.common.python, version: python.version }, toBuild)
  const importResults: { module: string; package: string; ok: boolean; file?: string | null }[] = []
  if (!inputs.testInstall) {
    checks.push(skipped('test-install', 'test-install is false'))
  } else if (unbuilt) {
    checks.push(skipped('test-install', `not every package the test install needs was built: ${unbuilt}`))
  } else if (pythonProblem) {
    // The resolver would refuse the wheels deep in its output; the reason is one line.
    checks.push({ tool: 'test-install', status: 'failed', durationMs: 0, findings: [{ tool: 'test-install', severity: 'error', message: pythonProblem }], message: pythonProblem })
  } else {
    const created = await createTestVenv(io.env, ctx.cacheRoot, scratch, python.path, inputs.timeoutMs)
    const wheels = toBuild.map((p) => built.get(p.id)!.wheel!.path)
    const install = created.venv
      ? await installWheels(created.venv, wheels, inputs.indexUrl === DEFAULT_INDEX ? undefined : inputs.indexUrl)
      : created.step
    await io.group(`test install of ${wheels.length} wheel(s): ${install.ok ? 'ok' : 'failed'}`, async () => {
      io.info(`$ ${install.command}`)
      if (install.output) io.toolOutput(install.output)
    })
    checks.push({
      tool: 'test-install',
      status: install.ok ? 'passed' : 'failed',
      durationMs: created.step.durationMs + (created.venv ? install.durationMs : 0),
      command: install.command,
      findings: install.ok ? [] : [{ tool: 'test-install', severity: 'error', message: `Installing the built wheels together failed: ${failureReason(errorLines(install.output)) || 'see the log'}`, detail: install.output }]
    })
    if (install.ok && created.venv) {
      const modules: { module: string; package: string }[] = []
      for (const b of mine) {
        const top = wheelTopLevelModules(b.wheel!.files)
        for (const m of top.length ? top : b.pkg.modules) modules.push({ module: m, package: b.pkg.id })
      }
      const imported = await importModules(created.venv, modules.map((m) => m.module))
      const findings: Finding[] = []
      for (const m of modules) {
        const r = imported.results?.find((x) => x.module === m.module)
        importResults.push({ ...m, ok: Boolean(r?.ok), file: r?.file })
        if (r && !r.ok) {
          const last = (r.error ?? '').trim().split('\n').slice(-1)[0]
          findings.push({ tool: 'import', package: m.package, file: pyprojectOf(byId.get(m.package)!), severity: 'error', message: `import ${m.module} failed in the test venv: ${last}`, detail: r.error })
        }
      }
      checks.push({
        tool: 'import',
        status: imported.results ? (findings.length ? 'failed' : 'passed') : 'error',
        durationMs: imported.step.durationMs,
        command: imported.step.command,
        findings,
        message: imported.results ? `${modules.length} module(s): ${modules.map((m) => m.module).join(', ')}` : `the import check did not report:\n${imported.step.output}`
      })
      if (inputs.smoke) {
        const smoke = await runSmoke(created.venv, inputs.smoke)
        await io.group(`smoke: ${smoke.ok ? 'ok' : 'failed'}`, async () => io.toolOutput(smoke.output))
        checks.push({
          tool: 'smoke',
          status: smoke.ok ? 'passed' : 'failed',
          durationMs: smoke.durationMs,
          command: smoke.command,
          message: smoke.output || undefined,
          findings: smoke.ok ? [] : [{ tool: 'smoke', severity: 'error', message: `The smoke test failed: ${smoke.output.split('\n').filter(Boolean).slice(-1)[0] ?? ''}`, detail: smoke.output }]
        })
      }
    }
  }
  if (!io.isDebug()) fs.rmSync(scratch, { recursive: true, force: true })

  const dists: DistInfo[] = mine.map((b) => ({
    package: b.pkg.id,
    name: b.pkg.name,
    version: builtVersion(b) ?? '',
    path: b.pkg.relDir,
    wheel: b.wheel!.path,
    sdist: b.sdist!.path,
    sha256: { wheel: b.wheel!.sha256, sdist: b.sdist!.sha256 },
    size: { wheel: b.wheel!.size, sdist: b.sdist!.size }
  }))
  const failed = checks.filter((c) => c.status === 'failed' || c.status === 'error')
  const passed = failed.length === 0
  const firstError = failed.flatMap((c) => c.findings).find((f) => f.severity === 'error')
  const matrix = matrixOf(selected, built)
  const record = await recordDists(ctx, ctx.tempDir, ws.root, inputs.distDir, dists, passed)
  return {
    passed,
    packages: selected.map((p) => p.id),
    checks,
    outputs: { ...baseOutputs, dists: JSON.stringify(dists), matrix, 'has-packages': 'true' },
    sections: [packagesSection(selected, built, checks)],
    data: {
      dists,
      matrix: JSON.parse(matrix) as unknown,
      distDir: inputs.distDir,
      record,
      sourceDateEpoch: epoch,
      imports: importResults,
      supportBuilds: toBuild.filter((p) => !selectedIds.has(p.id)).map((p) => p.id),
      indexQueries: pins.queried
    },
    artifactFiles: [{ files: dists.flatMap((d) => [d.wheel, d.sdist]), root: inputs.distDir }],
    failureMessage: passed
      ? undefined
      : `build-packages failed: ${failed.map((c) => `${c.tool}${c.package ? ` (${c.package})` : ''}`).join(', ')}${firstError ? `. First problem: ${firstError.message}` : ''}`
  }
}

export const buildPackagesAction: ActionDefinition<BuildInputs> = {
  name: 'build-packages',
  title: 'Build packages',
  secretInputs: [{ name: 'index-url', kind: 'urls' }],
  parseInputs: (reader, common, io) => parseBuildInputs(reader, common, io),
  run: buildPackages
}
