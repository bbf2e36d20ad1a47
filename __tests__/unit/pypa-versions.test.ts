import { describe, expect, test } from '@jest/globals'
import {
  canonicalVersion,
  compareVersions,
  isValidVersion,
  sameVersion,
  versionKey,
  versionSatisfies
} from '../../packages-shared/pypa/versions.js'

describe('PEP 440, the one reader every action uses', () => {
  // Both were wrong in copies this module replaced: local segments compared as text, the zero epoch kept.
  test('local segments compare as numbers: 1.0+10 sorts above 1.0+9', () => {
    expect(compareVersions('1.0+10', '1.0+9')).toBe(1)
    expect(compareVersions('1.0+9', '1.0+10')).toBe(-1)
    expect(sameVersion('1.0+10', '1.0+9')).toBe(false)
  })

  test('the zero epoch is the default: 0!1.0 equals 1.0', () => {
    expect(compareVersions('0!1.0', '1.0')).toBe(0)
    expect(sameVersion('0!1.0', '1.0')).toBe(true)
    expect(versionKey('0!1.0')).toBe('1')
    expect(sameVersion('1!1.0', '1.0')).toBe(false)
  })

  test.each([
    ['1.0', '1.0.0'],
    ['v1.2.0-RC1', '1.2rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0.DEV', '1.0.dev0'],
    ['1.0+AbC-1_2', '1.0+abc.1.2'],
    ['01.02', '1.2']
  ])('%s and %s are one version', (a, b) => {
    expect(versionKey(a)).toBe(versionKey(b))
    expect(compareVersions(a, b)).toBe(0)
  })

  test('what is not a version is undefined to compare and keeps its own spelling as a key', () => {
    expect(isValidVersion('1.0.x')).toBe(false)
    expect(compareVersions('1.0.x', '1.0')).toBeUndefined()
    expect(versionKey('latest')).toBeUndefined()
    expect(canonicalVersion(' Latest ')).toBe('latest')
    expect(sameVersion('latest', 'LATEST')).toBe(true)
  })

  test('specifier sets, as requires-python and OSV ranges use them', () => {
    expect(versionSatisfies('1.5', '>=1.0,<2')).toBe(true)
    expect(versionSatisfies('2.0', '>=1.0,<2')).toBe(false)
  })
})
