/**
 * External commands: always an argv array, never a shell, so no input can inject. Output
 * is captured per command (tools run in parallel and their logs must not interleave).
 */
import { spawn } from 'node:child_process'

export interface CommandSpec {
  argv: readonly string[]
  cwd?: string
  env?: Record<string, string | undefined>
  /** Kill the command after this long (ms). */
  timeoutMs?: number
  stdin?: string
  /** Cap on captured bytes per stream; the tail is kept (errors come last). */
  maxBuffer?: number
}

export interface CommandResult {
  argv: readonly string[]
  exitCode: number
  /** Set when the command could not start (not found) or was killed. */
  spawnError?: string
  timedOut: boolean
  stdout: string
  stderr: string
  durationMs: number
}

const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024

export function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const started = performance.now()
  const max = spec.maxBuffer ?? DEFAULT_MAX_BUFFER
  return new Promise((resolve) => {
    const [file, ...args] = spec.argv
    if (!file) throw new Error('runCommand needs a non-empty argv')
    const out: Buffer[] = []
    const err: Buffer[] = []
    let outLen = 0
    let errLen = 0
    let timedOut = false
    let settled = false
    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: (spec.env ?? process.env) as NodeJS.ProcessEnv,
      shell: false,
      windowsHide: true,
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    const keep = (chunks: Buffer[], chunk: Buffer, len: number): number => {
      chunks.push(chunk)
      len += chunk.length
      while (len > max && chunks.length > 1) len -= chunks.shift()!.length
      return len
    }
    child.stdout?.on('data', (c: Buffer) => (outLen = keep(out, c, outLen)))
    child.stderr?.on('data', (c: Buffer) => (errLen = keep(err, c, errLen)))
    if (spec.stdin !== undefined) child.stdin?.end(spec.stdin)
    const timer =
      spec.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true
            child.kill('SIGKILL')
          }, spec.timeoutMs)
        : undefined
    const finish = (exitCode: number, spawnError?: string): void => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      resolve({
        argv: spec.argv,
        exitCode,
        spawnError: spawnError ?? (timedOut ? `timed out after ${spec.timeoutMs} ms` : undefined),
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: Math.round(performance.now() - started)
      })
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? `command not found: ${file}` : error.message
      finish(127, reason)
    })
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)))
  })
}

/** Last `lines` lines of a text, for error messages. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n')
  return all.slice(-lines).join('\n')
}

/** Runs tasks with at most `limit` at once, keeping results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
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
