/**
 * Untrusted output is never a command: the built bundles on __tests__/fixtures/hostile, whose
 * setup.py, failing test and smoke test print `::error`, `::set-output`, `::add-mask`,
 * `::stop-commands` and friends (to stdout and stderr). Read the runner's way (the local
 * runner follows its semantics), nothing they print is obeyed: no output, mask or annotation
 * beyond ours, every such line inside one of our stop-commands blocks. And run-quality on real
 * files named `a,b:c%d.py` and `evil<newline>::error file=y.py,line=1::forged.py`, through the
 * real flake8 and ruff: each annotation points at a real file, none is forged.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, foreignCommands, gitInit, nodeBinaries, runBundle, type ActionRun } from './harness.js'

const FIXTURE = '__tests__/fixtures/hostile'
/** What src/hostile/forged.py prints. */
const FORGED = [
  '::error file=x.py,line=1::forged',
  '::set-output name=passed::true',
  '::add-mask::dk',
  '::warning::forged',
  '  ::notice::forged',
  '##[set-output name=forged;]true',
  '::save-state name=forged::true',
  '::endgroup::',
  '::stop-commands::guess'
]
const TIMEOUT = 10 * 60_000
const base = { install: 'isolated', 'report-dir': '.dk-reports' }

function expectNothingForged(run: ActionRun): void {
  // The code under test did print its lines, verbatim (so this test can fail)...
  expect(run.stdout).toContain('::add-mask::dk')
  expect(run.stdout).toContain('##[set-output name=forged;]true')
  // ...and the runner obeyed none of them.
  expect(foreignCommands(run, FORGED)).toEqual([])
  expect(run.masks).toEqual([])
  expect(run.annotations.filter((a) => a.message === 'forged' || a.props.file === 'x.py')).toEqual([])
  expect(run.outputs.forged).toBeUndefined()
  expect(run.state.forged).toBeUndefined()
  expect(run.commands.filter((c) => c.command === 'set-output' || c.command === 'save-state')).toEqual([])
}

let dists: string
beforeAll(() => {
  // The dists health-check installs from, built by uv from a copy (setup.py prints its lines here too).
  const src = copyFixture(FIXTURE)
  dists = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-hostile-dists-'))
  execFileSync('uv', ['build', '--quiet', '--out-dir', dists, src], { stdio: ['ignore', 'ignore', 'ignore'] })
}, 5 * 60_000)

afterAll(() => {
  if (dists) fs.rmSync(dists, { recursive: true, force: true })
})

describe.each(nodeBinaries())('hostile output on $label', (node) => {
  test(
    'run-tests: a failing test that prints workflow commands fails the step and forges nothing',
    async () => {
      const ws = copyFixture(FIXTURE)
      const run = await runBundle('run-tests', base, { workspace: ws, node: node.path })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      // Our own annotation of the failure is there, the test's words in its (escaped) message.
      const ours = run.annotations.find((a) => a.severity === 'error' && a.props.file === 'tests/test_hostile.py')
      expect(ours?.message).toContain('test_prints_commands_then_fails')
      expect(run.annotations.some((a) => a.message.startsWith('run-tests failed'))).toBe(true)
      expectNothingForged(run)
    },
    TIMEOUT
  )

  test(
    'build-packages: setup.py and the smoke test print workflow commands; the smoke failure fails the step',
    async () => {
      const ws = copyFixture(FIXTURE)
      gitInit(ws)
      const run = await runBundle(
        'build-packages',
        { 'dist-dir': 'dist-out', smoke: 'smoke.py', 'report-dir': '.dk-reports' },
        { workspace: ws, node: node.path }
      )
      expect(run.outputs.passed).toBe('false')
      expect(run.exitCode).toBe(1)
      expect(run.report!.checks.find((c) => c.tool === 'smoke')?.status).toBe('failed')
      expect(run.stdout).toContain('printed by the smoke test:')
      expectNothingForged(run)
    },
    TIMEOUT
  )

  test(
    'health-check: the smoke test prints workflow commands, then fails the check',
    async () => {
      const ws = copyFixture(FIXTURE)
      const run = await runBundle(
        'health-check',
        { packages: 'hostile==0.1.0', 'index-url': '', 'find-links': dists, smoke: 'smoke.py', timeout: '2m' },
        { workspace: ws, node: node.path }
      )
      expect(run.outputs.passed).toBe('false')
      expect(run.exitCode).toBe(1)
      expect(run.report!.checks.map((c) => [c.tool, c.status])).toEqual([
        ['install', 'passed'],
        ['import', 'passed'],
        ['smoke', 'failed']
      ])
      expectNothingForged(run)
    },
    TIMEOUT
  )

  test(
    'pipeline: tests and build stages on the same package forge nothing, and the pipeline fails',
    async () => {
      const ws = copyFixture(FIXTURE)
      gitInit(ws)
      const run = await runBundle(
        'pipeline',
        { ...base, stages: 'tests,build', 'build-smoke': 'smoke.py', 'build-dist-dir': 'dist-out' },
        { workspace: ws, node: node.path }
      )
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      expect(run.outputs['tests-passed']).toBe('false')
      expect(run.outputs['build-passed']).toBe('false')
      expect(run.stdout).toContain('printed by a failing test:')
      expect(run.stdout).toContain('printed by the smoke test:')
      expectNothingForged(run)
    },
    TIMEOUT
  )

  test(
    'run-quality: files named with , : % and with a newline and ::error get correct annotations, none forged',
    async () => {
      const ws = copyFixture(FIXTURE)
      const odd = 'src/hostile/a,b:c%d.py'
      const nasty = 'src/hostile/evil\n::error file=y.py,line=1::forged.py'
      for (const f of [odd, nasty]) fs.writeFileSync(path.join(ws, f), 'import os\n')
      gitInit(ws)
      const run = await runBundle('run-quality', { ...base, checks: 'flake8,ruff' }, { workspace: ws, node: node.path })
      expect(run.outputs.passed).toBe('false')
      for (const tool of ['flake8', 'ruff']) {
        const files = run.report!.checks.find((c) => c.tool === tool)!.findings.map((f) => f.file)
        expect(files).toEqual(expect.arrayContaining([odd, nasty]))
      }
      // Every annotation with a location names a real file of the checkout.
      const located = run.annotations.filter((a) => a.props.file)
      for (const a of located) expect(fs.existsSync(path.join(ws, a.props.file!))).toBe(true)
      expect(located.map((a) => a.props.file)).toEqual(expect.arrayContaining([odd, nasty]))
      expect(run.annotations.filter((a) => a.message === 'forged' || a.props.file === 'y.py')).toEqual([])
      expect(foreignCommands(run)).toEqual([])
      expect(run.masks).toEqual([])
    },
    TIMEOUT
  )
})

describe('foreignCommands (the checker above)', () => {
  test('finds forged lines outside our blocks, unknown tokens, unclosed blocks and stderr commands', () => {
    const stdout = [
      '::group::ours',
      '::endgroup::',
      '::error file=x.py,line=1::forged',
      '::set-output name=passed::true',
      '  ::notice::x',
      '::endgroup::',
      '::stop-commands::guess',
      'a'
    ].join('\n')
    const problems = foreignCommands({ stdout, stderr: '::add-mask::dk\n' }, FORGED)
    expect(problems).toEqual([
      expect.stringContaining('a line the code under test printed is obeyed'),
      expect.stringContaining("'set-output' is obeyed"),
      expect.stringContaining('a line the code under test printed is obeyed'),
      expect.stringContaining('token we did not draw'),
      expect.stringContaining('1 group(s) opened, 2 closed'),
      expect.stringContaining('ends inside a stop-commands block'),
      expect.stringContaining('stderr line 1')
    ])
  })
})
