/**
 * run-quality: black, isort, flake8, mypy, pylint (and ruff) over the selected packages,
 * concurrently, each tool reading the project's own configuration.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { KeptCaches } from '../../packages-shared/tool-caches.js'
import { environmentsData, environmentsSection } from '../../packages-shared/python/project-env/provision.js'
import { startProvisioning } from '../../packages-shared/python/toolbox.js'
import { nothingChecked, toolChecks, verdict } from './checks.js'
import { parseQualityInputs, type QualityInputs } from './inputs.js'
import { fixFiles, provisionQuality, qualityPins, qualityScope, runChecks } from './runs.js'
import { qualityCaches } from './caches.js'
import { cacheSection, cacheUse, fixSection, matrixSection, nothingSection } from './summary.js'

export { QUALITY_TOOLS } from './plan.js'

export async function runQuality(ctx: ActionContext, inputs: QualityInputs): Promise<ActionResult> {
  // The interpreter asked, and uv brought in, while the repository is read and the runs planned.
  startProvisioning(ctx)
  const scope = await qualityScope(ctx, inputs)
  const { guard, runs, selection } = scope
  const packageIds = selection.packages.map((p) => p.id)
  if (runs.length === 0 && !scope.screen) {
    ctx.io.info(
      guard.check
        ? 'Nothing to check: every selected folder holds a symlink out of the repository.'
        : 'Nothing to check: no package is selected.'
    )
    return {
      passed: guard.check === undefined,
      packages: packageIds,
      checks: nothingChecked(scope),
      sarif: true,
      sections: [nothingSection(selection)],
      failureMessage: guard.check ? `run-quality: ${guard.check.findings[0]!.message}` : undefined
    }
  }

  const pinned = await qualityPins(ctx, inputs, scope)
  // The tools' caches before they run; the uv cache only if something is installed.
  const caches = await KeptCaches.restore(ctx, () => qualityCaches(ctx, scope, pinned))
  const envs = await provisionQuality(caches.forInstalls(ctx), inputs, scope, pinned)
  const sections: string[] = []
  if (inputs.fix) sections.push(fixSection(await fixFiles(ctx, inputs, scope, envs)))
  const { outcomes, versions } = await runChecks(ctx, inputs, scope, envs)
  await caches.save()
  const ran = toolChecks(scope, outcomes, versions, envs.versionSources, inputs.failOn)
  sections.push(matrixSection(ran, outcomes))
  const findingsCache = cacheUse(outcomes)
  const cached = cacheSection(findingsCache)
  if (cached) sections.push(cached)
  if (envs.project) sections.push(environmentsSection([envs.project]))
  const checks = [...(guard.check ? [guard.check] : []), ...ran]
  const { passed, failureMessage } = verdict(checks, guard.check, inputs.failOn)
  return {
    passed,
    packages: packageIds,
    checks,
    sarif: true,
    sections,
    data: {
      environments: envs.project ? environmentsData([envs.project]) : undefined,
      toolsInstalledWith: envs.installedWith,
      findingsCache: Object.keys(findingsCache).length ? findingsCache : undefined,
      timing: {
        processStart: Math.round(performance.timeOrigin),
        firstToolStart: outcomes.length ? Math.min(...outcomes.map((o) => o.startedAt)) : undefined,
        lastToolEnd: outcomes.length ? Math.max(...outcomes.map((o) => o.endedAt)) : undefined
      }
    },
    failureMessage
  }
}

export const runQualityAction: ActionDefinition<QualityInputs> = {
  name: 'run-quality',
  title: 'Code quality',
  parseInputs: (reader, common) => parseQualityInputs(reader, common),
  run: runQuality
}
