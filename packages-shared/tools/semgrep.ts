/** semgrep (`scan --json`, offline-friendly flags); exit 0 and 1 both mean it ran. */
import { pickEnv } from '../child-env.js'
import type { CommandResult } from '../exec.js'
import type { ToolRequirement } from '../python/toolbox.js'
import { crashMessage, repoRelative, type ParsedOutput, type ToolInvocation } from './tool.js'
import { severityFromWord, type SecurityFinding } from './security.js'

export const SEMGREP: ToolRequirement = { requirement: 'semgrep', version: '1.185.0', executable: 'semgrep' }

interface SemgrepResult {
  check_id: string
  path: string
  start: { line: number; col: number }
  end?: { line: number; col: number }
  extra?: { message?: string; severity?: string; metadata?: { references?: string[]; source?: string } }
}

type Env = Readonly<Record<string, string | undefined>>

/**
 * semgrep scans and runs nothing of the repository: the user's own SEMGREP_* settings
 * (from the runner's environment) reach it on top of the tools' environment.
 */
export function semgrepEnv(base: Env, host: Env): Record<string, string | undefined> {
  return { ...base, ...pickEnv(host, ['SEMGREP_*']) }
}

/** The scan's environment: no metrics are sent, whatever the settings say. */
export function semgrepScanEnv(env: Env): Record<string, string | undefined> {
  return { ...env, SEMGREP_SEND_METRICS: 'off' }
}

export function semgrepArgv(inv: ToolInvocation, config: string): string[] {
  return [inv.executable, 'scan', '--json', '--quiet', '--metrics=off', '--disable-version-check', '--config', config, ...inv.targets]
}

export function parseSemgrep(r: CommandResult, inv: Pick<ToolInvocation, 'root' | 'cwd'>): ParsedOutput {
  const start = r.stdout.indexOf('{')
  let data: { results?: SemgrepResult[]; errors?: { message?: string; level?: string }[] } | undefined
  try {
    data = start >= 0 ? JSON.parse(r.stdout.slice(start)) : undefined
  } catch {
    data = undefined
  }
  if (!data || !Array.isArray(data.results) || r.spawnError || (r.exitCode !== 0 && r.exitCode !== 1)) {
    return { findings: [], error: crashMessage('semgrep', r) }
  }
  const findings: SecurityFinding[] = data.results.map((s) => ({
    tool: 'semgrep',
    file: repoRelative(inv, s.path),
    line: s.start.line,
    column: s.start.col,
    endLine: s.end?.line,
    endColumn: s.end?.col,
    // Registry rules have dotted ids; the last segment is the readable one.
    rule: s.check_id,
    severity: severityFromWord(s.extra?.severity),
    message: (s.extra?.message ?? s.check_id).replace(/\s+/g, ' ').trim(),
    url: s.extra?.metadata?.source ?? s.extra?.metadata?.references?.[0]
  }))
  return { findings }
}
