/** run-security's own inputs, parsed once before any work. */
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, workspaceOrTempPath, type InputReader } from '../../packages-shared/inputs.js'
import { parseToolVersions } from '../../packages-shared/python/toolbox.js'
import { DEFAULT_MAX_FILE_SIZE } from '../../packages-shared/file-screen.js'
import type { Severity } from '../../packages-shared/findings.js'
import { LEVELS, type Level } from '../../packages-shared/tools/security.js'
import { parseIgnores, type Ignore } from './ignores.js'

export const SECURITY_CHECKS = ['bandit', 'dependencies', 'workflows', 'safety', 'semgrep', 'trivy'] as const
export type SecurityCheck = (typeof SECURITY_CHECKS)[number]
export const DEFAULT_CHECKS: SecurityCheck[] = ['bandit', 'dependencies', 'workflows']
/** Checks that may run without being asked, when their tool is already installed. */
export const OPTIONAL_CHECKS = ['semgrep', 'trivy'] as const
export type OptionalCheck = (typeof OPTIONAL_CHECKS)[number]
export const FAIL_ON = ['error', 'warning', 'note', 'never'] as const

export interface SecurityInputs {
  checks: SecurityCheck[]
  optionalChecks: OptionalCheck[]
  severityThreshold: Level
  confidenceThreshold: Level
  /** Absolute path of a local OSV database, or undefined for the online service. */
  advisoryDb?: string
  auditRetries: number
  ignores: Ignore[]
  failOn: Severity | 'never'
  uploadSarif: boolean
  /** Poll the upload until GitHub has processed it (or 2 minutes pass). */
  waitForProcessing: boolean
  token: string
  safetyApiKey: string
  semgrepConfig: string
  trivyImage: string
  toolVersions: Record<string, string>
  /** Sources above this many bytes are reported, not given to bandit (0: no limit). */
  maxFileSize: number
  /** Limit of each scanner run (and each install the dependency audit needs). */
  timeoutMs: number
}

export function parseSecurityInputs(reader: InputReader, common: CommonInputs, tempDir: string): SecurityInputs {
  const dbRaw = reader.string('advisory-db')
  let advisoryDb: string | undefined
  if (dbRaw) {
    advisoryDb = workspaceOrTempPath(
      'advisory-db',
      dbRaw,
      common.workingDirectory,
      { workspace: common.workspace, temp: tempDir },
      'the directory'
    )
  }
  const semgrepConfig = reader.string('semgrep-config', 'p/python')
  if (semgrepConfig.startsWith('-'))
    throw invalidInput('semgrep-config', semgrepConfig, 'expected a ruleset (p/python), a URL or a path, not an option')
  const trivyImage = reader.string('trivy-image')
  if (trivyImage.startsWith('-'))
    throw invalidInput('trivy-image', trivyImage, 'expected an image reference such as ghcr.io/org/app:1.2, not an option')
  return {
    checks: reader.enumList('checks', SECURITY_CHECKS, DEFAULT_CHECKS),
    optionalChecks: reader.raw('optional-checks').trim() === '' ? [] : reader.enumList('optional-checks', OPTIONAL_CHECKS, []),
    severityThreshold: reader.enumeration('severity-threshold', LEVELS, 'low'),
    confidenceThreshold: reader.enumeration('confidence-threshold', LEVELS, 'low'),
    advisoryDb,
    auditRetries: reader.integer('audit-retries', { min: 0, max: 10 }, 3),
    ignores: parseIgnores(reader.raw('ignore')),
    failOn: reader.enumeration('fail-on', FAIL_ON, 'error'),
    uploadSarif: reader.boolean('upload-sarif', false),
    waitForProcessing: reader.boolean('wait-for-processing', true),
    // An unevaluated default (`${{ github.token }}` outside a runner) is no token.
    token: /\$\{\{/.test(reader.raw('token')) ? '' : reader.secret('token'),
    safetyApiKey: reader.secret('safety-api-key'),
    semgrepConfig,
    trivyImage,
    toolVersions: parseToolVersions('tool-versions', reader.raw('tool-versions')),
    maxFileSize: reader.byteSize('max-file-size', DEFAULT_MAX_FILE_SIZE),
    timeoutMs: reader.timeLimit('timeout', 15 * 60_000)
  }
}
