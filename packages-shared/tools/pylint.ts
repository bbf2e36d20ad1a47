/** pylint: `--output-format=json2`; columns are 0-based there, GitHub's are 1-based. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { crashMessage, excludedRelative, regexLiteral, repoRelative, searchPathVar, type QualityTool } from './tool.js'
import { hasFile, hasToolTable } from './config-files.js'
import { pylintModuleCache } from './pylint-modules.js'
import type { Finding, Severity } from '../findings.js'

interface PylintMessage {
  type: string
  symbol: string
  message: string
  messageId: string
  line: number
  column: number
  endLine: number | null
  endColumn: number | null
  path: string
}

/** `ignore-paths` of the pyproject.toml pylint reads in `cwd` ([tool.pylint.main] or [tool.pylint.MASTER]). */
export function configuredIgnorePaths(cwd: string): string[] {
  let data: Record<string, unknown>
  try {
    data = parseToml(fs.readFileSync(path.join(cwd, 'pyproject.toml'), 'utf8')) as Record<string, unknown>
  } catch {
    return []
  }
  const pylintTable = ((data.tool ?? {}) as Record<string, unknown>).pylint as
    Record<string, Record<string, unknown> | undefined> | undefined
  for (const section of ['main', 'MAIN', 'MASTER', 'master']) {
    const value = pylintTable?.[section]?.['ignore-paths']
    if (typeof value === 'string')
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  }
  return []
}

const SEVERITY: Record<string, Severity> = {
  fatal: 'error',
  error: 'error',
  warning: 'warning',
  refactor: 'note',
  convention: 'note',
  info: 'note'
}

export const pylint: QualityTool = {
  name: 'pylint',
  requirement: { requirement: 'pylint', version: '4.1.4', executable: 'pylint' },
  fixes: false,
  // Its report is on stdout; the collector and the teardown are half its time (lean-launch.ts).
  lean: true,
  // pylint is single-threaded unless told; --jobs only when it has cores to itself.
  argv: (inv) => [
    inv.executable,
    '--output-format=json2',
    '--recursive=y',
    '--persistent=n',
    '--score=n',
    ...(inv.jobs && inv.jobs > 1 ? [`--jobs=${inv.jobs}`] : []),
    // Regexes against the path relative to cwd. The flag replaces a configured ignore-paths,
    // so it carries the pyproject's own patterns too, and is passed only when a file is excluded.
    ...(inv.exclude?.length
      ? [`--ignore-paths=${[...configuredIgnorePaths(inv.cwd), ...excludedRelative(inv).map((p) => `^${regexLiteral(p)}$`)].join(',')}`]
      : []),
    ...inv.targets,
    // Names pylint resolves on sys.path, which PYTHONPATH extends (see byModule).
    ...(inv.modules ?? [])
  ],
  // --persistent=n already keeps its statistics from being saved; should a plugin or a
  // future default save them anyway, they land in our folder, not the user's home.
  env: (inv): Record<string, string> => (inv.cacheDir ? { PYLINTHOME: inv.cacheDir } : {}),
  byModule: (inv, env) => ({ PYTHONPATH: searchPathVar(inv, env.PYTHONPATH) }),
  config: { table: ['tool', 'pylint'], files: ['.pylintrc', 'pylintrc', 'setup.cfg', 'tox.ini'] },
  ownConfig: (pkg) => hasToolTable(pkg, 'pylint') || hasFile(pkg, '.pylintrc', 'pylintrc'),
  // Its findings fall in the module they are about, but for duplicate-code and cyclic-import.
  byModuleCache: pylintModuleCache((inv) => pylint.argv(inv)),
  parse(r, inv) {
    const findings: Finding[] = []
    let parsed = false
    const start = r.stdout.indexOf('{')
    if (start >= 0) {
      try {
        const data = JSON.parse(r.stdout.slice(start)) as { messages?: PylintMessage[] }
        parsed = Array.isArray(data.messages)
        for (const m of data.messages ?? []) {
          findings.push({
            tool: 'pylint',
            file: repoRelative(inv, m.path),
            line: m.line || undefined,
            column: m.column + 1,
            endLine: m.endLine ?? undefined,
            endColumn: m.endColumn === null ? undefined : m.endColumn + 1,
            rule: `${m.messageId} ${m.symbol}`,
            severity: SEVERITY[m.type] ?? 'warning',
            // duplicate-code quotes the lines of one of the copies, with the blank lines after
            // it or without (which copy varies from one run to the next): quoted without.
            message: m.symbol === 'duplicate-code' ? m.message.trimEnd() : m.message,
            url: `https://pylint.readthedocs.io/en/stable/search.html?q=${m.symbol}`
          })
        }
      } catch {
        parsed = false
      }
    }
    // Exit status is a bit field: 1 fatal, 32 usage error; 2/4/8/16 are message categories.
    const fatal = (r.exitCode & 1) !== 0 || (r.exitCode & 32) !== 0
    const ok = !r.spawnError && parsed && !fatal
    return ok ? { findings } : { findings, error: crashMessage('pylint', r) }
  }
}
