/** Every action the shared bundle can run, by the name of its folder. */
import type { ActionDefinition } from '../packages-shared/action.js'
import { buildPackagesAction } from './build-packages/main.js'
import { runQualityAction } from './run-quality/main.js'

// Each definition has its own input type; the registry only needs to run them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ACTIONS: Record<string, ActionDefinition<any>> = {
  'build-packages': buildPackagesAction,
  'run-quality': runQualityAction
}
