/** Temp folders a test file makes, removed once its tests are done. Call at the top of the file. */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll } from '@jest/globals'

export interface Scratch {
  tempDir(prefix: string): string
  /** A copy of a fixture folder (outside any git checkout, so discovery walks its files). */
  copy(from: string, prefix: string): string
}

export function scratchDirs(): Scratch {
  const made: string[] = []
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
  const tempDir = (prefix: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    made.push(dir)
    return dir
  }
  return {
    tempDir,
    copy: (from, prefix) => {
      const dir = tempDir(prefix)
      fs.cpSync(from, dir, { recursive: true })
      return dir
    }
  }
}

/** `packages/<name>/` for each name: a src-layout package whose `__init__.py` holds `init`, version 1.0. */
export function writeSrcPackages(root: string, names: readonly string[], init: string): void {
  for (const name of names) {
    const src = path.join(root, 'packages', name, 'src', name)
    fs.mkdirSync(src, { recursive: true })
    fs.writeFileSync(path.join(src, '__init__.py'), init)
    fs.writeFileSync(path.join(root, 'packages', name, 'pyproject.toml'), `[project]\nname = "${name}"\nversion = "1.0"\n`)
  }
}
