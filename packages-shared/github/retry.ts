/**
 * The one retry policy: exponential backoff from a base delay, with jitter, bounded by a
 * number of retries and optionally by a deadline.
 *
 * The jitter adds 0..25% to each delay rather than drawing it from 0..delay ("full
 * jitter"). Our callers are a few jobs at a time, not a fleet, so spreading them over the
 * whole interval buys little; what matters more is that the delay a user configures is a
 * floor: an index lists an upload some seconds after it lands, and a service restarts in
 * its own time, so a retry drawn close to zero would only be a wasted attempt.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The delay before retry `attempt` (1-based): baseMs doubled per retry, plus up to 25%
 * jitter, never more than capMs.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random, capMs = 60_000): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1)
  return Math.round(Math.min(exponential * (1 + random() * 0.25), capMs))
}

/** What one attempt came to: a value, or the error it threw. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown }

export interface RetryOptions<T> {
  /** Retries after the first attempt (0: try once). */
  retries: number
  baseMs: number
  /** Longest single wait (60 s unless given). */
  capMs?: number
  /** Whether this outcome may change on another try: a thrown error, or a value such as a 503. */
  retriable: (outcome: Attempt<T>) => boolean
  /** Told before each wait: the outcome retried, the number of the retry (1-based), the wait. */
  onRetry?: (outcome: Attempt<T>, retry: number, delayMs: number) => void
  /**
   * When to stop (epoch ms), read after each attempt so the caller may extend it: no retry
   * once it has passed, and no wait beyond it.
   */
  deadline?: () => number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

/**
 * Runs fn (given the 1-based attempt number) until its outcome is not retriable or the
 * retries or the deadline run out. The last outcome stands: its value is returned, its
 * error thrown.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const wait = options.sleep ?? sleep
  const now = options.now ?? Date.now
  for (let attempt = 1; ; attempt++) {
    let outcome: Attempt<T>
    try {
      outcome = { ok: true, value: await fn(attempt) }
    } catch (error) {
      outcome = { ok: false, error }
    }
    const retry = attempt
    let again = retry <= options.retries && options.retriable(outcome)
    let delay = again ? backoffDelay(retry, options.baseMs, options.random, options.capMs) : 0
    if (again && options.deadline) {
      const remaining = options.deadline() - now()
      if (remaining <= 0) again = false
      else delay = Math.min(delay, remaining)
    }
    if (!again) {
      if (outcome.ok) return outcome.value
      throw outcome.error
    }
    options.onRetry?.(outcome, retry, delay)
    await wait(delay)
  }
}
