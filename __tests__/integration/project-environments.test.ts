/**
 * install: auto gives the tests and the type checkers the environment the project itself
 * uses (packages-shared/python/project-env/): on a uv workspace whose dev group holds a test-only
 * dependency, and on a repository with no lock whose test dependencies live in a PEP 735
 * group, an extra and a requirements-dev.txt (or, tox-style, a dev-requirements.txt above the
 * package and its own test-requirements.txt). The same runs under install: isolated fail
 * to collect, which is what the environments fix.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, nodeBinaries, runBundle, type ActionRun } from './harness.js'

const TIMEOUT = 10 * 60_000
const [first] = nodeBinaries()
const node = first!.path
const base = { 'report-dir': '.dk-reports' }

interface EnvData {
  kind: string
  lockFile?: string
  packages: string[]
  why: string
  command?: string
  venv: string
  tools: Record<string, { version?: string; source: string }>
}
const envs = (run: ActionRun): EnvData[] => run.report!.environments as EnvData[]
const hash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

describe('project environments (install: auto)', () => {
  test(
    "uv workspace: the root dev group reaches the members' tests; the lock is untouched and no .venv is made",
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/uv-devgroup-tests')
      const lock = hash(path.join(ws, 'uv.lock'))
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.stdout + run.stderr).not.toMatch(/failed unexpectedly/)
      if (run.outputs.passed !== 'true') throw new Error(run.stdout.slice(-4000))
      expect(run.outputs.tests).toBe('1')
      const [env] = envs(run)
      expect(envs(run)).toHaveLength(1)
      expect(env).toMatchObject({ kind: 'uv', lockFile: 'uv.lock', packages: ['settings'] })
      expect(env!.why).toBe('uv.lock at the root: uv sync --all-packages --locked --group dev')
      expect(env!.command).toMatch(/ sync --all-packages --locked --group dev --python /)
      // pytest is the project's (its dev group locks it); pytest-cov is ours, installed beside it.
      expect(env!.tools.pytest!.source).toBe('project environment (uv.lock)')
      expect(env!.tools['pytest-cov']!.source).toMatch(/installed into the project environment \(uv\.lock\)$/)
      const pytestCheck = run.report!.checks.find((c) => c.tool === 'pytest settings')!
      expect(pytestCheck.toolVersionSource).toBe('project environment (uv.lock)')
      expect(pytestCheck.command!.startsWith(path.join(env!.venv, 'bin'))).toBe(true)
      expect(run.summary).toContain('### Environments')
      expect(hash(path.join(ws, 'uv.lock'))).toBe(lock)
      expect(fs.existsSync(path.join(ws, '.venv'))).toBe(false)
      expect(env!.venv.startsWith(ws)).toBe(false)
    },
    TIMEOUT
  )

  test(
    'uv workspace under install: isolated: the dev-group dependency is missing and collection fails',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/uv-devgroup-tests')
      const run = await runBundle('run-tests', { ...base, install: 'isolated' }, { workspace: ws, node })
      expect(run.outputs.passed).toBe('false')
      const check = run.report!.checks.find((c) => c.tool === 'pytest settings')!
      expect(check.status).toBe('error')
      expect(check.message).toMatch(/collection error/)
      expect(check.message).toMatch(/No module named 'tomli_w'/)
      expect(run.report!.environments).toBeUndefined()
    },
    TIMEOUT
  )

  test(
    'a lock out of date with pyproject.toml: one clear error naming the command, the lock left as it was',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/uv-devgroup-tests')
      const toml = path.join(ws, 'pyproject.toml')
      // A dev dependency added without `uv lock`, and a line that reads like a workflow command.
      fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace('"tomli-w>=1.0"]', '"tomli-w>=1.0", "six>=1.16"]'))
      const lock = hash(path.join(ws, 'uv.lock'))
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.exitCode).toBe(1)
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(
        /Installing the environment of uv\.lock: `\S*uv sync --all-packages --locked --group dev --python \S+` failed in /
      )
      expect(errors[0]).toMatch(/needs to be updated/)
      expect(run.stdout).not.toMatch(/\n\s+at /)
      expect(hash(path.join(ws, 'uv.lock'))).toBe(lock)
    },
    TIMEOUT
  )

  test(
    'no lock: one venv with the test group (through include-group), the testing extra and requirements-dev.txt',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/venv-testdeps')
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.stdout + run.stderr).not.toMatch(/failed unexpectedly/)
      if (run.outputs.passed !== 'true') throw new Error(run.stdout.slice(-4000))
      // beta's test_paths opens tests/names.txt: beta has its own [tool.pytest.ini_options], so its suite runs in its folder.
      expect(run.outputs.tests).toBe('3')
      expect(run.report!.checks.find((c) => c.tool === 'pytest beta')!.status).toBe('passed')
      expect(envs(run)).toHaveLength(1)
      const [env] = envs(run)
      expect(env).toMatchObject({ kind: 'venv', packages: ['alpha', 'beta'] })
      expect(env!.why).toBe(
        'no uv.lock or poetry.lock governs them: a venv with the packages editable and group test of packages/alpha; extra testing of packages/beta; requirements-dev.txt'
      )
      expect(env!.tools.pytest!.source).toBe('dk-actions default, installed into the project environment (venv)')
      expect(fs.existsSync(path.join(ws, '.venv'))).toBe(false)

      const isolated = await runBundle(
        'run-tests',
        { ...base, install: 'isolated' },
        { workspace: copyFixture('__tests__/fixtures/workspaces/venv-testdeps'), node }
      )
      expect(isolated.outputs.passed).toBe('false')
      expect(isolated.report!.checks.find((c) => c.tool === 'pytest alpha')!.message).toMatch(/No module named 'tomli_w'/)
      expect(isolated.report!.checks.find((c) => c.tool === 'pytest beta')!.message).toMatch(/No module named 'text_unidecode'/)
    },
    TIMEOUT
  )

  test(
    "no lock, tox-style: python/dev-requirements.txt and the package's own test-requirements.txt reach its tests",
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/tox-test-requirements')
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.stdout + run.stderr).not.toMatch(/failed unexpectedly/)
      if (run.outputs.passed !== 'true') throw new Error(run.stdout.slice(-4000))
      expect(run.outputs.tests).toBe('1')
      const [env, ...rest] = envs(run)
      expect(rest).toEqual([])
      expect(env).toMatchObject({ kind: 'venv', packages: ['lantern-ember'] })
      expect(env!.why).toBe(
        'no uv.lock or poetry.lock governs it: a venv with the packages editable and python/dev-requirements.txt; python/instrumentation/lantern-ember/test-requirements.txt'
      )
    },
    TIMEOUT
  )

  test(
    'setup.py only, tests inside the packages: one suite per package folder, the setup.py test extras, tools/ constraints',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/setup-py-inner-tests')
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.stdout + run.stderr).not.toMatch(/failed unexpectedly/)
      if (run.outputs.passed !== 'true') throw new Error(run.stdout.slice(-4000))
      // render, pins and ascii (the dev extra) in core, section in addon; the root tests/ holds no test module.
      expect(run.outputs.tests).toBe('4')
      expect(
        run
          .report!.checks.filter((c) => c.tool.startsWith('pytest '))
          .map((c) => c.tool)
          .sort()
      ).toEqual(['pytest addon', 'pytest core'])
      const [env] = envs(run)
      expect(envs(run)).toHaveLength(1)
      expect(env!.why).toMatch(
        /extra test, dev of core; extra test of addon, constrained by tools\/requirements\.txt \(every line pinned\)$/
      )
      for (const pkg of ['core', 'addon'])
        expect(fs.readdirSync(path.join(ws, pkg, 'src')).filter((f) => f.endsWith('.egg-info'))).toEqual([])
    },
    TIMEOUT
  )

  test(
    'one poetry.lock per library: poetry install --with test into the runner temp, Poetry at the version the lock names',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/poetry-lock-per-lib')
      const lockFile = path.join(ws, 'libs', 'tally', 'poetry.lock')
      const lock = hash(lockFile)
      const run = await runBundle('run-tests', base, { workspace: ws, node })
      expect(run.stdout + run.stderr).not.toMatch(/failed unexpectedly/)
      if (run.outputs.passed !== 'true') throw new Error(run.stdout.slice(-4000))
      expect(run.outputs.tests).toBe('1')
      const [env, ...rest] = envs(run)
      expect(rest).toEqual([])
      expect(env).toMatchObject({ kind: 'poetry', lockFile: 'libs/tally/poetry.lock', packages: ['tally'], groups: ['test'] })
      expect(env!.why).toBe('poetry.lock in libs/tally: poetry install --with test')
      expect(env!.command).toMatch(/poetry install --no-interaction --with test$/)
      expect(run.stdout).toMatch(/installing poetry 2\.2\.1 \(the version libs\/tally\/poetry\.lock was generated by\)/)
      expect(env!.tools.pytest!.source).toBe('project environment (libs/tally/poetry.lock)')
      expect(hash(lockFile)).toBe(lock)
      expect(fs.existsSync(path.join(ws, 'libs', 'tally', '.venv'))).toBe(false)
      expect(env!.venv.startsWith(ws)).toBe(false)
    },
    TIMEOUT
  )

  test(
    'run-quality: mypy in auto checks the tests against the project environment; ruff stays isolated',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/uv-devgroup-tests')
      const run = await runBundle('run-quality', { ...base, checks: 'mypy,ruff' }, { workspace: ws, node })
      expect(run.stdout + run.stderr).not.toMatch(/failed unexpectedly/)
      const mypy = run.report!.checks.find((c) => c.tool === 'mypy')!
      expect(mypy.findings).toEqual([])
      expect(mypy.status).toBe('passed')
      expect(mypy.toolVersionSource).toMatch(/installed into the project environment \(uv\.lock\)$/)
      expect(run.report!.checks.find((c) => c.tool === 'ruff')!.toolVersionSource).not.toMatch(/project environment/)
      expect(envs(run)).toHaveLength(1)

      const isolated = await runBundle(
        'run-quality',
        { ...base, checks: 'mypy', install: 'isolated' },
        { workspace: copyFixture('__tests__/fixtures/workspaces/uv-devgroup-tests'), node }
      )
      expect(
        isolated
          .report!.checks.find((c) => c.tool === 'mypy')!
          .findings.map((f) => f.message)
          .join('\n')
      ).toMatch(/tomli_w/)
    },
    TIMEOUT
  )
})
