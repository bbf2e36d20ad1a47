/**
 * build-packages: every selected package built (sdist + wheel) with its own backend,
 * every artifact verified, then all wheels test-installed together into one fresh venv
 * and every top-level module imported.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { findExecutable } from '../../packages-shared/paths.js'
import { distInfo, matrixOf } from './built.js'
import { buildChecks, failureMessage, nothingToBuild, testInstallChecks, verificationChecks } from './checks.js'
import { clearDistRecord, recordDists } from './dist-record.js'
import { parseBuildInputs, type BuildInputs } from './inputs.js'
import { outputClaims, planBuild, selectedBuilt } from './plan.js'
import { buildAll, prepareBuild, prepareFolders, provision, refusals, removeScratch, testInstall, verifyRuns } from './runs.js'
import { packagesSection } from './summary.js'
import { expectedVersions } from './tag-versions.js'

export async function buildPackages(ctx: ActionContext, inputs: BuildInputs): Promise<ActionResult> {
  const ws = ctx.workspace()
  const selection = await ctx.selection()
  const selected = selection.packages
  const baseOutputs = { 'dist-dir': inputs.distDir }
  // Checked (and created, stamped) before anything is built or deleted: see output-dirs.ts.
  const outputs = await ctx.outputs()
  outputs.claimAll(outputClaims(inputs))
  // The previous build's record goes first: a run that stops half-way must not leave it behind.
  clearDistRecord(ctx.tempDir)
  if (selected.length === 0) {
    ctx.io.info('Nothing to build: no package is selected.')
    return nothingToBuild(selection, baseOutputs)
  }

  // Read before anything is built, so a notice about the tags comes first in the log.
  const expected = await expectedVersions(ctx, ctx.common.workingDirectory, ws.packages, inputs)
  const uv = findExecutable('uv', { pathValue: ctx.io.env.PATH })
  const plan = planBuild(ws, selected, inputs, uv)
  const refused = refusals(ws, plan.toBuild)
  const prov = await provision(ctx, inputs, plan)
  const setup = await prepareBuild(ctx, prov, uv)
  const scratch = prepareFolders(ctx, inputs, outputs)
  const built = await buildAll(ctx, inputs, plan, setup, refused, scratch)
  const mine = selectedBuilt(plan, built)
  const verified = await verifyRuns(ctx, inputs, built, mine, prov)
  const installed = testInstallChecks(await testInstall(ctx, inputs, plan, built, mine, prov.python, scratch), plan)
  removeScratch(ctx, scratch)

  const checks = [
    ...buildChecks(plan, built, refused, setup.uvVersion),
    ...verificationChecks(ws, inputs, mine, verified, expected),
    ...installed.checks
  ]
  const dists = mine.map(distInfo)
  const failure = failureMessage(checks)
  const matrix = matrixOf(selected, built)
  const record = await recordDists(ctx, ctx.tempDir, ws.root, inputs.distDir, dists, failure === undefined)
  return {
    passed: failure === undefined,
    packages: selected.map((p) => p.id),
    checks,
    outputs: { ...baseOutputs, dists: JSON.stringify(dists), matrix, 'has-packages': 'true' },
    sections: [packagesSection(selected, built, checks)],
    data: {
      dists,
      matrix: JSON.parse(matrix) as unknown,
      distDir: inputs.distDir,
      record,
      sourceDateEpoch: setup.epoch,
      imports: installed.imports,
      supportBuilds: plan.toBuild.filter((p) => !plan.selectedIds.has(p.id)).map((p) => p.id),
      indexQueries: verified.pins.queried
    },
    artifactFiles: [{ files: dists.flatMap((d) => [d.wheel, d.sdist]), root: inputs.distDir }],
    failureMessage: failure
  }
}

export const buildPackagesAction: ActionDefinition<BuildInputs> = {
  name: 'build-packages',
  title: 'Build packages',
  secretInputs: [{ name: 'index-url', kind: 'urls' }],
  parseInputs: (reader, common, io) => parseBuildInputs(reader, common, io),
  run: buildPackages
}
