/**
 * build-packages' outcomes as CheckResults: the refusals and each package's build, the
 * verification of every selected dist, the test install with its imports and smoke test,
 * and the step's failure message.
 */
import { tail } from '../../packages-shared/exec.js'
import type { ActionResult } from '../../packages-shared/action.js'
import type { Selection } from '../../packages-shared/context.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { errorLines, failureReason } from '../../packages-shared/install-output.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import type { Frontend } from './build.js'
import { pyprojectOf, type BuiltPackage } from './built.js'
import type { BuildInputs } from './inputs.js'
import type { BuildPlan } from './plan.js'
import type { Refusals, TestInstallOutcome, VerifyRuns } from './runs.js'
import { verifyWheelModules, verifySdistContents } from './verify-contents.js'
import { verifyDependencies } from './verify-dependencies.js'
import { verifyMetadata } from './verify-metadata.js'
import { describeExpected, verifyExpectedVersions, type ExpectedVersions } from './verify-versions.js'
import { nothingToBuildSection } from './summary.js'

export function check(tool: string, findings: Finding[], extra: Partial<CheckResult> = {}): CheckResult {
  const status = findings.some((f) => f.severity === 'error') ? 'failed' : 'passed'
  return { tool, status, durationMs: 0, findings, ...extra }
}

export function skipped(tool: string, message: string): CheckResult {
  return { tool, status: 'skipped', durationMs: 0, findings: [], message }
}

function frontendLabel(f: Frontend, uvVersion: string | undefined): string {
  return f === 'uv' ? `uv build${uvVersion ? ` (uv ${uvVersion})` : ''}` : f === 'poetry' ? 'poetry build' : 'python -m build'
}

/** The symlink and source refusals, then one check per selected package (and per dependency that failed). */
export function buildChecks(
  plan: BuildPlan,
  built: ReadonlyMap<string, BuiltPackage>,
  refused: Refusals,
  uvVersion: string | undefined
): CheckResult[] {
  const checks: CheckResult[] = refused.guard.check ? [refused.guard.check] : []
  if (refused.sourceless.length > 0) {
    checks.push(
      check(
        'sources',
        refused.sourceless.map((p): Finding => ({
          tool: 'sources',
          package: p.id,
          file: pyprojectOf(p),
          severity: 'error',
          message: `${p.name} (${p.relDir}) has no Python source file outside its tests, so its wheel would hold no code: add the package's modules, or remove ${pyprojectOf(p)} if the folder is not a package.`
        }))
      )
    )
  }
  for (const pkg of plan.toBuild) {
    const b = built.get(pkg.id)!
    if (!b.selected && b.ok) continue
    const findings: Finding[] = b.ok
      ? []
      : [
          {
            tool: 'build',
            package: pkg.id,
            file: pyprojectOf(pkg),
            severity: 'error',
            message: b.skipped
              ? `${pkg.name} was not built: its dependency ${b.skipped} failed to build.`
              : `${pkg.name} did not build${b.selected ? '' : ' (needed for the test install)'}: ${(b.error ?? '').split('\n')[0]}`,
            detail: b.skipped ? undefined : tail(b.log, 40)
          }
        ]
    checks.push({
      tool: 'build',
      toolVersion: frontendLabel(plan.frontends.get(pkg.id)!, uvVersion),
      package: pkg.id,
      status: b.ok ? 'passed' : 'failed',
      durationMs: b.durationMs,
      findings,
      command: b.command || undefined,
      message: b.ok ? undefined : (b.error ?? (b.skipped ? `dependency ${b.skipped} failed` : undefined))
    })
  }
  return checks
}

/**
 * Every selected dist verified. Each check runs whatever the others found, and so does the
 * test install: one pass reports every problem.
 */
export function verificationChecks(
  ws: Workspace,
  inputs: BuildInputs,
  mine: readonly BuiltPackage[],
  runs: VerifyRuns,
  /** What expected-version or the release tags hold the packages to (tag-versions.ts). */
  expected: ExpectedVersions | undefined
): CheckResult[] {
  const internalIds = new Set(ws.packages.map((p) => p.id))
  const metadataFindings = mine.flatMap((b) => verifyMetadata(b, inputs.strictMetadata))
  const lenient = !inputs.strictMetadata && metadataFindings.some((f) => f.severity === 'warning')
  const versionFindings: Finding[] = [...(expected ? verifyExpectedVersions(mine, expected) : []), ...runs.pins.findings]
  return [
    check('metadata', metadataFindings, lenient ? { message: 'strict-metadata is false: metadata warnings do not fail the step' } : {}),
    runs.twine ?? skipped('twine', inputs.twineCheck && mine.length === 0 ? 'nothing built' : 'twine-check is false'),
    check(
      'wheel-contents',
      mine.flatMap((b) => verifyWheelModules(b, ws))
    ),
    check(
      'sdist-contents',
      mine.flatMap((b) => verifySdistContents(b, ws))
    ),
    check(
      'dependencies',
      mine.flatMap((b) => verifyDependencies(b, internalIds))
    ),
    check('versions', versionFindings, {
      message: expected ? describeExpected(mine, expected) : undefined
    })
  ]
}

export interface ImportRecord {
  module: string
  package: string
  ok: boolean
  file?: string | null
}

export function testInstallChecks(
  outcome: TestInstallOutcome,
  plan: Pick<BuildPlan, 'byId'>
): { checks: CheckResult[]; imports: ImportRecord[] } {
  if (!outcome.ran) {
    if (outcome.reason === 'off') return { checks: [skipped('test-install', outcome.detail)], imports: [] }
    if (outcome.reason === 'unbuilt')
      return { checks: [skipped('test-install', `not every package the test install needs was built: ${outcome.detail}`)], imports: [] }
    const problem = outcome.detail
    return {
      checks: [
        {
          tool: 'test-install',
          status: 'failed',
          durationMs: 0,
          findings: [{ tool: 'test-install', severity: 'error', message: problem }],
          message: problem
        }
      ],
      imports: []
    }
  }
  const { created, install, imports, smoke } = outcome
  const checks: CheckResult[] = [
    {
      tool: 'test-install',
      status: install.ok ? 'passed' : 'failed',
      durationMs: created.step.durationMs + (created.venv ? install.durationMs : 0),
      command: install.command,
      findings: install.ok
        ? []
        : [
            {
              tool: 'test-install',
              severity: 'error',
              message: `Installing the built wheels together failed: ${failureReason(errorLines(install.output)) || 'see the log'}`,
              detail: install.output
            }
          ]
    }
  ]
  const records: ImportRecord[] = []
  if (!imports) return { checks, imports: records }
  const findings: Finding[] = []
  for (const m of imports.modules) {
    const r = imports.results?.find((x) => x.module === m.module)
    records.push({ ...m, ok: Boolean(r?.ok), file: r?.file })
    if (r && !r.ok) {
      const last = (r.error ?? '').trim().split('\n').slice(-1)[0]
      findings.push({
        tool: 'import',
        package: m.package,
        file: pyprojectOf(plan.byId.get(m.package)!),
        severity: 'error',
        message: `import ${m.module} failed in the test venv: ${last}`,
        detail: r.error
      })
    }
  }
  checks.push({
    tool: 'import',
    status: imports.results ? (findings.length ? 'failed' : 'passed') : 'error',
    durationMs: imports.step.durationMs,
    command: imports.step.command,
    findings,
    message: imports.results
      ? `${imports.modules.length} module(s): ${imports.modules.map((m) => m.module).join(', ')}`
      : `the import check did not report:\n${imports.step.output}`
  })
  if (smoke) {
    checks.push({
      tool: 'smoke',
      status: smoke.ok ? 'passed' : 'failed',
      durationMs: smoke.durationMs,
      command: smoke.command,
      message: smoke.output || undefined,
      findings: smoke.ok
        ? []
        : [
            {
              tool: 'smoke',
              severity: 'error',
              message: `The smoke test failed: ${smoke.output.split('\n').filter(Boolean).slice(-1)[0] ?? ''}`,
              detail: smoke.output
            }
          ]
    })
  }
  return { checks, imports: records }
}

/** undefined when every check passed (or was skipped). */
export function failureMessage(checks: readonly CheckResult[]): string | undefined {
  const failed = checks.filter((c) => c.status === 'failed' || c.status === 'error')
  if (failed.length === 0) return undefined
  const firstError = failed.flatMap((c) => c.findings).find((f) => f.severity === 'error')
  return `build-packages failed: ${failed.map((c) => `${c.tool}${c.package ? ` (${c.package})` : ''}`).join(', ')}${firstError ? `. First problem: ${firstError.message}` : ''}`
}

/** No package selected: a passing run with empty outputs, and the summary says why. */
export function nothingToBuild(selection: Pick<Selection, 'changes'>, baseOutputs: Record<string, string>): ActionResult {
  const empty = { ...baseOutputs, dists: '[]', matrix: JSON.stringify({ include: [] }), 'has-packages': 'false' }
  return {
    passed: true,
    packages: [],
    checks: [skipped('build', 'no package selected')],
    outputs: empty,
    sections: [nothingToBuildSection(selection)],
    data: { dists: [], matrix: { include: [] } }
  }
}
