/**
 * The frame every action runs in: parse every input first, run, then report the one way
 * all actions report (annotations within budget, step summary, JSON report, SARIF,
 * outputs, artifact), and catch failures in one place: the user's get a clear message,
 * ours get the message plus the stack at debug level.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { uploadArtifact } from './artifacts.js'
import { createContext, parseCommonInputs, type ActionContext, type CommonInputs } from './context.js'
import { errorMessage, isUserError } from './errors.js'
import { planFanOut } from './fan-out.js'
import { createHttp, type Http } from './github/http.js'
import { allFindings, countBySeverity, type CheckResult, type ReportData } from './findings.js'
import { InputReader } from './inputs.js'
import type { RunnerIO } from './io.js'
import { emitAnnotations } from './report/annotations.js'
import { buildSarif } from './report/sarif.js'
import { renderSummary } from './report/summary.js'
import { claimCommonDirs } from './output-dirs.js'
import { commonRoot } from './paths.js'
import { formatShard } from './shards.js'
import { maskSecretInputs, redact, redactDeep, redactingIO, type SecretInput } from './secrets.js'
import { restoreMetadataAnswers } from './metadata-cache.js'
import { maskNotifyInputs, parseNotifyInputs, type NotifyConfig } from './notify/inputs.js'
import type { NotifiedRun } from './notify/message.js'
import { notifyRun } from './notify/send.js'
import { VERSION } from './version.js'

export interface ActionResult {
  passed: boolean
  /** Package ids the run covered. */
  packages: string[]
  checks: CheckResult[]
  /** Action-specific outputs, besides passed, report (and findings, sarif). */
  outputs?: Record<string, string>
  /** Markdown sections for the step summary, after the checks table. */
  sections?: string[]
  /** Action-specific fields of the JSON report. */
  data?: Record<string, unknown>
  /** Write a SARIF file (and the `sarif` output). */
  sarif?: boolean
  /** More files for the artifact (dists, junit, coverage), with their root dir. */
  artifactFiles?: { files: string[]; root: string }[]
  /** False when the findings were annotated already (merge-reports: by the shards' own jobs). */
  annotate?: boolean
  /** The message when the run fails; a default names the counts. */
  failureMessage?: string
}

export interface ActionDefinition<I> {
  name: string
  title: string
  /** Inputs masked before any is parsed (the pipeline masks every stage's, prefixed). */
  secretInputs?: readonly SecretInput[]
  parseInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): I
  run(ctx: ActionContext, inputs: I): Promise<ActionResult>
}

export interface Finished {
  report: ReportData
  reportPath: string
  sarifPath?: string
}

export function reportBaseName(action: string): string {
  return action.replace(/[^a-z0-9-]/gi, '-')
}

/** Writes the report files and renders the summary; shared by single actions and the pipeline. */
export async function publishResult(
  io: RunnerIO,
  common: CommonInputs,
  meta: { name: string; title: string; startedAt: number },
  result: ActionResult
): Promise<Finished> {
  const findings = allFindings(result.checks)
  const plan =
    result.annotate === false ? { annotated: [], notAnnotated: 0 } : emitAnnotations(io, findings, result.passed ? {} : { error: 1 })
  // Everything written passes through redact(): a secret a call site missed cannot leak.
  const report: ReportData = redactDeep({
    action: meta.name,
    version: VERSION,
    startedAt: new Date(meta.startedAt).toISOString(),
    durationMs: Math.round(Date.now() - meta.startedAt),
    workingDirectory: common.workingDirectory,
    // A fan-out job's shard, so that merge-reports can check every shard came back.
    ...(common.shard ? { shard: { shard: formatShard(common.shard), index: common.shard.index, total: common.shard.total } } : {}),
    packages: result.packages,
    passed: result.passed,
    checks: result.checks,
    annotations: { emitted: plan.annotated.length, notAnnotated: plan.notAnnotated },
    ...(result.data ?? {})
  })
  fs.mkdirSync(common.reportDir, { recursive: true })
  const base = reportBaseName(meta.name)
  const reportPath = path.join(common.reportDir, `${base}.json`)
  fs.writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n')
  let sarifPath: string | undefined
  if (result.sarif) {
    sarifPath = path.join(common.reportDir, `${base}.sarif`)
    fs.writeFileSync(
      sarifPath,
      JSON.stringify(redactDeep(buildSarif(result.checks, { category: `dk-actions/${meta.name}` })), null, 2) + '\n'
    )
  }
  await io.appendSummary(redact(renderSummary({ title: meta.title, report, sections: result.sections?.map(redact), reportPath })))

  io.setOutput('passed', String(result.passed))
  io.setOutput('report', reportPath)
  io.setOutput('findings', String(findings.length))
  if (sarifPath) io.setOutput('sarif', sarifPath)
  for (const [k, v] of Object.entries(result.outputs ?? {})) io.setOutput(k, redact(v))

  if (common.artifactName) {
    const groups = [{ files: [reportPath, ...(sarifPath ? [sarifPath] : [])], root: common.reportDir }, ...(result.artifactFiles ?? [])]
    // One artifact holds everything; files outside the report dir keep paths relative to their common root.
    const root = commonRoot(groups.map((g) => g.root))
    await uploadArtifact(
      io,
      common.artifactName,
      groups.flatMap((g) => g.files),
      root
    )
  }
  return { report, reportPath, sarifPath }
}

export function defaultFailureMessage(title: string, result: ActionResult): string {
  const errored = result.checks.filter((c) => c.status === 'error').map((c) => `${c.tool}${c.package ? ` (${c.package})` : ''}`)
  const n = countBySeverity(allFindings(result.checks))
  const parts: string[] = []
  if (errored.length) parts.push(`${errored.join(', ')} could not run`)
  parts.push(`${n.error} error(s), ${n.warning} warning(s)`)
  return `${title} failed: ${parts.join('; ')}. See the step summary for details.`
}

/** Why a step failed on an exception: the user's message as it is, or ours saying it is a bug. */
export function failureReason(name: string, error: unknown): string {
  if (isUserError(error)) return redact(error.message)
  return `${name} failed unexpectedly: ${redact(errorMessage(error))}. This is a bug in dk-actions; please report it with the debug log.`
}

/** Reports an exception: the user's mistakes without a stack, our bugs with one (debug). */
export function reportFailure(io: RunnerIO, name: string, error: unknown): void {
  io.setFailed(failureReason(name, error))
  if (!isUserError(error) && error instanceof Error && error.stack) io.debug(redact(error.stack))
}

/** Adds what discovery did not follow (folders outside the repository) to the summary and the report. */
export function withSkippedPaths(result: ActionResult, ctx: ActionContext): ActionResult {
  const skipped = ctx.discovered()?.skipped ?? []
  if (skipped.length === 0) return result
  return {
    ...result,
    sections: [...(result.sections ?? []), `### Not followed\n\n${skipped.map((s) => `- ${s.message}`).join('\n')}\n`],
    data: { ...(result.data ?? {}), skippedPaths: skipped }
  }
}

export async function runAction<I>(runner: RunnerIO, def: ActionDefinition<I>): Promise<void> {
  const startedAt = Date.now()
  const io = redactingIO(runner)
  let common: CommonInputs | undefined
  let ctx: ActionContext | undefined
  let finished: NotifiedRun
  try {
    // Every action's webhook inputs first: a Slack webhook URL is its own credential.
    maskNotifyInputs(io)
    maskSecretInputs(io, def.secretInputs ?? [])
    const reader = new InputReader(io)
    common = parseCommonInputs(reader, io)
    const inputs = def.parseInputs(reader, common, io)
    ctx = createContext(io, common)
    // Before discovery (the output guard's is the first), which may ask build backends what an
    // earlier run's answers hold; it writes under the cache root, in the runner's temp only.
    const answers = await restoreMetadataAnswers(ctx, common.workingDirectory, ctx.cacheRoot)
    // Before any work, so a report folder over the user's sources is refused with nothing written.
    claimCommonDirs(await ctx.outputs(), common.reportDir, ctx.cacheRoot)
    // A plan step (`shards` or `shard-size`) only sets the matrix; the fan-out jobs do the work.
    const result = withSkippedPaths(common.fanOut ? await planFanOut(ctx, common.fanOut) : await def.run(ctx, inputs), ctx)
    await ctx.settle()
    await answers?.save()
    await publishResult(io, common, { name: def.name, title: def.title, startedAt }, result)
    const failure = result.passed ? undefined : redact(result.failureMessage ?? defaultFailureMessage(def.title, result))
    if (failure !== undefined) io.setFailed(failure)
    finished = {
      action: def.name,
      title: def.title,
      outcome: result.passed ? 'passed' : 'failed',
      ...(failure !== undefined ? { message: failure } : {}),
      packages: result.packages,
      checks: result.checks,
      durationMs: Date.now() - startedAt
    }
  } catch (error) {
    // What the run left going (a venv's bytecode) ends before the step does, even on a failure.
    await ctx?.settle()
    io.setOutput('passed', 'false')
    reportFailure(io, def.name, error)
    finished = {
      action: def.name,
      title: def.title,
      outcome: 'error',
      message: failureReason(def.name, error),
      packages: [],
      checks: [],
      durationMs: Date.now() - startedAt
    }
  }
  // Once the result is final, and outside the catch: a webhook never changes it. A fan-out
  // plan step that planned sends nothing (its jobs and merge-reports report), and the
  // pipeline's stages run inside this one frame, so the root action sends one message.
  const notify = common ? common.notify : notifyInputsAlone(io)
  if (notify && !(common?.fanOut && finished.outcome === 'passed')) {
    let client: Http | undefined
    const env = io.env
    const http: Http = ctx?.http ?? ((url, init) => (client ??= createHttp(env))(url, init))
    await notifyRun(io, http, notify, finished)
  }
}

/** The notification inputs when another common input was refused: that failure is worth a message too. */
function notifyInputsAlone(io: RunnerIO): NotifyConfig | undefined {
  try {
    return parseNotifyInputs(new InputReader(io))
  } catch {
    // A bad notification input was the refusal itself: nothing to send it with.
    return undefined
  }
}
