/**
 * The built bundles end their process once the action is done, even when something left a
 * handle open (as @actions/cache can leave sockets after an upload): the step must not wait
 * for it. A module loaded before the bundle opens a timer that never ends; without the
 * explicit exit the process would run until the spawn's limit and be killed.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { REPO, gitInit, nodeBinaries } from './harness.js'

const LIMIT_MS = 60_000

describe.each(nodeBinaries())('a bundle with a handle left open, on $label', ({ path: node }) => {
  let temp: string
  beforeAll(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-exit-'))
    fs.writeFileSync(path.join(temp, 'hold-open.mjs'), 'setInterval(() => {}, 1000)\n')
  })
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }))

  function run(action: string, inputs: Record<string, string>, prepare?: (workspace: string) => void) {
    const workspace = fs.mkdtempSync(path.join(temp, 'ws-'))
    prepare?.(workspace)
    const runnerTemp = fs.mkdtempSync(path.join(temp, 'rt-'))
    const output = path.join(runnerTemp, 'output')
    fs.writeFileSync(output, '')
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? temp,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: output,
      NODE_OPTIONS: `--import=${pathToFileURL(path.join(temp, 'hold-open.mjs')).href}`
    }
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
    const r = spawnSync(node, [path.join(REPO, 'dist', action, 'index.js')], { cwd: workspace, env, encoding: 'utf8', timeout: LIMIT_MS })
    return { ...r, outputs: fs.readFileSync(output, 'utf8') }
  }

  test('a failed action ends with exit code 1 and its message', () => {
    const r = run('run-quality', { install: 'sometimes' })
    expect([r.signal, r.status]).toEqual([null, 1])
    expect(r.stdout).toMatch(/::error::.*install/)
  })

  test('a passing action ends with exit code 0 and its outputs written', () => {
    // The workflow audit alone, on a repository of one package and no workflows: a pass without tools.
    const r = run('run-security', { checks: 'workflows' }, (ws) => {
      fs.mkdirSync(path.join(ws, 'packages/a/src/a'), { recursive: true })
      fs.writeFileSync(path.join(ws, 'packages/a/pyproject.toml'), '[project]\nname = "a"\nversion = "1.0.0"\n')
      fs.writeFileSync(path.join(ws, 'packages/a/src/a/__init__.py'), '')
      gitInit(ws)
    })
    expect([r.signal, r.status, r.stderr]).toEqual([null, 0, ''])
    expect(r.outputs).toMatch(/passed<<|passed=true/)
  })
})
