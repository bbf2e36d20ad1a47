/** black: `--check --diff`; each file it would reformat is a finding carrying the diff. */
import { crashMessage, regexLiteral, repoRelative, splitDiff, type QualityTool } from './tool.js'
import { hasToolTable } from './config-files.js'
import type { Finding } from '../findings.js'
import { toPosix } from '../paths.js'

/**
 * black matches `--force-exclude` against `/` plus the path relative to the project root it
 * finds by itself (the nearest folder with .git, .hg or a pyproject.toml with [tool.black],
 * else the file system root). Any ancestor may be that root, so the pattern takes the file's
 * path from each of them: `^/(?:(?:a/)?b/)?c[.]py$`. One flag, so it replaces a configured
 * force-exclude only in the runs where the pre-screen excluded a file.
 */
export function blackExcludePattern(files: readonly string[]): string {
  const one = (file: string): string => {
    const parts = toPosix(file).split('/').filter(Boolean)
    const name = regexLiteral(parts.pop()!)
    return parts.reduce((acc, p) => `(?:${acc}${regexLiteral(p)}/)?`, '') + name
  }
  return `^/(?:${files.map(one).join('|')})$`
}

function excludeArgs(files: readonly string[]): string[] {
  return files.length ? ['--force-exclude', blackExcludePattern(files)] : []
}

export const black: QualityTool = {
  name: 'black',
  requirement: { requirement: 'black', version: '26.10.1', executable: 'black' },
  fixes: true,
  argv: (inv) => [
    inv.executable, ...(inv.fix ? [] : ['--check', '--diff']), '--no-color',
    ...(inv.jobs ? [`--workers=${inv.jobs}`] : []), ...excludeArgs(inv.exclude ?? []), ...inv.targets
  ],
  // black keeps its cache in the user's home (or BLACK_CACHE_DIR).
  env: (inv): Record<string, string> => (inv.cacheDir ? { BLACK_CACHE_DIR: inv.cacheDir } : {}),
  ownConfig: (pkg) => pkg.relDir !== '.' && hasToolTable(pkg, 'black'),
  parse(r, inv) {
    // 0 unchanged, 1 would reformat; 123 an internal error or a file it cannot parse.
    const findings: Finding[] = []
    for (const m of r.stderr.matchAll(/^error: cannot format (.+?): (.*)$/gm)) {
      const line = /(\d+):(\d+)/.exec(m[2]!)
      findings.push({
        tool: 'black', file: repoRelative(inv, m[1]!), rule: 'parse-error', severity: 'error',
        message: `black cannot format this file: ${m[2]}`,
        ...(line ? { line: Number(line[1]), column: Number(line[2]) + 1 } : {})
      })
    }
    if (inv.fix) {
      for (const m of r.stderr.matchAll(/^reformatted (.+)$/gm)) {
        findings.push({ tool: 'black', file: repoRelative(inv, m[1]!), rule: 'reformatted', severity: 'note', message: 'black reformatted this file' })
      }
    } else {
      const sections = splitDiff(r.stdout, (h) => h.split('\t')[0]!.trim())
      const reformat = [...r.stderr.matchAll(/^would reformat (.+)$/gm)].map((m) => repoRelative(inv, m[1]!))
      const seen = new Set<string>()
      for (const s of sections) {
        const file = repoRelative(inv, s.file)
        seen.add(file)
        findings.push({ tool: 'black', file, line: s.firstLine, rule: 'format', severity: 'error', message: 'black would reformat this file', detail: s.diff })
      }
      for (const file of reformat.filter((f) => !seen.has(f))) {
        findings.push({ tool: 'black', file, rule: 'format', severity: 'error', message: 'black would reformat this file' })
      }
    }
    const ok = r.exitCode === 0 || r.exitCode === 1 || (r.exitCode === 123 && findings.some((f) => f.rule === 'parse-error'))
    return ok && !r.spawnError ? { findings } : { findings, error: crashMessage('black', r) }
  }
}
