/** health-check's step-summary sections and the data of its JSON report. */
import { codeBlock, details, formatDuration, table } from '../../packages-shared/report/markdown.js'
import type { ImportResult } from './imports.js'
import type { InstallOutcome } from './install.js'
import type { Listing } from './simple-index.js'
import type { Target } from './targets.js'
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

export function renderSections(d: HealthData): string[] {
  const sections: string[] = []
  const where = [d.index.url, ...d.index.extra].join(', ')
  sections.push(
    `**Environment:** \`${d.environment}\` · **index:** ${where || 'none'}${d.index.findLinks.length ? ` · find-links: ${d.index.findLinks.join(', ')}` : ''}\n`
  )
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
    sections.push(
      `### Import failures\n\n${failedImports.map((i) => details(`import ${i.module}: ${i.error ?? ''}`, codeBlock(i.traceback ?? i.error ?? '', 'python'))).join('\n')}`
    )
  }
  if (d.smoke) {
    const head = d.smoke.ok ? '✅ passed' : d.smoke.timedOut ? '❌ timed out' : `❌ failed (exit ${d.smoke.exitCode})`
    sections.push(
      `### Smoke test: ${head} in ${formatDuration(d.smoke.durationMs)}\n\n${d.smoke.output ? codeBlock(d.smoke.output) : '(no output)\n'}`
    )
  }
  if (d.urls.length) {
    const rows = d.urls.map((u) => [
      u.url,
      u.status === undefined ? '—' : String(u.status),
      u.ok ? '✅ healthy' : `❌ ${u.reason ?? ''}`,
      String(u.attempts),
      formatDuration(u.durationMs)
    ])
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
