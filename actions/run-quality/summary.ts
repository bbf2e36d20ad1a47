/** run-quality's step-summary sections: findings by tool and package, the files a fix changed, why nothing ran. */
import type { Selection } from '../../packages-shared/context.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { table } from '../../packages-shared/report/markdown.js'
import type { CacheUse, ModuleUse, RunOutcome } from './tool-run.js'

export function matrixSection(checks: readonly CheckResult[], runs: readonly RunOutcome[]): string {
  const packages = [...new Set(runs.flatMap((r) => r.run.packages))].sort()
  const extra = runs.some((r) => r.findings.some((f) => !f.package))
  const cols = [...packages, ...(extra ? ['other'] : [])]
  if (cols.length === 0) return ''
  const rows = checks.map((c) => {
    // Counted in one pass per check: a filter per column is checks × packages × findings.
    const counts = new Map<string, number>()
    for (const f of c.findings) counts.set(f.package ?? 'other', (counts.get(f.package ?? 'other') ?? 0) + 1)
    return [c.tool, ...cols.map((col) => (c.status === 'error' ? 'error' : counts.get(col) ? String(counts.get(col)) : '✓'))]
  })
  return `### Findings by tool and package\n\n${table(['tool', ...cols], rows)}`
}

type ToolCacheUse = Omit<CacheUse, 'modules'> & { modules?: ModuleUse }

/** Per tool: the files its runs covered, those the findings cache answered, those the tool checked. */
export function cacheUse(runs: readonly RunOutcome[]): Record<string, ToolCacheUse> {
  const out: Record<string, ToolCacheUse> = {}
  for (const r of runs) {
    if (!r.cache) continue
    const t = (out[r.run.tool.name] ??= { files: 0, fromCache: 0, checked: 0 })
    t.files += r.cache.files
    t.fromCache += r.cache.fromCache
    t.checked += r.cache.checked
    if (r.cache.whole) t.whole = true
    if (r.cache.off) t.off = t.off ? `${t.off}; ${r.cache.off}` : r.cache.off
    const m = r.cache.modules
    if (m) {
      const u = (t.modules ??= { files: 0, fromCache: 0, checked: 0, crossPass: [] })
      u.files += m.files
      u.fromCache += m.fromCache
      u.checked += m.checked
      u.crossPass = [...new Set([...u.crossPass, ...m.crossPass])]
    }
  }
  return out
}

export function cacheSection(use: ReturnType<typeof cacheUse>): string {
  const tools = Object.keys(use)
  if (tools.length === 0) return ''
  const rows = tools.map((t) => {
    const u = use[t]!
    // pylint answered per module: how many it checked again of how many, and what a pass over all looked for.
    if (u.modules) {
      const m = u.modules
      const unchanged = u.fromCache ? ` (+ ${u.fromCache} run(s) unchanged)` : ''
      const cross = m.crossPass.length ? `, ${m.crossPass.join(' and ')} over all` : ''
      return [t, `${m.files} modules${unchanged}`, String(m.fromCache), `${m.checked} of ${m.files}${cross}`]
    }
    // mypy and pylint are answered for the whole run: from the cache only when nothing changed.
    if (u.whole) return [t, 'whole run', u.fromCache ? 'all (nothing changed)' : '—', u.checked ? 'all' : '—']
    return [t, u.off && u.files === 0 ? 'not used' : String(u.files), String(u.fromCache), String(u.checked)]
  })
  return `### Findings cache\n\n${table(['tool', 'files', 'from the cache', 'checked'], rows)}`
}

export function fixSection(changed: readonly string[]): string {
  return changed.length
    ? `### Files changed by fix\n\n${changed.map((f) => `- \`${f}\``).join('\n')}\n`
    : '### Files changed by fix\n\nNone.\n'
}

export function nothingSection(selection: Selection): string {
  return selection.changes ? `No package changed since \`${selection.changes.base.slice(0, 12)}\`.` : 'No package selected.'
}
