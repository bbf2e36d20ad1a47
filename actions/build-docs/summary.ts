/** What the docs build did, as the step summary shows it. */
import { escapeCell, formatBytes } from '../../packages-shared/report/markdown.js'

export interface DocsSummary {
  tool?: string
  found?: string
  environment?: string
  strict: boolean
  site?: string
  siteFiles?: number
  pages?: { requested: boolean; uploaded?: boolean; name: string; files?: number; bytes?: number; message?: string }
  /** Set when nothing was built, with the reason. */
  nothing?: string
}

export function docsSection(s: DocsSummary): string {
  if (s.nothing) return `### Documentation\n\nNothing built: ${escapeCell(s.nothing)}\n`
  const rows: [string, string][] = [
    ['Tool', s.tool ?? ''],
    ['Found', s.found ?? ''],
    ['Environment', s.environment ?? ''],
    ['Strict', s.strict ? 'yes: warnings fail the build' : 'no: warnings are reported, not failed'],
    ['Site', s.site ? `${s.site}${s.siteFiles !== undefined ? ` (${s.siteFiles} file(s))` : ''}` : 'not built']
  ]
  if (s.pages?.requested) {
    const p = s.pages
    rows.push([
      'Pages',
      p.uploaded
        ? `uploaded as '${p.name}'${p.files !== undefined ? ` (${p.files} file(s), ${formatBytes(p.bytes ?? 0)})` : ''}; deploy it with actions/deploy-pages`
        : (p.message ?? 'not uploaded')
    ])
  }
  return ['### Documentation', '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`), ''].join('\n')
}
