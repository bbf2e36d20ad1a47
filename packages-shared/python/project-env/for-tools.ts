/**
 * One project environment for tools that check every selected package in one run (mypy,
 * pylint; every tool under `install: project`). When the packages have several (one lock
 * per library), the one serving the most packages is used, and the log says so.
 */
import type { ActionContext } from '../../context.js'
import { findPython } from '../interpreter.js'
import { provisionTools, type Toolbox, type ToolRequirement } from '../toolbox.js'
import { assertRequiresPython } from '../../requires-python.js'
import type { PythonPackage, Workspace } from '../../workspace.js'
import { planEnvironments } from './plan.js'
import { provisionEnvironment, type ProjectEnvironment } from './provision.js'

export async function projectEnvironmentFor(
  ctx: ActionContext,
  ws: Workspace,
  packages: readonly PythonPackage[],
  options: { rootCode: boolean; tools: ToolRequirement[]; passEnv?: readonly string[] }
): Promise<ProjectEnvironment> {
  const plans = planEnvironments(ws, packages, options.rootCode)
  const plan = [...plans].sort((a, b) => b.packages.length - a.packages.length)[0]!
  if (plans.length > 1) {
    ctx.io.info(
      `The selected packages have ${plans.length} environments (${plans.map((p) => p.key).join('; ')}); the tools run in ${plan.key}, which serves the most of them.`
    )
  }
  // The project is installed for them: a Python its packages refuse is one line before that.
  assertRequiresPython(await findPython(ctx.common.python, ctx.io.env, ctx.exec), packages)
  return provisionEnvironment(ctx, {
    ws,
    plan,
    pythonCommand: ctx.common.python,
    tools: options.tools,
    cacheRoot: ctx.cacheRoot,
    passEnv: options.passEnv
  })
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
