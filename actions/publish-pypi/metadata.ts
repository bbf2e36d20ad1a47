/**
 * Core metadata (METADATA / PKG-INFO) of a distribution and the checks an index applies
 * before it accepts an upload (the ones `twine check --strict` makes, plus file-name
 * agreement), so a bad file fails the pre-flight instead of the middle of a release.
 */
import * as path from 'node:path'
import { normalizeName } from '../../packages-shared/names.js'
import { field, parseCoreMetadata, type CoreMetadata } from '../../packages-shared/core-metadata.js'
import { ArchiveError, isRegularFile, readTarGz, withZip } from '../../packages-shared/pypa/archive.js'
import { LONG_DESCRIPTION_FIX, metadataSeverity } from '../../packages-shared/metadata-policy.js'

export { field, type CoreMetadata }
/** The metadata parser shared with build-packages. */
export const parseMetadata = parseCoreMetadata


export type DistKind = 'wheel' | 'sdist'

export interface DistIdentity {
  kind: DistKind
  /** Name and version as the file name spells them. */
  name: string
  version: string
}

/** Name and version from a file name, or a reason it is not a distribution file name. */
export function parseDistFilename(filename: string): DistIdentity | string {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-')
    if (parts.length !== 5 && parts.length !== 6) {
      return 'a wheel is named {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl'
    }
    return { kind: 'wheel', name: parts[0]!, version: parts[1]! }
  }
  if (filename.endsWith('.tar.gz')) {
    const stem = filename.slice(0, -7)
    const m = /^(.+?)-(\d[^-]*|v\d[^-]*)$/.exec(stem)
    if (!m) return 'an sdist is named {name}-{version}.tar.gz'
    return { kind: 'sdist', name: m[1]!, version: m[2]! }
  }
  return 'only wheels (.whl) and sdists (.tar.gz) can be uploaded'
}

// PEP 440, case-insensitive, with the spellings it allows (v prefix, separators, local part).
const PEP440 =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i

export function isValidVersion(version: string): boolean {
  return PEP440.test(version.trim())
}

/** A loose canonical form: enough to compare a file name's version with the metadata's. */
export function canonicalVersion(version: string): string {
  return version
    .trim()
    .toLowerCase()
    .replace(/^v/, '')
    .replace(/_/g, '-')
    .replace(/[-.]?(alpha|a)[-.]?(?=\d|$)/, 'a')
    .replace(/[-.]?(beta|b)[-.]?(?=\d|$)/, 'b')
    .replace(/[-.]?(rc|c|pre|preview)[-.]?(?=\d|$)/, 'rc')
    .replace(/[-.]?(post|rev|r)[-.]?(?=\d|$)/, '.post')
    .replace(/[-.]?dev[-.]?(?=\d|$)/, '.dev')
}

const NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i
const METADATA_VERSIONS = ['1.0', '1.1', '1.2', '2.1', '2.2', '2.3', '2.4', '2.5']
const CONTENT_TYPES = ['text/plain', 'text/x-rst', 'text/markdown']

export interface MetadataProblem {
  severity: 'error' | 'warning'
  message: string
}

export interface DistInspection {
  kind: DistKind
  /** From the metadata (undefined when it could not be read). */
  name?: string
  version?: string
  problems: MetadataProblem[]
}

function readMetadataText(file: string, id: DistIdentity): string {
  if (id.kind === 'wheel') {
    return withZip(file, (zip) => {
      const infos = zip.names.filter((n) => /^[^/]+\.dist-info\/METADATA$/.test(n))
      if (infos.length !== 1) {
        throw new ArchiveError(infos.length === 0 ? 'the wheel has no *.dist-info/METADATA' : `the wheel has ${infos.length} METADATA files`)
      }
      const dir = infos[0]!.split('/')[0]!
      for (const needed of ['WHEEL', 'RECORD']) {
        if (!zip.names.includes(`${dir}/${needed}`)) throw new ArchiveError(`the wheel has no ${dir}/${needed}`)
      }
      return zip.read(infos[0]!).toString('utf8')
    })
  }
  const members = readTarGz(file).filter(isRegularFile)
  const top = path.basename(file).slice(0, -'.tar.gz'.length)
  const info = members.find((m) => m.name === `${top}/PKG-INFO`)
  if (!info) throw new ArchiveError(`the sdist has no ${top}/PKG-INFO (its top directory must be named like the file)`)
  return info.data.toString('utf8')
}

/**
 * Reads a distribution's metadata and lists what an index would refuse (errors) or frown on
 * (warnings). What PyPI accepts but shows badly (no long description, no content type) is an
 * error only when `strict` (the strict-metadata input), as in build-packages.
 */
export function inspectDist(file: string, strict = true): DistInspection | string {
  const filename = path.basename(file)
  const id = parseDistFilename(filename)
  if (typeof id === 'string') return `${filename} is not a distribution file name: ${id}`
  let text: string
  try {
    text = readMetadataText(file, id)
  } catch (error) {
    return `${filename} cannot be read: ${error instanceof Error ? error.message : String(error)}. Rebuild it.`
  }
  const meta = parseMetadata(text)
  const problems: MetadataProblem[] = []
  const err = (message: string): number => problems.push({ severity: 'error', message })
  const metadataVersion = field(meta, 'Metadata-Version')
  const name = field(meta, 'Name')
  const version = field(meta, 'Version')
  if (!metadataVersion) err('Metadata-Version is missing')
  else if (!METADATA_VERSIONS.includes(metadataVersion)) {
    // The spec: an unknown major version must fail, a newer minor one only warrants a warning.
    const major = /^(\d+)\.\d+$/.exec(metadataVersion)?.[1]
    if (major === '1' || major === '2') {
      problems.push({ severity: 'warning', message: `Metadata-Version ${metadataVersion} is newer than this check knows (${METADATA_VERSIONS.join(', ')}); an older index may refuse it` })
    } else err(`Metadata-Version ${metadataVersion} is not one indexes accept (${METADATA_VERSIONS.join(', ')}); use a current build backend`)
  }
  if (!name) err('Name is missing')
  else if (!NAME.test(name)) err(`Name ${JSON.stringify(name)} is not a valid project name`)
  if (!version) err('Version is missing')
  else if (!isValidVersion(version)) err(`Version ${JSON.stringify(version)} is not a PEP 440 version`)
  const dynamic = (meta.fields.get('dynamic') ?? []).map((d) => d.toLowerCase())
  for (const f of ['name', 'version', 'metadata-version']) {
    if (dynamic.includes(f)) err(`Dynamic lists ${f}, which must never be dynamic`)
  }
  if (name && normalizeName(name) !== normalizeName(id.name)) {
    err(`the file name says project ${id.name} but the metadata says ${name}`)
  }
  if (version && canonicalVersion(version) !== canonicalVersion(id.version)) {
    err(`the file name says version ${id.version} but the metadata says ${version}`)
  }
  const frown = (message: string): number => problems.push({ severity: metadataSeverity('warning', strict), message })
  if (!meta.description.trim()) {
    frown(`the long description is missing, so the project page would be empty. ${LONG_DESCRIPTION_FIX}, or set strict-metadata: false to publish without one`)
  }
  const contentType = field(meta, 'Description-Content-Type')
  // Without a description there is nothing to render: the finding above says what to do.
  if (!contentType) {
    if (meta.description.trim()) {
      frown('Description-Content-Type is missing; indexes will render the description as reStructuredText. Name the README with its extension (README.md, README.rst) in `readme`, or set `long_description_content_type`')
    }
  } else {
    const base = contentType.split(';')[0]!.trim().toLowerCase()
    if (!CONTENT_TYPES.includes(base)) err(`Description-Content-Type ${contentType} is not one of ${CONTENT_TYPES.join(', ')}`)
  }
  return { kind: id.kind, name, version, problems }
}
