/**
 * Splits a command-line string into argv words the way a POSIX shell would quote them —
 * and only that: no variables, globs, substitutions or operators are interpreted, because
 * the words go straight to a process, never through a shell.
 */

export class ShellWordsError extends Error {}

export function splitShellWords(input: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (c === "'") {
      const end = input.indexOf("'", i + 1)
      if (end < 0) throw new ShellWordsError(`unterminated single quote at position ${i + 1}`)
      word += input.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (c === '"') {
      i++
      let closed = false
      while (i < input.length) {
        const d = input[i]!
        if (d === '"') {
          closed = true
          i++
          break
        }
        // Inside double quotes a backslash escapes only these; elsewhere it is literal.
        if (d === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1]!)) {
          if (input[i + 1] !== '\n') word += input[i + 1]
          i += 2
          continue
        }
        word += d
        i++
      }
      if (!closed) throw new ShellWordsError('unterminated double quote')
      inWord = true
    } else if (c === '\\') {
      if (i + 1 >= input.length) throw new ShellWordsError('trailing backslash')
      // Backslash-newline is a line continuation.
      if (input[i + 1] !== '\n') {
        word += input[i + 1]
        inWord = true
      }
      i += 2
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i++
    } else {
      word += c
      inWord = true
      i++
    }
  }
  if (inWord) words.push(word)
  return words
}
