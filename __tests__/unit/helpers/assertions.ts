/** Shared test helpers: the user-error contract, and temp dirs removed after the file's tests. */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UserError } from '../../../packages-shared/errors.js'

/** Runs `fn`, expects a UserError with a one-line message (the project's contract), returns it. */
export function userError(fn: () => unknown): UserError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(UserError)
  expect((caught as UserError).message).not.toMatch(/\n/)
  return caught as UserError
}

export interface TempDirs {
  (prefix?: string): string
  /** Removes a directory made elsewhere along with the others. */
  track(dir: string): string
}

/** A temp-dir maker whose dirs are removed once the calling test file is done. */
export function tempDirs(defaultPrefix = 'dk-test-'): TempDirs {
  const made: string[] = []
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
  })
  const make = (prefix = defaultPrefix): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    made.push(dir)
    return dir
  }
  return Object.assign(make, { track: (dir: string) => (made.push(dir), dir) })
}
