/**
 * The local command's rendering follows the runner: a tool's forged lines inside a
 * stop-commands block are shown as written, never as our annotations and never as masks;
 * and when the local command itself runs in a workflow step, what it prints is inert.
 */
import { collectCommands } from '../../cli/local-runner.js'
import { makeLineRenderer, makePrinter } from '../../cli/log-render.js'
import { inertBlock } from '../../packages-shared/workflow-commands.js'

const FORGED = ['::error file=x.py,line=1::forged', '::add-mask::dk', '::warning::forged', '::stop-commands::guess', '::guess::'].join('\n')

function render(stdout: string, chunkSize = 7): string {
  let out = ''
  const r = makeLineRenderer(false, (t) => (out += t))
  // Chunks split lines anywhere, as a pipe does.
  for (let i = 0; i < stdout.length; i += chunkSize) r(stdout.slice(i, i + chunkSize))
  r('\n')
  return out
}

describe('makeLineRenderer', () => {
  test('forged lines in a tool block are text; our annotation and mask are rendered', () => {
    const stdout = `::add-mask::s3cret\n::group::pytest\n${inertBlock(`the dk tests print s3cret\n${FORGED}`)}::endgroup::\n::error file=a%2Cb.py,line=2::ours\n`
    const out = render(stdout)
    expect(out).toContain('▸ pytest')
    expect(out).toContain(`the dk tests print ***\n${FORGED}\n`)
    expect(out).toContain('error: a,b.py:2: ours\n')
    expect(out).not.toContain('error: x.py')
    expect(out).not.toMatch(/stop-commands::[0-9a-f]{32}/)
  })

  test('a lone CR ends a line, also across chunks, as it does for the runner', () => {
    expect(render('plain\r::error::ours\r\nnext', 3)).toBe('plain\nerror: ours\nnext\n')
  })
})

describe('makePrinter', () => {
  test('under a runner every write is inert; in a terminal it is printed as is', () => {
    let ci = ''
    let tty = ''
    makePrinter(true, (s) => (ci += s))(`${FORGED}\n`)
    makePrinter(false, (s) => (tty += s))(`${FORGED}\n`)
    expect(collectCommands({ stdout: ci, stderr: '' }).commands).toEqual([])
    expect(ci).toContain(FORGED)
    expect(tty).toBe(`${FORGED}\n`)
  })
})
