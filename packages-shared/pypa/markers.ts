/**
 * PEP 508 environment markers (`python_version < "3.10" and sys_platform != "win32"`), read
 * and evaluated the way pip's packaging library (26) does; the unit tests check every case
 * against it. No npm library reads markers, and the grammar is a dozen lines of the PEP.
 */
import { isValidSpecifier, isValidVersion, versionSatisfies } from './versions.js'

/** The values a marker can name, as the interpreter that installs reports them (interpreter.ts). */
export interface MarkerEnvironment {
  implementation_name: string
  implementation_version: string
  os_name: string
  platform_machine: string
  platform_python_implementation: string
  platform_release: string
  platform_system: string
  platform_version: string
  python_full_version: string
  python_version: string
  sys_platform: string
}

export class MarkerError extends Error {}

type Operand = { variable: string } | { value: string }
type Marker = { kind: 'compare'; left: Operand; op: string; right: Operand } | { kind: 'and' | 'or'; left: Marker; right: Marker }

const VARIABLES = new Set([
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'python_version',
  'sys_platform',
  'extra'
])
/** Spellings from PEP 345 that packaging still reads. */
const ALIASES: Record<string, string> = {
  'os.name': 'os_name',
  'sys.platform': 'sys_platform',
  'platform.version': 'platform_version',
  'platform.machine': 'platform_machine',
  'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation'
}

const TOKEN = /\s*(?:(\(|\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|([A-Za-z_][A-Za-z0-9_.]*))/y

type Token = { paren?: string; str?: string; op?: string; word?: string; at: number }

function tokens(text: string): Token[] {
  const out: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const start = TOKEN.lastIndex
    const m = TOKEN.exec(text)
    if (!m) {
      const at = start + (text.slice(start).length - text.slice(start).trimStart().length)
      throw new MarkerError(`unexpected text at position ${at + 1}: ${JSON.stringify(text.slice(at).slice(0, 20))}`)
    }
    // The position of the token itself, past the spaces before it.
    out.push({ paren: m[1], str: m[2]?.slice(1, -1), op: m[3], word: m[4], at: TOKEN.lastIndex - m[0].trimStart().length })
  }
  return out
}

/** The marker's tree; a MarkerError that names the position when it is not PEP 508. */
export function parseMarker(text: string): Marker {
  const list = tokens(text)
  let i = 0
  const fail = (what: string): never => {
    const t = list[i]
    throw new MarkerError(`${what} ${t ? `at position ${t.at + 1}` : 'at the end'}`)
  }
  const operand = (): Operand => {
    const t = list[i]
    if (t?.str !== undefined) {
      i++
      return { value: t.str }
    }
    const name = t?.word && (ALIASES[t.word] ?? t.word)
    if (!name || !VARIABLES.has(name)) return fail('expected a marker variable or a quoted string')
    i++
    return { variable: name }
  }
  const comparison = (): Marker => {
    if (list[i]?.paren === '(') {
      i++
      const inner = or()
      if (list[i]?.paren !== ')') fail("expected ')'")
      i++
      return inner
    }
    const left = operand()
    const t = list[i]
    let op: string | undefined = t?.op
    if (t?.word === 'in') op = 'in'
    else if (t?.word === 'not' && list[i + 1]?.word === 'in') {
      op = 'not in'
      i++
    }
    if (!op) fail('expected a comparison operator')
    i++
    const at = i
    const right = operand()
    // packaging reads one side as a variable and the other as a string, and nothing else.
    if ('variable' in left === 'variable' in right) {
      i = at
      fail('expected a comparison of a marker variable with a quoted string')
    }
    return { kind: 'compare', left, op: op!, right }
  }
  const chain = (kind: 'and' | 'or', next: () => Marker) => (): Marker => {
    let left = next()
    while (list[i]?.word === kind) {
      i++
      left = { kind, left, right: next() }
    }
    return left
  }
  const and = chain('and', comparison)
  const or = chain('or', and)
  const marker = or()
  if (i < list.length) fail('unexpected text')
  return marker
}

/** The variables whose comparisons are between versions, when the operator and the other side make a specifier. */
const VERSION_VARIABLES = new Set(['implementation_version', 'platform_release', 'python_full_version', 'python_version'])

/**
 * One comparison, as packaging 26 makes it: a version variable against a specifier
 * (a value that is no version is outside every one); any other, or a version variable
 * against something that makes no specifier, as strings, which have no order: `<` and `>`
 * never hold, `<=` and `>=` are equality; `~=` and `===` compare versions only.
 */
function compare(variable: string, left: string, op: string, right: string): boolean {
  if (VERSION_VARIABLES.has(variable) && op !== 'in' && op !== 'not in' && isValidSpecifier(`${op}${right}`))
    return isValidVersion(left) && versionSatisfies(left, `${op}${right}`, { prereleases: true })
  switch (op) {
    case 'in':
      return right.includes(left)
    case 'not in':
      return !right.includes(left)
    case '==':
    case '<=':
    case '>=':
      return left === right
    case '!=':
      return left !== right
    case '<':
    case '>':
      return false
    default:
      throw new MarkerError(
        `'${op}' compares versions only, and ${JSON.stringify(left)} ${op} ${JSON.stringify(right)} is no comparison of versions`
      )
  }
}

/**
 * Whether the marker holds in `env`. `extra` is the empty string: a tool requirement is not
 * installed for an extra. Throws MarkerError for a marker that is not PEP 508.
 */
export function evaluateMarker(marker: string | Marker, env: MarkerEnvironment): boolean {
  const tree = typeof marker === 'string' ? parseMarker(marker) : marker
  const value = (o: Operand): string => ('value' in o ? o.value : o.variable === 'extra' ? '' : env[o.variable as keyof MarkerEnvironment])
  switch (tree.kind) {
    case 'and':
      return evaluateMarker(tree.left, env) && evaluateMarker(tree.right, env)
    case 'or':
      return evaluateMarker(tree.left, env) || evaluateMarker(tree.right, env)
    case 'compare': {
      const variable = 'variable' in tree.left ? tree.left.variable : (tree.right as { variable: string }).variable
      return compare(variable, value(tree.left), tree.op, value(tree.right))
    }
  }
}
