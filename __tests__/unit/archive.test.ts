/**
 * The archive reader on real files: the captured dists, and the same dists rewritten by
 * Python's zipfile and tarfile with the quirks large or unusual archives have (zip64
 * records, base-256 tar sizes, global PAX headers; see fixtures/captured/dists/README.md).
 * build-packages' verification and publish-pypi's pre-flight must read each the same way.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { readSdist, readWheel } from '../../actions/build-packages/dists.js'
import { inspectDist } from '../../actions/publish-pypi/metadata.js'
import { ArchiveError, isRegularFile, readTarGz, withZip } from '../../packages-shared/pypa/archive.js'

const DISTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captured', 'dists')
const WHEEL = 'dataknobs_common-1.0.0-py3-none-any.whl'
const SDIST = 'dataknobs_common-1.0.0.tar.gz'

function zipContents(source: string | Buffer): Map<string, string> {
  return withZip(source, (zip) => new Map(zip.names.map((n) => [n, zip.read(n).toString('utf8')])))
}

function tarContents(source: string | Buffer): Map<string, string> {
  return new Map(
    readTarGz(source)
      .filter(isRegularFile)
      .map((m) => [m.name, m.data.toString('utf8')])
  )
}

/** build-packages' reader and publish-pypi's pre-flight both accept `file`, as the plain dist. */
function expectBothActionsReadItAsPlain(file: string, kind: 'wheel' | 'sdist'): void {
  const plain = path.join(DISTS, kind === 'wheel' ? WHEEL : SDIST)
  const read = kind === 'wheel' ? readWheel : readSdist
  const built = read(file)
  expect(built.error).toBeUndefined()
  // Archive order may differ (GNU tar sorts by name); the set of files and the metadata may not.
  expect({ files: [...built.files].sort(), metadata: built.metadata }).toEqual({
    files: [...read(plain).files].sort(),
    metadata: read(plain).metadata
  })
  const published = inspectDist(file)
  expect(published).toEqual(inspectDist(plain))
  expect(published).toMatchObject({
    kind,
    name: 'dataknobs-common',
    version: '1.0.0',
    problems: []
  })
}

describe('zip64', () => {
  const file = path.join(DISTS, 'zip64', WHEEL)

  test('the fixture really is zip64: sentinels in the end record, a zip64 end record and locator', () => {
    const buf = fs.readFileSync(file)
    const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    expect(buf.readUInt16LE(eocd + 10)).toBe(0xffff)
    expect(buf.readUInt32LE(eocd + 16)).toBe(0xffffffff)
    expect(buf.readUInt32LE(eocd - 20)).toBe(0x07064b50)
  })

  test('every entry reads as in the plain wheel, from the file and from memory', () => {
    const plain = zipContents(path.join(DISTS, WHEEL))
    expect(zipContents(file)).toEqual(plain)
    expect(zipContents(fs.readFileSync(file))).toEqual(plain)
    // The 64-bit sizes and offsets come from the zip64 extra fields, not the 32-bit sentinels.
    withZip(file, (zip) => {
      for (const e of zip.entries) {
        expect(e.size).toBe(Buffer.byteLength(plain.get(e.name)!))
        expect(e.localHeaderOffset).toBeLessThan(fs.statSync(file).size)
      }
    })
  })

  test('build-packages and publish-pypi read it alike, and as the plain wheel', () => {
    expectBothActionsReadItAsPlain(file, 'wheel')
  })
})

describe.each([
  ['base256', 'a base-256 size field on every file (GNU tar and tarfile write them past 8 GiB)'],
  ['pax-global', 'a global PAX header with a comment (what git archive writes)'],
  ['dot-prefix', 'every name under ./ (GNU tar of ./dataknobs_common-1.0.0)']
])('%s sdist: %s', (folder) => {
  const file = path.join(DISTS, folder, SDIST)

  test('every file reads as in the plain sdist', () => {
    expect(tarContents(file)).toEqual(tarContents(path.join(DISTS, SDIST)))
  })

  test('build-packages and publish-pypi read it alike, and as the plain sdist', () => {
    expectBothActionsReadItAsPlain(file, 'sdist')
  })
})

describe('a global PAX path', () => {
  const file = path.join(DISTS, 'pax-global-path', SDIST)

  test('names every member after it, as tarfile and GNU tar read it', () => {
    const names = readTarGz(file).map((m) => m.name)
    expect(names).toHaveLength(7)
    expect(new Set(names)).toEqual(new Set(['dataknobs_common-1.0.0/README.md']))
  })

  test('so neither build-packages nor publish-pypi finds a PKG-INFO in it', () => {
    expect(readSdist(file).error).toBe('the sdist has no PKG-INFO at its top')
    expect(inspectDist(file)).toMatch(/cannot be read: the sdist has no dataknobs_common-1\.0\.0\/PKG-INFO/)
  })
})

describe('damaged archives are an ArchiveError, never garbage', () => {
  test('a flipped byte in a deflated entry fails its CRC or inflate check', () => {
    const buf = Buffer.from(fs.readFileSync(path.join(DISTS, WHEEL)))
    const meta = withZip(buf, (zip) => zip.entries.find((e) => e.name.endsWith('/METADATA'))!)
    const dataStart =
      meta.localHeaderOffset + 30 + buf.readUInt16LE(meta.localHeaderOffset + 26) + buf.readUInt16LE(meta.localHeaderOffset + 28)
    buf[dataStart + Math.floor(meta.compressedSize / 2)]! ^= 0xff
    expect(() => withZip(buf, (zip) => zip.read(meta.name))).toThrow(ArchiveError)
  })

  test('a wheel cut short loses its central directory', () => {
    const buf = fs.readFileSync(path.join(DISTS, 'zip64', WHEEL))
    expect(() => withZip(buf.subarray(0, buf.length - 100), (zip) => zip.names)).toThrow(ArchiveError)
  })

  test('a tar header with a wrong checksum, and a gzip that holds no tar', () => {
    const tar = gunzipSync(fs.readFileSync(path.join(DISTS, SDIST)))
    tar[10] = tar[10]! ^ 0x01
    expect(() => readTarGz(gzipSync(tar))).toThrow(/bad tar header checksum at byte 0/)
    expect(() => readTarGz(gzipSync(Buffer.from('PKG-INFO\n'.repeat(100))))).toThrow(ArchiveError)
    expect(() => readTarGz(Buffer.from('not gzip'))).toThrow(/not a gzip file/)
  })
})
