/**
 * What health-check checks and from where: the targets (name==version), the dists they
 * install from (build-packages' record, each package's dist/, or the index), and the
 * interpreter, all decided before anything is installed or polled, so a refusal is at once.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import { normalizeName } from '../../packages-shared/names.js'
import { findPython, type Interpreter } from '../../packages-shared/python/interpreter.js'
import { toolEnv } from '../../packages-shared/python/toolbox.js'
import { assertRequiresPython } from '../../packages-shared/requires-python.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import { chooseHealthSource, usableRecord, type HealthDistSource } from './dist-source.js'
import type { HealthInputs } from './inputs.js'
import { requirement, resolveTargets, type Target } from './targets.js'

export interface HealthPlan {
  targets: Target[]
  /** Absent when there is nothing to install (URLs only). */
  source?: HealthDistSource
  python?: Interpreter
  installEnv: Record<string, string | undefined>
  /** The run's scratch folder under the runner temp (the venv, the scripts); removed at the end. */
  scratch: string
}

/** The repository, when there is one: explicit name==version entries need no checkout. */
function repositoryOf(ctx: ActionContext): Workspace | undefined {
  try {
    return ctx.workspace()
  } catch {
    // resolveTargets reads the workspace again and says what is wrong when it needs one.
    return undefined
  }
}

export async function planHealthCheck(ctx: ActionContext, inputs: HealthInputs): Promise<HealthPlan> {
  const { io } = ctx
  if (inputs.version && !inputs.targets.repository) {
    io.warning(`'version' (${inputs.version}) is not used: every entry of 'packages' names its own version.`)
  }
  // The dists build-packages recorded in this job, when this is the same checkout at the same commit.
  const ws = repositoryOf(ctx)
  const { record, lookup } = await usableRecord(ctx, ctx.tempDir, ws?.root)
  const builtVersions = new Map(record?.passed ? record.packages.map((p) => [p.package, p.version] as const) : [])
  const targets = await resolveTargets(ctx, inputs.targets, inputs.version, builtVersions)
  io.info(
    `Environment: ${inputs.environment}. Checking ${targets.length ? targets.map(requirement).join(', ') : 'no package'}` +
      `${inputs.urls.length ? ` and ${inputs.urls.length} URL(s)` : ''} (timeout ${Math.round(inputs.timeoutMs / 1000)}s).`
  )
  fs.mkdirSync(ctx.tempDir, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(ctx.tempDir, 'dk-actions-health-'))
  const installEnv = toolEnv(io.env, ctx.cacheRoot, undefined, process.platform, 'install')
  try {
    if (targets.length === 0) return { targets, installEnv, scratch }
    const source = chooseHealthSource(inputs, lookup, ws, targets, scratch)
    io.info(`Dists: ${source.description}`)
    // A repository package this Python cannot install is one line, not the resolver's page.
    const python = await findPython(ctx.common.python, installEnv, ctx.exec)
    const names = new Set(targets.map((t) => normalizeName(t.name)))
    assertRequiresPython(python, ws?.packages.filter((p) => names.has(normalizeName(p.name))) ?? [])
    return { targets, source, python, installEnv, scratch }
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true })
    throw error
  }
}
