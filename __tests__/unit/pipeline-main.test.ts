/**
 * The pipeline's flow (stage selection, hand-over, blocking, combined result) through
 * recorded processes and HTTP answers: stand-in stage definitions where only the pipeline's
 * part is under test, and health-check's real definition to show the stages run through
 * the pipeline's own exec and http.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { createPipelineAction } from '../../actions/pipeline/main.js'
import type { PipelineInputs } from '../../actions/pipeline/inputs.js'
import { ACTIONS, type ActionRegistry } from '../../actions/registry.js'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import { UserError } from '../../packages-shared/errors.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { recordedExec, recordedHttp, testContext, type RecordedExec, type RecordedHttp } from '../helpers/recorded.js'

/** A stand-in stage: records the inputs it was parsed with and what it ran with, answers `result`. */
interface StandIn extends ActionDefinition<Record<string, string>> {
  parsed: Record<string, string>[]
  ran: Record<string, string>[]
}

function standIn(action: string, result: Partial<ActionResult> | (() => never), read: string[] = []): StandIn {
  const def: StandIn = {
    name: action,
    title: action,
    parsed: [],
    ran: [],
    parseInputs: (reader) => {
      const inputs = Object.fromEntries(read.map((name) => [name, reader.raw(name)]))
      def.parsed.push(inputs)
      return inputs
    },
    run: async (_ctx, inputs) => {
      def.ran.push(inputs)
      if (typeof result === 'function') result()
      return { passed: true, packages: [], checks: [], ...(result as Partial<ActionResult>) }
    }
  }
  return def
}

const check = (tool: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  tool,
  status,
  durationMs: 5,
  findings: [],
  ...extra
})

const passing = (action: string, extra: Partial<ActionResult> = {}): StandIn =>
  standIn(action, { passed: true, checks: [check('tool', 'passed')], ...extra })

/** Every action of the pipeline as a passing stand-in, with `overrides` in their place. */
function registry(overrides: Record<string, StandIn> = {}): Record<string, StandIn> {
  const all: Record<string, StandIn> = {}
  for (const action of Object.keys(ACTIONS)) all[action] = passing(action)
  return { ...all, ...overrides }
}

async function runPipeline(
  reg: ActionRegistry,
  inputs: Record<string, string>,
  options: { exec?: RecordedExec; http?: RecordedHttp; env?: Record<string, string> } = {}
) {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-pipeline-ws-'))
  const { ctx, io } = testContext({
    inputs,
    env: { GITHUB_WORKSPACE: empty, PATH: empty, ...options.env },
    exec: options.exec,
    http: options.http
  })
  const action = createPipelineAction(reg)
  const parsed: PipelineInputs = action.parseInputs(new InputReader(io), ctx.common, io)
  return { result: await action.run(ctx, parsed), io, parsed }
}

const stagesOf = (result: ActionResult) =>
  (result.data!.stages as { stage: string; status: string; message?: string }[]).map((s) => [s.stage, s.status, s.message])

describe('pipeline main, through recorded exec and http', () => {
  test('a failed gate blocks publish and health-check with the exact message; they report skipped', async () => {
    const reg = registry({ 'run-quality': standIn('run-quality', { passed: false, checks: [check('flake8', 'failed')] }) })
    const { result, io } = await runPipeline(reg, { stages: 'quality,build,publish,health-check' })
    const quality = 'not run: quality failed, and nothing is released from a failed pipeline'
    // health-check counts the blocked publish among what did not pass.
    const health = 'not run: quality, publish failed, and nothing is released from a failed pipeline'
    expect(stagesOf(result)).toEqual([
      ['quality', 'failed', undefined],
      ['build', 'passed', undefined],
      ['publish', 'blocked', quality],
      ['health-check', 'blocked', health]
    ])
    expect(result.checks.map((c) => [c.tool, c.status, c.message])).toEqual([
      ['quality/flake8', 'failed', undefined],
      ['build/tool', 'passed', undefined],
      ['publish', 'skipped', quality],
      ['health-check', 'skipped', health]
    ])
    expect(reg['publish-pypi']!.ran).toHaveLength(0)
    expect(reg['health-check']!.ran).toHaveLength(0)
    expect(reg['build-packages']!.ran).toHaveLength(1)
    expect(io.logs).toContainEqual({ level: 'info', message: `Stage publish ${quality}.` })
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe('The pipeline failed: quality failed, publish blocked, health-check blocked. See the step summary.')
    expect(result.outputs).toMatchObject({
      'quality-passed': 'false',
      'build-passed': 'true',
      'publish-passed': 'false',
      'health-passed': 'false'
    })
    expect(result.sections![0]).toContain(`| publish | publish-pypi | ⏭️ ${quality} |`)
  })

  test('a stage that throws is an error said once, and the stages after it still run', async () => {
    const reg = registry({
      'run-security': standIn('run-security', () => {
        throw new UserError("Input 'token' is refused by the index.")
      }),
      'run-tests': standIn('run-tests', () => {
        throw new Error('cannot read properties of undefined')
      })
    })
    const { result, io } = await runPipeline(reg, { stages: 'security,tests,build' })
    expect(stagesOf(result)).toEqual([
      ['security', 'error', "Input 'token' is refused by the index."],
      ['tests', 'error', 'cannot read properties of undefined'],
      ['build', 'passed', undefined]
    ])
    expect(result.checks.map((c) => [c.tool, c.status])).toEqual([
      ['security', 'error'],
      ['tests', 'error'],
      ['build/tool', 'passed']
    ])
    expect(reg['build-packages']!.ran).toHaveLength(1)
    expect(io.logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      "Stage security could not run: Input 'token' is refused by the index.",
      'Stage tests could not run: cannot read properties of undefined'
    ])
    // The user's mistake has no stack; our bug's stack goes to the debug log.
    const stacks = io.logs.filter((l) => l.level === 'debug' && l.message.includes('\n    at '))
    expect(stacks.map((l) => l.message.split('\n')[0])).toEqual(['Error: cannot read properties of undefined'])
    expect(result.failureMessage).toBe('The pipeline failed: security error, tests error. See the step summary.')
    expect(result.sections![0]).toContain("| security | run-security | 💥 Input 'token' is refused by the index. |")
  })

  test("build's dists are handed to publish, whose inputs are read again with them; a stage given its own dist-dir gets none", async () => {
    const dists = JSON.stringify([{ name: 'dataknobs-common', wheel: '/ws/dist/a.whl' }])
    const build = passing('build-packages', { outputs: { dists, 'dist-dir': '/ws/dist', matrix: '{}' } })
    const publish = standIn('publish-pypi', { passed: true }, ['dists', 'dist-dir', 'dry-run'])
    const health = standIn('health-check', { passed: true }, ['dists', 'dist-dir'])
    const { result } = await runPipeline(registry({ 'build-packages': build, 'publish-pypi': publish, 'health-check': health }), {
      stages: 'build,publish,health-check',
      'publish-dry-run': 'true',
      'health-dist-dir': 'mine'
    })
    // Up front every input is empty (build has not run); at run time build's outputs fill the empty ones.
    expect(publish.parsed).toEqual([
      { dists: '', 'dist-dir': '', 'dry-run': 'true' },
      { dists, 'dist-dir': '', 'dry-run': 'true' }
    ])
    expect(publish.ran).toEqual([{ dists, 'dist-dir': '', 'dry-run': 'true' }])
    expect(health.ran).toEqual([{ dists: '', 'dist-dir': 'mine' }])
    expect(result.outputs).toMatchObject({ 'build-dists': dists, 'build-dist-dir': '/ws/dist', 'build-matrix': '{}' })
  })

  test('without a build stage nothing is handed over and the inputs parsed up front are the ones run', async () => {
    const publish = standIn('publish-pypi', { passed: true }, ['dists'])
    await runPipeline(registry({ 'publish-pypi': publish }), { stages: 'quality,publish' })
    expect(publish.parsed).toEqual([{ dists: '' }])
    expect(publish.ran[0]).toBe(publish.parsed[0])
  })

  test('outputs, checks and findings carry the stage; packages, artifacts and data are combined', async () => {
    const finding = { tool: 'flake8', severity: 'error' as const, message: 'F401 unused import', file: 'a.py', line: 1 }
    const reg = registry({
      'run-quality': passing('run-quality', {
        packages: ['a', 'b'],
        checks: [check('flake8', 'failed', { findings: [finding] })],
        outputs: { 'findings-count': '1' },
        sections: ['quality section'],
        data: { tools: ['flake8'] },
        artifactFiles: [{ files: ['/r/q.json'], root: '/r' }]
      }),
      'health-check': passing('health-check', {
        packages: ['b', 'c'],
        outputs: { healthy: 'true' },
        artifactFiles: [{ files: ['/r/h.json'], root: '/r' }]
      })
    })
    const { result } = await runPipeline(reg, { stages: 'health-check,quality' })
    // Stages run in the pipeline's order, whatever order `stages` names them in.
    expect(stagesOf(result).map((s) => s[0])).toEqual(['quality', 'health-check'])
    expect(result.checks[0]).toMatchObject({ tool: 'quality/flake8', findings: [{ ...finding, tool: 'quality/flake8' }] })
    expect(result.checks[1]!.tool).toBe('health-check/tool')
    expect(result.outputs).toEqual({
      'quality-findings-count': '1',
      'quality-passed': 'true',
      'health-healthy': 'true',
      'health-passed': 'true'
    })
    expect(result.packages).toEqual(['a', 'b', 'c'])
    expect(result.artifactFiles).toEqual([
      { files: ['/r/q.json'], root: '/r' },
      { files: ['/r/h.json'], root: '/r' }
    ])
    expect(result.data!.stages).toEqual([
      expect.objectContaining({
        stage: 'quality',
        action: 'run-quality',
        status: 'passed',
        outputs: { 'findings-count': '1' },
        tools: ['flake8']
      }),
      expect.objectContaining({ stage: 'health-check', action: 'health-check', status: 'passed', outputs: { healthy: 'true' } })
    ])
    expect(result.sections).toHaveLength(2)
    expect(result.sections![1]).toBe('### quality\n\nquality section')
    expect(result).toMatchObject({ passed: true, sarif: true, failureMessage: undefined })
  })

  test('a typo in stages fails parsing with the allowed values; a stage whose action is absent is said', async () => {
    const reg = registry()
    await expect(runPipeline(reg, { stages: 'quality,deploy' })).rejects.toThrow(
      'Input \'stages\' has an invalid value "deploy": allowed values are quality, security, tests, docs, release, build, publish, github-release, deploy-plan, health-check.'
    )
    expect(Object.values(reg).every((d) => d.parsed.length === 0)).toBe(true)
    const withoutBuild: Record<string, StandIn> = registry()
    delete withoutBuild['build-packages']
    await expect(runPipeline(withoutBuild, { stages: 'build' })).rejects.toThrow(
      'stage build needs the build-packages action, which this bundle lacks'
    )
  })

  test("every stage's inputs are parsed before any runs: a bad input of the last stage fails before the first", async () => {
    const quality = passing('run-quality')
    const reg = registry({
      'run-quality': quality,
      'health-check': {
        ...passing('health-check'),
        parseInputs: () => {
          throw new UserError("Input 'timeout' has an invalid value")
        }
      }
    })
    await expect(runPipeline(reg, { stages: 'quality,health-check' })).rejects.toThrow("Input 'timeout' has an invalid value")
    expect(quality.parsed).toHaveLength(1)
    expect(quality.ran).toHaveLength(0)
  })

  test("the bundle's stages mask every stage's secrets, run or not, from their prefixed inputs", async () => {
    const { io, parsed } = await runPipeline(ACTIONS, {
      stages: 'quality',
      'publish-token': 'pypi-AgEIcHlwaS5vcmc',
      'security-safety-api-key': 'safety-key-123',
      'health-index-url': 'https://user:hunter2@index.test/simple',
      // The unprefixed name is not the stage's input, so it is no secret of the pipeline's.
      token: 'not-a-stage-token'
    })
    expect(parsed.stages.map((s) => s.stage.name)).toEqual(['quality'])
    expect(io.secrets).toEqual(expect.arrayContaining(['pypi-AgEIcHlwaS5vcmc', 'safety-key-123', 'hunter2']))
    expect(io.secrets).not.toContain('not-a-stage-token')
  })
})

describe("pipeline with health-check's real definition", () => {
  const INDEX = 'https://index.test/simple'
  const dk = (line: object): string => `@@dk ${JSON.stringify(line)}`
  const page = (): Response =>
    new Response(
      JSON.stringify({
        meta: { 'api-version': '1.1' },
        name: 'dataknobs-common',
        files: [{ filename: 'dataknobs_common-1.2.0-py3-none-any.whl', hashes: {} }]
      }),
      {
        status: 200,
        headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' }
      }
    )
  const healthExec = (): RecordedExec =>
    recordedExec([
      { match: /^python3 -c 'import sys/, answer: { stdout: '/usr/bin/python3\n3.11.7\n' } },
      { match: /-m venv /, answer: (s: CommandSpec) => (fs.mkdirSync(s.argv[s.argv.length - 1]!, { recursive: true }), {}) },
      { match: / -m pip install /, answer: {} },
      {
        match: / -I .*dk_import_check\.py/,
        answer: {
          stdout:
            [
              dk({ kind: 'dist', package: 'dataknobs-common', version: '1.2.0', modules: ['dataknobs_common'] }),
              dk({ kind: 'import', package: 'dataknobs-common', module: 'dataknobs_common', ok: true, ms: 4 })
            ].join('\n') + '\n'
        }
      }
    ])

  test("runs through the pipeline's exec and http, its inputs prefixed and its outputs under health-", async () => {
    const exec = healthExec()
    const http = recordedHttp([{ match: `GET ${INDEX}/dataknobs-common/`, answer: page }])
    const reg = registry({ 'build-packages': passing('build-packages') })
    const { result } = await runPipeline(
      { ...reg, 'health-check': ACTIONS['health-check']! },
      { stages: 'build,health-check', packages: 'dataknobs-common==1.2.0', 'health-index-url': INDEX },
      { exec, http }
    )
    expect(stagesOf(result)).toEqual([
      ['build', 'passed', undefined],
      ['health-check', 'passed', undefined]
    ])
    expect(result.checks.map((c) => [c.tool, c.status])).toEqual([
      ['build/tool', 'passed'],
      ['health-check/install', 'passed'],
      ['health-check/import', 'passed']
    ])
    expect(result.outputs).toMatchObject({
      'health-healthy': 'true',
      'health-versions': JSON.stringify({ 'dataknobs-common': '1.2.0' }),
      'health-passed': 'true'
    })
    expect(exec.commands()[2]).toMatch(
      /-m pip install --no-cache-dir .*--index-url https:\/\/index\.test\/simple .*dataknobs-common==1\.2\.0$/
    )
    expect(exec.commands()).toHaveLength(4)
    expect(http.requests.map((r) => r.url)).toEqual([`${INDEX}/dataknobs-common/`])
    expect(result.data!.stages).toEqual([expect.anything(), expect.objectContaining({ stage: 'health-check', environment: 'production' })])
  })

  test('after a failed gate the real health-check starts no process and asks the index nothing', async () => {
    const exec = healthExec()
    const http = recordedHttp([{ match: /^GET /, answer: page }])
    const reg = registry({ 'run-tests': standIn('run-tests', { passed: false, checks: [check('pytest', 'failed')] }) })
    const { result } = await runPipeline(
      { ...reg, 'health-check': ACTIONS['health-check']! },
      { stages: 'tests,health-check', packages: 'dataknobs-common==1.2.0', 'health-index-url': INDEX },
      { exec, http }
    )
    expect(stagesOf(result)).toEqual([
      ['tests', 'failed', undefined],
      ['health-check', 'blocked', 'not run: tests failed, and nothing is released from a failed pipeline']
    ])
    expect(exec.calls).toHaveLength(0)
    expect(http.requests).toHaveLength(0)
  })
})
