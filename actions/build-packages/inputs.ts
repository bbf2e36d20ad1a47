/** build-packages' own inputs, parsed once before any work. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, isInside, workspaceOrTempPath, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { parseToolVersions } from '../../packages-shared/python/toolbox.js'
import { maskUrlCredentials, redactUrl } from '../../packages-shared/secrets.js'
import { BACKEND_CHOICES, type BackendChoice } from './build.js'
import type { Smoke } from './test-install.js'
import { versionKey } from '../../packages-shared/pypa/versions.js'
import { checkTagFormat } from '../../packages-shared/release-tags.js'
import type { ExpectedVersion } from './verify-versions.js'
import * as os from 'node:os'

export interface BuildInputs {
  backend: BackendChoice
  distDir: string
  /** The value as given (empty for the default), for messages. */
  distDirRaw: string
  /** Where dists of unselected dependencies built for the test install go (else a scratch dir). */
  dependenciesDir?: string
  dependenciesDirRaw: string
  /** expected-version's, which wins over any tag. */
  expected?: ExpectedVersion
  /** version-from-tag, off when expected-version is set; the tags are read when the run starts (tag-versions.ts). */
  versionFromTag: boolean
  /** The release tags' format, checked; empty reads both of the release action's defaults. */
  tagFormat: string
  indexUrl: string
  testInstall: boolean
  smoke?: Smoke
  twineCheck: boolean
  /** Metadata warnings (no long description, no content type) fail the step: metadata-policy.ts. */
  strictMetadata: boolean
  toolVersions: Record<string, string>
  /** Limit of each build and each test-install step. */
  timeoutMs: number
}

export const DEFAULT_INDEX = 'https://pypi.org/simple'

export function parseSmoke(raw: string, workspace: string, base: string): Smoke | undefined {
  const value = raw.trim()
  if (value === '') return undefined
  if (!value.includes('\n') && /\.py$/.test(value)) {
    const file = path.resolve(base, value)
    if (!isInside(workspace, file)) throw invalidInput('smoke', value, `a script must be inside the workspace (${workspace})`)
    if (!fs.existsSync(file)) throw invalidInput('smoke', value, `no such script under ${base}; give a path to a .py file or Python code`)
    return { kind: 'script', path: file }
  }
  return { kind: 'code', code: raw }
}

export function parseBuildInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): BuildInputs {
  const temp = path.resolve(io.env.RUNNER_TEMP || os.tmpdir())
  const distRaw = reader.string('dist-dir')
  const roots = { workspace: common.workspace, temp }
  const distDir = distRaw
    ? workspaceOrTempPath('dist-dir', distRaw, common.workingDirectory, roots, 'the dist directory')
    : path.join(temp, 'dk-actions-dist')
  const depsRaw = reader.string('dependencies-dir')
  const dependenciesDir = depsRaw
    ? workspaceOrTempPath('dependencies-dir', depsRaw, common.workingDirectory, roots, 'the directory')
    : undefined
  if (dependenciesDir && (isInside(distDir, dependenciesDir) || isInside(dependenciesDir, distDir))) {
    throw invalidInput(
      'dependencies-dir',
      depsRaw,
      'it must not be inside dist-dir (nor hold it): what is in dist-dir is what gets published'
    )
  }
  const explicit = reader.string('expected-version').replace(/^v(?=\d)/, '')
  if (explicit && versionKey(explicit) === undefined) {
    throw invalidInput('expected-version', explicit, 'expected a PEP 440 version such as 1.2.3 or 1.2.3rc1 (a leading v is allowed)')
  }
  const expected: ExpectedVersion | undefined = explicit ? { version: explicit, source: 'expected-version' } : undefined
  const rawFormat = reader.string('tag-format')
  // As the release action reads it: a format without {name} is one tag for every package.
  const tagFormat = rawFormat ? checkTagFormat(rawFormat, !rawFormat.includes('{name}')) : ''
  const indexUrl = reader.string('index-url', DEFAULT_INDEX)
  maskUrlCredentials(io, indexUrl)
  if (!/^https?:\/\/\S+$/.test(indexUrl))
    throw invalidInput('index-url', redactUrl(indexUrl), 'expected an http(s) URL of a simple index, e.g. https://pypi.org/simple')
  return {
    backend: reader.enumeration('backend', BACKEND_CHOICES, 'auto'),
    distDir,
    distDirRaw: distRaw,
    dependenciesDir,
    dependenciesDirRaw: depsRaw,
    expected,
    versionFromTag: reader.boolean('version-from-tag', false) && !expected,
    tagFormat,
    indexUrl: indexUrl.replace(/\/+$/, ''),
    testInstall: reader.boolean('test-install', true),
    smoke: parseSmoke(reader.raw('smoke'), common.workspace, common.workingDirectory),
    twineCheck: reader.boolean('twine-check', true),
    strictMetadata: reader.boolean('strict-metadata', true),
    toolVersions: parseToolVersions('tool-versions', reader.raw('tool-versions')),
    timeoutMs: reader.timeLimit('timeout', 30 * 60_000)
  }
}
