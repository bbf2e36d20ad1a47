/**
 * health-check: after a release or a deployment, install the released versions from the
 * index into a fresh venv, import every top-level module, run the smoke test, and poll the
 * services' URLs, all within one deadline. plan.ts decides what and from where, runs.ts
 * does it, checks.ts and summary.ts report it.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { healthResult } from './checks.js'
import { parseHealthInputs, type HealthInputs } from './inputs.js'
import { planHealthCheck } from './plan.js'
import { runHealth } from './runs.js'

export async function runHealthCheck(ctx: ActionContext, inputs: HealthInputs): Promise<ActionResult> {
  const started = Date.now()
  const plan = await planHealthCheck(ctx, inputs)
  return healthResult(inputs, plan, await runHealth(ctx, inputs, plan, started))
}

export const healthCheckAction: ActionDefinition<HealthInputs> = {
  name: 'health-check',
  title: 'Health check',
  secretInputs: ['index-url', 'extra-index-url', 'find-links', 'urls'].map((name) => ({ name, kind: 'urls' as const })),
  parseInputs: (reader, common, io) => parseHealthInputs(reader, common, io),
  run: runHealthCheck
}
