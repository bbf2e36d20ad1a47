/**
 * run-security: bandit, a dependency audit against advisories, and our workflow audit (plus
 * safety, semgrep and trivy), with expiring ignores applied to every scanner, SARIF with one
 * run per tool, and an optional upload to code scanning.
 */
import * as os from 'node:os'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { guardPackages } from '../../packages-shared/links.js'
import { findExecutable } from '../../packages-shared/paths.js'
import { startProvisioning } from '../../packages-shared/python/toolbox.js'
import { expiryWarnings, gateChecks, verdict } from './checks.js'
import { today } from './ignores.js'
import { parseSecurityInputs, type SecurityInputs } from './inputs.js'
import { PROVISIONED, planSecurity, readsSources } from './plan.js'
import { runScanners, scratchDir, securityScope, uploadToCodeScanning } from './runs.js'
import type { UploadOutcome } from './sarif-upload.js'
import { ignoreSection, uploadSection } from './summary.js'

export async function runSecurity(ctx: ActionContext, inputs: SecurityInputs): Promise<ActionResult> {
  // The interpreter asked, and uv brought in, while the repository is read and the runs planned, when a Python tool is to be installed.
  if (inputs.checks.some((c) => c in PROVISIONED)) startProvisioning(ctx)
  const { io } = ctx
  const { ws, packages } = await securityScope(ctx, inputs)
  // bandit and semgrep read the files a symlink points at into their reports: a package
  // holding a link out of the repository is not scanned, and the run fails (links.ts).
  const guard = guardPackages(ws.root, readsSources(inputs) ? packages : [], 'scanned by bandit or semgrep')
  const scratch = scratchDir(ctx)
  const plan = planSecurity(inputs, packages, guard.safe, (name) => findExecutable(name, { pathValue: io.env.PATH }))
  for (const notice of plan.notices) io.notice(notice)
  const ran = await runScanners(ctx, inputs, plan, { ws, packages, scanned: guard.safe, scratch })

  const { checks, ignoreOutcomes } = gateChecks([...ran, ...(guard.check ? [guard.check] : []), ...plan.planned], inputs, today())
  for (const warning of expiryWarnings(ignoreOutcomes)) io.warning(warning)
  const sections = [ignoreSection(ignoreOutcomes)].filter(Boolean)
  const outputs: Record<string, string> = {}
  let upload: UploadOutcome | undefined
  if (inputs.uploadSarif) {
    upload = await uploadToCodeScanning(ctx, checks, inputs.token, inputs.waitForProcessing)
    if (upload.id) outputs['sarif-id'] = upload.id
    sections.push(uploadSection(upload))
  }
  const { passed, failureMessage } = verdict(checks, guard.check, inputs.failOn)
  return {
    passed,
    packages: packages.map((p) => p.id),
    checks,
    sarif: true,
    sections,
    outputs,
    data: {
      ignores: ignoreOutcomes.map((o) => ({ ...o.ignore, expired: o.expired, matched: o.matched })),
      ...(upload ? { sarifUpload: upload } : {})
    },
    failureMessage
  }
}

export const runSecurityAction: ActionDefinition<SecurityInputs> = {
  name: 'run-security',
  title: 'Security',
  secretInputs: [
    { name: 'token', kind: 'token' },
    { name: 'safety-api-key', kind: 'token' }
  ],
  parseInputs: (reader, common, io) => parseSecurityInputs(reader, common, path.resolve(io.env.RUNNER_TEMP || os.tmpdir())),
  run: runSecurity
}
