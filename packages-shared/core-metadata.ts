/**
 * Core metadata (a wheel's METADATA, an sdist's PKG-INFO), read by build-packages'
 * verification and publish-pypi's pre-flight: RFC 822 style headers, where
 * a line starting with whitespace continues the previous field, then a blank line and
 * the description as the body. Fields may repeat (Requires-Dist, Classifier).
 */
export interface CoreMetadata {
  fields: Map<string, string[]>
  /** The body after the headers, or the Description field when there is no body. */
  description: string
}

export function parseCoreMetadata(text: string): CoreMetadata {
  const fields = new Map<string, string[]>()
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  let i = 0
  let last: { key: string; index: number } | undefined
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') {
      i++
      break
    }
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.key)!
      values[last.index] += '\n' + line
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const values = fields.get(key) ?? []
    values.push(value)
    fields.set(key, values)
    last = { key, index: values.length - 1 }
  }
  let description = lines.slice(i).join('\n').trimEnd()
  const field = fields.get('description')?.[0]
  if (description.trim() === '' && field) {
    // Metadata 1.x/2.0 put the description in a field, continuation lines prefixed `       |`.
    description = field
      .split('\n')
      .map((l) => l.replace(/^ {7,8}\|/, ''))
      .join('\n')
  }
  return { fields, description }
}

export function field(meta: CoreMetadata, name: string): string | undefined {
  return meta.fields.get(name.toLowerCase())?.[0]
}

export function fields(meta: CoreMetadata, name: string): string[] {
  return meta.fields.get(name.toLowerCase()) ?? []
}
