/**
 * Python sources dk-actions runs (a pylint plugin, the lean launcher) are written under the
 * cache root, in a folder named by a hash of the source: versions never mix, and a folder once
 * written is reused by every later run.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

/** Writes `source` as `<cacheRoot>/<kind>/<hash>/<fileName>` unless it is there; returns the folder. */
export function writeScriptFile(cacheRoot: string, kind: string, fileName: string, source: string): string {
  const dir = path.join(cacheRoot, kind, createHash('sha256').update(source).digest('hex').slice(0, 16))
  const file = path.join(dir, fileName)
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true })
    // Written aside and renamed: a run beside this one never reads half a file.
    const temp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(temp, source)
    fs.renameSync(temp, file)
  }
  return dir
}
