import { environmentFor, parseEnvironments, refName } from '../../actions/deploy-plan/environments.js'
import { parseVersions } from '../../actions/deploy-plan/inputs.js'
import { compareFiles, filesOfVersion } from '../../actions/deploy-plan/promote.js'

describe('environments', () => {
  const rules = parseEnvironments('')
  test.each([
    ['refs/heads/develop', 'development'],
    ['refs/heads/main', 'staging'],
    ['refs/heads/release/1.2', 'production'],
    ['refs/heads/release/1.2/hotfix', undefined],
    ['refs/heads/feature/x', undefined],
    ['refs/pull/7/merge', undefined],
    ['', undefined]
  ])('the default map sends %j to %s', (ref, environment) => {
    expect(environmentFor(ref, rules)?.environment).toBe(environment)
  })

  test("GitHub's filter patterns: * within a segment, ** across, ? one character, refs/ for the whole ref; the first match wins", () => {
    const custom = parseEnvironments('refs/tags/v*=production\nrelease/**=canary, hotfix-?=qa, *=preview')
    expect(environmentFor('refs/tags/v1.2.0', custom)?.environment).toBe('production')
    expect(environmentFor('refs/heads/v1.2.0', custom)?.environment).toBe('preview')
    expect(environmentFor('refs/heads/release/1.2/rc', custom)?.environment).toBe('canary')
    expect(environmentFor('refs/heads/hotfix-7', custom)?.environment).toBe('qa')
    expect(environmentFor('refs/heads/hotfix-17', custom)?.environment).toBe('preview')
    expect(environmentFor('refs/heads/a/b', custom)).toBeUndefined()
    expect(refName('refs/tags/v1')).toBe('v1')
  })

  test('a malformed entry says the form', () => {
    expect(() => parseEnvironments('main:staging')).toThrow('entries of the form <ref pattern>=<environment>')
    expect(() => parseEnvironments('main=st aging')).toThrow('entries of the form')
  })
})

describe('versions', () => {
  test('name==version entries, each distribution once', () => {
    expect(parseVersions(['dataknobs-common==1.2.3', 'Foo_Bar==v2.0rc1'])).toEqual([
      { name: 'dataknobs-common', id: 'dataknobs-common', version: '1.2.3' },
      { name: 'Foo_Bar', id: 'foo-bar', version: '2.0rc1' }
    ])
    expect(() => parseVersions(['a>=1'])).toThrow('name==version entries')
    expect(() => parseVersions(['a==1', 'A==2'])).toThrow('names A twice')
  })
})

describe('promote: production against the reference, file by file', () => {
  const pin = { name: 'foo', id: 'foo', version: '1.0.0' }
  const where = { reference: 'staging', production: 'pypi' }
  const files = (entries: Record<string, string | undefined>): Map<string, string | undefined> => new Map(Object.entries(entries))

  test("only the pin's own version counts, in any spelling of the name", () => {
    const listed = [
      { filename: 'foo-1.0.0-py3-none-any.whl', sha256: 'AA' },
      { filename: 'Foo-1.0.tar.gz', sha256: 'bb' },
      { filename: 'foo-1.0.1-py3-none-any.whl', sha256: 'cc' },
      { filename: 'foobar-1.0.0.tar.gz', sha256: 'dd' }
    ]
    expect([...filesOfVersion(listed, pin)]).toEqual([
      ['foo-1.0.0-py3-none-any.whl', 'aa'],
      ['Foo-1.0.tar.gz', 'bb']
    ])
  })

  test('the same files and hashes pass; each difference is named', () => {
    const reference = files({ 'foo-1.0.0.tar.gz': 'aa', 'foo-1.0.0-py3-none-any.whl': 'bb' })
    expect(compareFiles(pin, reference, files({ 'foo-1.0.0-py3-none-any.whl': 'bb', 'foo-1.0.0.tar.gz': 'aa' }), where)).toEqual([])
    const problems = compareFiles(
      pin,
      reference,
      files({ 'foo-1.0.0.tar.gz': 'a0', 'foo-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl': 'cc' }),
      where
    ).map((p) => p.message)
    expect(problems).toEqual([
      'foo 1.0.0: foo-1.0.0.tar.gz on pypi has sha256 a0, not aa as on staging: production would install another file than the one staging tested.',
      'foo 1.0.0: foo-1.0.0-py3-none-any.whl is not on pypi: publish it there before promoting.',
      'foo 1.0.0: foo-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl is on pypi but not on staging: an installer could pick a file staging never tested.'
    ])
    expect(compareFiles(pin, files({}), files({}), where).map((p) => p.message)).toEqual([
      'foo 1.0.0: staging has no file of this version, so there is nothing to promote: check the version and the reference.'
    ])
    expect(compareFiles(pin, files({ 'foo-1.0.0.tar.gz': undefined }), files({ 'foo-1.0.0.tar.gz': 'aa' }), where)[0]!.message).toContain(
      'no sha256 to compare (staging gives none)'
    )
  })
})
