/** Every action the shared bundle can run, by the name of its folder. */
import type { ActionDefinition } from '../packages-shared/action.js'
import { buildDocsAction } from './build-docs/main.js'
import { buildPackagesAction } from './build-packages/main.js'
import { deployPlanAction } from './deploy-plan/main.js'
import { healthCheckAction } from './health-check/main.js'
import { mergeReportsAction } from './merge-reports/main.js'
import { publishPypiAction } from './publish-pypi/main.js'
import { releaseAction } from './release/main.js'
import { runQualityAction } from './run-quality/main.js'
import { runSecurityAction } from './run-security/main.js'
import { runTestsAction } from './run-tests/main.js'

/** Action definitions by the name of their folder; each has its own input type, the registry only needs to run them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActionRegistry = Readonly<Record<string, ActionDefinition<any>>>

export const ACTIONS: ActionRegistry = {
  'build-docs': buildDocsAction,
  'build-packages': buildPackagesAction,
  'deploy-plan': deployPlanAction,
  'health-check': healthCheckAction,
  'merge-reports': mergeReportsAction,
  'publish-pypi': publishPypiAction,
  release: releaseAction,
  'run-quality': runQualityAction,
  'run-security': runSecurityAction,
  'run-tests': runTestsAction
}
