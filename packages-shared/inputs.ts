/**
 * Typed, validated input parsing. Every input is read once, before any work, into a
 * typed object; a bad value raises a UserError whose one-line message names the input,
 * the value and what is allowed.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UserError } from './errors.js'
import type { RunnerIO } from './io.js'
import { maskToken } from './secrets.js'

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)
}

export function invalidInput(name: string, value: string, expected: string): UserError {
  return new UserError(`Input '${name}' has an invalid value ${quote(value)}: ${expected}.`)
}

const TRUE = ['true', 'yes', 'on', '1']
const FALSE = ['false', 'no', 'off', '0']

export function parseBoolean(name: string, raw: string, fallback = false): boolean {
  const value = raw.trim().toLowerCase()
  if (value === '') return fallback
  if (TRUE.includes(value)) return true
  if (FALSE.includes(value)) return false
  throw invalidInput(name, raw, 'expected true or false')
}

export function parseEnum<T extends string>(name: string, raw: string, allowed: readonly T[], fallback?: T): T {
  const value = raw.trim().toLowerCase()
  if (value === '' && fallback !== undefined) return fallback
  const hit = allowed.find((a) => a.toLowerCase() === value)
  if (hit === undefined) throw invalidInput(name, raw, `allowed values are ${allowed.join(', ')}`)
  return hit
}

/** Comma- or newline-separated list; blanks and '#' comment lines dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'))
}

/** A list whose every item must be one of `allowed`. */
export function parseEnumList<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const items = parseList(raw)
  const result: T[] = []
  for (const item of items) {
    const hit = allowed.find((a) => a === item.toLowerCase())
    if (hit === undefined) {
      throw invalidInput(name, item, `allowed values are ${allowed.join(', ')}`)
    }
    if (!result.includes(hit)) result.push(hit)
  }
  return result
}

export function parseInteger(name: string, raw: string, range: { min?: number; max?: number } = {}, fallback?: number): number {
  const value = raw.trim()
  if (value === '' && fallback !== undefined) return fallback
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range
  const expected = `expected a whole number from ${min} to ${max}`
  if (!/^[+-]?\d+$/.test(value)) throw invalidInput(name, raw, expected)
  const n = Number(value)
  if (n < min || n > max) throw invalidInput(name, raw, expected)
  return n
}

/** A percentage such as `10%` or `10` or `2.5%`, returned as a number of percent. */
export function parsePercent(name: string, raw: string, fallback?: number): number {
  const value = raw.trim()
  if (value === '' && fallback !== undefined) return fallback
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value)
  const n = match ? Number(match[1]) : NaN
  if (!match || n > 100000) throw invalidInput(name, raw, 'expected a percentage such as 10%')
  return n
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Durations such as `90s`, `10m`, `1h30m`, `500ms`; a bare number is seconds. */
export function parseDuration(name: string, raw: string, fallbackMs?: number): number {
  const value = raw.trim().toLowerCase()
  if (value === '' && fallbackMs !== undefined) return fallbackMs
  const expected = 'expected a duration such as 30s, 10m or 1h30m'
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw invalidInput(name, raw, expected)
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2]!] ?? 0), 0))
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3
}

/** Sizes such as `1MiB`, `512k`, `2MB` or a bare number of bytes (units of 1024); `0` is no limit. */
export function parseByteSize(name: string, raw: string, fallback?: number): number {
  const value = raw.trim().toLowerCase()
  if (value === '' && fallback !== undefined) return fallback
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(value)
  const unit = m ? SIZE_UNITS[m[2]!] : undefined
  if (!m || unit === undefined) throw invalidInput(name, raw, 'expected a size such as 1MiB, 512KiB or 2000000 (bytes), or 0 for no limit')
  return Math.round(Number(m[1]) * unit)
}

/**
 * A path that must stay inside `root` (the workspace). Relative paths are resolved
 * against `base`; `..` escapes and absolute paths elsewhere are refused.
 */
export function parseInsidePath(name: string, raw: string, root: string, base = root): string {
  const value = raw.trim()
  if (value === '') throw invalidInput(name, raw, 'expected a path inside the workspace')
  const resolved = path.resolve(base, value)
  if (!isInside(root, resolved)) {
    throw invalidInput(name, raw, `the path must stay inside the workspace ${root}; use a path relative to it`)
  }
  // Lexically inside is not enough: a symlink in the workspace can point anywhere.
  const real = realpathIfExists(resolved)
  if (real !== undefined && !isInside(realpathIfExists(root) ?? root, real)) {
    throw invalidInput(name, raw, `it is a symlink (or inside one) that resolves outside the workspace ${root}; use a real path inside it`)
  }
  return resolved
}

function realpathIfExists(p: string): string | undefined {
  try {
    return fs.realpathSync(p)
  } catch {
    return undefined
  }
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate))
  // A child named `..foo` is inside; only `..` itself or a `../` prefix leaves the root.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

/** The two roots a path input may name: the workspace, and the runner's temp dir (downloads, output folders). */
export interface PathRoots {
  workspace: string
  temp: string
}

/**
 * A path input (`raw`, relative to `base`) that must lie in the workspace or the runner's
 * temp dir; anything else is refused, the message naming `what` and both roots.
 */
export function workspaceOrTempPath(name: string, raw: string, base: string, roots: PathRoots, what: string): string {
  const abs = path.resolve(base, raw)
  if (!isInside(roots.workspace, abs) && !isInside(roots.temp, abs)) {
    throw invalidInput(
      name,
      raw,
      `${what} must be inside the workspace (${roots.workspace}) or the runner's temp directory (${roots.temp})`
    )
  }
  return abs
}

/** Reads inputs by name from the runner, so each parser reports the right input name. */
export class InputReader {
  constructor(private readonly io: RunnerIO) {}

  raw(name: string): string {
    return this.io.getInput(name)
  }
  string(name: string, fallback = ''): string {
    return this.raw(name).trim() || fallback
  }
  boolean(name: string, fallback = false): boolean {
    return parseBoolean(name, this.raw(name), fallback)
  }
  enumeration<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    return parseEnum(name, this.raw(name), allowed, fallback)
  }
  list(name: string): string[] {
    return parseList(this.raw(name))
  }
  enumList<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
    const raw = this.raw(name)
    return raw.trim() === '' ? [...fallback] : parseEnumList(name, raw, allowed)
  }
  integer(name: string, range: { min?: number; max?: number }, fallback?: number): number {
    return parseInteger(name, this.raw(name), range, fallback)
  }
  percent(name: string, fallback?: number): number {
    return parsePercent(name, this.raw(name), fallback)
  }
  duration(name: string, fallbackMs?: number): number {
    return parseDuration(name, this.raw(name), fallbackMs)
  }
  byteSize(name: string, fallback?: number): number {
    return parseByteSize(name, this.raw(name), fallback)
  }

  /** A time limit: a positive duration. */
  timeLimit(name: string, fallbackMs: number): number {
    const ms = this.duration(name, fallbackMs)
    if (ms <= 0) throw invalidInput(name, this.raw(name), 'expected a positive duration such as 90s, 15m or 1h')
    return ms
  }

  insidePath(name: string, root: string, base = root): string {
    return parseInsidePath(name, this.raw(name), root, base)
  }
  /** Reads a secret and masks it (and its wire forms) before anything else can print it. */
  secret(name: string): string {
    const value = this.raw(name).trim()
    maskToken(this.io, value)
    return value
  }
}
