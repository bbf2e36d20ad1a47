/**
 * health-check: after a release or a deployment, install the released versions from the
 * index into a fresh venv (patiently: an index shows a new release minutes after the
 * upload), import every top-level module, run the smoke test, and poll the services'
 * URLs, all within one deadline.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { findExecutable, venvBinDir, venvPython } from '../../packages-shared/paths.js'
import { createVenv, findPython, toolEnv, type Interpreter } from '../../packages-shared/python.js'
import { checkImports, type ImportReport } from './imports.js'
import { parseHealthInputs, type HealthInputs } from './inputs.js'
import { redact } from '../../packages-shared/secrets.js'
import { normalizeName } from '../../packages-shared/names.js'
import { assertRequiresPython } from '../../packages-shared/requires-python.js'
import { installWithRetry, type InstallOutcome } from './install.js'
import { importChecks, installCheck, renderSections, smokeCheck, urlCheck, type HealthData } from './report.js'
import { runSmoke, type SmokeResult } from './smoke.js'
import { chooseHealthSource, usableRecord, type HealthDistSource } from './dist-source.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import { requirement, resolveTargets } from './targets.js'
import { pollUrl, type UrlResult } from './urls.js'

/** The repository, when there is one: explicit name==version entries need no checkout. */
function repositoryOf(ctx: ActionContext): Workspace | undefined {
  try {
    return ctx.workspace()
  } catch {
    // resolveTargets reads the workspace again and says what is wrong when it needs one.
    return undefined
  }
}

export async function runHealthCheck(ctx: ActionContext, inputs: HealthInputs): Promise<ActionResult> {
  const { io, common } = ctx
  const started = Date.now()
  // The wait starts now; creating the venv is setup, not waiting, so its time is given back.
  let deadline = started + inputs.timeoutMs
  if (inputs.version && !inputs.targets.repository) {
    io.warning(`'version' (${inputs.version}) is not used: every entry of 'packages' names its own version.`)
  }
  // The dists build-packages recorded in this job, when this is the same checkout at the same commit.
  const ws = repositoryOf(ctx)
  const { record, lookup } = await usableRecord(ctx, ctx.tempDir, ws?.root)
  const builtVersions = new Map(record?.passed ? record.packages.map((p) => [p.package, p.version] as const) : [])
  const targets = await resolveTargets(ctx, inputs.targets, inputs.version, builtVersions)
  io.info(`Environment: ${inputs.environment}. Checking ${targets.length ? targets.map(requirement).join(', ') : 'no package'}` +
    `${inputs.urls.length ? ` and ${inputs.urls.length} URL(s)` : ''} (timeout ${Math.round(inputs.timeoutMs / 1000)}s).`)

  fs.mkdirSync(ctx.tempDir, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(ctx.tempDir, 'dk-actions-health-'))
  // Decided before the URLs are polled: a refusal here must not wait for them.
  let source: HealthDistSource | undefined
  let python: Interpreter | undefined
  const installEnv = toolEnv(io.env, ctx.cacheRoot, undefined, process.platform, 'install')
  try {
    if (targets.length > 0) {
      source = chooseHealthSource(inputs, lookup, ws, targets, scratch)
      io.info(`Dists: ${source.description}`)
      // A repository package this Python cannot install is one line, not the resolver's page.
      python = await findPython(common.python, installEnv, ctx.exec)
      const names = new Set(targets.map((t) => normalizeName(t.name)))
      assertRequiresPython(python, ws?.packages.filter((p) => names.has(normalizeName(p.name))) ?? [])
    }
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true })
    throw error
  }

  // URLs are polled alongside the install, within the same deadline.
  const urlsStarted = Date.now()
  const urlResults: Promise<UrlResult[]> = Promise.all(
    inputs.urls.map((u) => pollUrl(ctx.http, u, { statuses: inputs.expectStatus, body: inputs.expectBody }, () => deadline, inputs.retryIntervalMs, (m) => io.info(m)))
  )

  let install: InstallOutcome | undefined
  let imports: ImportReport | undefined
  let smoke: SmokeResult | undefined
  let urls: UrlResult[] = []
  const timings: Record<string, number> = {}
  try {
    if (source) {
      const from: HealthInputs = { ...inputs, findLinks: source.findLinks }
      const uv = findExecutable('uv', { pathValue: installEnv.PATH })
      const venv = path.join(scratch, 'venv')
      const venvStarted = Date.now()
      await createVenv(ctx, python!, venv, installEnv)
      timings.venvMs = Date.now() - venvStarted
      deadline += timings.venvMs
      install = await io.group(`Installing ${targets.map(requirement).join(', ')} from ${redact(inputs.indexUrl) || from.findLinks.join(', ')}`, () =>
        installWithRetry(ctx, venv, uv, installEnv, from, targets, { deadline, retryIntervalMs: inputs.retryIntervalMs })
      )
      timings.installMs = install.durationMs
      if (install.status === 'installed') {
        const runEnv: Record<string, string | undefined> = {
          ...toolEnv(io.env, ctx.cacheRoot, venvBinDir(venv)),
          DK_HEALTH_ENVIRONMENT: inputs.environment,
          DK_HEALTH_VERSIONS: JSON.stringify(Object.fromEntries(targets.map((t) => [t.name, t.version])))
        }
        const importsStarted = Date.now()
        imports = await io.group('Importing every top-level module', async () => {
          const r = await checkImports(venvPython(venv), targets.map((t) => t.name), inputs.imports, scratch, runEnv, Math.max(120_000, inputs.smokeTimeoutMs))
          for (const i of r.imports) {
            io.info(`${i.ok ? 'ok    ' : 'FAILED'} import ${i.module} (${i.durationMs} ms)`)
            if (!i.ok) io.toolOutput(i.traceback ?? i.error ?? '')
          }
          if (r.error) io.toolOutput(r.error)
          return r
        })
        timings.importsMs = Date.now() - importsStarted
        if (inputs.smoke.kind !== 'none') {
          const spec = inputs.smoke
          smoke = await io.group('Smoke test', async () => {
            const r = await runSmoke(venvPython(venv), spec, scratch, common.workingDirectory, runEnv, inputs.smokeTimeoutMs)
            if (r.output) io.toolOutput(r.output)
            else io.info('(no output)')
            return r
          })
          timings.smokeMs = smoke.durationMs
        }
      }
    }
  } finally {
    urls = await urlResults
    timings.urlsMs = Date.now() - urlsStarted
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  timings.totalMs = Date.now() - started

  const checks: CheckResult[] = []
  if (install) checks.push(installCheck(install, targets, inputs))
  if (imports) checks.push(...importChecks(imports, targets))
  if (smoke) checks.push(smokeCheck(smoke, inputs.smoke))
  for (const u of urls) checks.push(urlCheck(u))

  const passed = checks.every((c) => c.status === 'passed' || c.status === 'skipped')
  const data: HealthData = {
    environment: inputs.environment,
    index: { url: redact(inputs.indexUrl), extra: inputs.extraIndexUrls.map(redact), findLinks: source?.findLinks ?? inputs.findLinks },
    distSource: source && { kind: source.kind, description: source.description },
    targets: targets.map((t) => ({ ...t, installed: imports?.dists.find((d) => d.package === t.name)?.version })),
    install: install && { status: install.status, installer: install.installer, attempts: install.attempts, durationMs: install.durationMs, output: install.output, command: install.command, listings: install.listings },
    imports: imports?.imports ?? [],
    smoke: smoke && { ok: smoke.ok, exitCode: smoke.exitCode, timedOut: smoke.timedOut, durationMs: smoke.durationMs, output: smoke.output, traceback: smoke.traceback },
    urls,
    timings
  }
  const firstFailure = checks.find((c) => c.status !== 'passed' && c.status !== 'skipped')
  const reason = firstFailure?.findings[0]?.message ?? firstFailure?.message
  return {
    passed,
    packages: targets.map((t) => t.id),
    checks,
    sections: renderSections(data),
    data: { ...data },
    outputs: {
      healthy: String(passed),
      environment: inputs.environment,
      versions: JSON.stringify(Object.fromEntries(data.targets.map((t) => [t.name, t.installed ?? null])))
    },
    failureMessage: passed ? undefined : `health-check (${inputs.environment}) failed: ${reason ?? 'see the step summary'}`
  }
}

export const healthCheckAction: ActionDefinition<HealthInputs> = {
  name: 'health-check',
  title: 'Health check',
  secretInputs: ['index-url', 'extra-index-url', 'find-links', 'urls'].map((name) => ({ name, kind: 'urls' as const })),
  parseInputs: (reader, common, io) => parseHealthInputs(reader, common, io),
  run: runHealthCheck
}
