/** flake8: a format template with a separator no path or message contains. */
import { crashMessage, globLiteral, repoRelative, type QualityTool } from './tool.js'
import { hasFile, hasIniSection } from './config-files.js'
import type { Finding } from '../findings.js'

const SEP = '\u241f'

export const flake8: QualityTool = {
  name: 'flake8',
  requirement: { requirement: 'flake8', version: '7.5.0', executable: 'flake8' },
  fixes: false,
  argv: (inv) => [
    inv.executable, `--format=%(path)s${SEP}%(row)d${SEP}%(col)d${SEP}%(code)s${SEP}%(text)s`,
    ...(inv.jobs ? [`--jobs=${inv.jobs}`] : []),
    // fnmatch patterns against absolute paths, comma separated (a name with a comma cannot be named).
    ...(inv.exclude?.length ? [`--extend-exclude=${inv.exclude.map(globLiteral).join(',')}`] : []),
    ...inv.targets
  ],
  ownConfig: (pkg) => hasFile(pkg, '.flake8') || hasIniSection(pkg, 'flake8'),
  parse(r, inv) {
    const findings: Finding[] = []
    for (const line of r.stdout.split(/\r?\n/)) {
      const parts = line.split(SEP)
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
