/**
 * deploy-plan: which environment this ref deploys to (`environments`), whether it deploys,
 * and the package versions to deploy; with `mode: promote`, that production's index holds
 * exactly the files staging tested (promote.ts).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { sha256File } from '../../packages-shared/file-hash.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { normalizeName } from '../../packages-shared/names.js'
import type { ExactPin } from '../../packages-shared/pypa/exact-pin.js'
import { escapeCell } from '../../packages-shared/report/markdown.js'
import { redactUrl } from '../../packages-shared/secrets.js'
import { environmentFor, refName } from './environments.js'
import { parseDeployInputs, type DeployInputs } from './inputs.js'
import { compareFiles, filesOfVersion, indexFiles, type FileHashes, type PromoteProblem } from './promote.js'

/** The versions to deploy: as given, else each selected package at the version its metadata states. */
async function deployVersions(ctx: ActionContext, inputs: DeployInputs): Promise<{ pins: ExactPin[]; findings: Finding[] }> {
  if (inputs.versions.length) return { pins: inputs.versions, findings: [] }
  const { packages } = await ctx.selection()
  const findings: Finding[] = []
  const pins: ExactPin[] = []
  for (const p of packages) {
    if (p.version) pins.push({ name: p.name, id: p.id, version: p.version })
    else
      findings.push({
        tool: 'deploy-plan',
        package: p.id,
        severity: 'warning',
        message: `${p.name} states no version its files give (a VCS version): it is left out; name it in 'versions' as ${p.name}==<version>.`
      })
  }
  return { pins, findings }
}

/** The reference files of one version: the reference index's, or the given dists' (hashed here when the input carries no sha256). */
async function referenceFiles(ctx: ActionContext, inputs: DeployInputs, pin: ExactPin): Promise<FileHashes | PromoteProblem> {
  if (inputs.referenceIndexUrl) return indexFiles(ctx.http, inputs.referenceIndexUrl, pin, inputs.timeoutMs)
  const given = (inputs.dists ?? []).filter((d) => !d.package || normalizeName(d.package) === pin.id)
  return filesOfVersion(
    given.map((d) => ({
      filename: path.basename(d.path),
      sha256: d.sha256 ?? (fs.existsSync(d.path) ? sha256File(d.path) : undefined)
    })),
    pin
  )
}

async function promote(ctx: ActionContext, inputs: DeployInputs, pins: readonly ExactPin[]): Promise<Finding[]> {
  const where = {
    reference: inputs.referenceIndexUrl ? redactUrl(inputs.referenceIndexUrl) : "the 'dists'",
    production: redactUrl(inputs.indexUrl)
  }
  const findings: Finding[] = []
  const error = (p: PromoteProblem): Finding => ({ tool: 'promote', package: p.package, severity: 'error', message: p.message })
  for (const pin of pins) {
    const [reference, production] = await Promise.all([
      referenceFiles(ctx, inputs, pin),
      indexFiles(ctx.http, inputs.indexUrl, pin, inputs.timeoutMs)
    ])
    if (!(reference instanceof Map)) findings.push(error(reference))
    if (!(production instanceof Map)) findings.push(error(production))
    if (reference instanceof Map && production instanceof Map) {
      const problems = compareFiles(pin, reference, production, where)
      findings.push(...problems.map(error))
      if (problems.length === 0) {
        ctx.io.info(`${pin.name} ${pin.version}: the same ${reference.size} file(s) on ${where.production} as on ${where.reference}.`)
      }
    }
  }
  return findings
}

function check(tool: string, started: number, findings: Finding[]): CheckResult {
  return { tool, status: findings.some((f) => f.severity === 'error') ? 'failed' : 'passed', durationMs: Date.now() - started, findings }
}

export async function runDeployPlan(ctx: ActionContext, inputs: DeployInputs): Promise<ActionResult> {
  const started = Date.now()
  const rule = environmentFor(inputs.ref, inputs.environments)
  const environment = rule?.environment ?? ''
  const { pins, findings } = await deployVersions(ctx, inputs)
  ctx.io.info(
    rule
      ? `${refName(inputs.ref)} deploys to ${environment} (${rule.pattern}=${rule.environment}): ${pins.map((p) => `${p.name}==${p.version}`).join(', ') || 'no package'}.`
      : `${inputs.ref ? refName(inputs.ref) : 'This run (no ref)'} matches no pattern of 'environments': nothing is deployed.`
  )
  const checks = [check('plan', started, findings)]
  if (inputs.mode === 'promote') checks.push(check('promote', Date.now(), await promote(ctx, inputs, pins)))
  const passed = checks.every((c) => c.status === 'passed')
  const rows = pins.map((p) => `| ${escapeCell(p.name)} | ${escapeCell(p.version)} |`)
  const section = [
    `### Deployment${environment ? `: ${environment}` : ''}`,
    '',
    rule
      ? `\`${escapeCell(refName(inputs.ref))}\` matches \`${escapeCell(rule.pattern)}\`: deploys to **${environment}**.`
      : 'This ref deploys nowhere.',
    ...(rows.length ? ['', '| package | version |', '| --- | --- |', ...rows] : []),
    ...(inputs.mode === 'promote'
      ? ['', passed ? 'Promotion: production holds exactly the files staging tested.' : 'Promotion refused: see the findings.']
      : [])
  ].join('\n')
  return {
    passed,
    packages: pins.map((p) => p.id),
    checks,
    outputs: {
      environment,
      deploy: String(Boolean(rule) && pins.length > 0),
      versions: pins.map((p) => `${p.name}==${p.version}`).join(','),
      packages: pins.map((p) => p.name).join(','),
      ...(inputs.mode === 'promote' ? { promoted: String(passed) } : {})
    },
    sections: [section],
    data: { ref: inputs.ref, environment, rule, versions: pins, mode: inputs.mode }
  }
}

export const deployPlanAction: ActionDefinition<DeployInputs> = {
  name: 'deploy-plan',
  title: 'Deploy plan',
  secretInputs: ['index-url', 'reference-index-url'].map((name) => ({ name, kind: 'urls' as const })),
  parseInputs: (reader, common, io) => parseDeployInputs(reader, common, io),
  run: runDeployPlan
}
