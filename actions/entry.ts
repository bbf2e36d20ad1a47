/**
 * The one entry of the shared bundle (dist/core). Each action's dist/<name>/index.js is a
 * two-line stub that calls main('<name>'); this is the only place bound to @actions/core.
 */
import { runAction } from '../packages-shared/action.js'
import { exitWhenFlushed } from '../packages-shared/exit.js'
import { createActionsIO } from '../packages-shared/io-actions.js'
import { pipelineAction } from './pipeline/main.js'
import { ACTIONS } from './registry.js'

export async function main(name: string): Promise<void> {
  const io = createActionsIO()
  // The pipeline runs the other actions, so it is not one of the registry's entries.
  const action = name === 'pipeline' ? pipelineAction : ACTIONS[name]
  if (!action) {
    io.setFailed(`Unknown dk-actions action '${name}'. Known: pipeline, ${Object.keys(ACTIONS).join(', ')}.`)
    await exitWhenFlushed()
    return
  }
  await runAction(io, action)
  await exitWhenFlushed()
}
