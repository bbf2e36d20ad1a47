import { backoffDelay, withRetry, type Attempt } from '../../packages-shared/github/retry.js'

describe('backoffDelay', () => {
  test('doubles from the base per retry, 1-based', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, () => 0))).toEqual([1000, 2000, 4000, 8000])
  })
  test('jitter adds up to 25%, never takes away', () => {
    expect(backoffDelay(1, 1000, () => 0.5)).toBe(1125)
    expect(backoffDelay(2, 1000, () => 1)).toBe(2500)
    expect(backoffDelay(1, 1000, () => 0)).toBe(1000)
  })
  test('the cap bounds the delay, jitter included', () => {
    expect(backoffDelay(10, 1000, () => 0)).toBe(60_000)
    expect(backoffDelay(7, 1000, () => 1, 60_000)).toBe(60_000)
    expect(backoffDelay(3, 1000, () => 1, 3000)).toBe(3000)
    expect(backoffDelay(1, 500, () => 0, 500)).toBe(500)
  })
})

/** A sleep that records the waits and returns at once. */
function recorder(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = []
  return { waits, sleep: async (ms) => void waits.push(ms) }
}

describe('withRetry', () => {
  test('returns the first value that is not retriable, after waiting the backoff between tries', async () => {
    const r = recorder()
    const seen: number[] = []
    const value = await withRetry(async (n) => (seen.push(n), n < 3 ? 'busy' : 'done'), {
      retries: 5,
      baseMs: 100,
      retriable: (o) => o.ok && o.value === 'busy',
      sleep: r.sleep,
      random: () => 0
    })
    expect(value).toBe('done')
    expect(seen).toEqual([1, 2, 3])
    expect(r.waits).toEqual([100, 200])
  })
  test('retries thrown errors the predicate accepts, and throws the last when retries run out', async () => {
    const r = recorder()
    let calls = 0
    const retried: [string, number, number][] = []
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Error(`down ${calls}`)
        },
        {
          retries: 2,
          baseMs: 1000,
          retriable: (o) => !o.ok,
          onRetry: (o: Attempt<never>, n, d) => retried.push([o.ok ? '' : (o.error as Error).message, n, d]),
          sleep: r.sleep,
          random: () => 1
        }
      )
    ).rejects.toThrow('down 3')
    expect(calls).toBe(3)
    expect(retried).toEqual([
      ['down 1', 1, 1250],
      ['down 2', 2, 2500]
    ])
    expect(r.waits).toEqual([1250, 2500])
  })
  test('an error the predicate refuses is thrown at once', async () => {
    const r = recorder()
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new TypeError('bad')
        },
        { retries: 5, baseMs: 10, retriable: (o) => !o.ok && !(o.error instanceof TypeError), sleep: r.sleep }
      )
    ).rejects.toThrow('bad')
    expect(calls).toBe(1)
    expect(r.waits).toEqual([])
  })
  test('a retriable value still returned when retries run out (the caller reports it)', async () => {
    const r = recorder()
    expect(
      await withRetry(async () => 503, { retries: 1, baseMs: 5, retriable: (o) => o.ok && o.value >= 500, sleep: r.sleep, random: () => 0 })
    ).toBe(503)
    expect(r.waits).toEqual([5])
  })
  test('retries: 0 tries once', async () => {
    const r = recorder()
    let calls = 0
    expect(await withRetry(async () => ++calls, { retries: 0, baseMs: 5, retriable: () => true, sleep: r.sleep })).toBe(1)
    expect(r.waits).toEqual([])
  })
  test('a deadline stops the retries and shortens the last wait; it is read after every attempt', async () => {
    let clock = 0
    const waits: number[] = []
    let deadline = 2500
    const result = await withRetry(
      async (n) => {
        // The caller extends the deadline once, during the second attempt.
        if (n === 2) deadline = 4500
        return n
      },
      {
        retries: Number.POSITIVE_INFINITY,
        baseMs: 1000,
        capMs: 2000,
        deadline: () => deadline,
        now: () => clock,
        retriable: () => true,
        sleep: async (ms) => {
          waits.push(ms)
          clock += ms
        },
        random: () => 0
      }
    )
    // 1000, then 2000 (the cap), then the 1500 left before the extended deadline; the fourth attempt finds it passed.
    expect(waits).toEqual([1000, 2000, 1500])
    expect(result).toBe(4)
  })
})
