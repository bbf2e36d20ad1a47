/** publish-pypi's own inputs, parsed once before any work. */
import * as os from 'node:os'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import { isLoopback } from '../../packages-shared/github/http.js'
import { invalidInput, parseBoolean, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { maskPassword, maskUrlCredentials } from '../../packages-shared/secrets.js'
import { PUBLIC_SIGSTORE, type SigstoreInstance } from '../../packages-shared/sigstore/signer.js'
import { parseDistInputs, type GivenDist } from '../../packages-shared/dist-inputs.js'
import { resolveRepository, type Repository } from './repository.js'

export type { GivenDist }

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
  const { dists, distDir } = parseDistInputs(reader, common, temp)

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
