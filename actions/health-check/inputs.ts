/** health-check's own inputs, parsed once before any work. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, isInside, parseList, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { maskUrlCredentials, redactUrl } from '../../packages-shared/secrets.js'
import { parseTargetSpec, type TargetSpec } from './targets.js'

export const DEFAULT_ENVIRONMENTS = ['development', 'staging', 'production'] as const
export const DEFAULT_INDEX = 'https://pypi.org/simple/'

export type SmokeSpec = { kind: 'none' } | { kind: 'inline'; code: string } | { kind: 'script'; file: string }

export interface HealthInputs {
  targets: TargetSpec
  /** Version applied to every repository package selected by `packages`. */
  version: string
  environment: string
  indexUrl: string
  extraIndexUrls: string[]
  /** Local directories (absolute) or URLs. */
  findLinks: string[]
  timeoutMs: number
  retryIntervalMs: number
  /** Modules to import instead of the installed distributions' top-level modules. */
  imports: string[]
  smoke: SmokeSpec
  smokeTimeoutMs: number
  urls: string[]
  /** Statuses that count as healthy; empty means any 2xx. */
  expectStatus: number[]
  expectBody: string
}

function httpUrl(name: string, raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw invalidInput(name, redactUrl(raw), 'expected an http:// or https:// URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput(name, redactUrl(raw), 'expected an http:// or https:// URL')
  return raw
}

/**
 * `smoke` is inline Python or the path of a script: a single line naming an existing
 * `.py` file inside the workspace is a script, anything else is code.
 */
export function parseSmoke(raw: string, root: string, base = root): SmokeSpec {
  const value = raw.trim()
  if (value === '') return { kind: 'none' }
  if (!value.includes('\n') && /\.py$/i.test(value)) {
    const file = path.resolve(base, value)
    if (!isInside(root, file)) throw invalidInput('smoke', raw, `a smoke script must be inside the workspace (${root})`)
    if (!fs.existsSync(file)) throw invalidInput('smoke', raw, `no such script under ${root}; give inline Python or an existing .py file`)
    return { kind: 'script', file }
  }
  return { kind: 'inline', code: raw }
}

export function parseExpectStatus(raw: string): number[] {
  return parseList(raw).map((item) => {
    if (!/^[1-5]\d\d$/.test(item)) throw invalidInput('expect-status', item, 'expected HTTP status codes such as 200 or 200,204')
    return Number(item)
  })
}

/**
 * Folders of dists below `dir` (build-packages writes one per package, and an artifact may
 * hold several such trees): pip's --find-links does not recurse.
 */
export function distSubdirs(dir: string, depth = 3): string[] {
  if (depth === 0 || !fs.statSync(dir).isDirectory()) return []
  const out: string[] = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue
    const sub = path.join(dir, e.name)
    if (fs.readdirSync(sub).some((f) => f.endsWith('.whl') || f.endsWith('.tar.gz'))) out.push(sub)
    out.push(...distSubdirs(sub, depth - 1))
  }
  return out.sort()
}

export function parseHealthInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): HealthInputs {
  const extraEnvs = reader.list('environments').map((e) => e.toLowerCase())
  const allowed = [...new Set([...DEFAULT_ENVIRONMENTS, ...extraEnvs])]
  const environment = reader.string('environment', 'production')
  if (!allowed.includes(environment.toLowerCase())) {
    throw invalidInput('environment', environment, `allowed values are ${allowed.join(', ')} (add more with 'environments')`)
  }

  const indexRaw = reader.string('index-url', DEFAULT_INDEX)
  const extraRaw = reader.list('extra-index-url')
  // Index URLs may carry credentials (https://user:token@host/simple/): masked before any use.
  for (const u of [indexRaw, ...extraRaw, ...reader.list('find-links'), ...reader.list('urls')]) maskUrlCredentials(io, u)
  // `none`: install only from find-links (a job checking the dists it just built, offline).
  const indexUrl = indexRaw.toLowerCase() === 'none' ? '' : httpUrl('index-url', indexRaw)
  const extraIndexUrls = extraRaw.map((u) => httpUrl('extra-index-url', u))
  const findLinks = reader.list('find-links').flatMap((item) => {
    if (/^https?:\/\//i.test(item)) return [httpUrl('find-links', item)]
    // Only read from: dists an earlier step built may sit in the runner's temp dir as well as in the workspace.
    const dir = path.resolve(common.workingDirectory, item)
    if (!fs.existsSync(dir)) throw invalidInput('find-links', item, 'no such directory; give a directory of built dists or a URL')
    return [dir, ...distSubdirs(dir)]
  })
  // `index-url: none` without find-links is checked when the run starts: the dists
  // build-packages recorded in this job (or each package's dist/) may be there (dist-source.ts).

  const version = reader.string('version')
  if (version && !/^v?[A-Za-z0-9][A-Za-z0-9.+!_-]*$/.test(version)) {
    throw invalidInput('version', version, 'expected a version such as 1.2.3')
  }
  const timeoutMs = reader.duration('timeout', 10 * 60_000)
  if (timeoutMs <= 0) throw invalidInput('timeout', reader.raw('timeout'), 'expected a positive duration such as 10m')
  const retryIntervalMs = reader.duration('retry-interval', 30_000)
  if (retryIntervalMs < 1000) throw invalidInput('retry-interval', reader.raw('retry-interval'), 'expected at least 1s')
  const smokeTimeoutMs = reader.duration('smoke-timeout', 5 * 60_000)
  if (smokeTimeoutMs <= 0) throw invalidInput('smoke-timeout', reader.raw('smoke-timeout'), 'expected a positive duration such as 2m')

  const imports = reader.list('imports')
  for (const m of imports) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(m))
      throw invalidInput('imports', m, 'expected module names such as dataknobs_common')
  }

  const targets = parseTargetSpec(common.packages)

  return {
    targets,
    version: version.replace(/^v(?=\d)/, ''),
    environment: environment.toLowerCase(),
    indexUrl,
    extraIndexUrls,
    findLinks,
    timeoutMs,
    retryIntervalMs,
    imports,
    smoke: parseSmoke(reader.raw('smoke'), common.workspace, common.workingDirectory),
    smokeTimeoutMs,
    urls: reader.list('urls').map((u) => httpUrl('urls', u)),
    expectStatus: parseExpectStatus(reader.raw('expect-status')),
    expectBody: reader.raw('expect-body').trim()
  }
}
