/**
 * pip-audit over a pinned requirements file (`--no-deps --disable-pip`: no resolution, no
 * PyPI; pip-audit then reads the `==` pins as they are and makes no venv, where `-r` alone
 * installs the file into a temporary venv first), `-f json`. Its exit code is 1 whenever a vulnerability is found, so the JSON
 * decides; a dependency it could not look up carries a `skip_reason`.
 */
import type { CommandResult } from '../exec.js'
import type { ToolRequirement } from '../python/toolbox.js'
import { crashMessage } from './tool.js'

export const PIP_AUDIT: ToolRequirement = { requirement: 'pip-audit', version: '2.10.1', executable: 'pip-audit' }

export interface AuditVuln {
  id: string
  fixVersions: string[]
  aliases: string[]
  description?: string
}

export interface AuditedDependency {
  name: string
  version?: string
  vulns: AuditVuln[]
  skipReason?: string
}

export interface PipAuditOptions {
  executable: string
  requirementsFile: string
  cacheDir: string
  /** An OSV-compatible `/v1/query` endpoint (the local advisory database); else PyPI's. */
  osvUrl?: string
  timeoutSeconds?: number
}

export function pipAuditArgv(o: PipAuditOptions): string[] {
  return [
    o.executable,
    '-r',
    o.requirementsFile,
    '--no-deps',
    '--disable-pip',
    '-f',
    'json',
    '--desc',
    'on',
    '--aliases',
    'on',
    '--progress-spinner',
    'off',
    '--cache-dir',
    o.cacheDir,
    '--timeout',
    String(o.timeoutSeconds ?? 30),
    ...(o.osvUrl ? ['-s', 'osv', '--osv-url', o.osvUrl] : [])
  ]
}

interface RawDependency {
  name: string
  version?: string
  vulns?: { id: string; fix_versions?: string[]; aliases?: string[]; description?: string }[]
  skip_reason?: string
}

export function parsePipAudit(r: CommandResult): { dependencies: AuditedDependency[]; error?: string } {
  const start = r.stdout.indexOf('{')
  let data: { dependencies?: RawDependency[] } | undefined
  try {
    data = start >= 0 ? (JSON.parse(r.stdout.slice(start)) as { dependencies?: RawDependency[] }) : undefined
  } catch {
    data = undefined
  }
  // 0 nothing found, 1 vulnerabilities found; anything else (or no JSON) is a failure.
  if (!data || !Array.isArray(data.dependencies) || r.spawnError || (r.exitCode !== 0 && r.exitCode !== 1)) {
    return { dependencies: [], error: crashMessage('pip-audit', r) }
  }
  return {
    dependencies: data.dependencies.map((d) => ({
      name: d.name,
      version: d.version,
      skipReason: d.skip_reason,
      vulns: (d.vulns ?? []).map((v) => ({
        id: v.id,
        fixVersions: v.fix_versions ?? [],
        aliases: v.aliases ?? [],
        description: v.description || undefined
      }))
    }))
  }
}
