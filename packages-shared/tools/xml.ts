/**
 * A small XML reader for the machine-readable reports tools write (junit, Cobertura).
 * Those files are plain elements, attributes, text and CDATA; no DTD processing, no
 * namespaces — so a few dozen lines replace a dependency.
 */

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** Text directly inside the element (entities decoded, CDATA kept verbatim). */
  text: string
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16))
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10))
    return ENTITIES[body] ?? whole
  })
}

const ATTRIBUTE = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g

export class XmlError extends Error {}

/** Parses a document and returns its root element. Throws XmlError on malformed input. */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' }
  const stack: XmlElement[] = [root]
  let i = 0
  const top = (): XmlElement => stack[stack.length - 1]!
  while (i < source.length) {
    const lt = source.indexOf('<', i)
    if (lt < 0) {
      top().text += decodeEntities(source.slice(i))
      break
    }
    if (lt > i) top().text += decodeEntities(source.slice(i, lt))
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4)
      if (end < 0) throw new XmlError('unterminated comment')
      i = end + 3
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt + 9)
      if (end < 0) throw new XmlError('unterminated CDATA section')
      top().text += source.slice(lt + 9, end)
      i = end + 3
    } else if (source.startsWith('<?', lt)) {
      const end = source.indexOf('?>', lt + 2)
      if (end < 0) throw new XmlError('unterminated processing instruction')
      i = end + 2
    } else if (source.startsWith('<!', lt)) {
      const end = source.indexOf('>', lt + 2)
      if (end < 0) throw new XmlError('unterminated declaration')
      i = end + 1
    } else if (source.startsWith('</', lt)) {
      const end = source.indexOf('>', lt + 2)
      if (end < 0) throw new XmlError('unterminated end tag')
      const name = source.slice(lt + 2, end).trim()
      const open = stack.pop()
      if (!open || open === root || open.name !== name) throw new XmlError(`unexpected </${name}>`)
      i = end + 1
    } else {
      // A start tag ends at the first '>' outside quotes.
      let j = lt + 1
      let quote = ''
      while (j < source.length) {
        const c = source[j]!
        if (quote) {
          if (c === quote) quote = ''
        } else if (c === '"' || c === "'") quote = c
        else if (c === '>') break
        j++
      }
      if (j >= source.length) throw new XmlError('unterminated start tag')
      let body = source.slice(lt + 1, j)
      const selfClosing = body.endsWith('/')
      if (selfClosing) body = body.slice(0, -1)
      const nameMatch = /^[^\s/>]+/.exec(body)
      if (!nameMatch) throw new XmlError('element without a name')
      const element: XmlElement = { name: nameMatch[0], attributes: {}, children: [], text: '' }
      for (const m of body.slice(nameMatch[0].length).matchAll(ATTRIBUTE)) {
        element.attributes[m[1]!] = decodeEntities(m[3] ?? m[4] ?? '')
      }
      top().children.push(element)
      if (!selfClosing) stack.push(element)
      i = j + 1
    }
  }
  if (stack.length !== 1) throw new XmlError(`unclosed <${top().name}>`)
  const first = root.children[0]
  if (!first) throw new XmlError('no root element')
  return first
}

/** Every descendant element (depth first) with the given name. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = []
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c)
      walk(c)
    }
  }
  walk(element)
  return out
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name)
}
