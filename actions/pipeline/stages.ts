/** The pipeline's stages, in the order they run, the action each one runs, and what a stage came to. */
import type { ActionResult } from '../../packages-shared/action.js'

export interface Stage {
  name: 'quality' | 'security' | 'tests' | 'docs' | 'release' | 'build' | 'publish' | 'github-release' | 'deploy-plan' | 'health-check'
  action: string
  /** Prefix of the stage's own inputs and outputs on the root action (`quality-checks`). */
  prefix: string
  /** A stage that must not run after a failed gate (nothing is released from a red run). */
  releases: boolean
  /** Inputs the stage always runs with, not taken from the root action (the release action's mode). */
  fixed?: Readonly<Record<string, string>>
}

export const STAGES: readonly Stage[] = [
  { name: 'quality', action: 'run-quality', prefix: 'quality', releases: false },
  { name: 'security', action: 'run-security', prefix: 'security', releases: false },
  { name: 'tests', action: 'run-tests', prefix: 'tests', releases: false },
  { name: 'docs', action: 'build-docs', prefix: 'docs', releases: false },
  // Versions, changelogs, the commit and the tags, before the build, so build builds the new versions.
  { name: 'release', action: 'release', prefix: 'release', releases: true, fixed: { mode: 'prepare' } },
  { name: 'build', action: 'build-packages', prefix: 'build', releases: false },
  { name: 'publish', action: 'publish-pypi', prefix: 'publish', releases: true },
  { name: 'github-release', action: 'release', prefix: 'github-release', releases: true, fixed: { mode: 'github-release' } },
  // The environment (and, with promote, the proof that production holds what staging tested) for health-check.
  { name: 'deploy-plan', action: 'deploy-plan', prefix: 'deploy', releases: false },
  { name: 'health-check', action: 'health-check', prefix: 'health', releases: true }
]

export const STAGE_NAMES = STAGES.map((s) => s.name)
export const DEFAULT_STAGES: Stage['name'][] = ['quality', 'security', 'tests', 'build']

/** Inputs every action shares; the root action takes them once for every stage. */
export const COMMON_INPUTS = new Set([
  'working-directory',
  'packages',
  'base-ref',
  'python',
  'install',
  'report-dir',
  'artifact-name',
  'max-parallel',
  'cache',
  'shards',
  'shard-size',
  'shard',
  // One message for the whole pipeline: the root action sends it, its stages send none.
  'notify',
  'slack-webhook',
  'webhook-url'
])

/** What one stage came to: its action's result, or why there is none (blocked, or it could not run). */
export interface StageOutcome {
  stage: Stage
  status: 'passed' | 'failed' | 'error' | 'blocked'
  durationMs: number
  result?: ActionResult
  message?: string
}
