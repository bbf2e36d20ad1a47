/**
 * publish-pypi's checks: the pre-flight's problems, and each package's upload judged by what
 * the index lists afterwards; and the action's result built from them.
 */
import type { ActionResult } from '../../packages-shared/action.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import type { PublishInputs } from './inputs.js'
import type { PlannedPackage } from './plan.js'
import type { Problem } from './preflight.js'
import type { PackageResult } from './publisher.js'
import type { Preflight, ReadBack, UploadRuns } from './runs.js'
import { planSections, reportData, resultSections, skipDetail } from './summary.js'

function toFinding(p: Problem): Finding {
  return { tool: 'preflight', severity: p.severity, message: p.message, file: p.file, package: p.package }
}

export function preflightErrors(pre: Pick<Preflight, 'problems'>): Problem[] {
  return pre.problems.filter((p) => p.severity === 'error')
}

export function preflightCheck(pre: Preflight, inputs: Pick<PublishInputs, 'repository'>, durationMs: number): CheckResult {
  return {
    tool: 'preflight',
    status: preflightErrors(pre).length ? 'failed' : 'passed',
    durationMs,
    findings: pre.problems.map(toFinding),
    message: `${pre.files.length} file(s) of ${pre.plan.length} package(s) for ${inputs.repository.label} (${inputs.repository.uploadUrl})`
  }
}

/** One package's upload: failed or held back, or published and then listed by the index with our hashes. */
export function uploadCheck(
  r: PackageResult,
  pkg: PlannedPackage,
  readBack: ReadBack | undefined,
  uvVersion: string | undefined
): CheckResult {
  const findings: Finding[] = []
  if (readBack?.ok) {
    for (const f of pkg.files) {
      const hit = readBack.listed.get(f.filename)
      if (!hit)
        findings.push({
          tool: 'upload',
          package: r.id,
          severity: 'warning',
          message: `${f.filename} was uploaded but the index does not list it yet (a CDN may serve a stale page for a while).`
        })
      else if (hit.sha256 && hit.sha256 !== f.sha256)
        findings.push({
          tool: 'upload',
          package: r.id,
          severity: 'error',
          message: `${f.filename} is on the index with a different sha256 than the local file.`
        })
    }
  } else if (readBack) {
    findings.push({ tool: 'upload', package: r.id, severity: 'warning', message: `Could not read the index back: ${readBack.error}` })
  }
  if (r.status === 'failed')
    findings.push({ tool: 'upload', package: r.id, severity: 'error', message: `${r.name} ${r.version} failed to publish: ${r.reason}` })
  if (r.status === 'blocked')
    findings.push({ tool: 'upload', package: r.id, severity: 'error', message: `${r.name} ${r.version} was not published: ${r.reason}` })
  return {
    tool: 'upload',
    toolVersion: uvVersion,
    package: r.id,
    status:
      r.status === 'failed' || findings.some((f) => f.severity === 'error') ? 'failed' : r.status === 'blocked' ? 'skipped' : 'passed',
    durationMs: r.durationMs ?? 0,
    findings,
    message: r.status === 'blocked' ? `blocked by ${r.blockedBy?.join(', ')}` : r.status === 'skipped' ? skipDetail(r) : r.reason
  }
}

/** The result when nothing is uploaded: the pre-flight failed, or this is a dry run. */
export function preflightResult(pre: Preflight, inputs: PublishInputs, preflight: CheckResult): ActionResult {
  const errors = preflightErrors(pre)
  const base = {
    packages: pre.plan.map((p) => p.id),
    checks: [preflight],
    sections: planSections(pre, inputs.dryRun),
    data: reportData(pre, inputs),
    outputs: { uploaded: '[]', skipped: '[]', failed: '[]' }
  }
  if (errors.length === 0) return { passed: true, ...base }
  return {
    passed: false,
    ...base,
    failureMessage: `publish-pypi pre-flight failed, nothing was uploaded: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem(s); see the step summary)` : ''}`
  }
}

/** The result after the uploads: the pre-flight check, one check per package, the files by outcome. */
export function publishResult(pre: Preflight, inputs: PublishInputs, preflight: CheckResult, runs: UploadRuns): ActionResult {
  const { results } = runs
  const checks = [
    preflight,
    ...results.map((r) =>
      uploadCheck(
        r,
        pre.plan.find((p) => p.id === r.id)!,
        runs.readBack.get(r.id),
        runs.uvVersion
      )
    )
  ]
  const fileNames = (...statuses: string[]): string =>
    JSON.stringify(results.flatMap((r) => r.files.filter((f) => statuses.includes(f.status)).map((f) => f.filename)))
  const failedPkgs = results.filter((r) => r.status === 'failed')
  const blockedPkgs = results.filter((r) => r.status === 'blocked')
  const passed = failedPkgs.length === 0 && blockedPkgs.length === 0 && !checks.some((c) => c.status === 'failed')
  return {
    passed,
    packages: pre.plan.map((p) => p.id),
    checks,
    sections: resultSections(pre, results),
    data: { ...reportData(pre, inputs), results },
    outputs: { uploaded: fileNames('uploaded'), skipped: fileNames('skipped'), failed: fileNames('failed', 'not-attempted') },
    failureMessage: passed
      ? undefined
      : `publish-pypi: ${failedPkgs.map((r) => `${r.name} failed (${r.reason})`).join('; ')}${blockedPkgs.length ? `; held back: ${blockedPkgs.map((r) => r.name).join(', ')}` : ''}.`
  }
}
