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
import { canonicalVersion, isValidVersion } from '../../packages-shared/pypa/versions.js'
import { readDistFilename, type DistIdentity, type DistKind } from '../../packages-shared/pypa/dist-filename.js'

export { field, type CoreMetadata }
/** The metadata parser shared with build-packages. */
export const parseMetadata = parseCoreMetadata

export type { DistIdentity, DistKind }

/** Name and version from a file name an index accepts (wheels and .tar.gz sdists), or why it is not one. */
export function parseDistFilename(filename: string): DistIdentity | string {
  if (!filename.endsWith('.whl') && !filename.endsWith('.tar.gz')) return 'only wheels (.whl) and sdists (.tar.gz) can be uploaded'
  return readDistFilename(filename, ['.tar.gz'])
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
        throw new ArchiveError(
          infos.length === 0 ? 'the wheel has no *.dist-info/METADATA' : `the wheel has ${infos.length} METADATA files`
        )
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
      problems.push({
        severity: 'warning',
        message: `Metadata-Version ${metadataVersion} is newer than this check knows (${METADATA_VERSIONS.join(', ')}); an older index may refuse it`
      })
    } else
      err(`Metadata-Version ${metadataVersion} is not one indexes accept (${METADATA_VERSIONS.join(', ')}); use a current build backend`)
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
    frown(
      `the long description is missing, so the project page would be empty. ${LONG_DESCRIPTION_FIX}, or set strict-metadata: false to publish without one`
    )
  }
  const contentType = field(meta, 'Description-Content-Type')
  // Without a description there is nothing to render: the finding above says what to do.
  if (!contentType) {
    if (meta.description.trim()) {
      frown(
        'Description-Content-Type is missing; indexes will render the description as reStructuredText. Name the README with its extension (README.md, README.rst) in `readme`, or set `long_description_content_type`'
      )
    }
  } else {
    const base = contentType.split(';')[0]!.trim().toLowerCase()
    if (!CONTENT_TYPES.includes(base)) err(`Description-Content-Type ${contentType} is not one of ${CONTENT_TYPES.join(', ')}`)
  }
  return { kind: id.kind, name, version, problems }
}
