/**
 * The GitHub Release of a version, made so that running it again is always safe: the
 * release is found by its tag (drafts included) or created, its name and notes brought up
 * to date, and each file attached once. A file already attached is compared by sha256 and
 * left alone when equal; when it differs, nothing at all is changed and the run fails,
 * since a published release's files are pinned by hash downstream and must never change.
 *
 * The REST calls go through a small seam (GitHubClient), bound to @actions/github's
 * octokit by githubClient(); a unit test can hand upsertRelease another.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { getOctokit } from '@actions/github'
import { UserError } from '../errors.js'
import type { Http } from './http.js'

export const DEFAULT_API_URL = 'https://api.github.com'

export interface ReleaseAsset {
  path: string
  /** The asset's name on the release; the file's base name when absent. */
  name?: string
}

export interface ReleaseRequest {
  owner: string
  repo: string
  tag: string
  name: string
  body: string
  /** The branch or commit the tag is made from when the tag does not exist yet (the repository's default branch when absent). */
  targetCommitish?: string
  /** When absent, a release found keeps its flag and a new one is not a pre-release. */
  prerelease?: boolean
  /** When absent, a release found keeps its state and a new one is published; false publishes a draft found. */
  draft?: boolean
  assets: ReleaseAsset[]
}

export interface AssetOutcome {
  name: string
  sha256: string
  action: 'uploaded' | 'unchanged'
}

export interface ReleaseOutcome {
  tag: string
  id: number
  /** The release's page (html_url). */
  url: string
  created: boolean
  updated: boolean
  assets: AssetOutcome[]
}

/** What one REST call answered. */
export interface ApiAnswer {
  status: number
  data: unknown
}

/**
 * The REST calls of the releases and the pull-request comment, in octokit's terms: a route (`GET /repos/{owner}/…`,
 * or a method and an absolute URL) and its parameters (path and query values, a JSON body's
 * fields, `data` for a raw body, `headers`). Every failure is thrown as a GitHubApiError.
 */
export interface GitHubClient {
  /** The API's base URL, for messages. */
  readonly apiUrl: string
  request(route: string, params?: Record<string, unknown>): Promise<ApiAnswer>
  /** Every item of a list endpoint, all pages (following the Link headers). */
  paginate(route: string, params?: Record<string, unknown>): Promise<unknown[]>
}

/** A failed REST call: GitHub's status and message, or no status when GitHub was never reached. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError'
  constructor(
    message: string,
    /** Undefined for a network failure. */
    readonly status: number | undefined,
    /** The `message` of GitHub's error body (or the network error's). */
    readonly githubMessage: string,
    /** The `errors` of a 422, each as `code field` (`already_exists name`) or its message. */
    readonly details: readonly string[] = []
  ) {
    super(message)
  }
}

export interface GitHubClientOptions {
  /**
   * The HTTP client to send requests with (ActionContext's http, which routes each host by
   * the runner's proxy settings). @actions/github's own is used when absent: it reads the
   * proxy from process.env when the module loads.
   */
  fetch?: Http
}

// ---------------------------------------------------------------------------------------
// The octokit binding

function describeErrorItem(item: unknown): string {
  if (typeof item === 'string') return item
  if (item === null || typeof item !== 'object') return String(item)
  const fields = item as Record<string, unknown>
  if (typeof fields.message === 'string' && fields.message) return fields.message
  return [fields.code, fields.field].filter((v) => typeof v === 'string' && v).join(' ')
}

/**
 * The innermost cause of a network failure (`connect ECONNREFUSED …`, `getaddrinfo ENOTFOUND …`):
 * fetch reports every one as `fetch failed`, and the cause says which.
 */
function networkReason(error: unknown): string | undefined {
  let reason: string | undefined
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown }
    if (depth > 0 && typeof message === 'string' && message) reason = message
    current = cause
  }
  return reason
}

/**
 * octokit's RequestError as a GitHubApiError. It is recognised by shape (a numeric status)
 * rather than by class, so the seam does not depend on octokit's packages. A RequestError
 * without a response is a request that never got one: octokit gives those status 500.
 */
function toApiError(error: unknown, scrub: (text: string) => string): unknown {
  if (error === null || typeof error !== 'object') return error
  const e = error as { status?: unknown; message?: unknown; response?: { data?: unknown } }
  if (typeof e.status !== 'number') return error
  const text = scrub(typeof e.message === 'string' ? e.message : String(error))
  if (!e.response) {
    const reason = scrub(networkReason(error) ?? text)
    return new GitHubApiError(text, undefined, reason)
  }
  const data = e.response.data
  const body = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {}
  const said = typeof body.message === 'string' ? scrub(body.message) : typeof data === 'string' ? scrub(data.slice(0, 200)) : ''
  const details = Array.isArray(body.errors) ? body.errors.map((item) => scrub(describeErrorItem(item))).filter(Boolean) : []
  return new GitHubApiError(text, e.status, said, details)
}

/** Our fetch-shaped client in the shape octokit calls (it always passes a string URL). */
function asFetch(http: Http): typeof fetch {
  return (input, init) => http(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, init)
}

/** The release calls through @actions/github's octokit, against `apiUrl` (GITHUB_API_URL). */
export function githubClient(token: string, apiUrl: string, options: GitHubClientOptions = {}): GitHubClient {
  const baseUrl = (apiUrl.trim() || DEFAULT_API_URL).replace(/\/+$/, '')
  const octokit = getOctokit(token, { baseUrl, ...(options.fetch ? { request: { fetch: asFetch(options.fetch) } } : {}) })
  // octokit keeps the token out of its messages; this holds even for an echoing server or proxy.
  const scrub = (text: string): string => (token ? text.split(token).join('***') : text)
  return {
    apiUrl: baseUrl,
    async request(route, params = {}) {
      try {
        const response = await octokit.request(route, params)
        return { status: response.status, data: response.data as unknown }
      } catch (error) {
        throw toApiError(error, scrub)
      }
    },
    async paginate(route, params = {}) {
      try {
        const items: unknown[] = await octokit.paginate(route, { per_page: 100, ...params })
        return items
      } catch (error) {
        throw toApiError(error, scrub)
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// GitHub's answers, read into the fields used here

interface Release {
  id: number
  tagName: string
  name: string
  body: string
  draft: boolean
  prerelease: boolean
  htmlUrl: string
  uploadUrl: string
}

interface RemoteAsset {
  id: number
  name: string
  size: number
  /** `uploaded`; anything else (`starter`, `open`) is what an interrupted upload leaves. */
  state: string
  /** The sha256 (hex, lower case) from `digest`, when GitHub gave one. */
  sha256?: string
}

/** Where a call was made, for messages: the API and the repository. */
interface Site {
  apiUrl: string
  slug: string
  tag: string
}

function notTheApi(site: Site, what: string, detail: string): UserError {
  return new UserError(
    `Could not ${what}: GitHub's answer is not what its REST API documents (${detail}). ` +
      `Check that GITHUB_API_URL (${site.apiUrl}) is GitHub's REST API: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.`
  )
}

function asRecord(site: Site, what: string, data: unknown): Record<string, unknown> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw notTheApi(site, what, 'not a JSON object')
  return data as Record<string, unknown>
}

function readRelease(site: Site, what: string, data: unknown): Release {
  const r = asRecord(site, what, data)
  if (typeof r.id !== 'number' || typeof r.tag_name !== 'string' || typeof r.upload_url !== 'string') {
    throw notTheApi(site, what, 'a release without id, tag_name or upload_url')
  }
  return {
    id: r.id,
    tagName: r.tag_name,
    name: typeof r.name === 'string' ? r.name : '',
    body: typeof r.body === 'string' ? r.body : '',
    draft: r.draft === true,
    prerelease: r.prerelease === true,
    htmlUrl: typeof r.html_url === 'string' ? r.html_url : '',
    uploadUrl: r.upload_url
  }
}

/** `sha256:<hex>` as GitHub writes it; other algorithms (or none) mean the file must be fetched to compare. */
function digestSha256(digest: unknown): string | undefined {
  if (typeof digest !== 'string') return undefined
  const m = /^sha256:([0-9a-f]{64})$/i.exec(digest.trim())
  return m ? m[1]!.toLowerCase() : undefined
}

function readAsset(site: Site, what: string, data: unknown): RemoteAsset {
  const a = asRecord(site, what, data)
  if (typeof a.id !== 'number' || typeof a.name !== 'string') throw notTheApi(site, what, 'an asset without id or name')
  const sha256 = digestSha256(a.digest)
  return {
    id: a.id,
    name: a.name,
    size: typeof a.size === 'number' ? a.size : -1,
    state: typeof a.state === 'string' ? a.state : 'uploaded',
    ...(sha256 ? { sha256 } : {})
  }
}

// ---------------------------------------------------------------------------------------
// Failures, as the user's to fix

function statusHint(error: GitHubApiError, site: Site): string {
  const status = error.status
  if (status === undefined) {
    return `GitHub's API at ${site.apiUrl} could not be reached: check GITHUB_API_URL and the runner's network and proxy settings (HTTPS_PROXY, NO_PROXY), then run again.`
  }
  if (status === 401) {
    return "GitHub refused the token: pass a valid one (the workflow's own is `${{ github.token }}`; a personal access token may have expired or been revoked)."
  }
  if (status === 403 && /rate limit/i.test(error.githubMessage)) return "The token's API rate limit is spent: run again once it resets."
  if (status === 403) {
    return (
      'The token may not write releases: give the job `permissions: contents: write`. ' +
      'A pull request from a fork gets a read-only token whatever the workflow asks, so make releases from a push or tag workflow.'
    )
  }
  if (status === 404) {
    return (
      `Either ${site.slug} does not exist or the token cannot see it: check the repository's name. ` +
      "The workflow's GITHUB_TOKEN reaches only its own repository; another needs a token with access to it (and a private repository answers 404, not 403, to a token without it)."
    )
  }
  if (status === 422) return `GitHub found the request invalid: check the tag (${site.tag}), the target commitish and the asset names.`
  if (status >= 500) return 'GitHub had a server error: run again later (https://www.githubstatus.com).'
  return "See GitHub's message."
}

function failure(site: Site, what: string, error: unknown): unknown {
  if (!(error instanceof GitHubApiError)) return error
  const details = error.details.length ? ` [${error.details.join('; ')}]` : ''
  const said =
    error.status === undefined
      ? `the request failed (${error.githubMessage})`
      : `GitHub answered ${error.status}${error.githubMessage ? ` "${error.githubMessage}"` : ''}${details}`
  return new UserError(`Could not ${what} (${site.slug}): ${said}. ${statusHint(error, site)}`)
}

async function call(client: GitHubClient, site: Site, what: string, route: string, params: Record<string, unknown>): Promise<ApiAnswer> {
  try {
    return await client.request(route, params)
  } catch (error) {
    throw failure(site, what, error)
  }
}

async function list(client: GitHubClient, site: Site, what: string, route: string, params: Record<string, unknown>): Promise<unknown[]> {
  try {
    return await client.paginate(route, params)
  } catch (error) {
    throw failure(site, what, error)
  }
}

// ---------------------------------------------------------------------------------------
// The local files

interface LocalFile {
  path: string
  name: string
  sha256: string
  size: number
}

const sha256Of = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * GitHub renames an asset whose name holds other characters (a space becomes a dot), and a
 * re-run would then never find it by the name it asked for; such names are refused up front.
 */
const ASSET_NAME = /^[A-Za-z0-9_+-](?:[A-Za-z0-9._+-]*[A-Za-z0-9_+-])?$/

async function localFiles(assets: readonly ReleaseAsset[]): Promise<LocalFile[]> {
  const seen = new Map<string, string>()
  const files: LocalFile[] = []
  for (const asset of assets) {
    const name = asset.name ?? path.basename(asset.path)
    if (!ASSET_NAME.test(name)) {
      throw new UserError(
        `The release asset name ${JSON.stringify(name)} (${asset.path}) would be renamed by GitHub, which keeps only letters, digits, '.', '-', '_' and '+', and no leading or trailing '.'. Give the asset a name made of those.`
      )
    }
    const other = seen.get(name)
    if (other !== undefined)
      throw new UserError(`Two release assets are named ${name}: ${other} and ${asset.path}. Give one of them another name.`)
    seen.set(name, asset.path)
    let stat: fs.Stats
    try {
      stat = await fs.promises.stat(asset.path)
    } catch {
      throw new UserError(`The release asset ${asset.path} does not exist: build it first, or fix its path.`)
    }
    if (!stat.isFile()) throw new UserError(`The release asset ${asset.path} is not a file.`)
    files.push({ path: asset.path, name, sha256: await hashFile(asset.path), size: stat.size })
  }
  return files
}

/** The media type an asset is served with: by extension, so a browser or pip downloading it is told what it is. */
export function assetContentType(name: string): string {
  const lower = name.toLowerCase()
  if (lower.endsWith('.whl') || lower.endsWith('.zip')) return 'application/zip'
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'application/gzip'
  if (lower.endsWith('.json')) return 'application/json'
  return 'application/octet-stream'
}

// ---------------------------------------------------------------------------------------
// The release

function repoParams(request: ReleaseRequest): Record<string, unknown> {
  return { owner: request.owner, repo: request.repo }
}

/** The published release with the tag, or a draft with it: the tags endpoint never returns drafts. */
async function findRelease(client: GitHubClient, site: Site, request: ReleaseRequest): Promise<Release | undefined> {
  const what = `look up the release ${request.tag}`
  try {
    const answer = await client.request('GET /repos/{owner}/{repo}/releases/tags/{tag}', { ...repoParams(request), tag: request.tag })
    return readRelease(site, what, answer.data)
  } catch (error) {
    if (!(error instanceof GitHubApiError && error.status === 404)) throw failure(site, what, error)
  }
  const all = await list(
    client,
    site,
    `list the releases to find a draft of ${request.tag}`,
    'GET /repos/{owner}/{repo}/releases',
    repoParams(request)
  )
  const drafts = all.map((data) => readRelease(site, what, data)).filter((r) => r.draft && r.tagName === request.tag)
  // Several drafts can share a tag (GitHub allows it); the oldest is the one the first run made.
  return drafts.sort((a, b) => a.id - b.id)[0]
}

async function createRelease(client: GitHubClient, site: Site, request: ReleaseRequest): Promise<Release> {
  const what = `create the release ${request.tag}`
  const answer = await call(client, site, what, 'POST /repos/{owner}/{repo}/releases', {
    ...repoParams(request),
    tag_name: request.tag,
    name: request.name,
    body: request.body,
    ...(request.targetCommitish ? { target_commitish: request.targetCommitish } : {}),
    draft: request.draft ?? false,
    prerelease: request.prerelease ?? false
  })
  return readRelease(site, what, answer.data)
}

/** GitHub may hand notes back with CRLF line ends; they are the same notes. */
const sameText = (a: string, b: string): boolean => a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n')

/** The fields of the found release that differ from the request, as PATCH takes them. */
function releaseChanges(found: Release, request: ReleaseRequest): Record<string, unknown> {
  const changes: Record<string, unknown> = {}
  if (!sameText(found.name, request.name)) changes.name = request.name
  if (!sameText(found.body, request.body)) changes.body = request.body
  if (request.prerelease !== undefined && found.prerelease !== request.prerelease) changes.prerelease = request.prerelease
  // A draft may be published; a published release is never taken back, since users may already have fetched it.
  if (request.draft === false && found.draft) changes.draft = false
  return changes
}

async function updateRelease(
  client: GitHubClient,
  site: Site,
  request: ReleaseRequest,
  id: number,
  changes: Record<string, unknown>
): Promise<Release> {
  const what = `update the release ${request.tag}`
  const answer = await call(client, site, what, 'PATCH /repos/{owner}/{repo}/releases/{release_id}', {
    ...repoParams(request),
    release_id: id,
    ...changes
  })
  return readRelease(site, what, answer.data)
}

// ---------------------------------------------------------------------------------------
// The assets

/** What to do with one file: keep the asset there, upload it, or first delete an interrupted upload's leftover. */
type AssetStep = { file: LocalFile; kind: 'unchanged' } | { file: LocalFile; kind: 'upload'; leftover?: RemoteAsset }

async function listAssets(client: GitHubClient, site: Site, request: ReleaseRequest, releaseId: number): Promise<RemoteAsset[]> {
  const what = `list the assets of the release ${request.tag}`
  const items = await list(client, site, what, 'GET /repos/{owner}/{repo}/releases/{release_id}/assets', {
    ...repoParams(request),
    release_id: releaseId
  })
  return items.map((data) => readAsset(site, what, data))
}

/** An asset's bytes as octokit hands them over: an ArrayBuffer for binary types, a string when the server says text. */
function bytesOf(data: unknown): Buffer | undefined {
  if (data instanceof ArrayBuffer) return Buffer.from(data)
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  return undefined
}

/** The asset's sha256: its digest, or (servers older than digests) the hash of its bytes, downloaded. */
async function remoteSha256(client: GitHubClient, site: Site, request: ReleaseRequest, asset: RemoteAsset): Promise<string> {
  if (asset.sha256) return asset.sha256
  const what = `download the asset ${asset.name} of the release ${request.tag} to compare it`
  const answer = await call(client, site, what, 'GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
    ...repoParams(request),
    asset_id: asset.id,
    headers: { accept: 'application/octet-stream' }
  })
  const bytes = bytesOf(answer.data)
  if (!bytes) throw notTheApi(site, what, 'no file content')
  return sha256Of(bytes)
}

function mismatchError(request: ReleaseRequest, mismatches: readonly { file: LocalFile; remote: string }[]): UserError {
  const lines = mismatches.map(
    ({ file, remote }) => `${file.name}: the release has sha256 ${remote}, the file ${file.path} has sha256 ${file.sha256}`
  )
  const one = mismatches.length === 1
  return new UserError(
    `The release ${request.tag} already has ${one ? 'an asset' : 'assets'} of the same name with other content, so nothing was changed:\n` +
      lines.map((l) => `  ${l}`).join('\n') +
      `\nA release's files must not change once published: users and lock files pin them by hash. ` +
      `Release a new version; or, if the release is broken, delete the asset by hand (on the release's page, or with gh release delete-asset ${request.tag} ${mismatches[0]!.file.name}) and run again.`
  )
}

/** Every file checked against the release's assets before anything is uploaded, so a mismatch changes nothing. */
async function planAssets(
  client: GitHubClient,
  site: Site,
  request: ReleaseRequest,
  files: readonly LocalFile[],
  existing: readonly RemoteAsset[]
): Promise<AssetStep[]> {
  const byName = new Map(existing.map((a) => [a.name, a]))
  const steps: AssetStep[] = []
  const mismatches: { file: LocalFile; remote: string }[] = []
  for (const file of files) {
    const asset = byName.get(file.name)
    if (!asset) steps.push({ file, kind: 'upload' })
    // GitHub documents that a failed upload can leave an empty `starter` asset, safe to delete.
    else if (asset.state !== 'uploaded') steps.push({ file, kind: 'upload', leftover: asset })
    else {
      const remote = await remoteSha256(client, site, request, asset)
      if (remote === file.sha256) steps.push({ file, kind: 'unchanged' })
      else mismatches.push({ file, remote })
    }
  }
  if (mismatches.length) throw mismatchError(request, mismatches)
  return steps
}

/** upload_url is an RFC 6570 template (`…/assets{?name,label}`): the template part goes, the name comes as a query. */
export function uploadUrlFor(template: string, name: string): string {
  return `${template.replace(/\{[^}]*\}/g, '')}?name=${encodeURIComponent(name)}`
}

async function deleteAsset(client: GitHubClient, site: Site, request: ReleaseRequest, asset: RemoteAsset, why: string): Promise<void> {
  await call(
    client,
    site,
    `delete the asset ${asset.name} (${why}) of the release ${request.tag}`,
    'DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}',
    {
      ...repoParams(request),
      asset_id: asset.id
    }
  )
}

function uploadFailure(site: Site, what: string, error: unknown): unknown {
  if (error instanceof GitHubApiError && error.status === 422 && error.details.some((d) => d.includes('already_exists'))) {
    return new UserError(
      `Could not ${what} (${site.slug}): GitHub answered 422, an asset of that name already exists, though it was not listed a moment before. ` +
        'Another job may be uploading to the same release: let one job make each release, and run again once it is done (a re-run compares the asset by hash).'
    )
  }
  return failure(site, what, error)
}

async function upload(client: GitHubClient, site: Site, request: ReleaseRequest, release: Release, file: LocalFile): Promise<void> {
  const what = `upload ${file.name} to the release ${request.tag}`
  // Read whole: the bytes hashed here are the bytes sent. Python dists are small next to the 2 GiB an asset may be.
  const data = await fs.promises.readFile(file.path)
  if (sha256Of(data) !== file.sha256) {
    throw new UserError(
      `${file.path} changed while the release ${request.tag} was being made: let the build finish before releasing, and run again.`
    )
  }
  let answer: ApiAnswer
  try {
    answer = await client.request(`POST ${uploadUrlFor(release.uploadUrl, file.name)}`, {
      data,
      headers: { 'content-type': assetContentType(file.name), 'content-length': data.length }
    })
  } catch (error) {
    throw uploadFailure(site, what, error)
  }
  const asset = readAsset(site, what, answer.data)
  const arrived = asset.sha256 ? asset.sha256 === file.sha256 : asset.size < 0 || asset.size === data.length
  if (!arrived) {
    await deleteAsset(client, site, request, asset, 'corrupted in transit')
    throw new UserError(
      `${file.name} reached the release ${request.tag} altered (GitHub has ${asset.sha256 ? `sha256 ${asset.sha256}` : `${asset.size} bytes`}, the file ${asset.sha256 ? `sha256 ${file.sha256}` : `${data.length} bytes`}). The altered asset was deleted: run again.`
    )
  }
}

/**
 * Creates the release of `request.tag`, or finds it (a draft too) and updates its name,
 * notes, pre-release flag and draft state where they differ from the request, then
 * attaches each file not attached yet. A file whose asset exists with another sha256
 * fails the run before anything changes.
 */
export async function upsertRelease(
  client: GitHubClient,
  request: ReleaseRequest,
  log: (line: string) => void = () => {}
): Promise<ReleaseOutcome> {
  const site: Site = { apiUrl: client.apiUrl, slug: `${request.owner}/${request.repo}`, tag: request.tag }
  const files = await localFiles(request.assets)
  const found = await findRelease(client, site, request)
  let release: Release
  let steps: AssetStep[]
  let updated = false
  if (found) {
    steps = await planAssets(client, site, request, files, await listAssets(client, site, request, found.id))
    const changes = releaseChanges(found, request)
    release = found
    if (Object.keys(changes).length) {
      release = await updateRelease(client, site, request, found.id, changes)
      updated = true
      log(`Release ${request.tag}: updated ${Object.keys(changes).join(', ')} (${release.htmlUrl})`)
    } else log(`Release ${request.tag}: up to date (${release.htmlUrl})`)
  } else {
    release = await createRelease(client, site, request)
    steps = files.map((file) => ({ file, kind: 'upload' }))
    log(`Release ${request.tag}: created${release.draft ? ' as a draft' : ''} (${release.htmlUrl})`)
  }
  const assets: AssetOutcome[] = []
  for (const step of steps) {
    const { name, sha256 } = step.file
    if (step.kind === 'upload') {
      if (step.leftover) await deleteAsset(client, site, request, step.leftover, `left ${step.leftover.state} by an interrupted upload`)
      await upload(client, site, request, release, step.file)
    }
    const action = step.kind === 'upload' ? 'uploaded' : 'unchanged'
    log(`  ${name}: ${action} (sha256 ${sha256})`)
    assets.push({ name, sha256, action })
  }
  return { tag: request.tag, id: release.id, url: release.htmlUrl, created: !found, updated, assets }
}
