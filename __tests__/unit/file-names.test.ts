/**
 * Source files are named in kebab-case (`install-output.ts`, never `installOutput.ts`): on a
 * case-insensitive file system (macOS, Windows runners) two spellings of one name collide.
 */
import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, test } from '@jest/globals'

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)+$/

describe('file names', () => {
  test('every source, script and test file is kebab-case', () => {
    const files = execFileSync(
      'git',
      [
        'ls-files',
        '--',
        'actions',
        'packages-shared',
        'cli',
        'scripts',
        'bin',
        '__tests__/unit',
        '__tests__/integration',
        '__tests__/helpers',
        '__tests__/e2e'
      ],
      { encoding: 'utf8' }
    )
      .split('\n')
      .filter((f) => /\.(ts|js)$/.test(f))
    expect(files.length).toBeGreaterThan(100)
    expect(files.filter((f) => !KEBAB.test(path.basename(f)))).toEqual([])
  })

  test('the rule refuses the spellings it is for', () => {
    for (const bad of ['installOutput.ts', 'Install-output.ts', 'install_output.ts', 'install--output.ts'])
      expect(KEBAB.test(bad)).toBe(false)
    expect(KEBAB.test('run-tests-main.test.ts')).toBe(true)
  })
})
