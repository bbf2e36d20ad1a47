/**
 * What to check: explicit `name==version` entries (no repository needed), and/or
 * repository packages (all, changed, names or paths) at the `version` input or the
 * version in their pyproject.toml.
 */
import { readExactPin } from '../../packages-shared/pypa/exact-pin.js'
import type { ActionContext, PackageSpec } from '../../packages-shared/context.js'
import { applyShard, selectPackages } from '../../packages-shared/context.js'
import { UserError, errorMessage, isUserError } from '../../packages-shared/errors.js'

export interface Target {
  /** The distribution name as given or declared. */
  name: string
  /** PEP 503 normalised name. */
  id: string
  version: string
  /** Where the version came from, for the report. */
  source: 'packages' | 'version' | 'pyproject' | 'build-packages'
}

export interface TargetSpec {
  pinned: Target[]
  /** Repository packages to check, when any: all, changed, or names/paths. */
  repository?: PackageSpec
}

/** Splits the `packages` input into pinned entries and a repository selection. */
export function parseTargetSpec(spec: PackageSpec): TargetSpec {
  if (spec.mode !== 'list') return { pinned: [], repository: spec }
  const pinned: Target[] = []
  const names: string[] = []
  for (const item of spec.items) {
    if (item.includes('=') || /[<>~!]/.test(item)) {
      const pin = readExactPin(item)
      if (!pin) {
        throw new UserError(
          `Input 'packages' has an invalid entry ${JSON.stringify(item)}: expected name==version (e.g. dataknobs-common==1.2.3), ` +
            'a package name or path of this repository, all, or changed.'
        )
      }
      pinned.push({ ...pin, source: 'packages' })
    } else {
      names.push(item)
    }
  }
  const seen = new Set<string>()
  for (const t of pinned) {
    if (seen.has(t.id)) throw new UserError(`Input 'packages' names ${t.name} twice; give each distribution one version.`)
    seen.add(t.id)
  }
  return { pinned, repository: names.length ? { mode: 'list', items: names } : undefined }
}

/**
 * The targets to install. The workspace is read only when the spec selects repository
 * packages, so explicit name==version entries work without any checkout.
 */
export async function resolveTargets(
  ctx: ActionContext,
  spec: TargetSpec,
  version: string,
  built: ReadonlyMap<string, string> = new Map()
): Promise<Target[]> {
  const targets = [...spec.pinned]
  if (!spec.repository) return targets
  let ws
  try {
    ws = ctx.workspace()
  } catch (error) {
    const why = isUserError(error) ? error.message : errorMessage(error)
    throw new UserError(
      `health-check found no Python packages to check in ${ctx.common.workingDirectory} (${why}). ` +
        "Give explicit name==version entries in 'packages' to check released versions without a checkout."
    )
  }
  const selection = applyShard(await selectPackages(ws, spec.repository, ctx.common.baseRef, ctx.exec), ctx.common.shard)
  for (const pkg of selection.packages) {
    if (targets.some((t) => t.id === pkg.id)) continue
    // The version build-packages built in this job (a dynamic version, a tag's) before pyproject's.
    const fromBuild = version ? undefined : built.get(pkg.id)
    const v = version || fromBuild || pkg.version
    if (!v) {
      throw new UserError(
        `${pkg.name} (${pkg.relDir}) declares no static version in pyproject.toml (it is dynamic). ` +
          "Set 'version' to the released version, or give name==version entries in 'packages'."
      )
    }
    targets.push({ name: pkg.name, id: pkg.id, version: v, source: version ? 'version' : fromBuild ? 'build-packages' : 'pyproject' })
  }
  return targets
}

export function requirement(t: Target): string {
  return `${t.name}==${t.version}`
}
