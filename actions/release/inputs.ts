/** release's own inputs, parsed once before any work. */
import * as os from 'node:os'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { parseDistInputs, type GivenDist } from '../../packages-shared/dist-inputs.js'
import { invalidInput, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { isValidVersion } from '../../packages-shared/pypa/versions.js'
import type { BumpSpec, Versioning } from './plan.js'
import { checkTagFormat, DEFAULT_LOCKSTEP_TAG_FORMAT, DEFAULT_TAG_FORMAT } from '../../packages-shared/release-tags.js'

export const VERSIONINGS = ['independent', 'lockstep'] as const
/** `prepare`: plan, write, commit, tag (push). `push`: push what prepare made. `github-release`: a GitHub Release per tag, with its dists. */
export const MODES = ['prepare', 'push', 'github-release'] as const
export type ReleaseMode = (typeof MODES)[number]

export interface ReleaseInputs {
  mode: ReleaseMode
  bump: BumpSpec
  versioning: Versioning
  tagFormat: string
  changelog: boolean
  changelogFile: string
  /** commitizen's rule under 1.0; undefined reads `[tool.commitizen] major_version_zero`. */
  majorVersionZero?: boolean
  push: boolean
  remote: string
  dryRun: boolean
  /** GitHub token: for pushing over HTTPS, and for the GitHub Release. */
  token: string
  /** github-release: the tags to release; empty takes the release tags at HEAD. */
  tags: string[]
  /** github-release: the files to attach, from `dists` or `dist-dir` (else build-packages' record, else each package's dist/). */
  dists?: GivenDist[]
  distDir?: string
  /** github-release: write a SLSA provenance statement of each release's dists. */
  provenance: boolean
}

export function parseBump(raw: string): BumpSpec {
  const value = raw.trim()
  if (value === '' || value.toLowerCase() === 'auto') return { kind: 'auto' }
  const level = value.toLowerCase()
  if (level === 'patch' || level === 'minor' || level === 'major') return { kind: 'level', level }
  if (isValidVersion(value.replace(/^v/, ''))) return { kind: 'version', version: value.replace(/^v/, '') }
  throw invalidInput('bump', raw, 'one of auto, patch, minor, major, or a PEP 440 version such as 2.0.0')
}

/** Tag names as git allows them (git check-ref-format's rules that a typo breaks). */
export function parseTags(tags: string[]): string[] {
  for (const tag of tags) {
    if (/[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$/.test(tag)) {
      throw invalidInput(
        'tags',
        tag,
        'git tag names, comma or newline separated, such as acme-core-v2.0.0 (no spaces, ~ ^ : ? * [ \\ or ..)'
      )
    }
  }
  return tags
}

export function parseReleaseInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): ReleaseInputs {
  const mode = reader.enumeration('mode', MODES, 'prepare')
  const versioning = reader.enumeration('versioning', VERSIONINGS, 'independent')
  const lockstep = versioning === 'lockstep'
  const tagFormat = checkTagFormat(reader.string('tag-format') || (lockstep ? DEFAULT_LOCKSTEP_TAG_FORMAT : DEFAULT_TAG_FORMAT), lockstep)
  const changelogFile = reader.string('changelog-file', 'CHANGELOG.md')
  if (path.isAbsolute(changelogFile) || changelogFile.split(/[\\/]/).includes('..')) {
    throw invalidInput('changelog-file', changelogFile, "a file name relative to each package's folder, such as CHANGELOG.md")
  }
  const mvz = reader.raw('major-version-zero').trim()
  const remote = reader.string('remote', 'origin')
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) throw invalidInput('remote', remote, 'the name of a git remote, such as origin')
  return {
    mode,
    bump: parseBump(reader.raw('bump')),
    versioning,
    tagFormat,
    changelog: reader.boolean('changelog', true),
    changelogFile,
    ...(mvz ? { majorVersionZero: reader.boolean('major-version-zero') } : {}),
    push: reader.boolean('push', false),
    remote,
    dryRun: reader.boolean('dry-run', false),
    token: reader.secret('token'),
    tags: parseTags(reader.list('tags')),
    ...parseDistInputs(reader, common, path.resolve(io.env.RUNNER_TEMP || os.tmpdir())),
    provenance: reader.boolean('provenance', true)
  }
}
