/**
 * twine: `twine check --strict` renders each dist's long description the way PyPI does
 * and checks the metadata PyPI needs; --strict turns its warnings (no description, no
 * content type) into failures (without it the verdict is "PASSED with warnings"). Output
 * is per file: a "Checking <file>: <verdict>" line, then ERROR/WARNING messages whose
 * continuation lines are indented.
 */
import { tail, withNotes, type CommandResult } from '../exec.js'
import type { ToolRequirement } from '../python/toolbox.js'

export const TWINE: ToolRequirement = { requirement: 'twine', version: '7.0.0', executable: 'twine' }

/** `strict`: fail on twine's warnings too (no long description, no content type). */
export function twineCheckArgv(executable: string, files: readonly string[], strict = true): string[] {
  return [executable, '--no-color', 'check', ...(strict ? ['--strict'] : []), ...files]
}

/** The command as the report shows it: the dists are many and named in the findings. */
export function twineCheckShown(strict = true): string {
  return `twine check${strict ? ' --strict' : ''} <dists>`
}

/** Rich pads lines to the terminal width; a wide one keeps each message on one line. */
export const TWINE_ENV = { COLUMNS: '1000' }

export interface TwineMessage {
  level: 'error' | 'warning'
  text: string
}

export interface TwineFileResult {
  file: string
  passed: boolean
  verdict: string
  messages: TwineMessage[]
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g')

export function parseTwineCheck(output: string): TwineFileResult[] {
  const results: TwineFileResult[] = []
  let current: TwineFileResult | undefined
  let message: TwineMessage | undefined
  const lines = output.replace(ANSI, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trimEnd()
    // A narrow terminal (rich honours TERM and COLUMNS) wraps long paths: rejoin them.
    if (/^Checking(\s|$)/.test(line)) {
      while (!/: (PASSED|FAILED)/.test(line) && i + 1 < lines.length && !lines[i + 1]!.startsWith('Checking ')) {
        line += (line === 'Checking' ? ' ' : '') + lines[++i]!.trim()
      }
      line = line.replace(/^Checking\s+/, 'Checking ')
    }
    const checking = /^Checking (.+): (PASSED.*|FAILED.*)$/.exec(line)
    if (checking) {
      current = { file: checking[1]!, passed: checking[2]!.startsWith('PASSED'), verdict: checking[2]!, messages: [] }
      results.push(current)
      message = undefined
      continue
    }
    if (!current) continue
    const head = /^(ERROR|WARNING)\s+(.*)$/.exec(line)
    if (head) {
      message = { level: head[1] === 'ERROR' ? 'error' : 'warning', text: head[2]!.trim() }
      current.messages.push(message)
    } else if (message && /^\s+\S/.test(line)) {
      message.text += '\n' + line.trim()
    }
  }
  return results
}

/**
 * twine check's answer on `files`: a result per file, or why there is none to trust (it
 * crashed, timed out, or said nothing about some file), which makes the check an error.
 */
export function readTwineCheck(r: CommandResult, files: readonly string[]): { results: TwineFileResult[] } | { error: string } {
  const results = parseTwineCheck(r.stdout + '\n' + r.stderr)
  if (results.length !== files.length) {
    return {
      error: withNotes('twine check', r, `twine check did not report on every file (exit ${r.exitCode}):\n${tail(r.stdout + r.stderr, 25)}`)
    }
  }
  return { results }
}
