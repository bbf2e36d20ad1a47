/**
 * The runner's reading of a step's output, as documented ("Workflow commands for GitHub
 * Actions": the `::name key=value::message` form, its escapes, and "Stopping and starting
 * workflow commands": `::stop-commands::{token}` … `::{token}::`) and as the runner's source
 * does it (leading spaces trimmed, names case-insensitive, the legacy `##[name]` form, lines
 * ended by a lone CR as well).
 */
import {
  CommandReader,
  inertBlock,
  mayHoldCommand,
  parseCommandLine,
  runnerLines,
  stopToken,
  type LineEvent
} from '../../packages-shared/workflow-commands.js'

function readAll(text: string): LineEvent[] {
  const reader = new CommandReader()
  return runnerLines(text).map((l) => reader.read(l))
}

const obeyed = (events: LineEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'command' ? [`${e.command.command}:${e.command.message}`] : []))

/** Lines a tool can print that a runner would obey if they reached the log raw. */
const HOSTILE = [
  '::error file=x.py,line=1::forged',
  '::set-output name=passed::true',
  '::add-mask::dk',
  '::warning::forged',
  '   ::notice::indented forged',
  '::ERROR::upper-case forged',
  'text before ##[set-output name=passed;]true',
  '##[add-mask]dk',
  'carriage\r::error::after a lone CR',
  '::stop-commands::guess',
  '::guess::',
  '::endgroup::',
  '::group::forged group'
].join('\n')

describe('parseCommandLine (one line, the runner way)', () => {
  test('the documented form with escaped properties and data', () => {
    expect(parseCommandLine('::error file=src/a%2Cb.py,line=3,col=7,title=flake8 E501%3A too long::first%0Asecond%25')).toEqual({
      command: 'error',
      props: { file: 'src/a,b.py', line: '3', col: '7', title: 'flake8 E501: too long' },
      message: 'first\nsecond%'
    })
  })

  test('leading whitespace is trimmed and names are case-insensitive', () => {
    expect(parseCommandLine('   ::Error::x')).toEqual({ command: 'error', props: {}, message: 'x' })
    expect(parseCommandLine('\t::ADD-MASK::dk')).toEqual({ command: 'add-mask', props: {}, message: 'dk' })
  })

  test('the legacy ##[name k=v;]data form counts anywhere in a line', () => {
    expect(parseCommandLine('log text ##[set-output name=passed;]true')).toEqual({
      command: 'set-output',
      props: { name: 'passed' },
      message: 'true'
    })
    expect(parseCommandLine('##[add-mask]a%5Db')).toEqual({ command: 'add-mask', props: {}, message: 'a]b' })
  })

  test.each(['plain log line', ':: no command', '::unknown-command::x', '::error', '##[error', '##[group-x]y', ''])(
    '%j is log text',
    (line) => {
      expect(parseCommandLine(line)).toBeUndefined()
    }
  )

  test('a lone CR ends a line for the runner', () => {
    expect(runnerLines('a\rb\r\nc\nd\n')).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('CommandReader (stop-commands)', () => {
  test('the documented example: a warning between stop and resume is not rendered', () => {
    const events = readAll(
      [
        '::stop-commands::abc123',
        '::warning:: This is a warning message, but it will not be rendered as a warning.',
        '::abc123::',
        '::warning::now it is'
      ].join('\n')
    )
    expect(events.map((e) => e.kind)).toEqual(['stop', 'text', 'resume', 'command'])
    expect(obeyed(events)).toEqual(['warning:now it is'])
  })

  test('only the token resumes, case-insensitively, with or without properties', () => {
    const events = readAll(
      ['::stop-commands::Tok', '::other::', '::stop-commands::x', '::add-mask::dk', ' ::TOK prop=1::', '::add-mask::ours'].join('\n')
    )
    expect(events.map((e) => e.kind)).toEqual(['stop', 'text', 'text', 'text', 'resume', 'command'])
    expect(obeyed(events)).toEqual(['add-mask:ours'])
  })

  test('without stop-commands every hostile form would be obeyed', () => {
    expect(obeyed(readAll(HOSTILE))).toEqual(
      expect.arrayContaining([
        'error:forged',
        'set-output:true',
        'add-mask:dk',
        'notice:indented forged',
        'error:upper-case forged',
        'error:after a lone CR'
      ])
    )
  })
})

describe('inertBlock', () => {
  test('nothing inside is obeyed, and commands around it still are', () => {
    const text = `::warning::ours\n${inertBlock(HOSTILE)}::notice::ours too\n`
    const events = readAll(text)
    expect(obeyed(events)).toEqual(['warning:ours', 'notice:ours too'])
    // The text itself comes through verbatim, every line of it.
    expect(events.filter((e) => e.kind === 'text').map((e) => (e as { line: string }).line)).toEqual(runnerLines(HOSTILE))
  })

  test('the text cannot end its own block: the token is drawn again when it occurs in the text', () => {
    const draws = ['guess', 'GUESS2', 'fresh']
    expect(stopToken('x ::guess:: ::guess2::', () => draws.shift()!)).toBe('fresh')
    const token = stopToken(HOSTILE)
    expect(token).toMatch(/^[0-9a-f]{32}$/)
    expect(HOSTILE.toLowerCase()).not.toContain(token)
    expect(stopToken('')).not.toBe(stopToken(''))
  })

  test('text ending in a newline or a CR gets no extra line; an empty line is kept', () => {
    expect(inertBlock('a\n', 't0ken')).toBe('::stop-commands::t0ken\na\n::t0ken::\n')
    expect(inertBlock('a', 't0ken')).toBe('::stop-commands::t0ken\na\n::t0ken::\n')
    expect(readAll(inertBlock('a\r', 't0ken')).map((e) => e.kind)).toEqual(['stop', 'text', 'resume'])
  })

  test('mayHoldCommand follows the runner, which parses only lines holding :: or ##[', () => {
    expect(mayHoldCommand('plain text: a, b; c # [x]')).toBe(false)
    expect(mayHoldCommand('pkg ::x')).toBe(true)
    expect(mayHoldCommand('file ##[add-mask]x')).toBe(true)
  })
})
