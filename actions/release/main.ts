/**
 * release: plans which packages to release from the Conventional Commits since each one's
 * last tag and the dependency graph, writes the versions, requirements and changelogs,
 * commits and tags (and pushes when asked).
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import { resolvePackageName, type ActionContext } from '../../packages-shared/context.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { compareVersions } from '../../packages-shared/pypa/versions.js'
import { discoverWorkspace, type PythonPackage } from '../../packages-shared/workspace.js'
import { commitAndTag, diffEdits, gitIdentity, planEdits, writeEdits } from './apply.js'
import { changelogSection } from './changelog.js'
import { runGithubRelease } from './github-run.js'
import { runPush } from './push-run.js'
import { gitTop } from './history.js'
import { parseReleaseInputs, type ReleaseInputs } from './inputs.js'
import { planRelease, type ReleasePlan } from './plan.js'
import { commitizenMajorVersionZero, pushRelease, readHistories } from './runs.js'
import { planLines, planSection } from './summary.js'

function check(tool: string, started: number, findings: Finding[] = [], message?: string): CheckResult {
  const failed = findings.some((f) => f.severity === 'error')
  return { tool, status: failed ? 'failed' : 'passed', durationMs: Date.now() - started, findings, ...(message ? { message } : {}) }
}

function releasedJson(plan: ReleasePlan): string {
  return JSON.stringify(
    plan.releases.map((r) => ({ package: r.name, 'old-version': r.oldVersion, 'new-version': r.newVersion, tag: r.tag }))
  )
}

/** The candidates: every package (`changed` keeps those with commits since their tag), or the named ones. */
function candidates(ctx: ActionContext, inputs: ReleaseInputs): { packages: PythonPackage[]; named: boolean } {
  const ws = ctx.workspace()
  const spec = ctx.common.packages
  // `all` with commits deciding (the root pipeline's default) is `changed`: an unchanged package is a note, not a warning.
  if (inputs.versioning === 'lockstep' || spec.mode !== 'list')
    return { packages: ws.packages, named: spec.mode === 'all' && inputs.bump.kind !== 'auto' }
  const ids = new Set(spec.items.map((item) => resolvePackageName(ws, item).id))
  return { packages: ws.packages.filter((p) => ids.has(p.id)), named: true }
}

/** The versions the files state after the edits, read back through discovery: what a build will see. */
function verifyVersions(root: string, plan: ReleasePlan): Finding[] {
  const ws = discoverWorkspace(root)
  const findings: Finding[] = []
  for (const r of plan.releases) {
    if (r.vcsVersion) continue
    const found = ws.get(r.id)?.version
    if (found === undefined || compareVersions(found, r.newVersion) !== 0) {
      findings.push({
        tool: 'release',
        package: r.id,
        severity: 'error',
        message: `${r.name}'s metadata says ${found ?? 'no version'} after the edit, not ${r.newVersion}: the version was not written where its backend reads it.`
      })
    }
  }
  return findings
}

export async function runPrepare(ctx: ActionContext, inputs: ReleaseInputs): Promise<ActionResult> {
  const { io, exec, common } = ctx
  const started = Date.now()
  const ws = ctx.workspace()
  const top = await gitTop(exec, common.workingDirectory)
  const { packages, named } = candidates(ctx, inputs)
  const read = await readHistories(exec, top, ws, packages, named, inputs)
  const plan = planRelease(read.histories, {
    versioning: inputs.versioning,
    bump: inputs.bump,
    tagFormat: inputs.tagFormat,
    majorVersionZero: inputs.majorVersionZero ?? commitizenMajorVersionZero(ws) ?? false,
    ...(read.lockstepTag ? { lockstepTag: read.lockstepTag } : {})
  })
  for (const line of planLines(plan)) io.info(line)
  const date = new Date().toISOString().slice(0, 10)
  const byId = new Map(ws.packages.map((p) => [p.id, p] as const))
  const edits = planEdits(plan, byId, { root: top, date, changelog: inputs.changelog, changelogFile: inputs.changelogFile })
  const diff = await diffEdits(edits, top, ctx.tempDir, exec)
  const planCheck = check(
    'plan',
    started,
    plan.notReleased
      .filter((n) => n.named)
      .map((n) => ({ tool: 'release', package: n.id, severity: 'warning' as const, message: `${n.id} is not released: ${n.reason}` }))
  )
  const changelog = plan.releases
    .map((r) => `# ${r.name} ${r.newVersion}\n\n${changelogSection(r, date).replace(/^## .*\n/, '')}`)
    .join('\n')
  const outputs: Record<string, string> = {
    released: releasedJson(plan),
    tags: plan.tags.join(','),
    changelog,
    // For build-packages' and health-check's `packages`, without a JSON step between.
    packages: plan.releases.map((r) => r.name).join(','),
    versions: plan.releases.map((r) => `${r.name}==${r.newVersion}`).join(',')
  }
  const data = {
    plan: { versioning: plan.versioning, releases: plan.releases, notReleased: plan.notReleased, tags: plan.tags },
    dryRun: inputs.dryRun
  }
  const checks: CheckResult[] = [planCheck]
  if (inputs.dryRun || plan.releases.length === 0) {
    if (diff) io.info(diff)
    if (inputs.dryRun) io.notice(`Dry run: ${plan.releases.length} release(s) planned; nothing was written, committed or tagged.`)
    return {
      passed: true,
      packages: plan.releases.map((r) => r.id),
      checks,
      outputs,
      sections: [planSection(plan, inputs.dryRun, diff)],
      data
    }
  }
  const applyStarted = Date.now()
  writeEdits(edits)
  const wrong = verifyVersions(ws.root, plan)
  checks.push(check('apply', applyStarted, wrong))
  if (wrong.length)
    return { passed: false, packages: plan.releases.map((r) => r.id), checks, outputs, sections: [planSection(plan, false, diff)], data }
  const tagStarted = Date.now()
  const tagged = await commitAndTag(plan, edits, top, exec, await gitIdentity(exec, top))
  io.info(`Release commit ${tagged.commit.slice(0, 12)}; tags: ${[...tagged.createdTags, ...tagged.existingTags].join(', ')}`)
  checks.push(check('tag', tagStarted))
  if (inputs.push) {
    const pushStarted = Date.now()
    const branch = await pushRelease(exec, io, top, inputs.remote, plan.tags, inputs.token)
    io.info(`Pushed ${branch} and ${plan.tags.length} tag(s) to ${inputs.remote}.`)
    checks.push(check('push', pushStarted))
  }
  return {
    passed: true,
    packages: plan.releases.map((r) => r.id),
    checks,
    outputs: { ...outputs, commit: tagged.commit },
    sections: [planSection(plan, false, diff)],
    data: { ...data, commit: tagged.commit, pushed: inputs.push }
  }
}

export const releaseAction: ActionDefinition<ReleaseInputs> = {
  name: 'release',
  title: 'Release',
  secretInputs: [{ name: 'token', kind: 'token' }],
  parseInputs: (reader, common, io) => parseReleaseInputs(reader, common, io),
  run: (ctx, inputs) =>
    inputs.mode === 'github-release'
      ? runGithubRelease(ctx, inputs)
      : inputs.mode === 'push'
        ? runPush(ctx, inputs)
        : runPrepare(ctx, inputs)
}
