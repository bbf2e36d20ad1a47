/**
 * Runs the plan within one deadline: a fresh venv, the install (patient: an index shows a
 * new release minutes after the upload), every top-level module imported, the smoke test,
 * and the URLs polled alongside. Every process goes through ctx.exec, every request through ctx.http.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import { findExecutable, venvBinDir, venvPython } from '../../packages-shared/paths.js'
import { createVenv } from '../../packages-shared/python/venv.js'
import { toolEnv } from '../../packages-shared/python/toolbox.js'
import { redact } from '../../packages-shared/secrets.js'
import { checkImports, type ImportReport } from './imports.js'
import type { HealthInputs } from './inputs.js'
import { installWithRetry, type InstallOutcome } from './install.js'
import type { HealthPlan } from './plan.js'
import { runSmoke, type SmokeResult } from './smoke.js'
import { requirement } from './targets.js'
import { pollUrl, type UrlResult } from './urls.js'

export interface HealthRuns {
  install?: InstallOutcome
  imports?: ImportReport
  smoke?: SmokeResult
  urls: UrlResult[]
  timings: Record<string, number>
}

export async function runHealth(ctx: ActionContext, inputs: HealthInputs, plan: HealthPlan, started: number): Promise<HealthRuns> {
  const { io } = ctx
  const { targets, source, scratch, installEnv } = plan
  // The wait started with the action; creating the venv is setup, not waiting, so its time is given back.
  let deadline = started + inputs.timeoutMs
  const urlsStarted = Date.now()
  const urlResults: Promise<UrlResult[]> = Promise.all(
    inputs.urls.map((u) =>
      pollUrl(
        ctx.http,
        u,
        { statuses: inputs.expectStatus, body: inputs.expectBody },
        () => deadline,
        inputs.retryIntervalMs,
        (m) => io.info(m)
      )
    )
  )
  const runs: HealthRuns = { urls: [], timings: {} }
  const { timings } = runs
  try {
    if (source) {
      const from: HealthInputs = { ...inputs, findLinks: source.findLinks }
      // installWithRetry takes the same uv: the user's own, from PATH.
      const uv = findExecutable('uv', { pathValue: installEnv.PATH })
      const venv = path.join(scratch, 'venv')
      const venvStarted = Date.now()
      await createVenv(ctx, plan.python!, venv, installEnv, uv ? { path: uv, origin: 'path', env: {} } : undefined)
      timings.venvMs = Date.now() - venvStarted
      deadline += timings.venvMs
      const install = await io.group(
        `Installing ${targets.map(requirement).join(', ')} from ${redact(inputs.indexUrl) || from.findLinks.join(', ')}`,
        () => installWithRetry(ctx, venv, uv, installEnv, from, targets, { deadline, retryIntervalMs: inputs.retryIntervalMs })
      )
      runs.install = install
      timings.installMs = install.durationMs
      if (install.status === 'installed') {
        const runEnv: Record<string, string | undefined> = {
          ...toolEnv(io.env, ctx.cacheRoot, venvBinDir(venv)),
          DK_HEALTH_ENVIRONMENT: inputs.environment,
          DK_HEALTH_VERSIONS: JSON.stringify(Object.fromEntries(targets.map((t) => [t.name, t.version])))
        }
        const importsStarted = Date.now()
        runs.imports = await io.group('Importing every top-level module', async () => {
          const r = await checkImports(
            ctx.exec,
            venvPython(venv),
            targets.map((t) => t.name),
            inputs.imports,
            scratch,
            runEnv,
            Math.max(120_000, inputs.smokeTimeoutMs)
          )
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
          const smoke = await io.group('Smoke test', async () => {
            const r = await runSmoke(ctx.exec, venvPython(venv), spec, scratch, ctx.common.workingDirectory, runEnv, inputs.smokeTimeoutMs)
            if (r.output) io.toolOutput(r.output)
            else io.info('(no output)')
            return r
          })
          runs.smoke = smoke
          timings.smokeMs = smoke.durationMs
        }
      }
    }
  } finally {
    runs.urls = await urlResults
    timings.urlsMs = Date.now() - urlsStarted
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  timings.totalMs = Date.now() - started
  return runs
}
