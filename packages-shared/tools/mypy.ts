/**
 * mypy: the text format with column numbers and error codes. Its JSON output is skipped on
 * purpose: it omits syntax errors, which the text format reports like any other error.
 */
import { crashMessage, excludedRelative, regexLiteral, repoRelative, searchPathVar, type QualityTool } from './tool.js'
import { hasFile, hasIniSection, hasToolTable } from './config-files.js'
import type { Finding } from '../findings.js'

const LINE = /^(.+?):(\d+):(?:(\d+):)?(?:(\d+):(\d+):)? (error|warning|note): (.*?)(?: {2}\[([a-z0-9-]+)\])?$/

export const mypy: QualityTool = {
  name: 'mypy',
  requirement: { requirement: 'mypy', version: '2.4.1', executable: 'mypy' },
  fixes: false,
  argv: (inv) => [
    inv.executable,
    '--show-column-numbers',
    '--show-error-codes',
    '--no-error-summary',
    '--no-pretty',
    '--no-color-output',
    '--hide-error-context',
    // Regexes against the path relative to cwd; added to the configured `exclude`, not replacing it.
    ...excludedRelative(inv).flatMap((p) => ['--exclude', `^${regexLiteral(p)}$`]),
    // Its cache would be .mypy_cache in the folder it runs in; the flag beats the project's cache_dir.
    ...(inv.cacheDir ? [`--cache-dir=${inv.cacheDir}`] : []),
    ...inv.targets,
    ...(inv.modules ?? []).flatMap((m) => ['-p', m])
  ],
  byModule: (inv, env) => ({ MYPYPATH: searchPathVar(inv, env.MYPYPATH) }),
  keepsCache: true,
  config: { table: ['tool', 'mypy'], files: ['mypy.ini', '.mypy.ini', 'setup.cfg'] },
  ownConfig: (pkg) => hasToolTable(pkg, 'mypy') || hasFile(pkg, 'mypy.ini', '.mypy.ini') || hasIniSection(pkg, 'mypy'),
  parse(r, inv) {
    const findings: Finding[] = []
    for (const line of r.stdout.split(/\r?\n/)) {
      const m = LINE.exec(line)
      if (!m) continue
      const [, file, row, col, endRow, endCol, severity, message, code] = m
      // A note right after an error explains it: fold it into that finding.
      const prev = findings[findings.length - 1]
      if (severity === 'note' && prev && prev.file === repoRelative(inv, file!) && prev.line === Number(row)) {
        prev.message += `\n${message}`
        continue
      }
      findings.push({
        tool: 'mypy',
        file: repoRelative(inv, file!),
        line: Number(row),
        column: col ? Number(col) : undefined,
        endLine: endRow ? Number(endRow) : undefined,
        endColumn: endCol ? Number(endCol) : undefined,
        rule: code ?? (message!.startsWith('invalid syntax') ? 'syntax' : undefined),
        severity: severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note',
        message: message!,
        url: code ? `https://mypy.readthedocs.io/en/stable/_refs.html#code-${code}` : undefined
      })
    }
    // 0 clean, 1 type errors, 2 fatal (bad config, missing path).
    const ok = !r.spawnError && (r.exitCode === 0 || (r.exitCode === 1 && findings.length > 0))
    return ok ? { findings } : { findings, error: crashMessage('mypy', r) }
  }
}
