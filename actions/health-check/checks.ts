/** health-check's checks: the outcomes of the install, the imports, the smoke test and the URLs as CheckResults. */
import type { ActionResult } from '../../packages-shared/action.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { formatDuration } from '../../packages-shared/report/markdown.js'
import type { ImportReport, ImportResult } from './imports.js'
import type { HealthInputs, SmokeSpec } from './inputs.js'
import { redact } from '../../packages-shared/secrets.js'
import type { InstallOutcome } from './install.js'
import { failureReason } from '../../packages-shared/install-output.js'
import type { SmokeResult } from './smoke.js'
import { requirement, type Target } from './targets.js'
import type { UrlResult } from './urls.js'
import type { HealthPlan } from './plan.js'
import type { HealthRuns } from './runs.js'
import { renderSections, type HealthData } from './summary.js'

function seconds(ms: number): string {
  return formatDuration(ms)
}

function listedVersions(outcome: InstallOutcome, t: Target): string {
  const versions = [...new Set(Object.values(outcome.listings[t.id] ?? {}).flatMap((l) => l.versions))]
  return versions.length ? ` (the index lists ${versions.slice(-8).join(', ')})` : ''
}

export function installCheck(
  outcome: InstallOutcome,
  targets: Target[],
  inputs: Pick<HealthInputs, 'indexUrl' | 'timeoutMs'>
): CheckResult {
  const base = { tool: 'install', toolVersion: outcome.installer, durationMs: outcome.durationMs, command: outcome.command }
  if (outcome.status === 'installed') return { ...base, status: 'passed', findings: [] }
  const index = inputs.indexUrl ? `the index ${redact(inputs.indexUrl)}` : 'the find-links dists (index-url: none)'
  const after = `after ${seconds(inputs.timeoutMs)} (${outcome.attempts} attempt(s))`
  let findings: Finding[]
  if (outcome.status === 'not-found') {
    // Name the targets the index does not list; when it lists them all, the resolver's words decide.
    const missing = targets.filter((t) => Object.values(outcome.listings[t.id] ?? {}).every((l) => l.state !== 'listed'))
    const named = missing.length ? missing : targets
    findings = named.map((t) => ({
      tool: 'install',
      package: t.id,
      severity: 'error',
      rule: 'not-on-index',
      message: `${requirement(t)} not found on ${index} ${after}${listedVersions(outcome, t)}`,
      detail: outcome.output
    }))
  } else if (outcome.status === 'unreachable') {
    findings = [
      {
        tool: 'install',
        severity: 'error',
        rule: 'index-unreachable',
        message: `${index.charAt(0).toUpperCase()}${index.slice(1)} could not be reached ${after}`,
        detail: outcome.output
      }
    ]
  } else {
    findings = [
      {
        tool: 'install',
        severity: 'error',
        rule: 'broken',
        message: `${targets.map(requirement).join(', ')} is on the index but does not install: ${failureReason(outcome.output) || 'see the log'}`,
        detail: outcome.output
      }
    ]
  }
  return { ...base, status: 'failed', findings, message: outcome.output }
}

export function importChecks(report: ImportReport, targets: Target[]): CheckResult[] {
  const checks: CheckResult[] = []
  const groups = new Map<string, ImportResult[]>()
  for (const i of report.imports) groups.set(i.package, [...(groups.get(i.package) ?? []), i])
  for (const t of targets) {
    const dist = report.dists.find((d) => d.package === t.name)
    const mine = groups.get(t.name) ?? []
    const findings: Finding[] = mine
      .filter((i) => !i.ok)
      .map((i) => ({
        tool: 'import',
        package: t.id,
        severity: 'error',
        rule: 'import-error',
        message: `import ${i.module} failed: ${i.error ?? 'unknown error'}`,
        detail: i.traceback
      }))
    if (dist && !dist.version) {
      findings.push({
        tool: 'import',
        package: t.id,
        severity: 'error',
        rule: 'not-installed',
        message: `${t.name} is not installed in the checked environment`
      })
    } else if (dist && dist.modules.length === 0 && groups.size === 0) {
      findings.push({
        tool: 'import',
        package: t.id,
        severity: 'warning',
        rule: 'no-modules',
        message: `${t.name} ${dist.version} installs no importable top-level module; name modules in 'imports'`
      })
    }
    checks.push({
      tool: 'import',
      toolVersion: dist?.version ? `${t.name} ${dist.version}` : undefined,
      package: t.id,
      status: findings.some((f) => f.severity === 'error') ? 'failed' : 'passed',
      durationMs: mine.reduce((s, i) => s + i.durationMs, 0),
      findings,
      // Passing imports are in the packages table; a failure names every module's result.
      message: findings.length ? `imported: ${mine.map((i) => `${i.module} ${i.ok ? 'ok' : 'FAILED'}`).join(', ') || 'nothing'}` : undefined
    })
  }
  const named = groups.get('') ?? []
  if (named.length) {
    checks.push({
      tool: 'import',
      status: named.every((i) => i.ok) ? 'passed' : 'failed',
      durationMs: named.reduce((s, i) => s + i.durationMs, 0),
      findings: named
        .filter((i) => !i.ok)
        .map((i) => ({
          tool: 'import',
          severity: 'error',
          rule: 'import-error',
          message: `import ${i.module} failed: ${i.error ?? 'unknown error'}`,
          detail: i.traceback
        })),
      message: named.every((i) => i.ok) ? undefined : `imported: ${named.map((i) => `${i.module} ${i.ok ? 'ok' : 'FAILED'}`).join(', ')}`
    })
  }
  if (report.error) {
    checks.push({ tool: 'import', status: 'error', durationMs: 0, findings: [], message: report.error })
  }
  return checks
}

export function smokeCheck(r: SmokeResult, spec: SmokeSpec): CheckResult {
  const where = spec.kind === 'script' ? spec.file : 'inline smoke test'
  const findings: Finding[] = r.ok
    ? []
    : [
        {
          tool: 'smoke',
          severity: 'error',
          rule: r.timedOut ? 'timeout' : 'failed',
          message: r.timedOut
            ? `The smoke test (${where}) did not finish within its time limit (smoke-timeout)`
            : `The smoke test (${where}) failed (exit ${r.exitCode})${r.traceback ? `: ${r.traceback.trim().split('\n').pop()}` : ''}`,
          detail: r.traceback ?? r.output
        }
      ]
  // The output is in the smoke section; the check's message repeats it only on failure.
  return {
    tool: 'smoke',
    status: r.ok ? 'passed' : 'failed',
    durationMs: r.durationMs,
    findings,
    message: r.ok ? undefined : r.output || undefined,
    command: r.command
  }
}

export function urlCheck(u: UrlResult): CheckResult {
  return {
    tool: 'url',
    status: u.ok ? 'passed' : 'failed',
    durationMs: u.durationMs,
    command: `GET ${u.url}`,
    message: u.ok ? undefined : `GET ${u.url}: ${u.reason} after ${u.attempts} attempt(s)`,
    findings: u.ok
      ? []
      : [
          {
            tool: 'url',
            severity: 'error',
            rule: 'unhealthy',
            message: `GET ${u.url} did not become healthy: ${u.reason} (${u.attempts} attempt(s))`,
            detail: u.bodySnippet
          }
        ]
  }
}

/** The action's result: every check, the report data, the summary and the outputs. */
export function healthResult(inputs: HealthInputs, plan: HealthPlan, runs: HealthRuns): ActionResult {
  const { targets, source } = plan
  const { install, imports, smoke, urls, timings } = runs
  const checks: CheckResult[] = []
  if (install) checks.push(installCheck(install, targets, inputs))
  if (imports) checks.push(...importChecks(imports, targets))
  if (smoke) checks.push(smokeCheck(smoke, inputs.smoke))
  for (const u of urls) checks.push(urlCheck(u))
  const passed = checks.every((c) => c.status === 'passed' || c.status === 'skipped')
  const data: HealthData = {
    environment: inputs.environment,
    index: { url: redact(inputs.indexUrl), extra: inputs.extraIndexUrls.map(redact), findLinks: source?.findLinks ?? inputs.findLinks },
    distSource: source && { kind: source.kind, description: source.description },
    targets: targets.map((t) => ({ ...t, installed: imports?.dists.find((d) => d.package === t.name)?.version })),
    install: install && {
      status: install.status,
      installer: install.installer,
      attempts: install.attempts,
      durationMs: install.durationMs,
      output: install.output,
      command: install.command,
      listings: install.listings
    },
    imports: imports?.imports ?? [],
    smoke: smoke && {
      ok: smoke.ok,
      exitCode: smoke.exitCode,
      timedOut: smoke.timedOut,
      durationMs: smoke.durationMs,
      output: smoke.output,
      traceback: smoke.traceback
    },
    urls,
    timings
  }
  const firstFailure = checks.find((c) => c.status !== 'passed' && c.status !== 'skipped')
  const reason = firstFailure?.findings[0]?.message ?? firstFailure?.message
  return {
    passed,
    packages: targets.map((t) => t.id),
    checks,
    sections: renderSections(data),
    data: { ...data },
    outputs: {
      healthy: String(passed),
      environment: inputs.environment,
      versions: JSON.stringify(Object.fromEntries(data.targets.map((t) => [t.name, t.installed ?? null])))
    },
    failureMessage: passed ? undefined : `health-check (${inputs.environment}) failed: ${reason ?? 'see the step summary'}`
  }
}
