/**
 * The pipeline's decisions between stages, pure: what earlier stages hand over to later
 * ones, and whether a releasing stage may run after what came before it.
 */
import type { Stage, StageOutcome } from './stages.js'

/**
 * Outputs of earlier stages that later ones take when their own input is empty. The dists
 * go as one: build's exact `dists` (else its `dist-dir`), and neither when the stage was
 * given either itself (`own` reads the stage's own input), since a stage takes one of them.
 */
export function handOver(done: readonly StageOutcome[], own: (name: string) => string = () => ''): Record<string, string> {
  const build = done.find((o) => o.stage.name === 'build')?.result?.outputs ?? {}
  const overrides: Record<string, string> = {}
  if (!own('dists').trim() && !own('dist-dir').trim()) {
    if (build.dists) overrides.dists = build.dists
    else if (build['dist-dir']) overrides['dist-dir'] = build['dist-dir']
  }
  // The GitHub Release is of the tags the release stage made.
  const release = done.find((o) => o.stage.name === 'release')?.result?.outputs ?? {}
  if (release.tags) overrides.tags = release.tags
  // health-check checks for the environment the deploy plan chose (allowed even when it is not one of the usual three).
  const deploy = done.find((o) => o.stage.name === 'deploy-plan')?.result?.outputs ?? {}
  if (deploy.environment) {
    overrides.environment = deploy.environment
    overrides.environments = deploy.environment
  }
  return overrides
}

/** Why a stage does not run (nothing is released after a stage that did not pass), or undefined when it runs. */
export function blockedMessage(stage: Stage, done: readonly StageOutcome[]): string | undefined {
  const failedBefore = done.filter((o) => o.status !== 'passed')
  if (!stage.releases || failedBefore.length === 0) return undefined
  return `not run: ${failedBefore.map((o) => o.stage.name).join(', ')} failed, and nothing is released from a failed pipeline`
}
