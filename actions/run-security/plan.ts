/**
 * What run-security runs, decided before anything runs: which checks, the Python tools they
 * need, which are skipped or refused up front (with why), and where bandit and semgrep look.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CheckResult } from '../../packages-shared/findings.js'
import { isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { BANDIT, hasOwnBanditConfig } from '../../packages-shared/tools/bandit.js'
import { PIP_AUDIT } from '../../packages-shared/tools/pip-audit.js'
import { SAFETY } from '../../packages-shared/tools/safety.js'
import { SEMGREP } from '../../packages-shared/tools/semgrep.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import type { SecurityCheck, SecurityInputs } from './inputs.js'

export function skipped(tool: string, message: string): CheckResult {
  return { tool, status: 'skipped', durationMs: 0, findings: [], message }
}

export function errored(tool: string, message: string): CheckResult {
  return { tool, status: 'error', durationMs: 0, findings: [], message }
}

/** The workflow audit (and trivy) need no Python package: a repository without any, such as an actions repository auditing itself, gets those checks alone. */
export function needsNoPackages(inputs: Pick<SecurityInputs, 'checks'>): boolean {
  return inputs.checks.every((c) => c === 'workflows' || c === 'trivy')
}

/** Whether a scanner that reads the sources (bandit, semgrep) may run, so symlinks out of the repository matter. */
export function readsSources(inputs: Pick<SecurityInputs, 'checks' | 'optionalChecks'>): boolean {
  return inputs.checks.includes('bandit') || inputs.checks.includes('semgrep') || inputs.optionalChecks.includes('semgrep')
}

/**
 * What ships: each import root's real packages and modules (`src/acme/core/acme/core` below a
 * PEP 420 namespace, read by import-roots.ts as the type checkers and coverage read them),
 * never the package's tests beside them. The whole folder only when no import root is found.
 */
export function sourceTargets(pkg: PythonPackage, cwd: string): string[] {
  const roots = packageImportRoots(pkg)
  const targets = (isNamespaced(roots) ? roots : [{ dir: pkg.importDir, modules: pkg.modules }])
    .flatMap((root) =>
      root.modules.map((m) => {
        const base = path.join(root.dir, ...m.split('.'))
        return [base, `${base}.py`].find((p) => fs.existsSync(p))
      })
    )
    .filter((p): p is string => p !== undefined)
  return [...new Set(targets.length ? targets : [pkg.dir])].map((p) => toPosix(path.relative(cwd, p)) || '.')
}

export interface BanditRun {
  cwd: string
  targets: string[]
  /** The package a run of its own is for (one with its own bandit configuration). */
  pkg?: string
}

/**
 * One run from the root over every package, plus one per package with its own bandit
 * configuration, run from that package so bandit reads it as it would there.
 */
export function banditRuns(ws: Workspace, packages: readonly PythonPackage[]): BanditRun[] {
  const own = packages.filter(hasOwnBanditConfig)
  const shared = packages.filter((p) => !own.includes(p))
  return [
    ...(shared.length ? [{ cwd: ws.root, targets: shared.flatMap((p) => sourceTargets(p, ws.root)) }] : []),
    ...own.map((p) => ({ cwd: p.dir, targets: sourceTargets(p, p.dir), pkg: p.id }))
  ]
}

export interface SecurityPlan {
  /** Checks decided without running anything (skipped, refused). */
  planned: CheckResult[]
  /** Said to the user before the runs. */
  notices: string[]
  /** The Python tools to provision. */
  tools: ToolRequirement[]
  bandit: boolean
  dependencies: boolean
  safety: boolean
  workflows: boolean
  /** semgrep requested in 'checks' (provisioned), or its path when optional and found on PATH. */
  semgrep: 'provisioned' | { onPath: string } | undefined
  /** trivy's path, when requested or optional and found on PATH. */
  trivy?: string
}

/**
 * `packages` are the selected ones, `scanned` those bandit and semgrep may read (the link
 * guard's), `onPath` finds an executable on the step's PATH.
 */
export function planSecurity(
  inputs: SecurityInputs,
  packages: readonly PythonPackage[],
  scanned: readonly PythonPackage[],
  onPath: (name: string) => string | undefined
): SecurityPlan {
  const want = (c: SecurityCheck): boolean => inputs.checks.includes(c)
  const planned: CheckResult[] = []
  const notices: string[] = []
  const tools: ToolRequirement[] = []
  const bandit = want('bandit') && scanned.length > 0
  const dependencies = want('dependencies') && packages.length > 0
  if (want('bandit') && !bandit)
    planned.push(skipped('bandit', packages.length ? 'every selected package was refused' : 'no package selected'))
  if (want('dependencies') && !dependencies) planned.push(skipped('dependencies', 'no package selected'))
  if (bandit) tools.push(BANDIT)
  if (dependencies) tools.push(PIP_AUDIT)
  let safety = false
  if (want('safety')) {
    if (!inputs.safetyApiKey) {
      notices.push("safety was requested but 'safety-api-key' is empty, so it was skipped. Set it from a secret to run safety.")
      planned.push(skipped('safety', "no 'safety-api-key': safety needs an account key"))
    } else if (packages.length > 0) {
      safety = true
      tools.push(SAFETY)
    }
  }
  if (want('semgrep')) tools.push(SEMGREP)
  const optional = (name: 'semgrep' | 'trivy'): boolean => inputs.optionalChecks.includes(name) && !want(name)
  const semgrepOnPath = optional('semgrep') ? onPath('semgrep') : undefined
  const trivy = want('trivy') || inputs.optionalChecks.includes('trivy') ? onPath('trivy') : undefined
  for (const name of ['semgrep', 'trivy'] as const) {
    if (optional(name) && !(name === 'semgrep' ? semgrepOnPath : trivy)) {
      planned.push(skipped(name, `${name} is not installed (optional: it runs when found on PATH, or add it to 'checks')`))
    }
  }
  if (want('trivy') && !trivy) {
    planned.push(
      errored(
        'trivy',
        "trivy was requested in 'checks' but is not on PATH. It is a standalone binary that dk-actions does not install: add a step such as aquasecurity/setup-trivy (pinned by SHA) before this one, or remove trivy from 'checks'."
      )
    )
  }
  return {
    planned,
    notices,
    tools,
    bandit,
    dependencies,
    safety,
    workflows: want('workflows'),
    semgrep: want('semgrep') ? 'provisioned' : semgrepOnPath ? { onPath: semgrepOnPath } : undefined,
    trivy
  }
}

/** The checks that run-security reports, in this order. */
export const CHECK_ORDER = ['symlinks', 'bandit', 'dependencies', 'workflows', 'safety', 'semgrep', 'trivy']

/** The tool each provisioned check runs (for where its version came from). */
export const PROVISIONED: Readonly<Record<string, ToolRequirement>> = {
  bandit: BANDIT,
  dependencies: PIP_AUDIT,
  safety: SAFETY,
  semgrep: SEMGREP
}
