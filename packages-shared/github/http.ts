/**
 * The one HTTP client every action uses. It is fetch-shaped so call sites read like fetch,
 * and it lives on ActionContext so main.ts can be unit-tested with recorded answers.
 */
export type Http = (url: string, init?: RequestInit) => Promise<Response>

/** The client for a run, chosen from the runner's environment. */
export function createHttp(_env: Readonly<Record<string, string | undefined>>): Http {
  return (url, init) => fetch(url, init)
}
