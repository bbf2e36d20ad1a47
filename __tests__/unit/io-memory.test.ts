import { isUserError, errorMessage, UserError } from '../../packages-shared/errors.js'
import { runnerTemp, workspaceDir } from '../../packages-shared/io.js'
import { createMemoryIO } from '../helpers/io-memory.js'

describe('createMemoryIO', () => {
  test('reads trimmed inputs and records everything the action says', async () => {
    const env: Record<string, string | undefined> = { A: '1' }
    const io = createMemoryIO({ name: '  value  ' }, env)
    expect(io.getInput('name')).toBe('value')
    expect(io.getInput('missing')).toBe('')
    io.setOutput('o', 'v')
    io.setSecret('s')
    io.saveState('k', 'state')
    io.exportVariable('B', '2')
    io.debug('d')
    io.info('i')
    io.toolOutput('::add-mask::from a tool')
    io.toolOutput('')
    io.notice('n')
    io.warning('w')
    io.error('e')
    io.annotate('warning', 'm', { file: 'f.py', startLine: 2 })
    const result = await io.group('G', async () => 42)
    await io.appendSummary('# one\n')
    await io.appendSummary('two\n')
    io.setFailed('failed!')
    expect(result).toBe(42)
    expect(io.outputs).toEqual({ o: 'v' })
    expect(io.secrets).toEqual(['s'])
    expect(io.getState('k')).toBe('state')
    expect(io.getState('none')).toBe('')
    expect(env.B).toBe('2')
    expect(io.env.B).toBe('2')
    expect(io.logs).toEqual([
      { level: 'debug', message: 'd' },
      { level: 'info', message: 'i' },
      // Tool output is kept apart from our messages; an empty one prints nothing.
      { level: 'tool', message: '::add-mask::from a tool' },
      { level: 'notice', message: 'n' },
      { level: 'warning', message: 'w' },
      { level: 'error', message: 'e' },
      { level: 'group', message: 'G' }
    ])
    expect(io.annotations).toEqual([{ severity: 'warning', message: 'm', file: 'f.py', startLine: 2 }])
    expect(io.summary).toBe('# one\ntwo\n')
    expect(io.failed).toBe('failed!')
    expect(io.isDebug()).toBe(false)
  })
})

describe('io helpers', () => {
  test('runnerTemp and workspaceDir prefer the runner variables', () => {
    expect(runnerTemp(createMemoryIO({}, { RUNNER_TEMP: '/rt' }), '/tmp')).toBe('/rt')
    expect(runnerTemp(createMemoryIO({}, {}), '/tmp')).toBe('/tmp')
    expect(workspaceDir(createMemoryIO({}, { GITHUB_WORKSPACE: '/ws' }), '/cwd')).toBe('/ws')
    expect(workspaceDir(createMemoryIO({}, { GITHUB_WORKSPACE: '' }), '/cwd')).toBe('/cwd')
  })
})

describe('errors', () => {
  test('UserError is an Error named UserError', () => {
    const e = new UserError('fix it')
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('UserError')
    expect(e.message).toBe('fix it')
    expect(isUserError(e)).toBe(true)
    expect(isUserError(new Error('x'))).toBe(false)
    expect(isUserError('x')).toBe(false)
  })

  test('errorMessage handles errors and other values', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad')
    expect(errorMessage('text')).toBe('text')
    expect(errorMessage(42)).toBe('42')
  })
})
