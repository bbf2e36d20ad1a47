/**
 * Recorded processes and HTTP answers for unit tests of an action's main.ts: the test says
 * which commands may run and what they answer; a command or request it did not expect
 * fails the test, so an action cannot quietly start a real process or reach the network.
 */
import * as os from 'node:os'
import * as path from 'node:path'
import * as fs from 'node:fs'
import type { CacheService } from '../../packages-shared/cache.js'
import { createContext, parseCommonInputs, type ActionContext } from '../../packages-shared/context.js'
import { displayCommand, type CommandResult, type CommandSpec, type Exec } from '../../packages-shared/exec.js'
import type { Http } from '../../packages-shared/github/http.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { LEAN_LAUNCHER_FILE, LISTING_VARIABLE } from '../../packages-shared/python/lean-launch.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import { createMemoryIO, type MemoryIO } from './io-memory.js'

export type Answer = Partial<Omit<CommandResult, 'argv'>>

export interface ExecRule {
  /** Matched against the command as displayed (`python -m pip install ...`), or a predicate on the spec. */
  match: RegExp | ((spec: CommandSpec) => boolean)
  answer: Answer | ((spec: CommandSpec) => Answer | Promise<Answer>)
  /** How many times it may match; unlimited when absent. */
  times?: number
}

export interface RecordedExec extends Exec {
  /** The commands run, each as the tool's own when the lean launcher ran it (toolSpec). */
  readonly calls: LaunchedSpec[]
  /** The commands run, as displayed, in order. */
  readonly commands: () => string[]
}

/** A command the lean launcher runs, with what it launches: the tool's own command line and the prelude's file. */
export interface LaunchedSpec extends CommandSpec {
  launched?: { python: string; prelude?: string }
}

/**
 * `python …/dk_actions_launch.py [--prelude <file>] <tool> <args>` as the tool's own command
 * (python/lean-launch.ts): rules and recorded calls see what a user's command line would be.
 */
export function toolSpec(spec: CommandSpec): LaunchedSpec {
  const [python, launcher, ...rest] = spec.argv
  if (!launcher || path.basename(launcher) !== LEAN_LAUNCHER_FILE) return spec
  const prelude = rest[0] === '--prelude' ? rest[1] : undefined
  return { ...spec, argv: prelude ? rest.slice(2) : rest, launched: { python: python!, prelude } }
}

/** What a prelude that lists the tool's files would write, where the run asked for it (DK_ACTIONS_LISTING). */
export function writeObservedListing(spec: CommandSpec, text: string): void {
  const file = spec.env?.[LISTING_VARIABLE]
  if (file) fs.writeFileSync(file, text)
}

function matches(rule: ExecRule, spec: CommandSpec): boolean {
  return rule.match instanceof RegExp ? rule.match.test(displayCommand(spec.argv)) : rule.match(spec)
}

/** An Exec that answers from `rules` (the first match wins) and throws on any other command. */
export function recordedExec(rules: ExecRule[]): RecordedExec {
  const used = new Map<ExecRule, number>()
  const calls: LaunchedSpec[] = []
  const exec = async (given: CommandSpec): Promise<CommandResult> => {
    const spec = toolSpec(given)
    calls.push(spec)
    const rule = rules.find((r) => matches(r, spec) && (r.times === undefined || (used.get(r) ?? 0) < r.times))
    if (!rule) throw new Error(`unexpected command: ${displayCommand(spec.argv)}`)
    used.set(rule, (used.get(rule) ?? 0) + 1)
    const answer = typeof rule.answer === 'function' ? await rule.answer(spec) : rule.answer
    return { argv: given.argv, exitCode: 0, timedOut: false, stdout: '', stderr: '', durationMs: 1, ...answer }
  }
  return Object.assign(exec, { calls, commands: () => calls.map((c) => displayCommand(c.argv)) })
}

export interface HttpRoute {
  /** `GET https://host/path`, or a predicate. */
  match: string | RegExp | ((url: string, init: RequestInit) => boolean)
  answer: (url: string, init: RequestInit) => Response | Promise<Response>
}

export interface RecordedHttp extends Http {
  readonly requests: { method: string; url: string; init: RequestInit }[]
}

/** An Http that answers from `routes` and throws (as fetch does on a network error) for any other request. */
export function recordedHttp(routes: HttpRoute[]): RecordedHttp {
  const requests: { method: string; url: string; init: RequestInit }[] = []
  const http = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const method = (init.method ?? 'GET').toUpperCase()
    requests.push({ method, url, init })
    const route = routes.find((r) =>
      typeof r.match === 'string'
        ? r.match === `${method} ${url}`
        : r.match instanceof RegExp
          ? r.match.test(`${method} ${url}`)
          : r.match(url, init)
    )
    if (!route) throw new TypeError(`fetch failed: unexpected request ${method} ${url}`)
    return route.answer(url, init)
  }
  return Object.assign(http, { requests })
}

export interface TestContext {
  ctx: ActionContext
  io: MemoryIO
}

/**
 * A context as runAction builds it, from inputs and environment, with recorded exec and
 * http. RUNNER_TEMP is a fresh folder unless the env gives one.
 */
export function testContext(options: {
  inputs?: Record<string, string>
  env?: Record<string, string | undefined>
  exec?: Exec
  http?: Http
  /** The cache service; without it, the runner's as the env makes it (none in tests: no ACTIONS_RUNTIME_TOKEN). */
  cache?: CacheService
  workspace?: Workspace
}): TestContext {
  const env = { RUNNER_TEMP: fs.mkdtempSync(path.join(os.tmpdir(), 'dk-ctx-')), ...options.env }
  const io = createMemoryIO(options.inputs ?? {}, env)
  const common = parseCommonInputs(new InputReader(io), io)
  const ctx = createContext(io, common, {
    exec: options.exec ?? recordedExec([]),
    http: options.http ?? recordedHttp([]),
    cache: options.cache,
    workspace: options.workspace
  })
  return { ctx, io }
}
