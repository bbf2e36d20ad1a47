/** publish-pypi's own inputs, parsed once before any work. */
import * as os from 'node:os'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import { isLoopback } from '../../packages-shared/github/http.js'
import { invalidInput, isInside, parseBoolean, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { maskPassword, maskUrlCredentials } from '../../packages-shared/secrets.js'
import { PUBLIC_SIGSTORE, type SigstoreInstance } from '../../packages-shared/sigstore/signer.js'
import { resolveRepository, type Repository } from './repository.js'

/** One file named by the `dists` input, with what build-packages knew about it. */
export interface GivenDist {
  path: string
  package?: string
  version?: string
  sha256?: string
}

/**
 * When to attest: `pypi` (input `true`) with trusted publishing to PyPI or TestPyPI, the
 * indexes known to take attestations; `any-index` with trusted publishing to any index;
 * `off` never.
 */
export type AttestationPolicy = 'pypi' | 'any-index' | 'off'

export type Credentials = { kind: 'token'; token: string } | { kind: 'password'; username: string; password: string } | { kind: 'none' }

export interface PublishInputs {
  /** From `dists`; undefined when not given. */
  dists?: GivenDist[]
  /** From `dist-dir`; undefined when not given. */
  distDir?: string
  repository: Repository
  credentials: Credentials
  dryRun: boolean
  /** What PyPI accepts but shows badly (no long description, no content type) fails the pre-flight: metadata-policy.ts. */
  strictMetadata: boolean
  skipExisting: boolean
  retries: number
  retryDelayMs: number
  /** Limit of each upload attempt. */
  timeoutMs: number
  attestations: AttestationPolicy
  /** The Sigstore instance attestations are signed with (the public one unless given). */
  sigstore: SigstoreInstance
}

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function paths(v: unknown): string[] {
  if (typeof v === 'string' && v.trim()) return [v.trim()]
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
  return []
}

/** Where a given dist may live: the workspace, or the runner's temp dir (downloaded artifacts). */
function resolveDistPath(name: string, raw: string, common: CommonInputs, temp: string): string {
  const abs = path.resolve(common.workingDirectory, raw)
  if (!isInside(common.workspace, abs) && !isInside(temp, abs)) {
    throw invalidInput(name, raw, `dists must be inside the workspace (${common.workspace}) or the runner's temp directory (${temp})`)
  }
  return abs
}

/**
 * The `dists` input: a JSON list of objects with `wheel` and/or `sdist` (a path or a list
 * of paths), optional `package`, `version` and `sha256` (a string when the entry has one
 * file, else an object keyed by `wheel`/`sdist` or by file name). Plain strings are paths.
 */
export function parseDists(raw: string, common: CommonInputs, temp: string): GivenDist[] {
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    throw invalidInput(
      'dists',
      raw,
      'expected a JSON list such as [{"package":"x","version":"1.0","wheel":"dist/x-1.0-py3-none-any.whl","sdist":"dist/x-1.0.tar.gz"}] (the dists output of build-packages)'
    )
  }
  const list = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.dists) ? (data.dists as unknown[]) : undefined
  if (!list) throw invalidInput('dists', raw, 'expected a JSON list of {package, version, wheel, sdist, sha256} objects')
  const out: GivenDist[] = []
  for (const item of list) {
    if (typeof item === 'string') {
      out.push({ path: resolveDistPath('dists', item, common, temp) })
      continue
    }
    if (!isObject(item)) throw invalidInput('dists', JSON.stringify(item), 'each entry must be an object with wheel and/or sdist paths')
    const pkg = typeof item.package === 'string' ? item.package : typeof item.name === 'string' ? item.name : undefined
    const version = typeof item.version === 'string' ? item.version : undefined
    const files: { role: string; path: string }[] = [
      ...paths(item.wheel).map((p) => ({ role: 'wheel', path: p })),
      ...paths(item.wheels).map((p) => ({ role: 'wheel', path: p })),
      ...paths(item.sdist).map((p) => ({ role: 'sdist', path: p })),
      ...paths(item.files).map((p) => ({ role: p.endsWith('.whl') ? 'wheel' : 'sdist', path: p }))
    ]
    if (files.length === 0) throw invalidInput('dists', JSON.stringify(item), 'the entry names no wheel or sdist path')
    for (const f of files) {
      let sha256: string | undefined
      if (typeof item.sha256 === 'string' && files.length === 1) sha256 = item.sha256
      else if (isObject(item.sha256)) {
        const byName = item.sha256[path.basename(f.path)] ?? item.sha256[f.path]
        const byRole = f.role === 'wheel' && paths(item.wheel).length + paths(item.wheels).length > 1 ? undefined : item.sha256[f.role]
        const v = byName ?? byRole
        if (typeof v === 'string') sha256 = v
      }
      out.push({ path: resolveDistPath('dists', f.path, common, temp), package: pkg, version, sha256: sha256?.toLowerCase() })
    }
  }
  if (out.length === 0) throw invalidInput('dists', raw, 'the list is empty; nothing to publish')
  return out
}

export function parseAttestationPolicy(raw: string): AttestationPolicy {
  const value = raw.trim().toLowerCase()
  if (value === 'any-index') return 'any-index'
  try {
    return parseBoolean('attestations', raw, true) ? 'pypi' : 'off'
  } catch {
    throw invalidInput('attestations', raw, 'expected true, false or any-index')
  }
}

/**
 * A Sigstore service's URL. The OIDC token travels to Fulcio, so plain http is only for a
 * service on this machine.
 */
export function parseSigstoreUrl(name: string, raw: string, fallback: string): string {
  const value = raw.trim()
  if (!value) return fallback
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidInput(name, raw, 'expected an https URL')
  }
  if (url.username || url.password) throw invalidInput(name, '<redacted>', 'credentials do not belong in the URL')
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw invalidInput(name, raw, 'expected an https URL (plain http only for localhost: the OIDC token is sent to it)')
  }
  return url.href.replace(/\/+$/, '')
}

export function parsePublishInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): PublishInputs {
  const temp = path.resolve(io.env.RUNNER_TEMP || os.tmpdir())
  const distsRaw = reader.raw('dists').trim()
  const dirRaw = reader.raw('dist-dir').trim()
  if (distsRaw && dirRaw) {
    throw new UserError(
      "Inputs 'dists' and 'dist-dir' are both set: give one of them (dists: the JSON output of build-packages; dist-dir: a directory of .whl and .tar.gz files)."
    )
  }
  const dists = distsRaw && distsRaw !== '[]' ? parseDists(distsRaw, common, temp) : undefined
  const distDir = dirRaw ? resolveDistPath('dist-dir', dirRaw, common, temp) : undefined

  // Secrets are masked by reader.secret before anything else reads them.
  const token = reader.secret('token')
  const password = reader.secret('password')
  const username = reader.string('username')
  // The Basic header uv sends carries `user:password`: masked too.
  maskPassword(io, username, password)
  let credentials: Credentials = { kind: 'none' }
  if (token && (username || password)) {
    throw new UserError("Give either 'token' or 'username'/'password', not both: a token is sent as the password of user __token__.")
  }
  if (token) credentials = { kind: 'token', token }
  else if (username || password) {
    if (!username || !password) {
      throw new UserError(`Input '${username ? 'password' : 'username'}' is empty: 'username' and 'password' go together (or use 'token').`)
    }
    credentials = username === '__token__' ? { kind: 'token', token: password } : { kind: 'password', username, password }
  }

  // Refused below, but masked first: the value is in this step's environment and may be echoed.
  maskUrlCredentials(io, reader.raw('repository-url'))
  maskUrlCredentials(io, reader.raw('index-url'))
  return {
    dists,
    distDir,
    repository: resolveRepository(reader.raw('repository-url'), reader.raw('index-url')),
    credentials,
    dryRun: reader.boolean('dry-run', false),
    strictMetadata: reader.boolean('strict-metadata', true),
    skipExisting: reader.boolean('skip-existing', true),
    retries: reader.integer('retries', { min: 0, max: 20 }, 4),
    retryDelayMs: reader.duration('retry-delay', 2000),
    timeoutMs: reader.timeLimit('timeout', 15 * 60_000),
    attestations: parseAttestationPolicy(reader.raw('attestations')),
    sigstore: {
      fulcioUrl: parseSigstoreUrl('fulcio-url', reader.raw('fulcio-url'), PUBLIC_SIGSTORE.fulcioUrl),
      rekorUrl: parseSigstoreUrl('rekor-url', reader.raw('rekor-url'), PUBLIC_SIGSTORE.rekorUrl)
    }
  }
}
