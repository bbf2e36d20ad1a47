import * as core from '@actions/core'
import type { ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  buildInputEnv,
  collectCommands,
  inputVariable,
  parseFileCommand,
  readManifest,
  runLocalAction,
  type ActionManifest
} from '../../cli/local-runner.js'
import { parseCommandLine as parseWorkflowCommand } from '../../packages-shared/workflow-commands.js'
import { tempDirs, userError } from './helpers/assertions.js'

const tempDir = tempDirs('dk-local-')

describe('parseFileCommand', () => {
  const D1 = 'ghadelimiter_8d5e2f0a-7b0c-4c9e-9f0e-3f1b2c4d5e6f'
  const D2 = 'ghadelimiter_0b7c0a3e-1d2f-4e5a-8b9c-6d7e8f9a0b1c'

  test('reads heredocs exactly as @actions/core writes them', () => {
    const text = `report<<${D1}\n/tmp/report.json\n${D1}\nsummary<<${D2}\nline one\n\nline three = x\n${D2}\n`
    expect(parseFileCommand(text)).toEqual({
      report: '/tmp/report.json',
      summary: 'line one\n\nline three = x'
    })
  })

  test('reads plain key=value lines, keeping = in values', () => {
    expect(parseFileCommand('passed=true\nurl=https://x.test/?a=1&b=2\n')).toEqual({
      passed: 'true',
      url: 'https://x.test/?a=1&b=2'
    })
  })

  test('mixes heredocs and plain lines, with CRLF line ends', () => {
    const text = `a=1\r\nb<<${D1}\r\nmulti\r\nline\r\n${D1}\r\nc=3\r\n`
    expect(parseFileCommand(text)).toEqual({ a: '1', b: 'multi\nline', c: '3' })
  })

  test('an empty heredoc value and an empty plain value', () => {
    expect(parseFileCommand(`empty<<${D1}\n\n${D1}\nblank=\n`)).toEqual({ empty: '', blank: '' })
  })

  test('a value line that looks like a heredoc start stays part of the value', () => {
    expect(parseFileCommand(`v<<${D1}\nother<<EOF\nx=1\n${D1}\n`)).toEqual({ v: 'other<<EOF\nx=1' })
  })

  test('a plain value containing << is not a heredoc', () => {
    expect(parseFileCommand('shift=a<<b\nnext=1\n')).toEqual({ shift: 'a<<b', next: '1' })
  })

  test('the last write of a key wins; junk lines are ignored', () => {
    expect(parseFileCommand('k=1\njunk\n=nokey\nk=2\n')).toEqual({ k: '2' })
  })

  test('round-trips what @actions/core setOutput writes', () => {
    const file = path.join(tempDir(), 'output')
    fs.writeFileSync(file, '')
    const saved = process.env.GITHUB_OUTPUT
    process.env.GITHUB_OUTPUT = file
    try {
      core.setOutput('passed', true)
      core.setOutput('multi', 'first\nsecond = 2\n::not-a-command::')
      core.setOutput('count', 42)
    } finally {
      if (saved === undefined) delete process.env.GITHUB_OUTPUT
      else process.env.GITHUB_OUTPUT = saved
    }
    const text = fs.readFileSync(file, 'utf8')
    expect(text).toMatch(/^passed<<ghadelimiter_[0-9a-f-]{36}\n/)
    expect(parseFileCommand(text)).toEqual({
      passed: 'true',
      multi: 'first\nsecond = 2\n::not-a-command::',
      count: '42'
    })
  })
})

describe('parseWorkflowCommand', () => {
  test('parses a command with escaped properties and message', () => {
    expect(parseWorkflowCommand('::error file=src/a%2Cb.py,line=3,col=7,title=flake8 E501%3A too long::first%0Asecond%25')).toEqual({
      command: 'error',
      props: { file: 'src/a,b.py', line: '3', col: '7', title: 'flake8 E501: too long' },
      message: 'first\nsecond%'
    })
  })

  test('parses commands without properties', () => {
    expect(parseWorkflowCommand('::add-mask::s3cret')).toEqual({
      command: 'add-mask',
      props: {},
      message: 's3cret'
    })
    expect(parseWorkflowCommand('::endgroup::')).toEqual({
      command: 'endgroup',
      props: {},
      message: ''
    })
    expect(parseWorkflowCommand('::debug::a::b')).toEqual({
      command: 'debug',
      props: {},
      message: 'a::b'
    })
  })

  test('an escaped property with a newline', () => {
    expect(parseWorkflowCommand('::warning title=a%0Ab%0Dc::m')!.props).toEqual({
      title: 'a\nb\rc'
    })
  })

  test.each(['plain log line', ':: no command', '::no-such-command::x', ''])('%j is not a command', (line) => {
    expect(parseWorkflowCommand(line)).toBeUndefined()
  })

  test('reads upper-case and indented commands as the runner does', () => {
    expect(parseWorkflowCommand('::Error::upper case')).toEqual({ command: 'error', props: {}, message: 'upper case' })
    expect(parseWorkflowCommand('  ::error::indented')).toEqual({ command: 'error', props: {}, message: 'indented' })
  })

  test('round-trips what @actions/core prints, including literal escape sequences', () => {
    const written: string[] = []
    const original = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string | Uint8Array): boolean => {
      written.push(String(chunk))
      return true
    }) as typeof process.stdout.write
    try {
      core.error('bad thing\non two lines, 100%', {
        title: 'mypy: arg-type, %3A literal',
        file: 'pkg/a,b:c.py',
        startLine: 12,
        startColumn: 5
      })
      core.warning('w')
      core.setSecret('hunter2')
    } finally {
      process.stdout.write = original
    }
    const commands = written
      .join('')
      .split(os.EOL)
      .filter(Boolean)
      .map((line) => parseWorkflowCommand(line))
    expect(commands).toEqual([
      {
        command: 'error',
        props: { title: 'mypy: arg-type, %3A literal', file: 'pkg/a,b:c.py', line: '12', col: '5' },
        message: 'bad thing\non two lines, 100%'
      },
      { command: 'warning', props: {}, message: 'w' },
      { command: 'add-mask', props: {}, message: 'hunter2' }
    ])
  })
})

describe('inputVariable', () => {
  test.each([
    ['who-to-greet', 'INPUT_WHO-TO-GREET'],
    ['working-directory', 'INPUT_WORKING-DIRECTORY'],
    ['my input', 'INPUT_MY_INPUT'],
    ['two  spaces', 'INPUT_TWO__SPACES'],
    ['snake_case', 'INPUT_SNAKE_CASE']
  ])('%j → %j', (name, expected) => {
    expect(inputVariable(name)).toBe(expected)
  })

  test('matches what @actions/core getInput reads', () => {
    const name = 'who-to greet'
    process.env[inputVariable(name)] = '  Mona  '
    try {
      expect(core.getInput(name)).toBe('Mona')
    } finally {
      delete process.env[inputVariable(name)]
    }
  })
})

describe('buildInputEnv', () => {
  const manifest: ActionManifest = {
    name: 'Greeter',
    inputs: {
      'who-to-greet': { default: 'World' },
      'fail-on': { default: 'error' },
      token: { required: true },
      extra: {}
    },
    outputs: {},
    runs: { using: 'node20', main: 'dist/index.js' }
  }

  test('applies defaults and sets every input', () => {
    expect(buildInputEnv(manifest, { token: 'abc' })).toEqual({
      'INPUT_WHO-TO-GREET': 'World',
      'INPUT_FAIL-ON': 'error',
      INPUT_TOKEN: 'abc',
      INPUT_EXTRA: ''
    })
  })

  test('given values override defaults, even empty ones', () => {
    expect(buildInputEnv(manifest, { token: 't', 'who-to-greet': 'Mona', 'fail-on': '' })).toMatchObject({
      'INPUT_WHO-TO-GREET': 'Mona',
      'INPUT_FAIL-ON': ''
    })
  })

  test('rejects unknown inputs, listing the known ones', () => {
    const error = userError(() => buildInputEnv(manifest, { token: 't', 'who-to-gret': 'x' }))
    expect(error.message).toBe("Unknown input 'who-to-gret' for Greeter. Its inputs are: who-to-greet, fail-on, token, extra.")
  })

  test('a required input without a value is refused', () => {
    expect(userError(() => buildInputEnv(manifest, {})).message).toBe("Input 'token' is required by Greeter.")
  })
})

describe('readManifest', () => {
  test('reads inputs with defaults as strings', () => {
    const dir = tempDir()
    const file = path.join(dir, 'action.yml')
    fs.writeFileSync(
      file,
      [
        'name: Demo',
        'description: A demo',
        'inputs:',
        '  count:',
        '    default: 4',
        '  strict:',
        '    default: true',
        '  plain:',
        '    description: no default',
        '  bare:',
        'outputs:',
        '  passed:',
        '    description: yes or no',
        'runs:',
        '  using: node20',
        '  main: dist/index.js',
        ''
      ].join('\n')
    )
    const m = readManifest(file)
    expect(m.name).toBe('Demo')
    expect(m.inputs).toEqual({
      count: { default: '4' },
      strict: { default: 'true' },
      plain: { description: 'no default', default: undefined },
      bare: { default: undefined }
    })
    expect(m.outputs).toEqual({ passed: { description: 'yes or no' } })
    expect(m.runs).toEqual({ using: 'node20', main: 'dist/index.js' })
  })

  test('a file without runs is not a manifest', () => {
    const file = path.join(tempDir(), 'action.yml')
    fs.writeFileSync(file, 'name: x\n')
    expect(() => readManifest(file)).toThrow('is not an action manifest')
  })
})

describe('runLocalAction', () => {
  test('runs a JavaScript action the way the runner does', async () => {
    const actionDir = tempDir('dk-local-action-')
    const workspace = tempDir('dk-local-ws-')
    fs.writeFileSync(
      path.join(actionDir, 'action.yml'),
      [
        'name: Probe',
        'inputs:',
        '  who-to-greet:',
        '    default: World',
        '  my input:',
        '    default: ""',
        'runs:',
        '  using: node20',
        '  main: main.mjs',
        ''
      ].join('\n')
    )
    fs.writeFileSync(
      path.join(actionDir, 'main.mjs'),
      `import * as fs from 'node:fs'
const env = process.env
const d = 'ghadelimiter_11111111-2222-3333-4444-555555555555'
fs.appendFileSync(env.GITHUB_OUTPUT, 'greeting<<' + d + '\\nHello ' + env['INPUT_WHO-TO-GREET'] + '\\n' + d + '\\n')
fs.appendFileSync(env.GITHUB_OUTPUT, 'cwd=' + process.cwd() + '\\n')
fs.appendFileSync(env.GITHUB_OUTPUT, 'space=' + env.INPUT_MY_INPUT + '\\n')
fs.appendFileSync(env.GITHUB_OUTPUT, 'temp=' + env.RUNNER_TEMP + '\\n')
fs.appendFileSync(env.GITHUB_OUTPUT, 'leak=' + (env.INPUT_LEAKED ?? 'none') + '\\n')
fs.appendFileSync(env.GITHUB_STATE, 'phase=main\\n')
fs.appendFileSync(env.GITHUB_ENV, 'EXPORTED=yes\\n')
fs.appendFileSync(env.GITHUB_STEP_SUMMARY, '## Summary\\n')
console.log('::add-mask::topsecret')
console.log('::error file=a%2Cb.py,line=2::broken%0Athing')
console.log('::notice::fyi')
console.log('plain line')
process.exitCode = 3
`
    )
    const saved = process.env.INPUT_LEAKED
    process.env.INPUT_LEAKED = 'from-host'
    let result
    try {
      result = await runLocalAction({
        actionDir,
        workspace,
        inputs: { 'my input': 'spaced' },
        timeoutMs: 30_000
      })
    } finally {
      if (saved === undefined) delete process.env.INPUT_LEAKED
      else process.env.INPUT_LEAKED = saved
    }
    tempDir.track(result.runnerDir)
    expect(result.exitCode).toBe(3)
    expect(result.outputs).toEqual({
      greeting: 'Hello World',
      cwd: fs.realpathSync(workspace),
      space: 'spaced',
      temp: path.join(result.runnerDir, 'temp'),
      leak: 'none'
    })
    expect(result.state).toEqual({ phase: 'main' })
    expect(result.exportedEnv).toEqual({ EXPORTED: 'yes' })
    expect(result.summary).toBe('## Summary\n')
    expect(result.masks).toEqual(['topsecret'])
    expect(result.annotations).toEqual([
      { severity: 'error', message: 'broken\nthing', props: { file: 'a,b.py', line: '2' } },
      { severity: 'notice', message: 'fyi', props: {} }
    ])
    expect(result.stdout).toContain('plain line')
  }, 30_000)

  test('onSpawn hands over the action process: killed with SIGKILL, the run ends with what it wrote so far', async () => {
    const actionDir = tempDir('dk-local-action-')
    fs.writeFileSync(path.join(actionDir, 'action.yml'), 'name: Forever\nruns:\n  using: node20\n  main: main.mjs\n')
    fs.writeFileSync(
      path.join(actionDir, 'main.mjs'),
      "import * as fs from 'node:fs'\nfs.appendFileSync(process.env.GITHUB_OUTPUT, 'started=yes\\n')\nconsole.log('ready')\nsetInterval(() => {}, 1000)\n"
    )
    let child: ChildProcess | undefined
    const result = await runLocalAction({
      actionDir,
      workspace: tempDir(),
      onSpawn: (c) => (child = c),
      onOutput: (chunk) => {
        if (chunk.includes('ready')) child!.kill('SIGKILL')
      },
      timeoutMs: 30_000
    })
    tempDir.track(result.runnerDir)
    expect(child!.signalCode).toBe('SIGKILL')
    expect(result.exitCode).not.toBe(0)
    expect(result.outputs).toEqual({ started: 'yes' })
  }, 30_000)

  test('an unknown input is refused before anything runs', async () => {
    const actionDir = tempDir('dk-local-action-')
    fs.writeFileSync(
      path.join(actionDir, 'action.yml'),
      'name: Tiny\ninputs:\n  a:\n    default: x\nruns:\n  using: node20\n  main: main.mjs\n'
    )
    await expect(runLocalAction({ actionDir, workspace: tempDir(), inputs: { b: '1' } })).rejects.toThrow(
      "Unknown input 'b' for Tiny. Its inputs are: a."
    )
  })

  test('a directory without action.yml and a composite action are refused', async () => {
    const empty = tempDir()
    await expect(runLocalAction({ actionDir: empty, workspace: empty })).rejects.toThrow(`No action.yml in ${empty}.`)
    const composite = tempDir()
    fs.writeFileSync(path.join(composite, 'action.yml'), 'name: C\nruns:\n  using: composite\n  steps: []\n')
    await expect(runLocalAction({ actionDir: composite, workspace: composite })).rejects.toThrow('is not a JavaScript action')
  })
})

describe('collectCommands', () => {
  test('obeys what the runner obeys: nothing inside stop-commands, set-output and save-state outside', () => {
    const stdout = [
      '::add-mask::ours',
      '::stop-commands::0123456789abcdef',
      '::error file=x.py,line=1::forged',
      '::set-output name=passed::true',
      '::add-mask::dk',
      '::0123456789abcdef::',
      '::set-output name=legacy::v',
      '::save-state name=s::1',
      '  ::warning::indented'
    ].join('\n')
    const obeyed = collectCommands({ stdout, stderr: '::error::from stderr\n' })
    expect(obeyed.masks).toEqual(['ours'])
    expect(obeyed.outputs).toEqual({ legacy: 'v' })
    expect(obeyed.state).toEqual({ s: '1' })
    expect(obeyed.annotations).toEqual([
      { severity: 'warning', message: 'indented', props: {} },
      { severity: 'error', message: 'from stderr', props: {} }
    ])
    expect(obeyed.commands.map((c) => `${c.stream}:${c.command}`)).toEqual([
      'stdout:add-mask',
      'stdout:set-output',
      'stdout:save-state',
      'stdout:warning',
      'stderr:error'
    ])
  })

  test('runLocalAction: a set-output command is an output, and the output file wins over it', async () => {
    const actionDir = tempDir('dk-local-action-')
    const workspace = tempDir('dk-local-ws-')
    fs.writeFileSync(path.join(actionDir, 'action.yml'), 'name: Probe\nruns:\n  using: node20\n  main: main.mjs\n')
    fs.writeFileSync(
      path.join(actionDir, 'main.mjs'),
      `import * as fs from 'node:fs'
console.log('::set-output name=passed::true')
console.log('::set-output name=forged::yes')
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'passed=false\\n')
`
    )
    const result = await runLocalAction({ actionDir, workspace, timeoutMs: 30_000 })
    tempDir.track(result.runnerDir)
    expect(result.outputs).toEqual({ passed: 'false', forged: 'yes' })
    expect(result.commands.map((c) => c.command)).toEqual(['set-output', 'set-output'])
  }, 30_000)
})
