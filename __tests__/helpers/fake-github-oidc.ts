/**
 * A fake of GitHub Actions' OIDC token issuer, for tests: GitHub's real issuer
 * (https://token.actions.githubusercontent.com) cannot issue tokens outside a workflow run.
 *
 * It follows GitHub's documentation "About security hardening with OpenID Connect"
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect):
 * the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL, `GET ...&audience=<aud>` with
 * `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`, answer `{"value": "<jwt>"}`),
 * and tokens with GitHub's claims (iss, sub, aud, repository, job_workflow_ref, ...),
 * signed here with ES256 by a key of its own that a test hands to the services that
 * verify them.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import type * as http from 'node:http'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export interface WorkflowIdentity {
  repository: string
  /** The workflow file under .github/workflows/. */
  workflow: string
  ref: string
  sha: string
  eventName: string
}

const DEFAULT_IDENTITY: WorkflowIdentity = {
  repository: 'dk-org/dataknobs',
  workflow: 'release.yml',
  ref: 'refs/tags/v1.0.0',
  sha: 'a'.repeat(40),
  eventName: 'push'
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

export class FakeGitHubOidc {
  readonly issuer = GITHUB_ISSUER
  /** What the runner gives the step in ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  readonly requestToken = `gh-request-${randomBytes(8).toString('hex')}`
  readonly publicKey: KeyObject
  private readonly privateKey: KeyObject
  readonly identity: WorkflowIdentity
  /** Every token issued, with its audience, in order. */
  readonly issued: { audience: string; jwt: string }[] = []

  constructor(identity: Partial<WorkflowIdentity> = {}) {
    this.identity = { ...DEFAULT_IDENTITY, ...identity }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = privateKey
    this.publicKey = publicKey
  }

  /** `https://github.com/<job_workflow_ref>`: the identity Fulcio certifies for the workflow. */
  get workflowUri(): string {
    return `https://github.com/${this.claims('x').job_workflow_ref as string}`
  }

  claims(audience: string, lifetimeSeconds = 300): Record<string, unknown> {
    const { repository, workflow, ref, sha, eventName } = this.identity
    const now = Math.floor(Date.now() / 1000)
    const workflowRef = `${repository}/.github/workflows/${workflow}@${ref}`
    return {
      jti: randomBytes(8).toString('hex'),
      sub: `repo:${repository}:ref:${ref}`,
      aud: audience,
      ref,
      sha,
      repository,
      repository_owner: repository.split('/')[0],
      repository_id: '123456',
      repository_owner_id: '654321',
      run_id: '42',
      run_number: '7',
      run_attempt: '1',
      actor: 'release-bot',
      workflow: 'Release',
      workflow_ref: workflowRef,
      workflow_sha: sha,
      job_workflow_ref: workflowRef,
      job_workflow_sha: sha,
      event_name: eventName,
      runner_environment: 'github-hosted',
      iss: this.issuer,
      nbf: now - 5,
      iat: now,
      exp: now + lifetimeSeconds
    }
  }

  /** A signed token for `audience`. */
  token(audience: string, lifetimeSeconds?: number): string {
    const head = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'fake-github-oidc' }))
    const body = b64url(JSON.stringify(this.claims(audience, lifetimeSeconds)))
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: this.privateKey, dsaEncoding: 'ieee-p1363' })
    const jwt = `${head}.${body}.${b64url(sig)}`
    this.issued.push({ audience, jwt })
    return jwt
  }

  /** The runner's environment for a step that may ask for tokens, with the endpoint at `url`. */
  env(url: string): Record<string, string> {
    return {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${url}${url.includes('?') ? '&' : '?'}api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.requestToken
    }
  }

  /** Answers the runner's token endpoint (a request whose path is `path`); false for any other request. */
  answer(path: string, req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== path) return false
    const json = (status: number, data: unknown): true => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(data))
      return true
    }
    if (req.headers.authorization !== `bearer ${this.requestToken}`) return json(401, { message: 'Bad credentials' })
    const audience = url.searchParams.get('audience')
    if (!audience) return json(400, { message: 'audience is required' })
    return json(200, { count: 1, value: this.token(audience) })
  }
}
