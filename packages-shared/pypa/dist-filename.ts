/**
 * Distribution file names, read one way everywhere: a wheel is
 * `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`, an sdist `{name}-{version}`
 * and an archive ending. Index listings also hold older sdists (.zip, .tar.bz2, .tgz).
 */
import { normalizeName } from '../names.js'

export type DistKind = 'wheel' | 'sdist'

export interface DistIdentity {
  kind: DistKind
  /** Name and version as the file name spells them. */
  name: string
  version: string
}

const SDIST_ENDINGS = ['.tar.gz', '.zip', '.tar.bz2', '.tgz']

/** Name and version from a file name, or a reason it is not a distribution file name. */
export function readDistFilename(filename: string, endings: readonly string[] = SDIST_ENDINGS): DistIdentity | string {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-')
    if (parts.length !== 5 && parts.length !== 6) return 'a wheel is named {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl'
    return { kind: 'wheel', name: parts[0]!, version: parts[1]! }
  }
  const ending = endings.find((e) => filename.toLowerCase().endsWith(e))
  if (!ending) return `a distribution file ends in .whl or ${endings.join(', ')}`
  // The version is the last dash-separated part that starts with a digit: names hold dashes in older sdists.
  const m = /^(.+?)-(v?\d[^-]*)$/i.exec(filename.slice(0, -ending.length))
  if (!m) return `an sdist is named {name}-{version}${ending}`
  return { kind: 'sdist', name: m[1]!, version: m[2]! }
}

/** The distinct versions of project `name` among an index's file names. */
export function versionsInFiles(name: string, filenames: readonly string[]): string[] {
  const id = normalizeName(name)
  const out = new Set<string>()
  for (const f of filenames) {
    const d = readDistFilename(f)
    if (typeof d !== 'string' && normalizeName(d.name) === id) out.add(d.version)
  }
  return [...out]
}
