/**
 * `mode: push`: pushes the release commit and its tags, made earlier in the job by
 * `mode: prepare` without `push`, once the steps between (build-packages) have passed.
 */
import type { ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { git, gitTop, releaseTagsAtHead } from './history.js'
import type { ReleaseInputs } from './inputs.js'
import { releaseTargets } from './release-targets.js'
import { pushRelease } from './runs.js'

export async function runPush(ctx: ActionContext, inputs: ReleaseInputs): Promise<ActionResult> {
  const { io, exec, common } = ctx
  const started = Date.now()
  const top = await gitTop(exec, common.workingDirectory)
  const atHead = await releaseTagsAtHead(exec, top)
  // Only release tags: another tag on the commit (a marker of the user's) is not ours to push.
  const tags = inputs.tags.length
    ? inputs.tags
    : releaseTargets(atHead, ctx.workspace().packages, inputs.tagFormat).targets.map((t) => t.tag)
  if (!tags.length) {
    io.notice('No release tag points at HEAD: nothing to push. Run the prepare step first (it tags the release commit).')
    return {
      passed: true,
      packages: [],
      checks: [{ tool: 'push', status: 'passed', durationMs: Date.now() - started, findings: [] }],
      outputs: { tags: '' }
    }
  }
  const branch = await pushRelease(exec, io, top, inputs.remote, tags, inputs.token)
  io.info(`Pushed ${branch} and ${tags.length} tag(s) to ${inputs.remote}: ${tags.join(', ')}.`)
  const commit = (await git(exec, top, ['rev-parse', 'HEAD'])).trim()
  return {
    passed: true,
    packages: [],
    checks: [{ tool: 'push', status: 'passed', durationMs: Date.now() - started, findings: [] }],
    outputs: { tags: tags.join(','), commit },
    data: { pushed: tags, branch, commit }
  }
}
