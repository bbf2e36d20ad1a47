/** health-check's checks (the shared report model) and its step-summary sections. */
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { codeBlock, details, formatDuration, table } from '../../packages-shared/report/markdown.js'
import type { ImportReport, ImportResult } from './imports.js'
import type { HealthInputs, SmokeSpec } from './inputs.js'
import { redact } from '../../packages-shared/secrets.js'
import type { InstallOutcome } from './install.js'
import { failureReason } from '../../packages-shared/install-output.js'
import type { Listing } from './simple-index.js'
import type { SmokeResult } from './smoke.js'
import { requirement, type Target } from './targets.js'
import type { UrlResult } from './urls.js'

export interface HealthData {
  environment: string
  index: { url: string; extra: string[]; findLinks: string[] }
  /** Where the installed dists came from (absent when nothing was installed). */
  distSource?: { kind: string; description: string }
  targets: (Target & { installed?: string })[]
  install?: Omit<InstallOutcome, 'listings'> & { listings: Record<string, Record<string, Listing>> }
  imports: ImportResult[]
  smoke?: { ok: boolean; exitCode: number; timedOut: boolean; durationMs: number; output: string; traceback?: string }
  urls: UrlResult[]
  timings: Record<string, number>
}

function seconds(ms: number): string {
  return formatDuration(ms)
}

function listedVersions(outcome: InstallOutcome, t: Target): string {
  const versions = [...new Set(Object.values(outcome.listings[t.id] ?? {}).flatMap((l) => l.versions))]
  return versions.length ? ` (the index lists ${versions.slice(-8).join(', ')})` : ''
}

export function installCheck(outcome: InstallOutcome, targets: Target[], inputs: Pick<HealthInputs, 'indexUrl' | 'timeoutMs'>): CheckResult {
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
    findings = [{ tool: 'install', severity: 'error', rule: 'index-unreachable', message: `${index.charAt(0).toUpperCase()}${index.slice(1)} could not be reached ${after}`, detail: outcome.output }]
  } else {
    findings = [{
      tool: 'install',
      severity: 'error',
      rule: 'broken',
      message: `${targets.map(requirement).join(', ')} is on the index but does not install: ${failureReason(outcome.output) || 'see the log'}`,
      detail: outcome.output
    }]
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
    const findings: Finding[] = mine.filter((i) => !i.ok).map((i) => ({
      tool: 'import', package: t.id, severity: 'error', rule: 'import-error', message: `import ${i.module} failed: ${i.error ?? 'unknown error'}`, detail: i.traceback
    }))
    if (dist && !dist.version) {
      findings.push({ tool: 'import', package: t.id, severity: 'error', rule: 'not-installed', message: `${t.name} is not installed in the checked environment` })
    } else if (dist && dist.modules.length === 0 && groups.size === 0) {
      findings.push({ tool: 'import', package: t.id, severity: 'warning', rule: 'no-modules', message: `${t.name} ${dist.version} installs no importable top-level module; name modules in 'imports'` })
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
      findings: named.filter((i) => !i.ok).map((i) => ({ tool: 'import', severity: 'error', rule: 'import-error', message: `import ${i.module} failed: ${i.error ?? 'unknown error'}`, detail: i.traceback })),
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
    : [{
        tool: 'smoke',
        severity: 'error',
        rule: r.timedOut ? 'timeout' : 'failed',
        message: r.timedOut
          ? `The smoke test (${where}) did not finish within its time limit (smoke-timeout)`
          : `The smoke test (${where}) failed (exit ${r.exitCode})${r.traceback ? `: ${r.traceback.trim().split('\n').pop()}` : ''}`,
        detail: r.traceback ?? r.output
      }]
  // The output is in the smoke section; the check's message repeats it only on failure.
  return { tool: 'smoke', status: r.ok ? 'passed' : 'failed', durationMs: r.durationMs, findings, message: r.ok ? undefined : r.output || undefined, command: r.command }
}

export function urlCheck(u: UrlResult): CheckResult {
  return {
    tool: 'url',
    status: u.ok ? 'passed' : 'failed',
    durationMs: u.durationMs,
    command: `GET ${u.url}`,
    message: u.ok ? undefined : `GET ${u.url}: ${u.reason} after ${u.attempts} attempt(s)`,
    findings: u.ok ? [] : [{ tool: 'url', severity: 'error', rule: 'unhealthy', message: `GET ${u.url} did not become healthy: ${u.reason} (${u.attempts} attempt(s))`, detail: u.bodySnippet }]
  }
}

export function renderSections(d: HealthData): string[] {
  const sections: string[] = []
  const where = [d.index.url, ...d.index.extra].join(', ')
  sections.push(`**Environment:** \`${d.environment}\` · **index:** ${where || 'none'}${d.index.findLinks.length ? ` · find-links: ${d.index.findLinks.join(', ')}` : ''}\n`)
  if (d.distSource) sections.push(`**Dists:** ${d.distSource.description}\n`)
  if (d.targets.length) {
    const rows = d.targets.map((t) => {
      const mine = d.imports.filter((i) => i.package === t.name)
      return [
        t.name,
        t.version,
        t.installed ?? '—',
        t.source,
        mine.length ? mine.map((i) => `${i.ok ? '✅' : '❌'} ${i.module}`).join(' ') : '—'
      ]
    })
    sections.push(`### Packages\n\n${table(['package', 'requested', 'installed', 'version from', 'imports'], rows)}`)
  }
  const failedImports = d.imports.filter((i) => !i.ok)
  if (failedImports.length) {
    sections.push(`### Import failures\n\n${failedImports.map((i) => details(`import ${i.module}: ${i.error ?? ''}`, codeBlock(i.traceback ?? i.error ?? '', 'python'))).join('\n')}`)
  }
  if (d.smoke) {
    const head = d.smoke.ok ? '✅ passed' : d.smoke.timedOut ? '❌ timed out' : `❌ failed (exit ${d.smoke.exitCode})`
    sections.push(`### Smoke test: ${head} in ${formatDuration(d.smoke.durationMs)}\n\n${d.smoke.output ? codeBlock(d.smoke.output) : '(no output)\n'}`)
  }
  if (d.urls.length) {
    const rows = d.urls.map((u) => [u.url, u.status === undefined ? '—' : String(u.status), u.ok ? '✅ healthy' : `❌ ${u.reason ?? ''}`, String(u.attempts), formatDuration(u.durationMs)])
    sections.push(`### URLs\n\n${table(['url', 'last status', 'result', 'attempts', 'time'], rows)}`)
  }
  const t = d.timings
  const parts: string[] = []
  if (d.install) parts.push(`install ${formatDuration(d.install.durationMs)} (${d.install.attempts} attempt(s), ${d.install.installer})`)
  if (t.importsMs !== undefined) parts.push(`imports ${formatDuration(t.importsMs)}`)
  if (t.smokeMs !== undefined) parts.push(`smoke ${formatDuration(t.smokeMs)}`)
  if (d.urls.length && t.urlsMs !== undefined) parts.push(`URLs ${formatDuration(t.urlsMs)}`)
  if (t.totalMs !== undefined) parts.push(`total ${formatDuration(t.totalMs)}`)
  sections.push(`**Timings:** ${parts.join(' · ')}\n`)
  return sections
}
