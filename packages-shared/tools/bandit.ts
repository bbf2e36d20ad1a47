/**
 * bandit: `-f json`. Severity HIGH/MEDIUM/LOW maps to error/warning/note; columns are
 * 0-based there and 1-based here. The project's configuration is passed explicitly
 * (`-c pyproject.toml` only when it has a `[tool.bandit]` table, since bandit refuses a
 * pyproject without one; `--ini .bandit`).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import type { CommandResult } from '../exec.js'
import { crashMessage, excludedRelative, globLiteral, repoRelative, type ParsedOutput, type ToolInvocation } from './tool.js'
import { severityFromWord, type Level, type SecurityFinding } from './security.js'
import type { ToolRequirement } from '../python/toolbox.js'
import type { PythonPackage } from '../workspace.js'

export const BANDIT: ToolRequirement = { requirement: 'bandit[toml]', version: '1.9.4', executable: 'bandit' }

/** A package below the root with a bandit configuration of its own (`[tool.bandit]` or `.bandit`), which bandit reads only when run from there. */
export function hasOwnBanditConfig(pkg: PythonPackage): boolean {
  const tool = pkg.pyproject.tool as Record<string, unknown> | undefined
  return pkg.relDir !== '.' && (tool?.bandit !== undefined || fs.existsSync(path.join(pkg.dir, '.bandit')))
}

interface BanditResult {
  filename: string
  test_id: string
  test_name: string
  issue_severity: string
  issue_confidence: string
  issue_text: string
  issue_cwe?: { id?: number; link?: string }
  line_number: number
  line_range?: number[]
  col_offset?: number
  end_col_offset?: number
  more_info?: string
}

interface BanditOutput {
  errors?: { filename: string; reason: string }[]
  results?: BanditResult[]
}

export interface BanditOptions {
  severity: Level
  confidence: Level
}

/** Config files bandit should read in `dir`, as arguments. */
export function banditConfigArgs(dir: string): string[] {
  const args: string[] = []
  const pyproject = path.join(dir, 'pyproject.toml')
  if (fs.existsSync(pyproject)) {
    try {
      const data = parseToml(fs.readFileSync(pyproject, 'utf8')) as { tool?: { bandit?: unknown } }
      if (data.tool?.bandit !== undefined) args.push('-c', 'pyproject.toml')
    } catch {
      // An unreadable pyproject is reported by workspace discovery, not here.
    }
  }
  if (fs.existsSync(path.join(dir, '.bandit'))) args.push('--ini', '.bandit')
  return args
}

export function banditArgv(inv: ToolInvocation, options: BanditOptions): string[] {
  return [
    inv.executable,
    '-r',
    ...inv.targets,
    '-f',
    'json',
    '-q',
    '--severity-level',
    options.severity,
    '--confidence-level',
    options.confidence,
    ...banditConfigArgs(inv.cwd),
    // Paths relative to cwd, as bandit names the files it finds; added to the configured exclude_dirs.
    ...(inv.exclude?.length ? ['-x', excludedRelative(inv).map(globLiteral).join(',')] : [])
  ]
}

export function parseBandit(r: CommandResult, inv: Pick<ToolInvocation, 'root' | 'cwd'>): ParsedOutput {
  let data: BanditOutput | undefined
  const start = r.stdout.indexOf('{')
  try {
    data = start >= 0 ? (JSON.parse(r.stdout.slice(start)) as BanditOutput) : undefined
  } catch {
    data = undefined
  }
  // 0 clean, 1 issues at or above the filters, 2 usage or configuration error.
  if (!data || r.spawnError || (r.exitCode !== 0 && r.exitCode !== 1)) return { findings: [], error: crashMessage('bandit', r) }
  const findings: SecurityFinding[] = (data.results ?? []).map((b) => {
    const cwe = b.issue_cwe?.id ? `CWE-${b.issue_cwe.id}` : undefined
    const lastLine = b.line_range?.length ? Math.max(...b.line_range) : b.line_number
    return {
      tool: 'bandit',
      file: repoRelative(inv, b.filename),
      line: b.line_number,
      column: b.col_offset === undefined ? undefined : b.col_offset + 1,
      endLine: lastLine > b.line_number ? lastLine : undefined,
      endColumn: b.end_col_offset === undefined || lastLine > b.line_number ? undefined : b.end_col_offset + 1,
      rule: b.test_id,
      severity: severityFromWord(b.issue_severity),
      message: `${b.test_id} ${b.test_name}: ${b.issue_text} (severity ${b.issue_severity.toLowerCase()}, confidence ${b.issue_confidence.toLowerCase()}${cwe ? `, ${cwe}` : ''})`,
      url: b.more_info,
      ids: [b.test_name]
    }
  })
  // Files bandit could not read or parse are not silently skipped.
  for (const e of data.errors ?? []) {
    findings.push({
      tool: 'bandit',
      file: repoRelative(inv, e.filename),
      rule: 'bandit-error',
      severity: 'warning',
      message: `bandit could not scan this file: ${e.reason}`
    })
  }
  return { findings }
}
