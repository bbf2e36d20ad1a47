/**
 * One project environment for tools that check every selected package in one run (mypy,
 * pylint; every tool under `install: project`). When the packages have several (one lock
 * per library), the one serving the most packages is used, and the log says so.
 */
import { createHash } from 'node:crypto'
import * as path from 'node:path'
import type { ActionContext } from '../../context.js'
import { findPython, type Interpreter } from '../interpreter.js'
import { deferredVenv, provisionTools, toolEnv, uvResolver, type Toolbox, type ToolRequirement } from '../toolbox.js'
import { assertRequiresPython } from '../../requires-python.js'
import type { PythonPackage, Workspace } from '../../workspace.js'
import { planEnvironments } from './plan.js'
import { provisionEnvironment, type ProjectEnvironment, type ToolOrigin } from './provision.js'
import type { EnvironmentPlan } from './plan.js'

/** What an earlier run recorded of a project environment it made, for a run that may not need it. */
export interface ProjectEnvironmentRecord {
  /** The environment's folder, relative to the cache root. */
  venv: string
  command?: string
  tools: Record<string, ToolOrigin>
}

/**
 * The key a project environment is recorded under: the plan (which environment, for which
 * packages), the interpreter, the platform and the tools asked for. What the environment
 * installs is read from repository files, which every whole-run key hashes already.
 */
export function projectEnvironmentKey(plan: EnvironmentPlan, python: Interpreter, tools: readonly ToolRequirement[]): string {
  const h = createHash('sha256')
  h.update(JSON.stringify(['project', process.platform, process.arch, python.version, plan.key, plan.kind, plan.packages, plan.groups]))
  h.update(JSON.stringify(tools.map((t) => `${t.requirement}==${t.version}`).sort()))
  return `project-${h.digest('hex').slice(0, 16)}`
}

export async function projectEnvironmentFor(
  ctx: ActionContext,
  ws: Workspace,
  packages: readonly PythonPackage[],
  options: {
    rootCode: boolean
    tools: ToolRequirement[]
    passEnv?: readonly string[]
    /**
     * What an earlier run recorded of this environment (by projectEnvironmentKey): when given,
     * nothing is installed until the box's `deferred.ready()`, for a caller that may answer
     * from its caches.
     */
    recorded?: (key: string) => ProjectEnvironmentRecord | undefined
  }
): Promise<ProjectEnvironment> {
  const plans = planEnvironments(ws, packages, options.rootCode)
  const plan = [...plans].sort((a, b) => b.packages.length - a.packages.length)[0]!
  if (plans.length > 1) {
    ctx.io.info(
      `The selected packages have ${plans.length} environments (${plans.map((p) => p.key).join('; ')}); the tools run in ${plan.key}, which serves the most of them.`
    )
  }
  // The project is installed for them: a Python its packages refuse is one line before that.
  const python = await findPython(ctx.common.python, ctx.io.env, ctx.exec)
  assertRequiresPython(python, packages)
  const make = (): Promise<ProjectEnvironment> =>
    provisionEnvironment(ctx, {
      ws,
      plan,
      pythonCommand: ctx.common.python,
      tools: options.tools,
      cacheRoot: ctx.cacheRoot,
      passEnv: options.passEnv
    })
  const key = projectEnvironmentKey(plan, python, options.tools)
  const record = options.recorded?.(key)
  if (!record) {
    const made = await make()
    made.box.venvKey = key
    return made
  }
  return deferredEnvironment(ctx, plan, python, key, record, make, options.passEnv)
}

/** A project environment as recorded, made on the box's `deferred.ready()`; then it is the one made. */
function deferredEnvironment(
  ctx: ActionContext,
  plan: EnvironmentPlan,
  python: Interpreter,
  key: string,
  record: ProjectEnvironmentRecord,
  make: () => Promise<ProjectEnvironment>,
  passEnv?: readonly string[]
): ProjectEnvironment {
  const baseEnv = { ...ctx.io.env }
  const venv = path.join(ctx.cacheRoot, record.venv)
  const environment: ProjectEnvironment = {
    plan,
    command: record.command,
    tools: new Map(Object.entries(record.tools)),
    box: {
      mode: 'project',
      python,
      venv,
      venvKey: key,
      env: toolEnv(baseEnv, ctx.cacheRoot, undefined, process.platform, 'run', passEnv),
      installEnv: toolEnv(baseEnv, ctx.cacheRoot, undefined, process.platform, 'install', passEnv),
      // Not there yet: a check that runs waits for ready(), which gives the real ones.
      which: () => undefined,
      pythonPath: python.path,
      uv: uvResolver(ctx, python, ctx.cacheRoot, baseEnv)
    }
  }
  const deferred = deferredVenv(async () => {
    const made = await make()
    Object.assign(environment, { command: made.command, tools: made.tools })
    Object.assign(environment.box, made.box, { venvKey: key, deferred })
  })
  environment.box.deferred = deferred
  return environment
}

/**
 * The toolbox of an action whose tools need not import the project: `install: project`
 * runs them in the project's environment all the same (made as above, under the runner
 * temp); the other modes are provisionTools'.
 */
export async function toolboxFor(
  ctx: ActionContext,
  ws: Workspace,
  packages: readonly PythonPackage[],
  tools: ToolRequirement[],
  options: { venvSalt?: string; passEnv?: readonly string[] } = {}
): Promise<Toolbox> {
  const mode = ctx.common.install
  if (mode === 'project') return (await projectEnvironmentFor(ctx, ws, packages, { rootCode: false, tools, passEnv: options.passEnv })).box
  return provisionTools(ctx, { mode, pythonCommand: ctx.common.python, tools, cacheRoot: ctx.cacheRoot, workspace: ws, ...options })
}
