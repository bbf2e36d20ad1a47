/**
 * exitWhenFlushed ends the process after stdout and stderr have handed on what was written,
 * keeping the exit code the action set; a stream that never calls back does not hold it.
 */
import { describe, expect, test } from '@jest/globals'
import { exitWhenFlushed, type ExitingProcess } from '../../packages-shared/exit.js'

function fakeProcess(calls: string[], { stderrCallsBack = true } = {}): ExitingProcess {
  return {
    exitCode: 1,
    stdout: {
      write: (_chunk, cb) => {
        calls.push('stdout flushed')
        setImmediate(cb)
        return true
      }
    },
    stderr: {
      write: (_chunk, cb) => {
        calls.push('stderr flushed')
        if (stderrCallsBack) setImmediate(cb)
        return true
      }
    },
    exit(code?: number) {
      calls.push(`exit(${code ?? ''}) with exitCode ${String(this.exitCode)}`)
    }
  }
}

describe('exitWhenFlushed (a fake process)', () => {
  test('exits once, after both streams flushed, leaving the exit code the action set', async () => {
    const calls: string[] = []
    await exitWhenFlushed(fakeProcess(calls))
    expect(calls).toEqual(['stdout flushed', 'stderr flushed', 'exit() with exitCode 1'])
  })

  test('a stream that never calls back: the process still exits at the limit', async () => {
    const calls: string[] = []
    await exitWhenFlushed(fakeProcess(calls, { stderrCallsBack: false }), 20)
    expect(calls).toEqual(['stdout flushed', 'stderr flushed', 'exit() with exitCode 1'])
  })
})
