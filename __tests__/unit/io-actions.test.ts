/**
 * What the real runner binding writes to stdout, read back the runner's way: tool output and
 * our messages never carry a command; our annotations, masks and groups are exactly the
 * commands we meant, whatever text or file names they hold (@actions/core escapes them).
 */
import { createActionsIO } from '../../packages-shared/io-actions.js'
import { collectCommands } from '../../cli/local-runner.js'
import { runnerLines } from '../../packages-shared/workflow-commands.js'

const FORGED = [
  '::error file=x.py,line=1::forged',
  '::set-output name=passed::true',
  '::add-mask::dk',
  '::warning::forged',
  '  ::notice::forged',
  '##[add-mask]dk',
  'a\r::error::forged after CR',
  '::stop-commands::guess',
  '::guess::',
  '::endgroup::'
].join('\n')

/** Runs fn with stdout captured (and process.exitCode restored, since setFailed sets it). */
async function captureStdout(fn: () => void | Promise<void>): Promise<string> {
  const written: string[] = []
  const original = process.stdout.write.bind(process.stdout)
  const exitCode = process.exitCode
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    written.push(String(chunk))
    return true
  }) as typeof process.stdout.write
  try {
    await fn()
  } finally {
    process.stdout.write = original
    process.exitCode = exitCode
  }
  return written.join('')
}

describe('createActionsIO output', () => {
  test('toolOutput prints the text verbatim, and the runner obeys none of it', async () => {
    const io = createActionsIO()
    const out = await captureStdout(() => {
      io.toolOutput(FORGED)
      io.toolOutput('')
    })
    const obeyed = collectCommands({ stdout: out, stderr: '' })
    expect(obeyed.commands).toEqual([])
    expect(out).toContain(FORGED)
    // Every line is inside one block: stop, the text, resume.
    const lines = runnerLines(out)
    expect(lines[0]).toMatch(/^::stop-commands::[0-9a-f]{32}$/)
    expect(lines[lines.length - 1]).toBe(`::${lines[0]!.slice('::stop-commands::'.length)}::`)
  })

  test('each call draws a fresh token', async () => {
    const io = createActionsIO()
    const out = await captureStdout(() => {
      io.toolOutput('one')
      io.toolOutput('two')
    })
    const tokens = runnerLines(out).filter((l) => l.startsWith('::stop-commands::'))
    expect(new Set(tokens).size).toBe(2)
  })

  test('info keeps plain messages plain and makes a message naming a hostile file inert', async () => {
    const io = createActionsIO()
    const out = await captureStdout(() => {
      io.info('Checking 3 package(s).')
      io.info(`fix changed 1 file(s):\npkg/${FORGED}.py`)
    })
    expect(out.startsWith('Checking 3 package(s).\n')).toBe(true)
    expect(collectCommands({ stdout: out, stderr: '' }).commands).toEqual([])
  })

  test('our annotations, masks, groups and failures are exactly the commands we issue, whatever they hold', async () => {
    const io = createActionsIO()
    const file = 'pkg/a,b:c%d\n::error file=y.py::forged.py'
    const out = await captureStdout(async () => {
      io.annotate('error', `E1 bad\n${FORGED}`, { title: 'flake8 E1: x, y', file, startLine: 3, startColumn: 2 })
      io.warning(`w\n${FORGED}`)
      io.notice('n')
      io.debug(`d\n${FORGED}`)
      io.setSecret('s3cret\n::add-mask::dk')
      await io.group(`group ${FORGED}`, async () => io.toolOutput(FORGED))
      // A UserError message with a tool's stderr tail, as python/venv.ts builds them.
      io.setFailed(`uv sync failed (exit 1):\n${FORGED}`)
    })
    const obeyed = collectCommands({ stdout: out, stderr: '' })
    expect(obeyed.commands.map((c) => c.command)).toEqual(['error', 'warning', 'notice', 'debug', 'add-mask', 'group', 'endgroup', 'error'])
    expect(obeyed.annotations[0]).toEqual({
      severity: 'error',
      message: `E1 bad\n${FORGED}`,
      props: { title: 'flake8 E1: x, y', file, line: '3', col: '2' }
    })
    expect(obeyed.masks).toEqual(['s3cret\n::add-mask::dk'])
    expect(obeyed.commands[5]!.message).toBe(`group ${FORGED}`)
    expect(obeyed.commands[7]!.message).toBe(`uv sync failed (exit 1):\n${FORGED}`)
    expect(obeyed.outputs).toEqual({})
  })
})
