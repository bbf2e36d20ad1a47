/**
 * External commands: always an argv array, never a shell, so no input can inject. Output
 * is captured per command (tools run in parallel and their logs must not interleave).
 *
 * Each command runs in its own process group (POSIX) or process tree (Windows): a time
 * limit stops the tool and everything it started, and once the tool has exited nothing it
 * left behind is waited for. Children never inherit our environment: without an explicit
 * `env` they get the allow-listed one (child-env.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as os from 'node:os'
import crossSpawn from 'cross-spawn'
import { childEnv } from './child-env.js'
import type { CacheService } from './cache.js'
import type { Http } from './github/http.js'
import type { RunnerIO } from './io.js'
import type { Platform } from './paths.js'

export interface CommandSpec {
  argv: readonly string[]
  cwd?: string
  /** The whole environment of the command; the allow-listed base of ours when absent. */
  env?: Record<string, string | undefined>
  /** Stop the command and its process group after this long (ms); a backstop applies when absent. */
  timeoutMs?: number
  stdin?: string
  /** Cap on captured bytes per stream; the tail is kept (errors come last). */
  maxBuffer?: number
  /**
   * How long (ms) to wait, once the command has exited, for its output to close. Longer
   * means a background process it started still holds the output: it is killed.
   */
  orphanGraceMs?: number
  /** Time (ms) between SIGTERM and SIGKILL when the command is stopped. */
  killGraceMs?: number
  /**
   * Below normal priority (niceness 10, Windows' below-normal), and so what it starts: it gets
   * the CPU the other commands leave. For a tool's own workers, beside a run that has one process.
   */
  lowPriority?: boolean
}

export interface CommandResult {
  argv: readonly string[]
  exitCode: number
  /** Set when the command could not start (not found) or was killed. */
  spawnError?: string
  timedOut: boolean
  /** The limit that applied, for messages (ms). */
  timeoutMs?: number
  /**
   * Set when the command exited but processes it started still held its stdout or stderr:
   * they were killed instead of waited for (the output they wrote before is kept). Holders
   * that left the command's process group (a new session) are no longer waited for.
   */
  orphansKilled?: boolean
  stdout: string
  stderr: string
  durationMs: number
}

/**
 * How the actions run a command: runCommand in a run, a recording in unit tests. Every
 * function that starts a process takes one, so an action's whole flow runs through the
 * context it is given.
 */
export type Exec = (spec: CommandSpec) => Promise<CommandResult>

/** What a step that logs and runs commands needs; an ActionContext is one. */
export interface Runtime {
  readonly io: RunnerIO
  readonly exec: Exec
  /** The run's cache service (context.ts); without it the tool venvs use the runner's as cache.ts finds it. */
  readonly cache?: CacheService
  /** Awaited before the first install with uv: restores the uv cache only when something is installed (KeptCaches.forInstalls). */
  readonly beforeInstall?: () => Promise<void>
  /** The run's HTTP client (context.ts); without it a download makes one from the environment it is given. */
  readonly http?: Http
  /**
   * Takes work that may end after the step's own (a new venv's bytecode, then its cache
   * entry): the action awaits it before it reports (ActionContext.settle). Without it, such
   * work is awaited where it starts.
   */
  readonly later?: (work: Promise<void>) => void
}

/** os.constants.priority.PRIORITY_BELOW_NORMAL: niceness 10 on POSIX. */
const BELOW_NORMAL = 10
const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024
/** No command runs unbounded, even one whose caller sets no limit (installs, git). */
export const BACKSTOP_TIMEOUT_MS = 60 * 60_000
const DEFAULT_ORPHAN_GRACE_MS = 2_000
const DEFAULT_KILL_GRACE_MS = 5_000

export type KillPlan = { kind: 'group'; pgid: number } | { kind: 'tree'; argv: string[] }

/**
 * How to stop a command and its descendants: POSIX signals its process group (it was
 * spawned detached, so it leads one); Windows has no groups, taskkill walks the tree.
 */
export function killPlan(pid: number, platform: Platform = process.platform): KillPlan {
  return platform === 'win32' ? { kind: 'tree', argv: ['taskkill', '/PID', String(pid), '/T', '/F'] } : { kind: 'group', pgid: pid }
}

/** Process groups still alive, stopped if our own process exits first. */
const liveGroups = new Set<number>()
let exitHookInstalled = false

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

function stopTree(child: ChildProcess, signal: NodeJS.Signals, platform: Platform): void {
  if (child.pid === undefined) return
  const plan = killPlan(child.pid, platform)
  if (plan.kind === 'group') {
    signalGroup(plan.pgid, signal)
    return
  }
  const [file, ...args] = plan.argv
  const killer = spawn(file!, args, { env: childEnv(process.env), stdio: 'ignore', windowsHide: true })
  killer.on('error', () => child.kill('SIGKILL'))
}

/** The limit as a person writes it (90000 → 1m30s), matching the duration inputs. */
export function formatLimit(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  const units: [string, number][] = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000]
  ]
  let rest = Math.round(ms / 1000) * 1000
  let text = ''
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size)
    if (n > 0) text += `${n}${unit}`
    rest -= n * size
  }
  return text
}

/**
 * A Windows batch file (`.cmd`, `.bat`) only runs through cmd.exe, which Node refuses with
 * `shell: false` since CVE-2024-27980: cross-spawn starts it there with every argument
 * escaped for cmd (quotes, `^`, `%`, `&`), so no argument can become a second command. It
 * returns the same ChildProcess, so timeouts, the kill and the capped output are unchanged.
 */
export function runsThroughCmd(file: string, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' && /\.(cmd|bat)$/i.test(file)
}

export function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const started = performance.now()
  const max = spec.maxBuffer ?? DEFAULT_MAX_BUFFER
  const platform = process.platform
  const timeoutMs = spec.timeoutMs ?? BACKSTOP_TIMEOUT_MS
  const killGrace = spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS
  const orphanGrace = spec.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS
  return new Promise((resolve) => {
    const [file, ...args] = spec.argv
    if (!file) throw new Error('runCommand needs a non-empty argv')
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outLen = 0
    let errLen = 0
    let timedOut = false
    let orphansKilled = false
    let settled = false
    let exitCode: number | undefined
    const timers: NodeJS.Timeout[] = []
    const later = (ms: number, fn: () => void): void => {
      timers.push(setTimeout(fn, ms))
    }
    const child = (runsThroughCmd(file, platform) ? crossSpawn : spawn)(file, args, {
      cwd: spec.cwd,
      env: (spec.env ?? childEnv(process.env)) as NodeJS.ProcessEnv,
      shell: false,
      windowsHide: true,
      // Its own process group, so that a stop reaches what it started (POSIX).
      detached: platform !== 'win32',
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    if (spec.lowPriority && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, BELOW_NORMAL)
      } catch {
        // Not allowed here: it runs at the priority it has.
      }
    }
    const pgid = platform !== 'win32' ? child.pid : undefined
    if (pgid !== undefined) {
      liveGroups.add(pgid)
      if (!exitHookInstalled) {
        exitHookInstalled = true
        const stopAll = (): void => liveGroups.forEach((g) => signalGroup(g, 'SIGKILL'))
        process.once('exit', stopAll)
        // Detached groups do not get the signal that stops us (a cancelled job, Ctrl-C):
        // pass it on, then let it take its default course.
        for (const sig of ['SIGINT', 'SIGTERM'] as const) {
          process.once(sig, () => {
            stopAll()
            process.kill(process.pid, sig)
          })
        }
      }
    }
    const keep = (chunks: Buffer[], chunk: Buffer, len: number): number => {
      chunks.push(chunk)
      len += chunk.length
      while (len > max && chunks.length > 1) len -= chunks.shift()!.length
      return len
    }
    child.stdout?.on('data', (c: Buffer) => (outLen = keep(out, c, outLen)))
    child.stderr?.on('data', (c: Buffer) => (errLen = keep(err, c, errLen)))
    if (spec.stdin !== undefined) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin?.on('error', () => undefined)
      child.stdin?.end(spec.stdin)
    }
    const finish = (code: number, spawnError?: string): void => {
      if (settled) return
      settled = true
      timers.forEach(clearTimeout)
      // A group is signalled only while something of it is known to be alive (a stop, or
      // orphans holding the output): an empty group's id may already belong to another.
      if (pgid !== undefined) liveGroups.delete(pgid)
      resolve({
        argv: spec.argv,
        exitCode: code,
        spawnError: spawnError ?? (timedOut ? `timed out after ${formatLimit(timeoutMs)}` : undefined),
        timedOut,
        timeoutMs,
        ...(orphansKilled ? { orphansKilled } : {}),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Math.round(performance.now() - started)
      })
    }
    /** Stops waiting for output that only a stray process could still close. */
    const abandonOutput = (): void => {
      child.stdout?.destroy()
      child.stderr?.destroy()
      finish(exitCode ?? 128)
    }
    later(timeoutMs, () => {
      timedOut = true
      stopTree(child, 'SIGTERM', platform)
      later(killGrace, () => {
        stopTree(child, 'SIGKILL', platform)
        // Killed processes close their pipes; one that escaped the group must not hold us.
        later(1_000, abandonOutput)
      })
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? `command not found: ${file}` : error.message
      finish(127, reason)
    })
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1)
      // setImmediate: output already in the pipe is read first, even after a busy stretch.
      later(orphanGrace, () =>
        setImmediate(() => {
          if (settled || timedOut) return
          if (pgid !== undefined && !groupAlive(pgid)) {
            // Nothing left in the group: the holders left it (their own session), or reading
            // is merely behind. Give it once more, then stop waiting (they cannot be reached).
            later(orphanGrace, () => {
              if (settled) return
              orphansKilled = true
              abandonOutput()
            })
            return
          }
          orphansKilled = true
          stopTree(child, 'SIGKILL', platform)
          // Killed holders close the pipes, and 'close' then brings everything they wrote.
          later(1_000, abandonOutput)
        })
      )
    })
    child.on('close', (code, signal) => finish(code ?? exitCode ?? (signal ? 128 : 1)))
  })
}

/** What a result's process handling means for its check, in one sentence each (empty when nothing happened). */
export function processNotes(
  tool: string,
  r: Pick<CommandResult, 'timedOut' | 'timeoutMs' | 'orphansKilled'>
): { timeout?: string; orphans?: string } {
  return {
    timeout: r.timedOut
      ? `${tool} did not finish within ${formatLimit(r.timeoutMs ?? BACKSTOP_TIMEOUT_MS)} and was stopped with the processes it started; raise the 'timeout' input if it needs longer`
      : undefined,
    orphans: r.orphansKilled ? `${tool} left background processes holding its output after it exited; they were killed` : undefined
  }
}

/** A command's output for a report, led by what its process handling means (timeout, orphans). */
export function withNotes(tool: string, r: Pick<CommandResult, 'timedOut' | 'timeoutMs' | 'orphansKilled'>, text: string): string {
  const notes = processNotes(tool, r)
  return [notes.timeout, notes.orphans, text].filter(Boolean).join('\n')
}

/** Last `lines` lines of a text, for error messages. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n')
  return all.slice(-lines).join('\n')
}

/** Runs tasks with at most `limit` at once, keeping results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!, i)
    }
  })
  await Promise.all(workers)
  return results
}

/** Quote argv for display in logs only (never for execution). */
export function displayCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}
