/**
 * The end of an action's process. @actions/cache can leave sockets open after an upload
 * (actions/toolkit#1578, actions/cache#370): Node then waits for them before it exits, and
 * the step hangs for minutes, or until the job's time limit, though the action is done. So
 * once the action has finished, the process ends explicitly, with the exit code the action
 * set (core.setFailed sets process.exitCode), after what it wrote has reached the runner.
 */
export interface ExitingProcess {
  stdout: { write(chunk: string, callback: () => void): boolean }
  stderr: { write(chunk: string, callback: () => void): boolean }
  exit(code?: number): void
  exitCode?: number | string | null | undefined
}

/** The longest wait for the streams to hand on what was written (a pipe nobody reads must not hold the exit). */
const FLUSH_LIMIT_MS = 5_000

export function exitWhenFlushed(proc: ExitingProcess = process, limitMs = FLUSH_LIMIT_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    let ended = false
    const end = (): void => {
      if (ended) return
      ended = true
      clearTimeout(timer)
      resolve()
      proc.exit()
    }
    const timer = setTimeout(end, limitMs)
    // An empty write calls back once everything written before it has been handed on.
    proc.stdout.write('', () => proc.stderr.write('', end))
  })
}
