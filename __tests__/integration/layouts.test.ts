/**
 * The built bundles on the fixtures that reproduce real monorepo layouts
 * (__tests__/fixtures/workspaces/README.md): run-quality finds and lints every distribution
 * of each layout with real ruff, `packages:` takes short names, and build-packages builds the
 * setup.py-only distributions (read through setuptools' PEP 517 hook) in dependency order.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyFixture, gitInit, nodeBinaries, runBundle } from './harness.js'

const NODE = nodeBinaries().at(-1)!
// jest ignores the project's testTimeout when a path pattern is given; each test says its own.
const TIMEOUT = 10 * 60_000

function fixture(name: string): string {
  const ws = copyFixture(`__tests__/fixtures/workspaces/${name}`)
  gitInit(ws)
  return ws
}

describe(`layouts of real monorepos, bundles on ${NODE.label}`, () => {
  test.each([
    ['libs-poetry', ['flowgraph-checkpoint', 'flowgraph-prebuilt', 'flowgraph']],
    ['setup-py-only', ['wire', 'client', 'client-plugin-dns']],
    ['extras-cycle', ['core', 'core-testing']],
    ['uv-namespace', ['mapkit-core', 'mapkit-server']],
    ['polyglot', ['tracekit-semconv', 'tracekit-instrumentation-alpha']]
  ])(
    'run-quality with ruff on %s covers %j',
    async (name, packages) => {
      const ws = fixture(name)
      const run = await runBundle('run-quality', { checks: 'ruff', install: 'isolated' }, { workspace: ws, node: NODE.path })
      expect(run.stderr).toBe('')
      expect(run.report!.packages).toEqual(packages)
      const ruff = run.report!.checks.find((c) => c.tool === 'ruff')!
      expect(ruff.status).toBe('passed')
      expect(run.outputs.passed).toBe('true')
      expect(run.exitCode).toBe(0)
    },
    TIMEOUT
  )

  test(
    "ruff's findings in a namespace package are reported against the right distribution",
    async () => {
      const ws = fixture('uv-namespace')
      fs.appendFileSync(`${ws}/src/mapkit/server/mapkit/server/__init__.py`, '\nimport os\n')
      const run = await runBundle(
        'run-quality',
        { checks: 'ruff', install: 'isolated', packages: 'server' },
        { workspace: ws, node: NODE.path }
      )
      expect(run.report!.packages).toEqual(['mapkit-server'])
      const findings = run.report!.checks.flatMap((c) => c.findings)
      expect(findings.map((f) => [f.rule, f.file])).toContainEqual(['F401', 'src/mapkit/server/mapkit/server/__init__.py'])
      expect(run.outputs.passed).toBe('false')
    },
    TIMEOUT
  )

  test(
    "ruff leaves out a package folder the project's ruff.toml excludes, as a bare `ruff check` does",
    async () => {
      // certbot's root ruff.toml excludes one of its own distributions (letstest).
      const ws = fixture('setup-py-only')
      fs.writeFileSync(`${ws}/ruff.toml`, 'extend-exclude = ["client-plugin-dns"]\n')
      fs.appendFileSync(`${ws}/client-plugin-dns/src/client_plugin_dns/__init__.py`, '\nimport os\n')
      fs.appendFileSync(`${ws}/wire/src/wire/__init__.py`, '\nimport os\n')
      const run = await runBundle('run-quality', { checks: 'ruff', install: 'isolated' }, { workspace: ws, node: NODE.path })
      expect(run.report!.packages).toContain('client-plugin-dns')
      const files = run.report!.checks.flatMap((c) => c.findings).map((f) => f.file)
      expect(files).toEqual(['wire/src/wire/__init__.py'])
    },
    TIMEOUT
  )

  test.each([
    ['run-tests', {}],
    ['run-quality', { checks: 'mypy' }]
  ])(
    '%s: a requires-python above the interpreter is one line before anything is installed',
    async (action, inputs) => {
      const ws = fixture('requires-python-above')
      const run = await runBundle(action, inputs, { workspace: ws, node: NODE.path })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      const out = run.stdout + run.stderr
      expect(out).toMatch(
        /Package modern requires Python >=3\.99 \(requires-python\), but the interpreter 'python3' is 3\.\d+\.\d+\. Set the 'python' input to a matching interpreter, or run actions\/setup-python with python-version: '3\.99' before this step\./
      )
      expect(out).not.toMatch(/Installing|uv sync|pip install|No solution found/)
      expect(out).not.toMatch(/\n\s+at .*\.js:\d+/)
    },
    TIMEOUT
  )

  test(
    'build-packages builds a package whose requires-python is above the interpreter; its test install fails in one line',
    async () => {
      const ws = fixture('requires-python-above')
      const run = await runBundle(
        'build-packages',
        { 'dist-dir': 'dist-out' },
        { workspace: ws, node: NODE.path, runnerTemp: fs.mkdtempSync(path.join(os.tmpdir(), 'dk-rt-')) }
      )
      expect(run.exitCode).toBe(1)
      const checks = Object.fromEntries(run.report!.checks.map((c) => [c.tool, c]))
      expect(checks.build?.status).toBe('passed')
      expect(checks['test-install']?.status).toBe('failed')
      expect(checks['test-install']?.findings.map((f) => f.message)).toEqual([
        expect.stringMatching(
          /^Package modern requires Python >=3\.99 \(requires-python\), but the interpreter 'python3' is 3\.\d+\.\d+\. Set the 'python' input/
        )
      ])
      expect(run.stdout).not.toMatch(/No solution found|test install of/)
    },
    TIMEOUT
  )

  test(
    'health-check of a package whose requires-python is above the interpreter is one line before any venv is made',
    async () => {
      const ws = fixture('requires-python-above')
      const links = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-links-'))
      const run = await runBundle(
        'health-check',
        { packages: 'modern', 'index-url': 'none', 'find-links': links },
        { workspace: ws, node: NODE.path }
      )
      expect(run.exitCode).toBe(1)
      const out = run.stdout + run.stderr
      expect(out).toMatch(/Package modern requires Python >=3\.99 \(requires-python\), but the interpreter 'python3' is 3\.\d+\.\d+\./)
      expect(out).not.toMatch(/Installing|uv venv|No solution found/)
      expect(out).not.toMatch(/\n\s+at .*\.js:\d+/)
    },
    TIMEOUT
  )

  test(
    'an ambiguous or unknown short name fails in one line before any tool runs',
    async () => {
      const ws = fixture('libs-poetry')
      const run = await runBundle(
        'run-quality',
        { checks: 'ruff', install: 'isolated', packages: 'graph' },
        { workspace: ws, node: NODE.path }
      )
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      expect(run.stderr + run.stdout).toContain(`Input 'packages' names "graph", which is not a package of this repository`)
    },
    TIMEOUT
  )

  test(
    'build-packages builds the setup.py-only distributions in dependency order with the versions their backend gives',
    async () => {
      const ws = fixture('setup-py-only')
      // A notebook renamed without its link (trulens): dangling, but it would point inside the repository.
      fs.mkdirSync(`${ws}/wire/examples`)
      fs.symlinkSync('../../docs/renamed.ipynb', `${ws}/wire/examples/quickstart.ipynb`)
      const run = await runBundle('build-packages', { 'dist-dir': 'dist-out' }, { workspace: ws, node: NODE.path })
      expect(run.stderr).toBe('')
      const dists = JSON.parse(run.outputs.dists!) as { package: string; version: string; wheel: string }[]
      expect(dists.map((d) => [d.package, d.version])).toEqual([
        ['wire', '3.1.0.dev0'],
        ['client', '3.1.0.dev0'],
        ['client-plugin-dns', '3.1.0.dev0']
      ])
      for (const d of dists) expect(fs.existsSync(d.wheel)).toBe(true)
      expect(run.outputs.passed).toBe('true')
      expect(run.exitCode).toBe(0)
    },
    TIMEOUT
  )
})
