/**
 * `mode: promote`: the versions that passed staging are exactly what production installs.
 * For each `name==version`, the production index (`index-url`) must list the same files
 * with the same sha256 as the reference: the index staging installed from
 * (`reference-index-url`), or the dists the build made (`dists`, with their sha256). A file
 * missing, added or with another hash is an error naming it: production would install
 * something staging never tested.
 */
import type { Http } from '../../packages-shared/github/http.js'
import { readDistFilename } from '../../packages-shared/pypa/dist-filename.js'
import type { ExactPin } from '../../packages-shared/pypa/exact-pin.js'
import { fetchProjectPage, type ProjectFiles } from '../../packages-shared/pypa/simple-index.js'
import { sameVersion } from '../../packages-shared/pypa/versions.js'
import { normalizeName } from '../../packages-shared/names.js'
import { redactUrl } from '../../packages-shared/secrets.js'

/** sha256 by file name, of one version of one project. */
export type FileHashes = Map<string, string | undefined>

export interface PromoteProblem {
  package: string
  message: string
}

/** The files of `pin`'s version among a project's files. */
export function filesOfVersion(files: ProjectFiles | Iterable<{ filename: string; sha256?: string }>, pin: ExactPin): FileHashes {
  const out: FileHashes = new Map()
  for (const f of files instanceof Map ? files.values() : files) {
    const id = readDistFilename(f.filename)
    if (typeof id === 'string' || normalizeName(id.name) !== pin.id || !sameVersion(id.version, pin.version)) continue
    out.set(f.filename, f.sha256?.toLowerCase())
  }
  return out
}

/** What differs between the reference's files and production's, one line each. */
export function compareFiles(
  pin: ExactPin,
  reference: FileHashes,
  production: FileHashes,
  where: { reference: string; production: string }
): PromoteProblem[] {
  const problems: PromoteProblem[] = []
  const say = (message: string): void => void problems.push({ package: pin.id, message: `${pin.name} ${pin.version}: ${message}` })
  if (reference.size === 0)
    say(`${where.reference} has no file of this version, so there is nothing to promote: check the version and the reference.`)
  for (const [file, sha] of reference) {
    if (!production.has(file)) say(`${file} is not on ${where.production}: publish it there before promoting.`)
    else if (!sha || !production.get(file))
      say(
        `${file}: no sha256 to compare (${!sha ? where.reference : where.production} gives none), so it cannot be shown to be the same file.`
      )
    else if (production.get(file) !== sha) {
      say(
        `${file} on ${where.production} has sha256 ${production.get(file)}, not ${sha} as on ${where.reference}: production would install another file than the one staging tested.`
      )
    }
  }
  for (const file of production.keys()) {
    if (!reference.has(file))
      say(`${file} is on ${where.production} but not on ${where.reference}: an installer could pick a file staging never tested.`)
  }
  return problems
}

/** One project's files on an index, or a problem saying why they could not be read. */
export async function indexFiles(http: Http, indexUrl: string, pin: ExactPin, timeoutMs: number): Promise<FileHashes | PromoteProblem> {
  const page = await fetchProjectPage(http, indexUrl, pin.name, { timeoutMs, fresh: true })
  const at = redactUrl(indexUrl)
  if (page.kind === 'files') return filesOfVersion(page.files, pin)
  if (page.kind === 'absent') return new Map()
  const why =
    page.kind === 'status'
      ? `answered ${page.status} ${page.statusText}`
      : page.kind === 'unreadable'
        ? `answered what is not a simple index page (${page.contentType || 'no content type'})`
        : `could not be reached (${page.error instanceof Error ? page.error.message : String(page.error)})`
  return { package: pin.id, message: `${pin.name}: ${at} ${why}; check the index URL and its credentials.` }
}
