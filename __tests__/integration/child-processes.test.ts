/**
 * What the tools and the code under test get from the built bundles: an environment without
 * the action's secret inputs, the runner's tokens or GITHUB_TOKEN (the fixtures' setup.py and
 * tests write what they can read to RUNNER_TEMP); and process handling: a test that leaves a
 * server holding pytest's output does not hold the run, and a tool that hangs is stopped at
 * its `timeout` with a clear error.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { buildInputEnv, readManifest } from '../../cli/local-runner.js'
import { copyFixture, nodeBinaries, REPO, runBundle, RUNNER_TEMP } from './harness.js'

const node = nodeBinaries()[nodeBinaries().length - 1]!
const T = 15 * 60_000

/** Secret inputs of the root action, as a workflow passes them from its secret store. */
const SECRET_INPUTS = {
  'publish-token': 'pypi-dkprobe-publish-token-7f3a9c',
  'publish-password': 'dkprobe-publish-password-2b81e4',
  'security-token': 'ghp_dkprobeSecurityToken5e0c77',
  'security-safety-api-key': 'dkprobe-safety-api-key-93d1aa'
}
/** What the runner puts in every step's environment (and a workflow's `env: GITHUB_TOKEN`). */
const RUNNER_SECRETS = {
  ACTIONS_RUNTIME_TOKEN: 'dkprobe-runtime-token-4c2f10',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'dkprobe-oidc-request-token-8e7b22',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.invalid/dkprobe-request-url',
  GITHUB_TOKEN: 'ghs_dkprobeJobToken61f0d3'
}
const FILE_COMMANDS = ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']

const PROBE_DIR = path.join(RUNNER_TEMP, 'dk-env-probe')

interface Dump {
  file: string
  text: string
  env: Record<string, string>
}

function readDumps(): Dump[] {
  if (!fs.existsSync(PROBE_DIR)) return []
  return fs
    .readdirSync(PROBE_DIR)
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(PROBE_DIR, f), 'utf8')
      return { file: f, text, env: JSON.parse(text) as Record<string, string> }
    })
}

/** Every dump is free of the secrets' names and values; returns the dumps for more checks. */
function expectNoSecrets(dumps: Dump[], extraValues: string[] = []): void {
  const values = [...Object.values(SECRET_INPUTS), ...Object.values(RUNNER_SECRETS), ...extraValues]
  for (const d of dumps) {
    const names = Object.keys(d.env)
    expect({
      file: d.file,
      leaked: names.filter((n) => /^(INPUT_|STATE_|ACTIONS_)/i.test(n) || n === 'GITHUB_TOKEN' || FILE_COMMANDS.includes(n))
    }).toEqual({ file: d.file, leaked: [] })
    for (const v of values)
      expect({ file: d.file, contains: d.text.includes(v) ? v : undefined }).toEqual({ file: d.file, contains: undefined })
    // What a program needs is there: the probe found RUNNER_TEMP, and PATH leads somewhere.
    expect(d.env.PATH).toBeTruthy()
    expect(d.env.RUNNER_TEMP).toBe(RUNNER_TEMP)
  }
}

/** Whether a process still runs (a zombie left for an init that does not reap runs nothing). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return process.platform !== 'linux'
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && running(pid); i++) await new Promise((r) => setTimeout(r, 100))
  return !running(pid)
}

describe('the environment of tools and code under test', () => {
  beforeEach(() => fs.rmSync(PROBE_DIR, { recursive: true, force: true }))

  test(
    `root pipeline with secret inputs: setup.py (audit, install, build) and the tests see none of them (${node.label})`,
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/env-probe')
      const run = await runBundle(
        'pipeline',
        {
          stages: 'security,tests,build',
          install: 'isolated',
          'security-checks': 'dependencies',
          'tests-coverage': 'false',
          ...SECRET_INPUTS
        },
        { workspace: ws, node: node.path, env: RUNNER_SECRETS }
      )
      if (run.exitCode !== 0) console.log(run.stdout.slice(-4000))
      expect(run.exitCode).toBe(0)
      const stages = (run.report!.stages as { stage: string; status: string }[]).map((s) => [s.stage, s.status])
      expect(stages).toEqual([
        ['security', 'passed'],
        ['tests', 'passed'],
        ['build', 'passed']
      ])
      const dumps = readDumps()
      // run-tests' editable install and the build (sdist, wheel) each ran setup.py; the audit installs nothing.
      expect(dumps.filter((d) => d.file.startsWith('setup-py-')).length).toBeGreaterThanOrEqual(3)
      expect(dumps.filter((d) => d.file.startsWith('pytest-'))).toHaveLength(1)
      expectNoSecrets(dumps)
    },
    T
  )

  test(
    `run-security's dependency audit runs none of the repository's code: it installs nothing, so setup.py never runs (${node.label})`,
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/env-probe')
      const run = await runBundle(
        'run-security',
        {
          checks: 'dependencies',
          install: 'isolated',
          token: SECRET_INPUTS['security-token'],
          'safety-api-key': SECRET_INPUTS['security-safety-api-key']
        },
        { workspace: ws, node: node.path, env: RUNNER_SECRETS }
      )
      expect(run.exitCode).toBe(0)
      expect(run.report!.checks.find((c) => c.tool === 'dependencies')).toMatchObject({
        status: 'passed',
        message: 'pyproject.toml: no third-party dependency to audit'
      })
      expect(readDumps()).toEqual([])
    },
    T
  )

  test(
    `run-tests alone: the tests get pass-env's variables and nothing else of the step (${node.label})`,
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/env-probe')
      const run = await runBundle(
        'run-tests',
        { install: 'isolated', coverage: 'false', 'pass-env': 'DKPROBE_WANTED, DKPROBE_FAMILY_*' },
        {
          workspace: ws,
          node: node.path,
          env: {
            ...RUNNER_SECRETS,
            DKPROBE_WANTED: 'wanted-value',
            DKPROBE_FAMILY_A: 'family-value',
            DKPROBE_UNLISTED: 'dkprobe-unlisted-value'
          }
        }
      )
      expect(run.exitCode).toBe(0)
      const pytest = readDumps().filter((d) => d.file.startsWith('pytest-'))
      expect(pytest).toHaveLength(1)
      expectNoSecrets(pytest, ['dkprobe-unlisted-value'])
      expect(pytest[0]!.env.DKPROBE_WANTED).toBe('wanted-value')
      expect(pytest[0]!.env.DKPROBE_FAMILY_A).toBe('family-value')
      expect(pytest[0]!.env.DKPROBE_UNLISTED).toBeUndefined()
    },
    T
  )

  test(
    'pass-env cannot hand the job token to the tests: one clear error before anything runs',
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/env-probe')
      const run = await runBundle('run-tests', { 'pass-env': 'GITHUB_TOKEN' }, { workspace: ws, node: node.path })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(
        /::error::Input 'pass-env' has an invalid value "GITHUB_TOKEN": GITHUB_TOKEN would pass .* never reach tools or tests/
      )
      expect(readDumps()).toEqual([])
    },
    T
  )
})

describe('processes the tools leave behind, and tools that hang', () => {
  test(
    `run-tests: a test that leaves a server holding pytest's output passes, with a warning, and the server is killed (${node.label})`,
    async () => {
      const ws = copyFixture('__tests__/fixtures/tests/orphan')
      const pidFile = path.join(RUNNER_TEMP, 'dk-orphan-probe', `${path.basename(ws)}.pid`)
      const run = await runBundle('run-tests', { install: 'isolated', coverage: 'false' }, { workspace: ws, node: node.path })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      const check = run.report!.checks.find((c) => c.tool.startsWith('pytest'))!
      expect(check.status).toBe('passed')
      expect(check.message).toBe('pytest (suite unit) left background processes holding its output after it exited; they were killed')
      expect(run.stdout).toContain(
        '::warning::pytest (suite unit) left background processes holding its output after it exited; they were killed'
      )
      expect(run.stdout).not.toMatch(/timed out|did not finish within/)
      const server = Number(fs.readFileSync(pidFile, 'utf8'))
      expect(server).toBeGreaterThan(0)
      expect(await gone(server)).toBe(true)
    },
    T
  )

  test(
    `run-quality: pylint hanging in its init-hook (SIGTERM ignored) is stopped at 'timeout', an error that says how to raise it (${node.label})`,
    async () => {
      const ws = copyFixture('__tests__/fixtures/quality/hang')
      const pidFile = path.join(RUNNER_TEMP, 'dk-hang-probe', `${path.basename(ws)}.pid`)
      const run = await runBundle(
        'run-quality',
        { checks: 'pylint', install: 'isolated', timeout: '5s' },
        { workspace: ws, node: node.path }
      )
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      const check = run.report!.checks.find((c) => c.tool === 'pylint')!
      expect(check.status).toBe('error')
      expect(check.message).toBe(
        "pylint (in .) did not finish within 5s and was stopped with the processes it started; raise the 'timeout' input if it needs longer"
      )
      expect(run.stdout).toContain('::error::run-quality: pylint failed to run: pylint (in .) did not finish within 5s')
      // The hook ran (pylint got that far) and its process is gone, SIGTERM or not.
      const pylint = Number(fs.readFileSync(pidFile, 'utf8'))
      expect(await gone(pylint)).toBe(true)
    },
    T
  )

  test(
    `a cancelled step (SIGTERM to the action) takes the tool's process group with it (${node.label})`,
    async () => {
      const ws = copyFixture('__tests__/fixtures/quality/hang')
      const pidFile = path.join(RUNNER_TEMP, 'dk-hang-probe', `${path.basename(ws)}.pid`)
      fs.rmSync(pidFile, { force: true })
      const manifest = readManifest(path.join(REPO, 'run-quality', 'action.yml'))
      const host = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|STATE_|GITHUB_|RUNNER_|ACTIONS_)/.test(k)))
      const action = spawn(node.path, [path.join(REPO, 'dist', 'run-quality', 'index.js')], {
        cwd: ws,
        env: {
          ...host,
          GITHUB_WORKSPACE: ws,
          RUNNER_TEMP,
          ...buildInputEnv(manifest, { checks: 'pylint', install: 'isolated', timeout: '10m', 'report-dir': '.dk-reports' })
        },
        stdio: 'ignore'
      })
      const exited = new Promise<NodeJS.Signals | null>((resolve) => action.on('exit', (_code, signal) => resolve(signal)))
      // pylint is running (hanging in its hook) once the hook has written its pid.
      for (let i = 0; i < 1200 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100))
      const pylint = Number(fs.readFileSync(pidFile, 'utf8'))
      expect(running(pylint)).toBe(true)
      action.kill('SIGTERM')
      // The action ends by the signal it got, after killing the group it started.
      expect(await exited).toBe('SIGTERM')
      expect(await gone(pylint)).toBe(true)
    },
    T
  )
})
