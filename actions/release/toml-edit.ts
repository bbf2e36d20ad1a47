/**
 * Edits of one string value in a TOML file that keep everything else byte for byte: the
 * comments, the order, the quoting. smol-toml reads but does not write comments back, so
 * a parse-and-dump would rewrite the user's file; instead the value is found in its table
 * and replaced, and the caller parses the result to check it says what was meant.
 */
import { escapeRegExp } from '../../packages-shared/regexp.js'

export class TomlEditError extends Error {}

function unquoteKey(part: string): string {
  const p = part.trim()
  return /^(["']).*\1$/.test(p) ? p.slice(1, -1) : p
}

/** Splits a dotted key (`tool."poetry".group`) on the dots outside quotes. */
export function splitDottedKey(key: string): string[] {
  const parts: string[] = []
  let current = ''
  let quote: string | undefined
  for (const ch of key) {
    if (quote) {
      current += ch
      if (ch === quote) quote = undefined
    } else if (ch === '"' || ch === "'") {
      quote = ch
      current += ch
    } else if (ch === '.') {
      parts.push(unquoteKey(current))
      current = ''
    } else current += ch
  }
  parts.push(unquoteKey(current))
  return parts
}

/** Start and end offsets of a table's body (after its header line, up to the next header). */
export function tableBody(text: string, tablePath: readonly string[]): { start: number; end: number } | undefined {
  const header = /^[ \t]*\[(?!\[)([^\]\r\n]+)\][ \t]*(?:#.*)?$/gm
  let m: RegExpExecArray | null
  while ((m = header.exec(text))) {
    const parts = splitDottedKey(m[1]!)
    if (parts.length !== tablePath.length || !parts.every((p, i) => p === tablePath[i])) continue
    const start = m.index + m[0].length
    // The body ends at the next header, a table's or an array of tables' (`[[...]]`).
    const next = /^[ \t]*\[/m.exec(text.slice(start))
    return { start, end: next ? start + next.index : text.length }
  }
  return undefined
}

function keyPattern(key: string): string {
  const esc = escapeRegExp(key)
  return `(?:${esc}|"${esc}"|'${esc}')`
}

function quoted(value: string): RegExp {
  const esc = escapeRegExp(value)
  return new RegExp(`(["'])${esc}\\1`)
}

/** The position of `key =` at the start of a line of the table body, with the offset after the `=`. */
function findKey(text: string, body: { start: number; end: number }, key: string): number | undefined {
  const re = new RegExp(`^[ \\t]*${keyPattern(key)}[ \\t]*=[ \\t]*`, 'gm')
  const slice = text.slice(body.start, body.end)
  const m = re.exec(slice)
  return m ? body.start + m.index + m[0].length : undefined
}

/** Where the value starting at `from` ends: the end of its line, or of its bracketed array/inline table. */
function valueEnd(text: string, from: number): number {
  let depth = 0
  let quote: string | undefined
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!
    if (quote) {
      if (ch === '\\' && quote === '"') i++
      else if (ch === quote) quote = undefined
      continue
    }
    if (ch === '"' || ch === "'") quote = ch
    else if (ch === '#') {
      const nl = text.indexOf('\n', i)
      if (depth === 0) return nl === -1 ? text.length : nl
      i = nl === -1 ? text.length : nl
    } else if (ch === '[' || ch === '{') depth++
    else if (ch === ']' || ch === '}') {
      depth--
      if (depth === 0) return i + 1
    } else if (ch === '\n' && depth === 0) return i
  }
  return text.length
}

/**
 * Replaces the string `oldValue` in the value of `key` in the table at `tablePath`: a plain
 * string, one element of an array, or (with `inner`) the inner key of an inline table.
 */
export function replaceTomlString(
  text: string,
  tablePath: readonly string[],
  key: string,
  oldValue: string,
  newValue: string,
  inner?: string
): string {
  const where = `${[...tablePath, key].join('.')}${inner ? `.${inner}` : ''}`
  const body = tableBody(text, tablePath)
  if (!body) throw new TomlEditError(`the table [${tablePath.join('.')}] is not written as a header of its own`)
  const from = findKey(text, body, key)
  if (from === undefined) throw new TomlEditError(`${where} is not written as \`${key} = ...\` in [${tablePath.join('.')}]`)
  const end = valueEnd(text, from)
  let value = text.slice(from, end)
  let offset = 0
  if (inner) {
    const m = new RegExp(`${keyPattern(inner)}\\s*=\\s*`).exec(value)
    if (!m) throw new TomlEditError(`${where} is not written inline`)
    offset = m.index + m[0].length
    value = value.slice(offset)
  }
  const m = quoted(oldValue).exec(value)
  if (!m) throw new TomlEditError(`${where} does not hold ${JSON.stringify(oldValue)} as a plain string`)
  const q = m[1]!
  if (q === "'" ? newValue.includes("'") : /["\\]/.test(newValue))
    throw new TomlEditError(`${JSON.stringify(newValue)} cannot be written in ${q} quotes`)
  const at = from + offset + m.index
  return text.slice(0, at) + q + newValue + q + text.slice(at + m[0].length)
}
