/**
 * The release tags both release and build-packages read (packages-shared/release-tags.ts):
 * each format rendered and read back, names in any PEP 503 spelling, a name that itself
 * ends like a version, pre-releases, and the formats refused.
 */
import { describe, expect, test } from '@jest/globals'
import {
  checkTagFormat,
  DEFAULT_LOCKSTEP_TAG_FORMAT,
  DEFAULT_TAG_FORMAT,
  lastTag,
  renderTag,
  tagParts,
  tagVersion
} from '../../packages-shared/release-tags.js'
import { userError } from './helpers/assertions.js'

describe('tagVersion', () => {
  test('the independent form names its package and version', () => {
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acme-core-v2.0.0')).toBe('2.0.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-mid', 'acme-core-v2.0.0')).toBeUndefined()
    // A package whose name is the start of another's does not take its tags.
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme', 'acme-core-v2.0.0')).toBeUndefined()
  })

  test('the lockstep form names every package', () => {
    expect(tagVersion(DEFAULT_LOCKSTEP_TAG_FORMAT, '', 'v1.2.3')).toBe('1.2.3')
    expect(tagVersion(DEFAULT_LOCKSTEP_TAG_FORMAT, 'anything', 'v1.2.3')).toBe('1.2.3')
    expect(tagVersion(DEFAULT_LOCKSTEP_TAG_FORMAT, '', 'acme-core-v1.2.3')).toBeUndefined()
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'v1.2.3')).toBeUndefined()
  })

  test('the name matches in any PEP 503 spelling, both ways round', () => {
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'Acme_Core-v2.0.0')).toBe('2.0.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acme.core-v2.0.0')).toBe('2.0.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'Acme__Core', 'acme-core-v2.0.0')).toBe('2.0.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acmecore-v2.0.0')).toBeUndefined()
    // Only the name is case-blind: the format's own `v` is as written.
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acme-core-V2.0.0')).toBeUndefined()
  })

  test('a name that ends like a version keeps its own tags', () => {
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'foo-v2', 'foo-v2-v1.0.0')).toBe('1.0.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'foo', 'foo-v2-v1.0.0')).toBeUndefined()
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'foo', 'foo-v2.0.0')).toBe('2.0.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'foo-v2', 'foo-v2.0.0')).toBeUndefined()
  })

  test('pre-releases, post-releases and epochs are versions; other text is not', () => {
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acme-core-v1.0.0rc1')).toBe('1.0.0rc1')
    expect(tagVersion(DEFAULT_LOCKSTEP_TAG_FORMAT, '', 'v2.0.0.dev3')).toBe('2.0.0.dev3')
    expect(tagVersion(DEFAULT_LOCKSTEP_TAG_FORMAT, '', 'v1.0.post1')).toBe('1.0.post1')
    expect(tagVersion(DEFAULT_LOCKSTEP_TAG_FORMAT, '', 'v1!2.0')).toBe('1!2.0')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acme-core-vnext')).toBeUndefined()
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', 'acme-core-v1.0-final-final')).toBeUndefined()
  })

  test('other formats, and a placeholder given twice', () => {
    expect(tagVersion('{name}/{version}', 'acme-core', 'acme_core/3.1')).toBe('3.1')
    expect(tagVersion('release-{version}', '', 'release-4.0')).toBe('4.0')
    expect(tagVersion('{name}-{version}-{name}', 'acme', 'acme-1.0-acme')).toBe('1.0')
    expect(tagVersion('{name}-{version}-{name}', 'acme', 'acme-1.0-other')).toBeUndefined()
  })
})

describe('tagParts', () => {
  test('reads a tag without knowing the packages, the name taking all it can', () => {
    expect(tagParts(DEFAULT_TAG_FORMAT, 'acme-core-v2.0.0')).toEqual({ name: 'acme-core', version: '2.0.0' })
    expect(tagParts(DEFAULT_TAG_FORMAT, 'foo-v2-v1.0.0rc1')).toEqual({ name: 'foo-v2', version: '1.0.0rc1' })
    expect(tagParts(DEFAULT_LOCKSTEP_TAG_FORMAT, 'v1.2.3')).toEqual({ version: '1.2.3' })
    expect(tagParts(DEFAULT_TAG_FORMAT, 'nightly')).toBeUndefined()
    expect(tagParts(DEFAULT_TAG_FORMAT, 'acme-vlatest')).toBeUndefined()
  })
})

describe('renderTag and lastTag', () => {
  test('a rendered tag reads back as its version', () => {
    const tag = renderTag(DEFAULT_TAG_FORMAT, 'acme-core', '2.0.0rc1')
    expect(tag).toBe('acme-core-v2.0.0rc1')
    expect(tagVersion(DEFAULT_TAG_FORMAT, 'acme-core', tag)).toBe('2.0.0rc1')
  })

  test("the highest of a package's tags by PEP 440 order, others' tags left out", () => {
    const tags = ['acme-core-v1.9.0', 'acme-core-v1.10.0', 'acme-core-v2.0.0rc1', 'acme-mid-v9.0.0', 'foo-v2-v5.0.0']
    expect(lastTag(DEFAULT_TAG_FORMAT, 'acme-core', tags)).toEqual({ tag: 'acme-core-v2.0.0rc1', version: '2.0.0rc1' })
    expect(lastTag(DEFAULT_TAG_FORMAT, 'acme-core', tags.slice(0, 2))).toEqual({ tag: 'acme-core-v1.10.0', version: '1.10.0' })
    expect(lastTag(DEFAULT_TAG_FORMAT, 'foo', tags)).toBeUndefined()
    expect(lastTag(DEFAULT_TAG_FORMAT, 'foo-v2', tags)).toEqual({ tag: 'foo-v2-v5.0.0', version: '5.0.0' })
  })
})

describe('checkTagFormat', () => {
  test('takes both defaults', () => {
    expect(checkTagFormat(DEFAULT_TAG_FORMAT, false)).toBe(DEFAULT_TAG_FORMAT)
    expect(checkTagFormat(DEFAULT_LOCKSTEP_TAG_FORMAT, true)).toBe(DEFAULT_LOCKSTEP_TAG_FORMAT)
  })

  test.each([
    ['{name}-latest', true, 'lacks {version}'],
    ['v{version}', false, 'lacks {name}'],
    ['{name} v{version}', false, 'cannot hold spaces'],
    ['{pkg}-v{version}', true, 'only {name} and {version}'],
    ['{name}..v{version}', false, "'..'"]
  ])('refuses %j (lockstep %s) with the fix', (format, lockstep, fragment) => {
    const error = userError(() => checkTagFormat(format, lockstep))
    expect(error.message).toContain("Input 'tag-format'")
    expect(error.message).toContain(fragment)
    expect(error.message).toContain("Use e.g. '{name}-v{version}'")
  })
})
