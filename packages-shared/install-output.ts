/**
 * What a failed pip or uv install printed, cut down to what says why: the error and cause
 * lines for the log, and one line for a finding. Read from the real tools' output, captured
 * under __tests__/fixtures/captured/{pip,uv}/.
 */
/** The lines of the tool's output that say what went wrong (errors and causes). */
export function errorLines(output: string, max = 12): string {
  const all = output.split(/\r?\n/)
  // pip explains a conflict in an indented list under this header.
  const conflict = all.findIndex((l) => /^The conflict is caused by:/.test(l))
  const inConflict = (i: number): boolean => conflict >= 0 && i > conflict && all.slice(conflict + 1, i + 1).every((l) => /^\s+\S/.test(l))
  const lines: string[] = []
  let cause = -1 // the indent of the uv `cause:` paragraph being read, which goes on over deeper lines
  all.forEach((l, i) => {
    const indent = l.length - l.trimStart().length
    if (cause >= 0 && l.trim() && indent > cause) return void lines.push(l)
    cause = /^\s+cause:/.test(l) ? indent : -1
    if (/^(ERROR|error|\s+cause|\s*×|\s*╰─▶| {2}[│├└])/.test(l) || /^\s*(hint|help):/.test(l) || i === conflict || inConflict(i))
      lines.push(l)
  })
  return (lines.length ? lines : output.trim().split(/\r?\n/)).slice(-max).join('\n')
}

/**
 * One line that says why an install failed: the installer's first error, then its
 * explanation (uv's `cause:` paragraph, pip's "The conflict is caused by:" list) folded
 * onto the same line, so the finding names the conflict and not only that there is one.
 */
export function failureReason(output: string, max = 800): string {
  const lines = output.split(/\r?\n/)
  const first = lines.find((l) => /^(ERROR|error)\b/.test(l.trim())) ?? lines.find((l) => l.trim()) ?? ''
  const why: string[] = []
  const at = lines.findIndex((l) => /^\s+cause:|^The conflict is caused by:/.test(l))
  if (at >= 0) {
    const indent = (l: string): number => l.length - l.trimStart().length
    const head = lines[at]!
    why.push(head.trim())
    // The paragraph goes on while lines stay indented deeper than uv's `cause:` (pip's list is indented under its header).
    const min = /^The conflict/.test(head) ? 1 : indent(head) + 1
    for (const l of lines.slice(at + 1)) {
      if (!l.trim() || indent(l) < min) break
      why.push(l.trim())
    }
  }
  const text = [first.trim(), ...why].filter(Boolean).join(' ').replace(/\s+/g, ' ')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
