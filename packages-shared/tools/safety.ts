/**
 * safety (`check --json` over a pinned requirements file, with the account key). Without a
 * key safety only reaches its free monthly database or refuses, so the action skips it.
 * Exit 64 means vulnerabilities were found.
 */
import type { CommandResult } from '../exec.js'
import type { ToolRequirement } from '../python/toolbox.js'
import { crashMessage } from './tool.js'

export const SAFETY: ToolRequirement = { requirement: 'safety', version: '3.8.1', executable: 'safety' }

export interface SafetyVuln {
  name: string
  version: string
  id: string
  cve?: string
  fixed: string[]
  advisory: string
}

interface RawVuln {
  package_name?: string
  analyzed_version?: string
  vulnerability_id?: string
  CVE?: string | null
  fixed_versions?: string[]
  advisory?: string
}

export function safetyArgv(executable: string, requirementsFile: string, key: string): string[] {
  return [executable, '--key', key, '--disable-optional-telemetry', 'check', '--json', '-r', requirementsFile]
}

/** The finding's message for one of safety's vulnerabilities. */
export function safetyMessage(v: SafetyVuln): string {
  return `${v.name} ${v.version} is affected by safety advisory ${v.id}${v.cve ? ` (${v.cve})` : ''}: ${v.advisory}${v.fixed.length ? ` Fixed in ${v.fixed.join(', ')}.` : ''}`
}

/** The argv as the report shows it: the account key is never written out. */
export function safetyShownArgv(argv: readonly string[], key: string): string[] {
  return argv.map((a) => (a === key ? '***' : a))
}

export function parseSafety(r: CommandResult): { vulns: SafetyVuln[]; error?: string } {
  const start = r.stdout.indexOf('{')
  let data: { vulnerabilities?: RawVuln[] } | undefined
  try {
    data = start >= 0 ? (JSON.parse(r.stdout.slice(start)) as { vulnerabilities?: RawVuln[] }) : undefined
  } catch {
    data = undefined
  }
  if (!data || !Array.isArray(data.vulnerabilities) || r.spawnError || (r.exitCode !== 0 && r.exitCode !== 64)) {
    return { vulns: [], error: crashMessage('safety', r) }
  }
  return {
    vulns: data.vulnerabilities.map((v) => ({
      name: v.package_name ?? '?',
      version: v.analyzed_version ?? '?',
      id: v.vulnerability_id ?? '?',
      cve: v.CVE ?? undefined,
      fixed: v.fixed_versions ?? [],
      advisory: (v.advisory ?? '').replace(/\s+/g, ' ').trim()
    }))
  }
}
