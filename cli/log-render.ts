/**
 * The local command's view of a step's log: what the runner would obey rendered readably,
 * what it would not (everything inside a stop-commands block) shown as plain text.
 */
import { CommandReader, inertBlock } from '../packages-shared/workflow-commands.js'

/**
 * Prints rendered text. The local command may itself run inside a workflow step, where the
 * runner reads our stdout: then every write is one stop-commands block, so nothing the
 * action's tools printed (rendered here verbatim) becomes a command of that step.
 */
export function makePrinter(underRunner: boolean, write: (s: string) => void = (s) => process.stdout.write(s)): (text: string) => void {
  return (text) => {
    if (text) write(underRunner ? inertBlock(text) : text)
  }
}

/**
 * Renders the action's stdout the way the runner reads it: our annotations as
 * `error: file:line: message`, groups as headings, masks applied; every line inside a
 * stop-commands block (a tool's output) is plain text, so a forged `::error::` or
 * `::add-mask::` in it is shown as written and obeyed by nobody.
 */
export function makeLineRenderer(debug: boolean, print: (text: string) => void): (chunk: string) => void {
  let buffer = ''
  const masks: string[] = []
  const reader = new CommandReader()
  const mask = (s: string): string => masks.reduce((acc, m) => (m ? acc.split(m).join('***') : acc), s)
  return (chunk: string) => {
    buffer += chunk
    // A lone CR ends a line for the runner too; a CR at the very end may be half of a CRLF.
    const lines = buffer.split(/\r\n|\r(?!$)|\n/)
    buffer = lines.pop() ?? ''
    let out = ''
    for (const line of lines) {
      const event = reader.read(line)
      if (event.kind === 'text') {
        out += mask(line) + '\n'
        continue
      }
      if (event.kind !== 'command') continue
      const cmd = event.command
      const where = cmd.props.file
        ? `${cmd.props.file}${cmd.props.line ? `:${cmd.props.line}` : ''}${cmd.props.col ? `:${cmd.props.col}` : ''}: `
        : ''
      switch (cmd.command) {
        case 'group':
          out += `\n▸ ${mask(cmd.message)}\n`
          break
        case 'add-mask':
          masks.push(cmd.message)
          break
        case 'debug':
          if (debug) out += `  debug: ${mask(cmd.message)}\n`
          break
        case 'error':
        case 'warning':
        case 'notice':
          out += `${cmd.command}: ${mask(where)}${cmd.props.title ? `[${mask(cmd.props.title)}] ` : ''}${mask(cmd.message)}\n`
          break
        default:
          break
      }
    }
    print(out)
  }
}
