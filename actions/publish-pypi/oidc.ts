/**
 * Trusted publishing: trade the job's GitHub OIDC token for a short-lived upload token,
 * following PyPI's published protocol (docs "Publishing with a Trusted Publisher", the
 * manual way): audience from `<index>/_/oidc/audience`, ID token from the runner's
 * ACTIONS_ID_TOKEN_REQUEST_URL, exchange at `<index>/_/oidc/mint-token`. The same ID-token
 * request, with audience `sigstore`, gives attestations.ts the token Fulcio certifies.
 */
import { UserError, isUserError } from '../../packages-shared/errors.js'
import { githubContext, isForkPullRequest } from '../../packages-shared/github/event.js'
import type { Http } from '../../packages-shared/github/http.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { maskToken, redact, registerSecret } from '../../packages-shared/secrets.js'

type Env = Readonly<Record<string, string | undefined>>

export function oidcAvailable(env: Env): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
}

/** Why there are no credentials, and what to do: the message of the pre-flight failure. */
export function missingCredentialsMessage(env: Env): string {
  if (isForkPullRequest(githubContext(env))) {
    return (
      'No credentials: this is a pull request from a fork, and GitHub gives such runs neither secrets nor an OIDC token, ' +
      'so nothing can be published from here. Publish from a push, tag or release workflow of the repository itself, ' +
      'or run with dry-run: true to check the dists.'
    )
  }
  return (
    "No credentials: give 'token' (a PyPI API token from the secret store), 'username'/'password' for a private index, " +
    'or use trusted publishing: add `permissions: id-token: write` to the job and register this workflow as a trusted publisher of the project on the index.'
  )
}

interface Json {
  [k: string]: unknown
}

/** `purpose` starts every message: "Trusted publishing" or "Attestations". */
async function getJson(
  url: string,
  init: RequestInit,
  what: string,
  http: Http,
  purpose = 'Trusted publishing'
): Promise<{ status: number; body: Json }> {
  let response: Response
  let text: string
  try {
    response = await http(url, { ...init, signal: AbortSignal.timeout(30_000) })
    text = await response.text()
  } catch (error) {
    if (isUserError(error)) throw error
    throw new UserError(`${purpose}: ${what} failed: ${redact(error instanceof Error ? error.message : String(error))}.`)
  }
  let body: Json = {}
  try {
    body = JSON.parse(text) as Json
  } catch {
    // Reported below with the status.
  }
  return { status: response.status, body }
}

/**
 * The job's GitHub OIDC token for `audience`, from the runner's token endpoint. The
 * runner's request token and the ID token are masked before either is sent or could be
 * echoed. `purpose` starts every message.
 */
export async function requestIdToken(io: RunnerIO, audience: string, http: Http, purpose = 'Trusted publishing'): Promise<string> {
  const env = io.env
  if (!oidcAvailable(env)) throw new UserError(missingCredentialsMessage(env))
  registerSecret(io, env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!)
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL!
  const idUrl = `${requestUrl}${requestUrl.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`
  const id = await getJson(
    idUrl,
    { headers: { Authorization: `bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, Accept: 'application/json' } },
    'requesting the GitHub OIDC token',
    http,
    purpose
  )
  const jwt = typeof id.body.value === 'string' ? id.body.value : undefined
  if (jwt) maskToken(io, jwt)
  if (id.status !== 200 || !jwt) {
    throw new UserError(
      `${purpose}: GitHub did not give an OIDC token (status ${id.status}). Check that the job has \`permissions: id-token: write\`.`
    )
  }
  return jwt
}

/**
 * Mints an upload token for the index at `base`. Both the OIDC token and the minted token
 * are masked before anything could print them.
 */
export async function mintUploadToken(io: RunnerIO, base: string, http: Http): Promise<string> {
  const env = io.env
  if (!oidcAvailable(env)) throw new UserError(missingCredentialsMessage(env))
  const root = base.replace(/\/+$/, '')

  const aud = await getJson(`${root}/_/oidc/audience`, {}, `GET ${root}/_/oidc/audience`, http)
  if (aud.status === 404) {
    throw new UserError(
      `Trusted publishing: ${root} does not offer it (GET /_/oidc/audience answered 404). Use 'token' or 'username'/'password' for this index.`
    )
  }
  const audience = typeof aud.body.audience === 'string' ? aud.body.audience : undefined
  if (aud.status !== 200 || !audience) {
    throw new UserError(`Trusted publishing: GET ${root}/_/oidc/audience answered ${aud.status} without an audience.`)
  }

  const jwt = await requestIdToken(io, audience, http)

  const mint = await getJson(
    `${root}/_/oidc/mint-token`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: jwt }) },
    `POST ${root}/_/oidc/mint-token`,
    http
  )
  const token = typeof mint.body.token === 'string' ? mint.body.token : undefined
  if (token) maskToken(io, token)
  if (mint.status !== 200 || !token) {
    const errors = Array.isArray(mint.body.errors) ? (mint.body.errors as Json[]) : []
    // The index's own words; an index that echoes the request would repeat the ID token.
    const reasons = redact(errors.map((e) => `${String(e.code ?? 'error')}: ${String(e.description ?? '')}`.trim()).join('; '))
    throw new UserError(
      `Trusted publishing: ${root} refused to mint an upload token (status ${mint.status}${reasons ? `; ${reasons}` : ''}). ` +
        'Register this repository, workflow file and environment as a trusted publisher of each project on the index, or use a token.'
    )
  }
  return token
}
