/** release's own inputs, parsed once before any work. */
import * as path from 'node:path'
import { invalidInput, type InputReader } from '../../packages-shared/inputs.js'
import { isValidVersion } from '../../packages-shared/pypa/versions.js'
import type { BumpSpec, Versioning } from './plan.js'
import { checkTagFormat, DEFAULT_LOCKSTEP_TAG_FORMAT, DEFAULT_TAG_FORMAT } from './tags.js'

export const VERSIONINGS = ['independent', 'lockstep'] as const

export interface ReleaseInputs {
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
  /** GitHub token, for pushing over HTTPS. */
  token: string
}

export function parseBump(raw: string): BumpSpec {
  const value = raw.trim()
  if (value === '' || value.toLowerCase() === 'auto') return { kind: 'auto' }
  const level = value.toLowerCase()
  if (level === 'patch' || level === 'minor' || level === 'major') return { kind: 'level', level }
  if (isValidVersion(value.replace(/^v/, ''))) return { kind: 'version', version: value.replace(/^v/, '') }
  throw invalidInput('bump', raw, 'one of auto, patch, minor, major, or a PEP 440 version such as 2.0.0')
}

export function parseReleaseInputs(reader: InputReader): ReleaseInputs {
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
    bump: parseBump(reader.raw('bump')),
    versioning,
    tagFormat,
    changelog: reader.boolean('changelog', true),
    changelogFile,
    ...(mvz ? { majorVersionZero: reader.boolean('major-version-zero') } : {}),
    push: reader.boolean('push', false),
    remote,
    dryRun: reader.boolean('dry-run', false),
    token: reader.secret('token')
  }
}
