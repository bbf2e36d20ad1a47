#!/usr/bin/env node
// Writes the root action.yml (the whole pipeline in one step) from the stage actions'
// manifests: the shared inputs once, each stage's own inputs and outputs with the stage's
// prefix (`quality-checks` is run-quality's `checks`). `--check` fails when it is stale.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, stringify } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check')
// Keep in step with actions/pipeline/stages.ts.
const STAGES = [
  ['quality', 'run-quality', 'quality'],
  ['security', 'run-security', 'security'],
  ['tests', 'run-tests', 'tests'],
  ['docs', 'build-docs', 'docs'],
  ['release', 'release', 'release'],
  ['build', 'build-packages', 'build'],
  ['publish', 'publish-pypi', 'publish'],
  ['github-release', 'release', 'github-release'],
  ['deploy-plan', 'deploy-plan', 'deploy'],
  ['health-check', 'health-check', 'health']
]
// The release action runs as two stages: each takes only the inputs of its mode (its mode is fixed).
const NOT_PREPARE_INPUTS = ['mode', 'tags', 'dists', 'dist-dir', 'provenance']
const GITHUB_RELEASE_INPUTS = ['token', 'tags', 'dists', 'dist-dir', 'provenance', 'tag-format', 'changelog-file']
const GITHUB_RELEASE_OUTPUTS = ['release-url', 'releases', 'provenance']
function stageTakes(stage, kind, name) {
  if (stage === 'release') return kind === 'inputs' ? !NOT_PREPARE_INPUTS.includes(name) : !GITHUB_RELEASE_OUTPUTS.includes(name)
  if (stage === 'github-release') return (kind === 'inputs' ? GITHUB_RELEASE_INPUTS : GITHUB_RELEASE_OUTPUTS).includes(name)
  return true
}
const COMMON = [
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
  'notify',
  'slack-webhook',
  'webhook-url'
]
const SHARED_OUTPUTS = ['passed', 'report', 'findings', 'sarif']
// The fan-out plan is the pipeline's own (one plan for every stage); build's per-package matrix keeps its prefix.
const FAN_OUT_OUTPUTS = ['matrix', 'shard-count']

const manifests = STAGES.filter(([, action]) => fs.existsSync(path.join(root, action, 'action.yml'))).map(([stage, action, prefix]) => ({
  stage,
  action,
  prefix,
  manifest: parse(fs.readFileSync(path.join(root, action, 'action.yml'), 'utf8'))
}))
const quality = manifests.find((m) => m.action === 'run-quality').manifest

const inputs = {}
for (const name of COMMON) inputs[name] = { ...quality.inputs[name] }
if (inputs.install) inputs.install.description += ' Applies to every stage that installs tools.'
inputs.stages = {
  description: `Stages to run, in this order: ${STAGES.map(([s]) => s).join(', ')}. release, publish, github-release and health-check do not run after a failed stage.`,
  default: 'quality,security,tests,build'
}
// The pipeline's own metrics (actions/pipeline/metrics.ts, packages-shared/metrics/), after the stages.
inputs.metrics = {
  description:
    "Keep each run's stage durations, counts and result in a history and show the trend of the last runs in the summary, flagging a stage slower than its median or a high failure rate (warnings, never failures). `auto`: when the runner has a cache service (the history is kept in the Actions cache), or `metrics-branch` is set; where caches are off (`release` events, tag pushes, `pull_request_target`, `cache: false`) the summary says the history is not kept. `true`: also without a cache service (this run alone). `false`: off. Pull requests are compared with their base branch's history and not added to it. See docs/pipeline.md.",
  default: 'auto'
}
inputs['metrics-runs'] = {
  description: 'How many runs the history keeps (this one included), from 4 to 100; the chart shows them all.',
  default: '30'
}
inputs['metrics-slowdown'] = {
  description:
    'Flag a stage that took more than this much longer than its median over the earlier runs (and at least 1 s longer), e.g. `50%`. Nothing is flagged before 3 earlier runs.',
  default: '50%'
}
inputs['metrics-failure-rate'] = {
  description:
    'Flag a failure rate (failed runs in the history, this one included) above this, e.g. `20%`. Nothing is flagged before 3 earlier runs.',
  default: '20%'
}
inputs['metrics-branch'] = {
  description:
    "Commit the history to this branch (one JSON file per history, the working tree untouched) instead of the Actions cache, e.g. `dk-metrics`: it lasts beyond the cache's 7 days and is kept on release and tag runs too. Pushes with the checkout's credentials: needs `permissions: contents: write`. Not the branch the run builds, nor the default branch. Empty: the Actions cache.",
  default: ''
}
inputs['metrics-name'] = {
  description:
    'Tells apart histories the pipeline cannot: runs compare with runs of the same branch, workflow, job, runner OS, architecture, stages and shard, so a matrix over something else (the Python version) sets it, e.g. `py` and the Python version of the matrix cell. A name of letters, digits, `.`, `_`, `-`.',
  default: ''
}
// The pipeline's one pull-request comment (actions/pipeline/pr-report.ts), after the stages.
inputs['pr-comment'] = {
  description:
    "On a pull request, post what every stage found as one comment (the headline, a table by stage and by package, the first findings, a link to the run), found again by a hidden marker and updated in place on each run of the same workflow job. Skipped with a notice on a fork's pull request (its token is read-only) and when GitHub refuses; never fails the run. Needs `permissions: pull-requests: write`.",
  default: 'false'
}
inputs['pr-comment-token'] = {
  description: 'The token the comment is written with.',
  default: '${{ github.token }}'
}
const outputs = {
  passed: { description: '`true` when every stage passed.', value: undefined },
  report: { description: 'Path of the combined JSON report.' },
  findings: { description: 'Number of findings across stages.' },
  sarif: { description: 'Path of the combined SARIF file (one run per stage and tool).' },
  matrix: { ...quality.outputs.matrix },
  'shard-count': { ...quality.outputs['shard-count'] },
  'pr-comment-url': { description: 'With `pr-comment: true`: the comment posted or updated; empty when none was. Not set otherwise.' },
  'metrics-flags': {
    description:
      'JSON list of the metrics flags of this run, `[]` for none: `{kind: "slowdown", stage, durationMs, medianMs, percent, earlierRuns, message}` or `{kind: "failure-rate", failed, runs, percent, thresholdPercent, message}`. Not set when metrics are off.'
  }
}
for (const { stage, action, prefix, manifest } of manifests) {
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    if (COMMON.includes(name) || !stageTakes(stage, 'inputs', name)) continue
    inputs[`${prefix}-${name}`] = { description: `(${stage}, ${action}'s \`${name}\`) ${spec.description}`, default: spec.default ?? '' }
  }
  outputs[`${prefix}-passed`] = { description: `\`true\` when the ${stage} stage passed.` }
  for (const [name, spec] of Object.entries(manifest.outputs ?? {})) {
    if (SHARED_OUTPUTS.includes(name) || !stageTakes(stage, 'outputs', name)) continue
    if (name === 'shard-count' || (FAN_OUT_OUTPUTS.includes(name) && action !== 'build-packages')) continue
    outputs[`${prefix}-${name}`] = { description: `(${stage}) ${spec.description}` }
  }
}
for (const o of Object.values(outputs)) delete o.value

const doc = {
  name: 'dk-actions',
  description: 'The whole CI/CD pipeline of a Python monorepo in one step: quality, security, tests, build, publish, health check.',
  author: 'dk-actions',
  branding: { icon: 'layers', color: 'blue' },
  inputs,
  outputs,
  runs: { using: 'node24', main: 'dist/pipeline/index.js' }
}
const text =
  "# Generated by scripts/root-action.js from the stage actions' action.yml files: edit those, then run `npm run docs`.\n" +
  stringify(doc, { lineWidth: 0, defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' })
const file = path.join(root, 'action.yml')
const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
if (current !== text) {
  if (check) {
    console.error('action.yml is out of date with the stage actions: run `npm run docs`.')
    process.exit(1)
  }
  fs.writeFileSync(file, text)
  console.log('updated action.yml')
}
