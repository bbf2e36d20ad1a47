/** publish-pypi's step-summary sections, its plan in the log, and the data of its JSON report. */
import type { RunnerIO } from '../../packages-shared/io.js'
import { table } from '../../packages-shared/report/markdown.js'
import type { PublishInputs } from './inputs.js'
import type { FileState, PlannedPackage } from './plan.js'
import type { PackageResult } from './publisher.js'
import type { Preflight } from './runs.js'

export function planSection(plan: readonly PlannedPackage[], states: Map<string, FileState>, dryRun: boolean): string {
  const rows = plan.flatMap((pkg, i) =>
    pkg.files.map((f, j) => {
      const state = states.get(f.filename)
      const action =
        state === 'same'
          ? 'skip (already on the index)'
          : state === 'different'
            ? 'conflict (different file on the index)'
            : state === 'absent'
              ? 'upload'
              : 'unknown'
      return [j === 0 ? String(i + 1) : '', j === 0 ? `${pkg.name} ${pkg.version}` : '', f.filename, f.sha256.slice(0, 12), action]
    })
  )
  return `### ${dryRun ? 'Plan (dry run: nothing uploaded)' : 'Plan'}\n\n${table(['#', 'package', 'file', 'sha256', 'action'], rows)}`
}

/** Why a package was skipped as a whole: its files were there before, or another publisher won every race. */
export function skipDetail(r: PackageResult): string {
  return r.files.every((f) => f.skipped === 'concurrent') ? 'uploaded concurrently by another publisher' : 'already on the index'
}

export function resultSection(results: readonly PackageResult[]): string {
  const rows = results.map((r) => {
    const counts = ['uploaded', 'skipped', 'failed', 'not-attempted']
      .map((s) => [s, r.files.filter((f) => f.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')
    const detail =
      r.status === 'blocked' ? `blocked by ${r.blockedBy?.join(', ')}` : r.status === 'skipped' ? skipDetail(r) : (r.reason ?? '')
    return [r.name, r.version, r.status, counts, detail]
  })
  return `### Packages\n\n${table(['package', 'version', 'status', 'files', 'detail'], rows)}`
}

/** Every file this run did not upload because the index already held it, and why. */
export function skippedSection(results: readonly PackageResult[]): string[] {
  const rows = results.flatMap((r) =>
    r.files
      .filter((f) => f.status === 'skipped')
      .map((f) => [
        f.filename,
        `${r.name} ${r.version}`,
        f.skipped === 'concurrent' ? 'uploaded concurrently by another publisher (same sha256)' : 'already on the index (same sha256)'
      ])
  )
  return rows.length ? [`### Skipped files\n\n${table(['file', 'package', 'why'], rows)}`] : []
}

/** Where the dists came from: the first line of every summary; then, with trusted publishing, the attestations. */
export function sourceLine(pre: Pick<Preflight, 'source'> & Partial<Pick<Preflight, 'attestations' | 'useOidc'>>): string {
  const report = pre.attestations?.report
  const attested = !report
    ? ''
    : report.made
      ? `**Attestations:** ${report.files.length} file(s) signed as \`${report.identity}\`, logged in ${report.rekorUrl}\n`
      : pre.useOidc
        ? `**Attestations:** none (${report.reason})\n`
        : ''
  return `**Dists:** ${pre.source.description}\n${attested}`
}

/** The summary before any upload: where the dists came from and the plan. */
export function planSections(
  pre: Pick<Preflight, 'source' | 'plan' | 'states'> & Partial<Pick<Preflight, 'attestations' | 'useOidc'>>,
  dryRun: boolean
): string[] {
  return [sourceLine(pre), ...(pre.plan.length ? [planSection(pre.plan, pre.states, dryRun)] : [])]
}

/** The summary after the uploads: what happened to each package, what was skipped, then the plan. */
export function resultSections(
  pre: Pick<Preflight, 'source' | 'plan' | 'states'> & Partial<Pick<Preflight, 'attestations' | 'useOidc'>>,
  results: readonly PackageResult[]
): string[] {
  return [sourceLine(pre), resultSection(results), ...skippedSection(results), ...planSections(pre, false).slice(1)]
}

/** The plan in the log, one line per package, each file with what will happen to it. */
export function logPlan(io: RunnerIO, pre: Pick<Preflight, 'plan' | 'states'>, uploadUrl: string): void {
  io.info(`Plan (${uploadUrl}):`)
  for (const [i, p] of pre.plan.entries()) {
    io.info(
      `  ${i + 1}. ${p.name} ${p.version}: ${p.files.map((f) => `${f.filename} [${({ same: 'skip', different: 'conflict', absent: 'upload' } as const)[pre.states.get(f.filename) ?? 'absent']}]`).join(', ')}`
    )
  }
}

/** The JSON report's data before any upload (the results are added after). */
export function reportData(pre: Preflight, inputs: Pick<PublishInputs, 'repository' | 'dryRun'>): Record<string, unknown> {
  const { source, auth, useOidc, plan, states, attestations } = pre
  return {
    distSource: { kind: source.kind, description: source.description },
    repository: { uploadUrl: inputs.repository.uploadUrl, indexUrl: inputs.repository.indexUrl },
    authentication: auth ? (useOidc ? 'trusted-publishing' : auth.kind) : useOidc ? 'trusted-publishing' : 'none',
    attestations: attestations.report,
    dryRun: inputs.dryRun,
    plan: plan.map((p) => ({
      package: p.id,
      version: p.version,
      dependsOn: p.dependsOn,
      files: p.files.map((f) => ({ filename: f.filename, sha256: f.sha256, size: f.size, state: states.get(f.filename) }))
    }))
  }
}
