/**
 * What build-packages builds, with which frontend, into which folder, with which tools,
 * and what the test install imports: pure, from the workspace, the selection and the inputs.
 */
import * as path from 'node:path'
import { nestedPackageDirs } from '../../packages-shared/build-leftovers.js'
import { UserError } from '../../packages-shared/errors.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { TWINE } from '../../packages-shared/tools/twine.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { BUILD_TOOL, POETRY_TOOL, frontendFor, type Frontend } from './build.js'
import { builtVersion, type BuiltPackage } from './built.js'
import { wheelTopLevelModules } from './dists.js'
import type { BuildInputs } from './inputs.js'

export interface BuildPlan {
  selectedIds: ReadonlySet<string>
  /** The selection and, for the test install, its dependencies; in the workspace's (dependency) order. */
  toBuild: PythonPackage[]
  byId: ReadonlyMap<string, PythonPackage>
  frontends: ReadonlyMap<string, Frontend>
  /** What to provision: twine when it checks, and the frontends other than uv that are used. */
  tools: ToolRequirement[]
}

/** `uv`: uv's path when it is on PATH. */
export function planBuild(
  ws: Pick<Workspace, 'packages' | 'graph'>,
  selected: readonly PythonPackage[],
  inputs: Pick<BuildInputs, 'backend' | 'testInstall' | 'twineCheck'>,
  uv: string | undefined
): BuildPlan {
  // Dependencies outside the selection are built too (into scratch, not published): the
  // test install must take the repository's packages from wheels, never from an index.
  const selectedIds = new Set(selected.map((p) => p.id))
  const closure = new Set([...selectedIds, ...(inputs.testInstall ? ws.graph.dependenciesOf(selectedIds) : [])])
  const toBuild = ws.packages.filter((p) => closure.has(p.id))
  if (inputs.backend === 'uv' && !uv) {
    throw new UserError(
      "Input 'backend' is 'uv', but uv is not on PATH. Install it first (astral-sh/setup-uv), or use backend: auto or build."
    )
  }
  const frontends = new Map(toBuild.map((p) => [p.id, frontendFor(p, inputs.backend, uv !== undefined)]))
  const used = new Set(frontends.values())
  const tools: ToolRequirement[] = []
  if (inputs.twineCheck) tools.push(TWINE)
  if (used.has('build')) tools.push(BUILD_TOOL)
  if (used.has('poetry')) tools.push(POETRY_TOOL)
  return { selectedIds, toBuild, byId: new Map(toBuild.map((p) => [p.id, p])), frontends, tools }
}

/** The folders the action clears and writes its dists into. */
export function outputClaims(
  inputs: Pick<BuildInputs, 'distDir' | 'distDirRaw' | 'dependenciesDir' | 'dependenciesDirRaw'>
): { origin: { input: string; value: string }; dir: string; kind: 'clear' }[] {
  return [
    { origin: { input: 'dist-dir', value: inputs.distDirRaw || inputs.distDir }, dir: inputs.distDir, kind: 'clear' },
    ...(inputs.dependenciesDir
      ? [{ origin: { input: 'dependencies-dir', value: inputs.dependenciesDirRaw }, dir: inputs.dependenciesDir, kind: 'clear' as const }]
      : [])
  ]
}

/** A selected package's dists go to dist-dir; a dependency's to dependencies-dir, else to scratch. */
export function outDirOf(
  plan: Pick<BuildPlan, 'selectedIds'>,
  inputs: Pick<BuildInputs, 'distDir' | 'dependenciesDir'>,
  id: string,
  scratch: string
): string {
  return plan.selectedIds.has(id) ? path.join(inputs.distDir, id) : path.join(inputs.dependenciesDir ?? path.join(scratch, 'support'), id)
}

/** The output folders and nested packages (built at the same time) are not this build's leftovers. */
export function keptDirs(
  inputs: Pick<BuildInputs, 'distDir' | 'dependenciesDir'>,
  pkg: PythonPackage,
  all: readonly PythonPackage[]
): string[] {
  return [
    inputs.distDir,
    ...(inputs.dependenciesDir ? [inputs.dependenciesDir] : []),
    ...nestedPackageDirs(
      pkg.dir,
      all.map((p) => p.dir)
    )
  ]
}

/** The selected packages that built, in build order: what is verified and published. */
export function selectedBuilt(plan: Pick<BuildPlan, 'toBuild'>, built: ReadonlyMap<string, BuiltPackage>): BuiltPackage[] {
  return plan.toBuild.map((p) => built.get(p.id)!).filter((b) => b.selected && b.ok)
}

/** The modules the test install imports: what each selected wheel installs, else what its sources hold. */
export function modulesToImport(mine: readonly BuiltPackage[]): { module: string; package: string }[] {
  const modules: { module: string; package: string }[] = []
  for (const b of mine) {
    const top = wheelTopLevelModules(b.wheel!.files)
    for (const m of top.length ? top : b.pkg.modules) modules.push({ module: m, package: b.pkg.id })
  }
  return modules
}

/** What the pins check compares against: each repository package's version, built now or declared. */
export function repoVersions(
  ws: Pick<Workspace, 'packages'>,
  built: ReadonlyMap<string, BuiltPackage>
): Map<string, { name: string; version?: string; building: boolean }> {
  return new Map(
    ws.packages.map((p) => {
      const b = built.get(p.id)
      return [
        p.id,
        { name: p.name, version: (b?.ok && b.selected && builtVersion(b)) || p.version, building: Boolean(b?.ok && b.selected) }
      ]
    })
  )
}
