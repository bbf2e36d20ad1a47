import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import {
  InputReader,
  invalidInput,
  isInside,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseEnumList,
  parseInsidePath,
  parseInteger,
  parseList,
  parsePercent
} from '../../packages-shared/inputs.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { userError } from './helpers/assertions.js'

/** Runs `fn`, expecting the one-line UserError every bad input must give. */
function inputError(fn: () => unknown): UserError {
  const error = userError(fn)
  expect(error.name).toBe('UserError')
  expect(error.message).not.toMatch(/[\r\n]/)
  return error
}

function expectBadInput(fn: () => unknown, name: string, bad: string, allowed: readonly string[] = []): string {
  const { message } = inputError(fn)
  expect(message).toContain(`'${name}'`)
  expect(message).toContain(bad)
  for (const value of allowed) expect(message).toContain(value)
  return message
}

const ROOT = path.resolve('/workspace/repo')

describe('invalidInput', () => {
  test('builds a one-line UserError naming the input, the value and what is allowed', () => {
    const error = invalidInput('fail-on', 'sometimes', 'allowed values are error, warning')
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe(`Input 'fail-on' has an invalid value "sometimes": allowed values are error, warning.`)
  })

  test('keeps a value with a newline on one line (JSON-escaped)', () => {
    const error = invalidInput('x', 'a\nb', 'expected c')
    expect(error.message).not.toMatch(/\n/)
    expect(error.message).toContain('"a\\nb"')
  })

  test('shortens very long values to 80 characters with an ellipsis', () => {
    const long = 'v'.repeat(200)
    const error = invalidInput('x', long, 'expected short')
    expect(error.message).toContain(`"${'v'.repeat(77)}..."`)
    expect(error.message).not.toContain('v'.repeat(78))
  })
})

describe('parseBoolean', () => {
  test.each([
    ['true', true],
    ['TRUE', true],
    [' True ', true],
    ['yes', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['no', false],
    ['off', false],
    ['0', false]
  ])('%j → %s', (raw, expected) => {
    expect(parseBoolean('strict', raw)).toBe(expected)
    // The fallback only matters for an empty value.
    expect(parseBoolean('strict', raw, !expected)).toBe(expected)
  })

  test.each([
    ['', false, false],
    ['', true, true],
    ['   ', true, true]
  ])('empty %j with fallback %s → %s', (raw, fallback, expected) => {
    expect(parseBoolean('strict', raw, fallback)).toBe(expected)
  })

  test('empty defaults to false without a fallback', () => {
    expect(parseBoolean('strict', '')).toBe(false)
  })

  test.each(['maybe', 'ture', '2', 'y', 'truee', 'enabled'])('rejects %j', (bad) => {
    const message = expectBadInput(() => parseBoolean('strict', bad), 'strict', bad)
    expect(message).toContain('true or false')
  })
})

describe('parseEnum', () => {
  const MODES = ['auto', 'project', 'isolated', 'none'] as const

  test.each([
    ['auto', 'auto'],
    ['PROJECT', 'project'],
    [' isolated ', 'isolated'],
    ['None', 'none']
  ])('%j → %j', (raw, expected) => {
    expect(parseEnum('install', raw, MODES)).toBe(expected)
  })

  test('empty gives the fallback', () => {
    expect(parseEnum('install', '', MODES, 'isolated')).toBe('isolated')
    expect(parseEnum('install', '  ', MODES, 'none')).toBe('none')
  })

  test('returns the allowed spelling when the allowed values are mixed case', () => {
    expect(parseEnum('level', 'error', ['Error', 'Warning'] as const)).toBe('Error')
  })

  test.each(['everything', 'auto,none', 'autox', 'isolate', 'pip'])('rejects %j and lists the allowed values', (bad) => {
    const message = expectBadInput(() => parseEnum('install', bad, MODES, 'auto'), 'install', bad, MODES)
    expect(message).toContain('allowed values are auto, project, isolated, none')
  })

  test('empty without a fallback is an error', () => {
    const message = expectBadInput(() => parseEnum('install', '', MODES), 'install', '""', MODES)
    expect(message).toContain('allowed values are')
  })
})

describe('parseList', () => {
  test.each([
    ['', []],
    ['a', ['a']],
    ['a,b , c', ['a', 'b', 'c']],
    ['a\nb\n\nc\n', ['a', 'b', 'c']],
    ['a, b\nc', ['a', 'b', 'c']],
    ['# a comment\nalpha\n  # another\nbeta', ['alpha', 'beta']],
    [',,\n , ', []],
    ['a\r\nb', ['a', 'b']]
  ])('%j → %j', (raw, expected) => {
    expect(parseList(raw)).toEqual(expected)
  })
})

describe('parseEnumList', () => {
  const TOOLS = ['black', 'isort', 'flake8', 'mypy'] as const

  test.each([
    ['black', ['black']],
    ['black, mypy', ['black', 'mypy']],
    ['MYPY\nBlack', ['mypy', 'black']],
    ['black,black, mypy', ['black', 'mypy']],
    ['', []],
    ['# only comments', []]
  ])('%j → %j', (raw, expected) => {
    expect(parseEnumList('tools', raw, TOOLS)).toEqual(expected)
  })

  test.each([
    ['pylint', 'pylint'],
    ['black, ruff', 'ruff'],
    ['mypy\nblak', 'blak']
  ])('rejects %j naming the bad item %j and the allowed values', (raw, bad) => {
    const message = expectBadInput(() => parseEnumList('tools', raw, TOOLS), 'tools', bad, TOOLS)
    expect(message).toContain(`"${bad}"`)
    expect(message).toContain('allowed values are black, isort, flake8, mypy')
  })
})

describe('parseInteger', () => {
  test.each([
    ['1', {}, 1],
    ['  42 ', {}, 42],
    ['+7', {}, 7],
    ['-3', {}, -3],
    ['0', { min: 0, max: 10 }, 0],
    ['10', { min: 0, max: 10 }, 10],
    ['64', { min: 1, max: 64 }, 64],
    ['007', { min: 1, max: 64 }, 7]
  ])('%j within %j → %d', (raw, range, expected) => {
    expect(parseInteger('max-parallel', raw, range)).toBe(expected)
  })

  test('empty gives the fallback', () => {
    expect(parseInteger('max-parallel', '', { min: 1, max: 64 }, 4)).toBe(4)
    expect(parseInteger('max-parallel', '  ', { min: 1, max: 64 }, 8)).toBe(8)
  })

  test.each([
    ['0', { min: 1, max: 64 }],
    ['65', { min: 1, max: 64 }],
    ['-1', { min: 0 }],
    ['1.5', { min: 1, max: 64 }],
    ['ten', { min: 1, max: 64 }],
    ['1e3', {}],
    ['0x10', {}],
    ['4 cores', { min: 1, max: 64 }]
  ])('rejects %j within %j', (bad, range) => {
    const message = expectBadInput(() => parseInteger('max-parallel', bad, range), 'max-parallel', bad)
    expect(message).toContain('whole number')
  })

  test('the message states the range', () => {
    const message = expectBadInput(() => parseInteger('max-parallel', '99', { min: 1, max: 64 }), 'max-parallel', '99')
    expect(message).toContain('from 1 to 64')
  })

  test('empty without a fallback is an error', () => {
    expectBadInput(() => parseInteger('max-parallel', '', { min: 1, max: 64 }), 'max-parallel', '""')
  })
})

describe('parsePercent', () => {
  test.each([
    ['10%', 10],
    ['10', 10],
    ['2.5%', 2.5],
    [' 0% ', 0],
    ['100 %', 100],
    ['150%', 150]
  ])('%j → %d', (raw, expected) => {
    expect(parsePercent('threshold', raw)).toBe(expected)
  })

  test('empty gives the fallback', () => {
    expect(parsePercent('threshold', '', 5)).toBe(5)
  })

  test.each(['ten', '-5%', '%', '10%%', '1,5%', '200000%', '.5'])('rejects %j', (bad) => {
    const message = expectBadInput(() => parsePercent('threshold', bad), 'threshold', bad)
    expect(message).toContain('percentage')
  })
})

describe('parseDuration', () => {
  test.each([
    ['90', 90_000],
    ['1.5', 1500],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['2m30s', 150_000],
    ['1.5h', 5_400_000],
    [' 30S ', 30_000],
    ['1h1m1s1ms', 3_661_001]
  ])('%j → %d ms', (raw, expected) => {
    expect(parseDuration('timeout', raw)).toBe(expected)
  })

  test('empty gives the fallback', () => {
    expect(parseDuration('timeout', '', 1234)).toBe(1234)
  })

  test.each(['soon', '10 m', '10x', '1h30', 'm10', '-5s', '10m!', '1d'])('rejects %j', (bad) => {
    const message = expectBadInput(() => parseDuration('timeout', bad), 'timeout', bad)
    expect(message).toContain('duration')
  })

  test('empty without a fallback is an error', () => {
    expectBadInput(() => parseDuration('timeout', ''), 'timeout', '""')
  })
})

describe('parseInsidePath', () => {
  test.each([
    ['src', path.join(ROOT, 'src')],
    ['.', ROOT],
    ['./packages/a', path.join(ROOT, 'packages', 'a')],
    ['a/../b', path.join(ROOT, 'b')],
    [path.join(ROOT, 'deep', 'dir'), path.join(ROOT, 'deep', 'dir')],
    ['..cache', path.join(ROOT, '..cache')]
  ])('%j → %j', (raw, expected) => {
    expect(parseInsidePath('working-directory', raw, ROOT)).toBe(expected)
  })

  test('relative paths resolve against the base', () => {
    const base = path.join(ROOT, 'sub')
    expect(parseInsidePath('report-dir', 'x', ROOT, base)).toBe(path.join(ROOT, 'sub', 'x'))
    expect(parseInsidePath('report-dir', '../y', ROOT, base)).toBe(path.join(ROOT, 'y'))
  })

  test.each([
    ['..', 'the workspace'],
    ['../outside', 'the workspace'],
    ['a/../../b', 'the workspace'],
    [path.resolve('/etc'), 'the workspace'],
    [path.resolve('/workspace/repo-other'), 'the workspace']
  ])('rejects %j', (bad, hint) => {
    const message = expectBadInput(() => parseInsidePath('working-directory', bad, ROOT), 'working-directory', bad)
    expect(message).toContain(hint)
    expect(message).toContain(ROOT)
  })

  test('an escape relative to the base is refused too', () => {
    const base = path.join(ROOT, 'sub')
    expectBadInput(() => parseInsidePath('report-dir', '../../z', ROOT, base), 'report-dir', '../../z')
  })

  test('empty is an error', () => {
    const message = expectBadInput(() => parseInsidePath('working-directory', '  ', ROOT), 'working-directory', '"  "')
    expect(message).toContain('inside the workspace')
  })
})

describe('isInside', () => {
  test.each([
    [ROOT, true],
    [path.join(ROOT, 'a'), true],
    [path.join(ROOT, 'a', '..', 'b'), true],
    [path.join(ROOT, '..foo'), true],
    [path.join(ROOT, '..'), false],
    [path.resolve('/workspace/repo2'), false],
    [path.resolve('/elsewhere'), false]
  ])('%j inside the root → %s', (candidate, expected) => {
    expect(isInside(ROOT, candidate)).toBe(expected)
  })
})

describe('InputReader', () => {
  test('reads each input by name and reports the right name on errors', () => {
    const io = createMemoryIO({
      flag: 'yes',
      mode: 'Project',
      items: 'a, b\nc',
      tools: 'mypy',
      count: '3',
      pct: '12.5%',
      wait: '1m',
      dir: 'sub',
      name: '  padded  ',
      bad: 'nope'
    })
    const reader = new InputReader(io)
    expect(reader.boolean('flag')).toBe(true)
    expect(reader.boolean('unset', true)).toBe(true)
    expect(reader.enumeration('mode', ['auto', 'project'] as const)).toBe('project')
    expect(reader.list('items')).toEqual(['a', 'b', 'c'])
    expect(reader.enumList('tools', ['black', 'mypy'] as const, ['black'])).toEqual(['mypy'])
    expect(reader.enumList('unset', ['black', 'mypy'] as const, ['black'])).toEqual(['black'])
    expect(reader.integer('count', { min: 1, max: 5 })).toBe(3)
    expect(reader.percent('pct')).toBe(12.5)
    expect(reader.duration('wait')).toBe(60_000)
    expect(reader.insidePath('dir', ROOT)).toBe(path.join(ROOT, 'sub'))
    expect(reader.string('name')).toBe('padded')
    expect(reader.string('unset', 'fallback')).toBe('fallback')
    expect(reader.raw('unset')).toBe('')
    expectBadInput(() => reader.boolean('bad'), 'bad', 'nope')
    expectBadInput(() => reader.enumeration('bad', ['x', 'y'] as const), 'bad', 'nope', ['x', 'y'])
    expectBadInput(() => reader.enumList('bad', ['x', 'y'] as const, []), 'bad', 'nope', ['x', 'y'])
    expectBadInput(() => reader.integer('bad', {}), 'bad', 'nope')
    expectBadInput(() => reader.percent('bad'), 'bad', 'nope')
    expectBadInput(() => reader.duration('bad'), 'bad', 'nope')
  })

  test('secret masks the value through io.setSecret before returning it', () => {
    const io = createMemoryIO({ token: '  s3cr3t-value  ' })
    const order: string[] = []
    const setSecret = io.setSecret
    io.setSecret = (value: string): void => {
      order.push(`mask:${value}`)
      setSecret(value)
    }
    const reader = new InputReader(io)
    const value = reader.secret('token')
    order.push('returned')
    expect(value).toBe('s3cr3t-value')
    // With its Basic-header form (`__token__:<token>`), which an echoing server could repeat.
    const basic = Buffer.from('__token__:s3cr3t-value').toString('base64')
    expect(io.secrets).toEqual(['s3cr3t-value', basic])
    expect(order).toEqual(['mask:s3cr3t-value', `mask:${basic}`, 'returned'])
  })

  test('timeLimit: a positive duration, its fallback when unset', () => {
    const reader = new InputReader(createMemoryIO({ timeout: '90s', zero: '0', bad: 'soon' }))
    expect(reader.timeLimit('timeout', 1000)).toBe(90_000)
    expect(reader.timeLimit('unset', 15 * 60_000)).toBe(15 * 60_000)
    expect(userError(() => reader.timeLimit('zero', 1000)).message).toBe(
      'Input \'zero\' has an invalid value "0": expected a positive duration such as 90s, 15m or 1h.'
    )
    expect(userError(() => reader.timeLimit('bad', 1000)).message).toContain('expected a duration')
  })

  test('an empty secret is not masked', () => {
    const io = createMemoryIO({})
    expect(new InputReader(io).secret('token')).toBe('')
    expect(io.secrets).toEqual([])
  })
})
