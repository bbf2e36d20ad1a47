/**
 * The pipeline's one pull-request comment (`pr-comment: true`): what every stage found,
 * posted once and updated in place on each run (packages-shared/github/pr-comment.ts).
 * Outside a pull request it does nothing; on a fork's pull request, whose token is
 * read-only, and when GitHub refuses, it says so in a notice and never fails the run.
 */
import type { ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { allFindings } from '../../packages-shared/findings.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import { commentBody, commentFailure, commentMarker, upsertComment } from '../../packages-shared/github/pr-comment.js'
import { githubClient } from '../../packages-shared/github/releases.js'
import { stageChecks } from './checks.js'
import type { StageOutcome } from './stages.js'

export interface PrCommentInputs {
  enabled: boolean
  token: string
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target'])

function pullRequestNumber(payload: Record<string, unknown>): number | undefined {
  const pr = payload.pull_request as { number?: unknown } | undefined
  const n = typeof pr?.number === 'number' ? pr.number : Number(payload.number)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

/** Posts or updates the comment; returns the result with the `pr-comment-url` output (empty when none). */
export async function postPrReport(
  ctx: ActionContext,
  inputs: PrCommentInputs,
  outcomes: readonly StageOutcome[],
  result: ActionResult
): Promise<ActionResult> {
  const { io } = ctx
  const done = (url = ''): ActionResult => ({ ...result, outputs: { ...result.outputs, 'pr-comment-url': url } })
  if (!inputs.enabled) return result
  const context = githubContext(io.env)
  const issue = pullRequestNumber(context.payload as Record<string, unknown>)
  if (!PR_EVENTS.has(context.eventName) || issue === undefined) {
    io.info('pr-comment: not a pull request run, so no comment.')
    return done()
  }
  if (isForkPullRequest(context)) {
    io.notice(
      'pr-comment: skipped: a pull request from a fork gets a read-only token, so no comment can be written. The step summary has the report.'
    )
    return done()
  }
  const [owner, repo] = (io.env.GITHUB_REPOSITORY ?? '').split('/')
  if (!owner || !repo || !inputs.token) {
    io.notice("pr-comment: skipped: it needs GITHUB_REPOSITORY and a token (`pr-comment-token`, by default the job's `github.token`).")
    return done()
  }
  const server = (io.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const runUrl = io.env.GITHUB_RUN_ID ? `${server}/${owner}/${repo}/actions/runs/${io.env.GITHUB_RUN_ID}` : undefined
  // One comment per workflow job: a second pipeline job of the same pull request keeps its own.
  const marker = commentMarker(`${io.env.GITHUB_WORKFLOW ?? ''}/${io.env.GITHUB_JOB ?? ''}`)
  const body = commentBody(marker, {
    title: 'dk-actions pipeline',
    passed: result.passed,
    stages: outcomes.map((o) => {
      const findings = allFindings(stageChecks(o))
      return {
        name: o.stage.name,
        status: o.status,
        errors: findings.filter((f) => f.severity === 'error').length,
        warnings: findings.filter((f) => f.severity === 'warning').length,
        durationMs: o.durationMs
      }
    }),
    findings: allFindings(result.checks),
    ...(runUrl ? { runUrl } : {})
  })
  try {
    const client = githubClient(inputs.token, io.env.GITHUB_API_URL ?? '', { fetch: ctx.http })
    const comment = await upsertComment(client, { owner, repo, issue }, marker, body)
    io.info(`pr-comment: ${comment.created ? 'posted' : 'updated'} ${comment.url}`)
    return done(comment.url)
  } catch (error) {
    io.notice(`pr-comment: not posted: ${commentFailure(error)}`)
    return done()
  }
}
