/** run-quality's step-summary sections: findings by tool and package, the files a fix changed, why nothing ran. */
import type { Selection } from '../../packages-shared/context.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { table } from '../../packages-shared/report/markdown.js'
import type { RunOutcome } from './runs.js'

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

export function fixSection(changed: readonly string[]): string {
  return changed.length ? `### Files changed by fix\n\n${changed.map((f) => `- \`${f}\``).join('\n')}\n` : '### Files changed by fix\n\nNone.\n'
}

export function nothingSection(selection: Selection): string {
  return selection.changes ? `No package changed since \`${selection.changes.base.slice(0, 12)}\`.` : 'No package selected.'
}
