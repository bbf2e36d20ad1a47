/**
 * The one seam between an action and the runner. Actions receive a RunnerIO and never
 * import @actions/core themselves: the entry files bind it to the real runner
 * (io-actions.ts), the local command passes its own, tests a memory one (__tests__/helpers/io-memory.ts).
 */
export type Severity = 'error' | 'warning' | 'note'

export interface AnnotationProps {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

export interface RunnerIO {
  /** Raw input value; '' when unset. The runner has already applied action.yml defaults. */
  getInput(name: string): string
  setOutput(name: string, value: string): void
  /** Mask a value in every later log line. Call before the value is first used. */
  setSecret(value: string): void
  saveState(name: string, value: string): void
  getState(name: string): string
  exportVariable(name: string, value: string): void

  debug(message: string): void
  /** One of our own log lines (it may name files or packages, never carries a command). */
  info(message: string): void
  /**
   * Text dk-actions did not write: a tool's stdout or stderr, the code under test's words, a
   * source line, a diff, a traceback, a server's error page. Printed verbatim, with no line of
   * it read as a workflow command: only our own annotations, masks and groups are commands.
   */
  toolOutput(text: string): void
  notice(message: string): void
  warning(message: string): void
  error(message: string): void
  annotate(severity: Severity, message: string, props: AnnotationProps): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  appendSummary(markdown: string): Promise<void>
  setFailed(message: string): void
  isDebug(): boolean

  /** Environment of the step (GITHUB_*, RUNNER_*, PATH, ...). */
  readonly env: Readonly<Record<string, string | undefined>>
}

/** The runner's temporary directory: RUNNER_TEMP, else the OS temp dir. */
export function runnerTemp(io: RunnerIO, fallback: string): string {
  return io.env.RUNNER_TEMP || fallback
}

/** The workspace: GITHUB_WORKSPACE, else the current directory. */
export function workspaceDir(io: RunnerIO, cwd: string): string {
  return io.env.GITHUB_WORKSPACE || cwd
}
