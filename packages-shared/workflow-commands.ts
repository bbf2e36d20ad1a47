/**
 * The runner's workflow-command language, both ways: how a line of a step's output is read
 * (the local runner and the local command must see what GitHub sees), and how text we did not
 * write is printed so that no line of it is obeyed.
 *
 * What the runner does, per line of stdout and of stderr (actions/runner OutputManager,
 * ActionCommandManager, ActionCommand):
 * - lines end at `\n`, `\r\n` or a lone `\r` (.NET StreamReader.ReadLine);
 * - a line is looked at only if it holds `::` or `##[` somewhere;
 * - `::name k=v,k=v::data` after leading whitespace (the leading spaces are trimmed), or the
 *   legacy `##[name k=v;k=v]data` anywhere in the line; command names are case-insensitive
 *   and only registered ones count;
 * - `::stop-commands::TOKEN` stops every command until a line whose command name is TOKEN
 *   (`::TOKEN::`); in between, lines are plain log text, still passed through the secret
 *   masker.
 */
import { randomBytes } from 'node:crypto'

export interface WorkflowCommand {
  /** Lower-cased, as the runner matches names case-insensitively. */
  command: string
  props: Record<string, string>
  message: string
}

export const STOP_COMMANDS = 'stop-commands'

/** The commands a runner registers; any other `::name::` line is log text. */
export const RUNNER_COMMANDS: ReadonlySet<string> = new Set([
  STOP_COMMANDS,
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'add-path',
  'set-env',
  'set-output',
  'save-state',
  'debug',
  'notice',
  'warning',
  'error',
  'group',
  'endgroup',
  'echo'
])

/** Splits output into the lines the runner reads. */
export function runnerLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

function unescape(s: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.reduce((acc, [escaped, plain]) => acc.split(escaped).join(plain), s)
}

// `%25` comes last, so an escaped literal `%3A` (sent as `%253A`) stays `%3A`.
const DATA: readonly (readonly [string, string])[] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%']
]
const PROPERTY: readonly (readonly [string, string])[] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%']
]
const LEGACY: readonly (readonly [string, string])[] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%']
]

function splitProps(text: string, sep: string, pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const props: Record<string, string> = {}
  for (const pair of text.split(sep).filter(Boolean)) {
    const eq = pair.indexOf('=')
    const key = eq < 0 ? '' : pair.slice(0, eq)
    const value = eq < 0 ? '' : pair.slice(eq + 1)
    if (key && value) props[key] = unescape(value, pairs)
  }
  return props
}

/** The command a runner would read in one line, or undefined when it is log text. */
export function parseCommandLine(line: string, registered: ReadonlySet<string> = RUNNER_COMMANDS): WorkflowCommand | undefined {
  const trimmed = line.trimStart()
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2)
    if (end >= 0) {
      const info = trimmed.slice(2, end)
      const space = info.indexOf(' ')
      const name = (space < 0 ? info : info.slice(0, space)).toLowerCase()
      if (registered.has(name)) {
        return {
          command: name,
          props: space < 0 ? {} : splitProps(info.slice(space + 1).trim(), ',', PROPERTY),
          message: unescape(trimmed.slice(end + 2), DATA)
        }
      }
    }
  }
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const close = line.indexOf(']', start)
  if (close < 0) return undefined
  const info = line.slice(start + 3, close)
  const space = info.indexOf(' ')
  const name = (space < 0 ? info : info.slice(0, space)).toLowerCase()
  if (!registered.has(name)) return undefined
  return {
    command: name,
    props: space < 0 ? {} : splitProps(info.slice(space + 1), ';', LEGACY),
    message: unescape(line.slice(close + 1), LEGACY)
  }
}

export type LineEvent =
  | { kind: 'command'; command: WorkflowCommand }
  | { kind: 'stop'; token: string }
  | { kind: 'resume'; token: string }
  /** Log text; `stopped` when it sits inside a stop-commands block. */
  | { kind: 'text'; line: string; stopped: boolean }

/** Reads lines with the runner's state: what is obeyed, what is only text. */
export class CommandReader {
  private token: string | undefined

  get stopped(): boolean {
    return this.token !== undefined
  }

  read(line: string): LineEvent {
    const mayBe = line.includes('::') || line.includes('##[')
    if (this.token !== undefined) {
      const cmd = mayBe ? parseCommandLine(line, new Set([...RUNNER_COMMANDS, this.token.toLowerCase()])) : undefined
      if (cmd && cmd.command === this.token.toLowerCase()) {
        const token = this.token
        this.token = undefined
        return { kind: 'resume', token }
      }
      return { kind: 'text', line, stopped: true }
    }
    const cmd = mayBe ? parseCommandLine(line) : undefined
    if (!cmd) return { kind: 'text', line, stopped: false }
    if (cmd.command === STOP_COMMANDS) {
      // An empty token would never resume; the runner keeps it anyway, and so do we.
      this.token = cmd.message
      return { kind: 'stop', token: cmd.message }
    }
    return { kind: 'command', command: cmd }
  }
}

/** True when the runner would hand some line of the text to its command parser. */
export function mayHoldCommand(text: string): boolean {
  return text.includes('::') || text.includes('##[')
}

/**
 * A fresh token that does not occur in the text, compared case-insensitively like the
 * runner's resume check: 128 random bits, drawn again in the (theoretical) case of a clash.
 */
export function stopToken(text: string, random: () => string = () => randomBytes(16).toString('hex')): string {
  const haystack = text.toLowerCase()
  for (;;) {
    const token = random().toLowerCase()
    if (token && !haystack.includes(token) && !RUNNER_COMMANDS.has(token)) return token
  }
}

/** The text inside a stop-commands block, ready to write to stdout (ends with a newline). */
export function inertBlock(text: string, token: string = stopToken(text)): string {
  const body = /[\r\n]$/.test(text) ? text : `${text}\n`
  return `::${STOP_COMMANDS}::${token}\n${body}::${token}::\n`
}
