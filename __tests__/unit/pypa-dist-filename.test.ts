import { describe, expect, test } from '@jest/globals'
import { readDistFilename, versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { parseDistFilename } from '../../actions/publish-pypi/metadata.js'

describe('dist file names, read one way by build-packages, publish-pypi and health-check', () => {
  test('wheels, with and without a build tag', () => {
    expect(readDistFilename('data_knobs-1.0-py3-none-any.whl')).toEqual({ kind: 'wheel', name: 'data_knobs', version: '1.0' })
    expect(readDistFilename('pkg-2.0-1-cp311-cp311-linux_x86_64.whl')).toEqual({ kind: 'wheel', name: 'pkg', version: '2.0' })
    expect(readDistFilename('pkg-2.0.whl')).toMatch('a wheel is named')
  })

  test('an older sdist keeps the dashes of its name; the version is the part that starts with a digit', () => {
    expect(readDistFilename('zope-interface-5.4.0.zip')).toEqual({ kind: 'sdist', name: 'zope-interface', version: '5.4.0' })
    expect(readDistFilename('Pkg-1.0rc1.tar.bz2')).toEqual({ kind: 'sdist', name: 'Pkg', version: '1.0rc1' })
    expect(readDistFilename('pkg.tar.gz')).toMatch('an sdist is named')
  })

  test('an upload takes only wheels and .tar.gz sdists', () => {
    expect(parseDistFilename('pkg-1.0.zip')).toBe('only wheels (.whl) and sdists (.tar.gz) can be uploaded')
    expect(parseDistFilename('pkg-1.0.tar.gz')).toEqual({ kind: 'sdist', name: 'pkg', version: '1.0' })
  })

  test("a listing's versions of one project, in any spelling of its name, and no other project's", () => {
    const files = [
      'Data.Knobs-1.0.tar.gz',
      'data_knobs-1.0-py3-none-any.whl',
      'data_knobs-1.1-py3-none-any.whl',
      'data_knobs_extra-9.0-py3-none-any.whl',
      'README.txt'
    ]
    expect(versionsInFiles('data-knobs', files).sort()).toEqual(['1.0', '1.1'])
  })
})
