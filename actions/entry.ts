/**
 * The one entry of the shared bundle (dist/core). Each action's dist/<name>/index.js is a
 * two-line stub that calls main('<name>'); this is the only place bound to @actions/core.
 */
import { runAction } from '../packages-shared/action.js'
import { createActionsIO } from '../packages-shared/io-actions.js'
import { ACTIONS } from './registry.js'

export async function main(name: string): Promise<void> {
  const io = createActionsIO()
  const action = ACTIONS[name]
  if (!action) {
    io.setFailed(`Unknown dk-actions action '${name}'. Known: ${Object.keys(ACTIONS).join(', ')}.`)
    return
  }
  await runAction(io, action)
}
