/**
 * Which environment a ref deploys to: `environments` maps ref patterns to environment
 * names (`develop=development, main=staging, release/*=production`). Patterns follow
 * GitHub's branch filters: `*` matches within one path segment, `**` across `/`, `?` one
 * character. A pattern matches the branch or tag name (`main`, `release/1.2`) or, when it
 * starts with `refs/`, the whole ref. The first pattern that matches wins.
 */
import { invalidInput } from '../../packages-shared/inputs.js'

export const DEFAULT_ENVIRONMENTS = 'develop=development, main=staging, release/*=production'

export interface EnvironmentRule {
  pattern: string
  environment: string
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const PATTERN = /^[A-Za-z0-9._/*?+-]+$/

export function parseEnvironments(raw: string): EnvironmentRule[] {
  const text = raw.trim() || DEFAULT_ENVIRONMENTS
  const rules: EnvironmentRule[] = []
  for (const entry of text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=')
    const pattern = entry.slice(0, eq).trim()
    const environment = entry.slice(eq + 1).trim()
    if (eq < 1 || !PATTERN.test(pattern) || !NAME.test(environment)) {
      throw invalidInput(
        'environments',
        entry,
        "entries of the form <ref pattern>=<environment>, comma or newline separated, such as 'develop=development, main=staging, release/*=production'"
      )
    }
    rules.push({ pattern, environment })
  }
  return rules
}

function patternRegExp(pattern: string): RegExp {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      out += '.*'
      i++
    } else if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else out += c.replace(/[.+\\^$(){}|[\]]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/** `refs/heads/main` → `main`; `refs/tags/v1` → `v1`; `refs/pull/3/merge` stays whole. */
export function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '')
}

/** The rule the ref matches, or undefined (the ref deploys nowhere). */
export function environmentFor(ref: string, rules: readonly EnvironmentRule[]): EnvironmentRule | undefined {
  const name = refName(ref)
  return rules.find((r) => patternRegExp(r.pattern).test(r.pattern.startsWith('refs/') ? ref : name))
}
