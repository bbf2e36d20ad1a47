/**
 * flake8: a format template with separators no path or message contains. Each record starts
 * with RS, so a path holding a newline (a file may be named `a\n::error::b.py`) stays one
 * record with its real name instead of turning its second half into a finding.
 */
import { crashMessage, globLiteral, repoRelative, type QualityTool } from './tool.js'
import { hasFile, hasIniSection } from './config-files.js'
import type { Finding } from '../findings.js'

const SEP = '\u241f'
const RS = '\u241e'

export const flake8: QualityTool = {
  name: 'flake8',
  requirement: { requirement: 'flake8', version: '7.5.0', executable: 'flake8' },
  fixes: false,
  argv: (inv) => [
    inv.executable, `--format=${RS}%(path)s${SEP}%(row)d${SEP}%(col)d${SEP}%(code)s${SEP}%(text)s`,
    ...(inv.jobs ? [`--jobs=${inv.jobs}`] : []),
    // fnmatch patterns against absolute paths, comma separated (a name with a comma cannot be named).
    ...(inv.exclude?.length ? [`--extend-exclude=${inv.exclude.map(globLiteral).join(',')}`] : []),
    ...inv.targets
  ],
  ownConfig: (pkg) => hasFile(pkg, '.flake8') || hasIniSection(pkg, 'flake8'),
  parse(r, inv) {
    const findings: Finding[] = []
    for (const record of r.stdout.split(RS).slice(1)) {
      const parts = record.replace(/\r?\n$/, '').split(SEP)
      if (parts.length < 5) continue
      const [file, row, col, code, ...text] = parts
      findings.push({
        tool: 'flake8',
        file: repoRelative(inv, file!),
        line: Number(row),
        column: Math.max(1, Number(col)),
        rule: code,
        // E/W are pycodestyle, F pyflakes, C complexity: all problems to fix, so errors.
        severity: code!.startsWith('W') ? 'warning' : 'error',
        message: `${code} ${text.join(SEP)}`
      })
    }
    // 1 with findings is the normal failure; 1 without any is a crash (bad config).
    const ok = !r.spawnError && (r.exitCode === 0 || (r.exitCode === 1 && findings.length > 0))
    return ok ? { findings } : { findings, error: crashMessage('flake8', r) }
  }
}
