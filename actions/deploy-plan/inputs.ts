/** deploy-plan's own inputs, parsed once before any work. */
import * as os from 'node:os'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { parseDists, type GivenDist } from '../../packages-shared/dist-inputs.js'
import { UserError } from '../../packages-shared/errors.js'
import { invalidInput, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { readExactPin, type ExactPin } from '../../packages-shared/pypa/exact-pin.js'
import { maskUrlCredentials, redactUrl } from '../../packages-shared/secrets.js'
import { parseEnvironments, type EnvironmentRule } from './environments.js'

export const MODES = ['plan', 'promote'] as const

export interface DeployInputs {
  mode: (typeof MODES)[number]
  environments: EnvironmentRule[]
  /** The ref deciding the environment: the input, else GITHUB_REF. */
  ref: string
  /** Explicit versions; empty takes each selected package's version. */
  versions: ExactPin[]
  /** promote: the index production installs from. */
  indexUrl: string
  /** promote: what staging installed, as an index or as the build's dists. */
  referenceIndexUrl?: string
  dists?: GivenDist[]
  timeoutMs: number
}

function httpUrl(name: string, raw: string): string {
  let url: URL | undefined
  try {
    url = new URL(raw)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalidInput(name, redactUrl(raw), 'expected the http:// or https:// URL of a simple index, e.g. https://pypi.org/simple/')
  }
  return raw
}

export function parseVersions(items: readonly string[]): ExactPin[] {
  const pins: ExactPin[] = []
  for (const item of items) {
    const pin = readExactPin(item)
    if (!pin) throw invalidInput('versions', item, 'name==version entries, comma or newline separated, such as dataknobs-common==1.2.3')
    if (pins.some((p) => p.id === pin.id))
      throw new UserError(`Input 'versions' names ${pin.name} twice; give each distribution one version.`)
    pins.push(pin)
  }
  return pins
}

export function parseDeployInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): DeployInputs {
  const mode = reader.enumeration('mode', MODES, 'plan')
  // Credentials in an index URL are masked before anything could print them.
  for (const name of ['index-url', 'reference-index-url']) maskUrlCredentials(io, reader.raw(name))
  const reference = reader.string('reference-index-url')
  const distsRaw = reader.raw('dists').trim()
  if (reference && distsRaw) {
    throw new UserError(
      "Inputs 'reference-index-url' and 'dists' are both set: give one reference for promote (the index staging installed from, or the build's dists)."
    )
  }
  const inputs: DeployInputs = {
    mode,
    environments: parseEnvironments(reader.raw('environments')),
    ref: reader.string('ref') || io.env.GITHUB_REF || '',
    versions: parseVersions(reader.list('versions')),
    indexUrl: httpUrl('index-url', reader.string('index-url', 'https://pypi.org/simple/')),
    ...(reference ? { referenceIndexUrl: httpUrl('reference-index-url', reference) } : {}),
    ...(distsRaw ? { dists: parseDists(distsRaw, common, path.resolve(io.env.RUNNER_TEMP || os.tmpdir())) } : {}),
    timeoutMs: reader.timeLimit('timeout', 60_000)
  }
  if (mode === 'promote' && !inputs.referenceIndexUrl && !inputs.dists) {
    throw new UserError(
      "Input 'mode' is promote, which needs a reference: 'reference-index-url' (the index staging installed from) or 'dists' (build-packages' dists output, with their sha256)."
    )
  }
  return inputs
}
