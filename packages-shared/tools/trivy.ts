/**
 * trivy (`fs` over the repository, or `image` for a container image) with `--format json`.
 * trivy is a Go binary: it is used from PATH, never installed by us.
 */
import { pickEnv } from '../child-env.js'
import type { CommandResult } from '../exec.js'
import { crashMessage, type ParsedOutput } from './tool.js'
import { severityFromWord, type SecurityFinding } from './security.js'

interface TrivyVuln {
  VulnerabilityID: string
  PkgName: string
  InstalledVersion?: string
  FixedVersion?: string
  Severity?: string
  Title?: string
  PrimaryURL?: string
}
interface TrivyMisconfig {
  ID: string
  Title?: string
  Message?: string
  Severity?: string
  PrimaryURL?: string
  CauseMetadata?: { StartLine?: number; EndLine?: number }
}
interface TrivySecret {
  RuleID: string
  Title?: string
  Severity?: string
  StartLine?: number
  EndLine?: number
}
interface TrivyResult {
  Target: string
  Vulnerabilities?: TrivyVuln[] | null
  Misconfigurations?: TrivyMisconfig[] | null
  Secrets?: TrivySecret[] | null
}

type Env = Readonly<Record<string, string | undefined>>

/**
 * trivy scans and runs nothing of the repository: the user's TRIVY_* settings and a
 * registry's Docker configuration (from the runner's environment) reach it on top of `base`.
 */
export function trivyEnv(base: Env, host: Env): Record<string, string | undefined> {
  return { ...base, ...pickEnv(host, ['TRIVY_*', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY']) }
}

export function trivyArgv(executable: string, target: { image?: string; dir: string }, cacheDir: string): string[] {
  const common = ['--format', 'json', '--quiet', '--cache-dir', cacheDir, '--exit-code', '0']
  return target.image
    ? [executable, 'image', ...common, target.image]
    : [executable, 'fs', ...common, '--scanners', 'vuln,secret,misconfig', target.dir]
}

/** Findings' files: relative to the repository for `fs`, the image's paths for `image`. */
export function parseTrivy(r: CommandResult, fileOf: (target: string) => string | undefined): ParsedOutput {
  let data: { Results?: TrivyResult[] | null } | undefined
  const start = r.stdout.indexOf('{')
  try {
    data = start >= 0 ? JSON.parse(r.stdout.slice(start)) : undefined
  } catch {
    data = undefined
  }
  if (!data || r.spawnError || r.exitCode !== 0) return { findings: [], error: crashMessage('trivy', r) }
  const findings: SecurityFinding[] = []
  for (const res of data.Results ?? []) {
    const file = fileOf(res.Target)
    for (const v of res.Vulnerabilities ?? []) {
      findings.push({
        tool: 'trivy',
        file,
        rule: v.VulnerabilityID,
        severity: severityFromWord(v.Severity),
        url: v.PrimaryURL,
        message: `${v.PkgName} ${v.InstalledVersion ?? ''} is affected by ${v.VulnerabilityID}${v.Title ? ` (${v.Title})` : ''}; ${v.FixedVersion ? `fixed in ${v.FixedVersion}` : 'no fixed version yet'}.`,
        ids: [v.VulnerabilityID]
      })
    }
    for (const m of res.Misconfigurations ?? []) {
      findings.push({
        tool: 'trivy',
        file,
        line: m.CauseMetadata?.StartLine,
        endLine: m.CauseMetadata?.EndLine,
        rule: m.ID,
        severity: severityFromWord(m.Severity),
        url: m.PrimaryURL,
        message: `${m.ID} ${m.Title ?? ''}: ${m.Message ?? ''}`.trim()
      })
    }
    for (const s of res.Secrets ?? []) {
      findings.push({
        tool: 'trivy',
        file,
        line: s.StartLine,
        endLine: s.EndLine,
        rule: s.RuleID,
        severity: severityFromWord(s.Severity, 'error'),
        message: `Secret found: ${s.Title ?? s.RuleID}`
      })
    }
  }
  return { findings }
}
