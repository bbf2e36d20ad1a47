import { createMemoryIO } from '../helpers/io-memory.js'
import {
  basicAuthorization,
  maskPassword,
  maskSecretInputs,
  maskToken,
  maskUrlCredentials,
  redact,
  redactDeep,
  redactingIO,
  registeredSecrets,
  splitUrlCredentials
} from '../../packages-shared/secrets.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

describe('masking secrets with their wire forms', () => {
  test('a token: plain, URL-encoded and the __token__ Basic header form', () => {
    const io = createMemoryIO()
    maskToken(io, 'pypi-Ab+/=1')
    expect(io.secrets).toEqual(['pypi-Ab+/=1', 'pypi-Ab%2B%2F%3D1', b64('__token__:pypi-Ab+/=1')])
    expect(redact(`token pypi-Ab+/=1 url pypi-Ab%2B%2F%3D1 header Basic ${b64('__token__:pypi-Ab+/=1')}`)).toBe(
      'token *** url *** header Basic ***'
    )
  })

  test('a value masked twice (declared secret input, then read as a secret) is one mask command', () => {
    const mem = createMemoryIO()
    const io = redactingIO(mem)
    maskToken(io, 'twice-q7')
    maskToken(io, 'twice-q7')
    expect(mem.secrets.filter((s) => s === 'twice-q7')).toHaveLength(1)
  })

  test('a password: its forms and the user:password Basic header form', () => {
    const io = createMemoryIO()
    maskPassword(io, 'alice', 'pw:with@chars')
    expect(io.secrets).toEqual(['pw:with@chars', 'pw%3Awith%40chars', b64('__token__:pw:with@chars'), b64('alice:pw:with@chars')])
    expect(redact(basicAuthorization('alice', 'pw:with@chars'))).toBe('Basic ***')
  })

  test('credentials in a URL: the decoded and raw password, the Basic form; a lone user name is a token', () => {
    const io = createMemoryIO()
    maskUrlCredentials(io, 'https://bob:p%40ss%2Fword-u1@index.example/simple/')
    expect(io.secrets).toEqual(expect.arrayContaining(['p@ss/word-u1', 'p%40ss%2Fword-u1', b64('bob:p@ss/word-u1')]))
    expect(io.secrets).not.toContain('bob')
    const lone = createMemoryIO()
    maskUrlCredentials(lone, 'https://tok-u2@pypi.fury.io/me/')
    expect(lone.secrets).toEqual(['tok-u2', b64('__token__:tok-u2'), b64('tok-u2:')])
    const none = createMemoryIO()
    maskUrlCredentials(none, 'https://pypi.org/simple/')
    maskUrlCredentials(none, 'not a url')
    expect(none.secrets).toEqual([])
  })

  test('secret inputs are masked by kind; unevaluated expressions and empty values are not', () => {
    const io = createMemoryIO({
      token: 'tok-u3',
      password: 'pw-u3',
      username: 'carol',
      index: 'https://x:y-u3@h/simple/, https://h2/simple/',
      gh: '${{ github.token }}'
    })
    maskSecretInputs(io, [
      { name: 'token', kind: 'token' },
      { name: 'password', kind: 'password', username: 'username' },
      { name: 'index', kind: 'urls' },
      { name: 'gh', kind: 'token' },
      { name: 'unset', kind: 'token' }
    ])
    expect(io.secrets).toEqual(expect.arrayContaining(['tok-u3', 'pw-u3', b64('carol:pw-u3'), 'y-u3', b64('x:y-u3')]))
    expect(io.secrets).not.toContain('${{ github.token }}')
    expect(registeredSecrets()).toEqual(expect.arrayContaining(['tok-u3', 'y-u3']))
  })
})

describe('redact', () => {
  test('URL credentials become ***@, wherever the URL is', () => {
    expect(redact('--index-url https://user:s3cret@host/simple/')).toBe('--index-url https://***@host/simple/')
    expect(redact('GET http://tok@127.0.0.1:8080/x/ failed')).toBe('GET http://***@127.0.0.1:8080/x/ failed')
    expect(redact('mail git@github.com, see https://pypi.org/simple/')).toBe('mail git@github.com, see https://pypi.org/simple/')
  })

  test('the longest registered secret is replaced whole', () => {
    maskToken(createMemoryIO(), 'abc-u4')
    maskToken(createMemoryIO(), 'abc-u4-longer')
    expect(redact('x abc-u4-longer y abc-u4')).toBe('x *** y ***')
  })

  test('redactDeep reaches every string of a report, leaving other values alone', () => {
    maskToken(createMemoryIO(), 'deep-u5')
    const report = { a: 'deep-u5', n: 3, ok: true, list: [{ message: 'said deep-u5' }, null], url: 'https://u:p@h/' }
    expect(redactDeep(report)).toEqual({ a: '***', n: 3, ok: true, list: [{ message: 'said ***' }, null], url: 'https://***@h/' })
  })
})

describe('redactingIO', () => {
  test('every message, output, summary and failure is redacted; setSecret records and masks', async () => {
    const mem = createMemoryIO()
    const io = redactingIO(mem)
    io.setSecret('seam-u6')
    expect(mem.secrets).toEqual(['seam-u6'])
    io.info('info seam-u6')
    io.toolOutput('tool output seam-u6')
    io.debug('debug seam-u6')
    io.warning('warning seam-u6')
    io.error('error seam-u6')
    io.notice('notice seam-u6')
    io.annotate('error', 'annotation seam-u6', { title: 'title seam-u6', file: 'a.py' })
    io.setOutput('o', 'out seam-u6')
    io.setFailed('failed seam-u6')
    await io.appendSummary('summary seam-u6')
    await io.group('group seam-u6', async () => undefined)
    const everything = JSON.stringify([mem.logs, mem.annotations, mem.outputs, mem.failed, mem.summary])
    expect(everything).not.toContain('seam-u6')
    expect(mem.logs.map((l) => l.message)).toEqual([
      'info ***',
      'tool output ***',
      'debug ***',
      'warning ***',
      'error ***',
      'notice ***',
      'group ***'
    ])
    expect(mem.annotations[0]).toMatchObject({ message: 'annotation ***', title: 'title ***', file: 'a.py' })
  })
})

describe('splitUrlCredentials', () => {
  test('moves the credentials into a Basic Authorization header, decoded', () => {
    expect(splitUrlCredentials('http://bob:p%40ss@127.0.0.1:9/simple/x/')).toEqual({
      url: 'http://127.0.0.1:9/simple/x/',
      authorization: basicAuthorization('bob', 'p@ss')
    })
    expect(splitUrlCredentials('https://pypi.org/simple/x/')).toEqual({ url: 'https://pypi.org/simple/x/' })
  })
})
