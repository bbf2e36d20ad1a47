/**
 * publish-pypi: pre-flight every dist, then upload them in the repository's dependency
 * order with uv, resumably (files already on the index with the same hash are skipped),
 * holding back only the dependents of a package that fails. runs.ts does the pre-flight and
 * the uploads, checks.ts and summary.ts report them.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { preflightCheck, preflightErrors, preflightResult, publishResult } from './checks.js'
import { parsePublishInputs, type PublishInputs } from './inputs.js'
import { runPreflight, runUploads } from './runs.js'
import { logPlan } from './summary.js'

export async function runPublish(ctx: ActionContext, inputs: PublishInputs): Promise<ActionResult> {
  const { io } = ctx
  const started = Date.now()
  const pre = await runPreflight(ctx, inputs)
  const preflight = preflightCheck(pre, inputs, Date.now() - started)
  logPlan(io, pre, inputs.repository.uploadUrl)
  // Findings without a file are not annotated; warnings still belong in the log.
  for (const p of pre.problems) if (p.severity === 'warning' && !p.file) io.warning(p.message)
  const errors = preflightErrors(pre)
  if (errors.length > 0) {
    for (const p of errors) io.info(`pre-flight error: ${p.message}`)
    return preflightResult(pre, inputs, preflight)
  }
  if (inputs.dryRun) {
    io.notice(`Dry run: pre-flight passed for ${pre.files.length} file(s); nothing was uploaded.`)
    return preflightResult(pre, inputs, preflight)
  }
  return publishResult(pre, inputs, preflight, await runUploads(ctx, inputs, pre))
}

export const publishPypiAction: ActionDefinition<PublishInputs> = {
  name: 'publish-pypi',
  title: 'Publish to PyPI',
  secretInputs: [
    { name: 'token', kind: 'token' },
    { name: 'password', kind: 'password', username: 'username' },
    { name: 'repository-url', kind: 'urls' },
    { name: 'index-url', kind: 'urls' },
    { name: 'fulcio-url', kind: 'urls' },
    { name: 'rekor-url', kind: 'urls' }
  ],
  parseInputs: (reader, common, io) => parsePublishInputs(reader, common, io),
  run: runPublish
}
