/** isort: `--check-only --diff`; each unsorted file is a finding carrying the diff. */
import { crashMessage, repoRelative, splitDiff, type QualityTool } from './tool.js'
import { hasFile, hasIniSection, hasToolTable } from './config-files.js'
import type { Finding } from '../findings.js'

export const isort: QualityTool = {
  name: 'isort',
  requirement: { requirement: 'isort', version: '9.0.2', executable: 'isort' },
  fixes: true,
  // --extend-skip with an absolute path: isort compares it with each file's absolute path.
  argv: (inv) => [
    inv.executable, ...(inv.fix ? [] : ['--check-only', '--diff']),
    ...(inv.exclude ?? []).flatMap((p) => ['--extend-skip', p]), ...inv.targets
  ],
  ownConfig: (pkg) => hasToolTable(pkg, 'isort') || hasFile(pkg, '.isort.cfg') || hasIniSection(pkg, 'isort'),
  parse(r, inv) {
    const findings: Finding[] = []
    if (inv.fix) {
      for (const m of r.stdout.matchAll(/^Fixing (.+)$/gm)) {
        findings.push({ tool: 'isort', file: repoRelative(inv, m[1]!.trim()), rule: 'fixed', severity: 'note', message: 'isort sorted the imports of this file' })
      }
    } else {
      const seen = new Set<string>()
      for (const s of splitDiff(r.stdout, (h) => h.replace(/:before\s.*$|:before$/, '').replace(/\t.*$/, '').trim())) {
        const file = repoRelative(inv, s.file)
        seen.add(file)
        findings.push({ tool: 'isort', file, line: s.firstLine, rule: 'imports', severity: 'error', message: 'isort: imports are incorrectly sorted and/or formatted', detail: s.diff })
      }
      for (const m of r.stderr.matchAll(/^ERROR: (.+?) Imports are incorrectly sorted/gm)) {
        const file = repoRelative(inv, m[1]!)
        if (!seen.has(file)) {
          seen.add(file)
          findings.push({ tool: 'isort', file, rule: 'imports', severity: 'error', message: 'isort: imports are incorrectly sorted and/or formatted' })
        }
      }
    }
    const ok = !r.spawnError && (r.exitCode === 0 || (r.exitCode === 1 && findings.length > 0))
    return ok ? { findings } : { findings, error: crashMessage('isort', r) }
  }
}
