/**
 * health-check's whole flow (plan, runs, checks) through recorded processes and HTTP
 * answers: which commands it runs, in what order, and what it makes of their answers.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { healthCheckAction } from '../../actions/health-check/main.js'
import { InputReader } from '../../packages-shared/inputs.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { recordedExec, recordedHttp, testContext, type ExecRule } from '../helpers/recorded.js'

const PIP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captured', 'pip')
const INDEX = 'https://index.test/simple'

function page(...files: string[]): Response {
  return new Response(
    JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: 'dataknobs-common',
      files: files.map((filename) => ({ filename, hashes: {} }))
    }),
    {
      status: 200,
      headers: { 'content-type': 'application/vnd.pypi.simple.v1+json' }
    }
  )
}

const dk = (line: object): string => `@@dk ${JSON.stringify(line)}`

/** The interpreter, the venv (made for real: the suite stamps it) and the import check's answer. */
function rules(install: ExecRule['answer'], importLines: string[]): ExecRule[] {
  return [
    { match: /^python3 -c 'import sys/, answer: { stdout: '/usr/bin/python3\n3.11.7\n' } },
    { match: /-m venv /, answer: (s: CommandSpec) => (fs.mkdirSync(s.argv[s.argv.length - 1]!, { recursive: true }), {}) },
    { match: / -m pip install /, answer: install },
    { match: / -I .*dk_import_check\.py/, answer: { stdout: importLines.join('\n') + '\n' } }
  ]
}

async function run(inputs: Record<string, string>, exec: ReturnType<typeof recordedExec>, http: ReturnType<typeof recordedHttp>) {
  // No repository here: explicit name==version entries need none, and no uv on PATH (pip installs).
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-health-ws-'))
  const { ctx, io } = testContext({ inputs, env: { GITHUB_WORKSPACE: empty, PATH: empty }, exec, http })
  const parsed = healthCheckAction.parseInputs(new InputReader(io), ctx.common, io)
  return { result: await healthCheckAction.run(ctx, parsed), io }
}

describe('health-check main, through recorded exec and http', () => {
  test('a listed release installs, its modules import, and the outputs name the installed version', async () => {
    const exec = recordedExec(
      rules({}, [
        dk({ kind: 'dist', package: 'dataknobs-common', version: '1.2.0', modules: ['dataknobs_common'] }),
        dk({ kind: 'import', package: 'dataknobs-common', module: 'dataknobs_common', ok: true, ms: 4 })
      ])
    )
    const http = recordedHttp([{ match: `GET ${INDEX}/dataknobs-common/`, answer: () => page('dataknobs_common-1.2.0-py3-none-any.whl') }])
    const { result } = await run({ packages: 'dataknobs-common==1.2.0', 'index-url': INDEX }, exec, http)
    expect(result.passed).toBe(true)
    expect(result.checks.map((c) => [c.tool, c.status])).toEqual([
      ['install', 'passed'],
      ['import', 'passed']
    ])
    expect(result.outputs).toMatchObject({ healthy: 'true', versions: JSON.stringify({ 'dataknobs-common': '1.2.0' }) })
    const commands = exec.commands()
    expect(commands[0]).toMatch(/^python3 -c /)
    expect(commands[1]).toMatch(/^\/usr\/bin\/python3 -m venv /)
    expect(commands[2]).toMatch(/-m pip install --no-cache-dir .*--index-url https:\/\/index\.test\/simple .*dataknobs-common==1\.2\.0$/)
    expect(commands).toHaveLength(4)
    expect(http.requests.map((r) => r.url)).toEqual([`${INDEX}/dataknobs-common/`])
  })

  test('a module that fails to import fails the step with its error', async () => {
    const exec = recordedExec(
      rules({}, [
        dk({ kind: 'dist', package: 'dataknobs-common', version: '1.2.0', modules: ['dataknobs_common'] }),
        dk({
          kind: 'import',
          package: 'dataknobs-common',
          module: 'dataknobs_common',
          ok: false,
          ms: 3,
          error: "ModuleNotFoundError: No module named 'yaml'",
          traceback: 'Traceback ...'
        })
      ])
    )
    const http = recordedHttp([{ match: /^GET /, answer: () => page('dataknobs_common-1.2.0-py3-none-any.whl') }])
    const { result } = await run({ packages: 'dataknobs-common==1.2.0', 'index-url': INDEX }, exec, http)
    expect(result.passed).toBe(false)
    const failed = result.checks.find((c) => c.status === 'failed')!
    expect(failed.findings[0]!.message).toContain("No module named 'yaml'")
    expect(result.failureMessage).toMatch(/^health-check \(production\) failed: .*yaml/)
  })

  test("pip's conflict (captured) is a broken release, said with both sides, and nothing is imported", async () => {
    const read = (ext: string): string => fs.readFileSync(path.join(PIP, `conflict-two-packages.${ext}`), 'utf8')
    const exec = recordedExec(rules({ exitCode: Number(read('exit').trim()), stdout: read('stdout'), stderr: read('stderr') }, []))
    const http = recordedHttp([{ match: /^GET /, answer: () => page('dataknobs_common-1.2.0-py3-none-any.whl') }])
    const { result } = await run({ packages: 'dataknobs-common==1.2.0', 'index-url': INDEX }, exec, http)
    expect(result.passed).toBe(false)
    expect(result.checks.map((c) => c.tool)).toEqual(['install'])
    expect(result.checks[0]!.findings[0]!.message).toMatch(/quill/)
    expect(exec.commands().some((c) => c.includes('dk_import_check.py'))).toBe(false)
  })

  test('a URL that answers 503 and then 200 is healthy on its second attempt, polled beside the install', async () => {
    let calls = 0
    const http = recordedHttp([
      { match: 'GET https://svc.test/health', answer: () => new Response('ok', { status: ++calls === 1 ? 503 : 200 }) },
      { match: /^GET https:\/\/index\.test\//, answer: () => page('dataknobs_common-1.2.0-py3-none-any.whl') }
    ])
    const exec = recordedExec(rules({}, [dk({ kind: 'dist', package: 'dataknobs-common', version: '1.2.0', modules: [] })]))
    const { result } = await run(
      { packages: 'dataknobs-common==1.2.0', 'index-url': INDEX, urls: 'https://svc.test/health', 'retry-interval': '1s' },
      exec,
      http
    )
    expect(result.checks.find((c) => c.tool === 'url')).toMatchObject({ status: 'passed', command: 'GET https://svc.test/health' })
    expect(http.requests.filter((r) => r.url === 'https://svc.test/health')).toHaveLength(2)
    expect(result.passed).toBe(true)
  })
})
