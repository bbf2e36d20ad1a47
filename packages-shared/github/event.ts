/**
 * The workflow run's GitHub context: the event's name and the payload GitHub writes to
 * GITHUB_EVENT_PATH, read here and nowhere else, once per environment.
 *
 * This reads the JSON itself rather than through @actions/github's `context`: that one
 * reads `process.env` when the module loads, and every action takes its environment
 * from the runner seam (`io.env`), which tests and the local runner fill.
 */
import * as fs from 'node:fs'

export type Env = Readonly<Record<string, string | undefined>>

export interface EventRepository {
  full_name?: string
  fork?: boolean
  default_branch?: string
}

export interface EventPullRequest {
  /** `repo` is null when the head's repository (a fork) has been deleted. */
  head?: { repo?: EventRepository | null }
  base?: { repo?: EventRepository | null }
}

/** The parts of the payload dk-actions reads; everything else is kept as it came. */
export interface EventPayload {
  /** A push's previous head. */
  before?: unknown
  repository?: EventRepository
  pull_request?: EventPullRequest
  [key: string]: unknown
}

export interface GitHubContext {
  /** GITHUB_EVENT_NAME, '' outside a workflow. */
  eventName: string
  /** The event payload; {} when there is none or it is not a JSON object. */
  payload: EventPayload
}

/** The pull-request events whose run gets the head's rights: a fork's gets no secrets and a read-only token. */
const HEAD_CONTEXT_PR_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])

function readPayload(file: string | undefined): EventPayload {
  if (!file) return {}
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as EventPayload) : {}
  } catch {
    // No file (a local run) or not JSON: the run has no event to tell us anything.
    return {}
  }
}

const cache = new WeakMap<Env, { file: string | undefined; eventName: string; context: GitHubContext }>()

/** The context of the run whose environment is `env`; the payload is read on the first call only. */
export function githubContext(env: Env): GitHubContext {
  const file = env.GITHUB_EVENT_PATH || undefined
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  const hit = cache.get(env)
  if (hit && hit.file === file && hit.eventName === eventName) return hit.context
  const context: GitHubContext = { eventName, payload: readPayload(file) }
  cache.set(env, { file, eventName, context })
  return context
}

/** A push's previous commit, as the payload gives it (all zeros for a new branch). */
export function pushBefore(context: GitHubContext): string | undefined {
  const before = context.payload.before
  return typeof before === 'string' ? before : undefined
}

/** The repository's default branch, which every event's payload carries. */
export function defaultBranch(context: GitHubContext): string | undefined {
  const branch = context.payload.repository?.default_branch
  return typeof branch === 'string' && branch ? branch : undefined
}

export function isPullRequestEvent(context: GitHubContext): boolean {
  return context.eventName === 'pull_request' || context.eventName === 'pull_request_target'
}

/**
 * Whether this run is a pull request from a fork, and so has no secrets, no OIDC token and
 * a read-only GITHUB_TOKEN. A head whose repository is null is a deleted fork: it counts
 * as one. `pull_request_target` is not such a run: it has the base repository's rights.
 * A payload without the pull request (a local run) tells nothing, and answers false.
 */
export function isForkPullRequest(context: GitHubContext): boolean {
  if (!HEAD_CONTEXT_PR_EVENTS.has(context.eventName)) return false
  const pr = context.payload.pull_request
  if (!pr || typeof pr !== 'object' || !pr.head || typeof pr.head !== 'object') return false
  const head = pr.head.repo
  if (head === null || head === undefined) return true
  if (head.fork === true) return true
  const base = pr.base?.repo?.full_name
  return head.full_name !== undefined && base !== undefined && head.full_name !== base
}
