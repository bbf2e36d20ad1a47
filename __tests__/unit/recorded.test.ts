import { describe, expect, test } from '@jest/globals'
import { recordedExec, recordedHttp, testContext } from '../helpers/recorded.js'

describe('recorded exec and http (the unit tests of every main.ts stand on them)', () => {
  test('a command is answered by the first rule that matches, within its count', async () => {
    const exec = recordedExec([
      { match: /^git rev-parse/, answer: { stdout: 'abc\n' }, times: 1 },
      { match: (s) => s.argv[0] === 'git', answer: { exitCode: 128, stderr: 'fatal' } }
    ])
    expect((await exec({ argv: ['git', 'rev-parse', 'HEAD'] })).stdout).toBe('abc\n')
    expect((await exec({ argv: ['git', 'rev-parse', 'HEAD'] })).exitCode).toBe(128)
    expect(exec.commands()).toEqual(['git rev-parse HEAD', 'git rev-parse HEAD'])
  })

  test('a command no rule expects fails the test instead of running', async () => {
    const exec = recordedExec([{ match: /^git /, answer: {} }])
    await expect(exec({ argv: ['python3', '-c', 'print(1)'] })).rejects.toThrow('unexpected command: python3 -c')
  })

  test('a request no route expects fails like a network error, and every request is recorded', async () => {
    const http = recordedHttp([{ match: 'GET https://index.test/simple/a/', answer: () => new Response('{}', { status: 200 }) }])
    expect((await http('https://index.test/simple/a/')).status).toBe(200)
    await expect(http('https://index.test/simple/b/', { method: 'GET' })).rejects.toThrow(TypeError)
    expect(http.requests.map((r) => r.url)).toEqual(['https://index.test/simple/a/', 'https://index.test/simple/b/'])
  })

  test('the context carries the recorded exec and http, and the workspace given', async () => {
    const exec = recordedExec([])
    const { ctx } = testContext({ exec, inputs: { packages: 'all' } })
    expect(ctx.exec).toBe(exec)
    await expect(ctx.exec({ argv: ['uv', '--version'] })).rejects.toThrow('unexpected command')
  })
})
