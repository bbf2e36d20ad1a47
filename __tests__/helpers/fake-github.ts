/**
 * A fake of GitHub's REST API for releases, release assets and issue comments: a local
 * HTTP server (127.0.0.1, a free port) for one repository, holding them in memory.
 *
 * It follows GitHub's REST API documentation:
 * - Releases, https://docs.github.com/en/rest/releases/releases: list (drafts included, as
 *   for a token with push access), create, get by tag name (never a draft), get, update;
 * - Release assets, https://docs.github.com/en/rest/releases/assets: list, get (JSON, or
 *   with `Accept: application/octet-stream` a 302 to the file on storage), delete, and
 *   upload to the release's `upload_url` (`?name=`, raw body, 422 `already_exists` for a
 *   name taken);
 * - Issue comments, https://docs.github.com/en/rest/issues/comments: list an issue's (or
 *   pull request's) comments, create one (422 when the body is longer than 65,536
 *   characters), update one;
 * - Pagination, https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api:
 *   `per_page` (30 unless given, at most 100) and `page`, with `Link` headers;
 * - Authentication, https://docs.github.com/en/rest/authentication: `Authorization: token
 *   <t>` or `Bearer <t>`; anything else is 401 `Bad credentials` (the repository is treated
 *   as private, so there are no anonymous reads).
 * Error bodies are GitHub's: `{"message", "documentation_url", "status"}`, with `errors`
 * on a 422. Uploads live under /uploads (uploads.github.com on GitHub, /api/uploads on
 * GitHub Enterprise Server), so a client that ignores `upload_url` fails here too.
 */
import { createHash, randomBytes } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeGitHubOptions {
  /** The only token accepted. */
  token: string
  owner?: string
  repo?: string
  /** The largest page a list answers (GitHub's is 100); a small one makes every list paginate. */
  maxPerPage?: number
  /** false: asset objects carry no `digest`, as on GitHub Enterprise Server releases older than it. */
  digests?: boolean
  /** true: every write answers 403, as for the read-only token of a pull request from a fork. */
  readOnly?: boolean
}

export interface RecordedRequest {
  method: string
  /** The path, without the query. */
  path: string
  /** The query string, without `?` ('' when none). */
  query: string
}

export interface FakeAsset {
  id: number
  name: string
  label: string | null
  content_type: string
  /** `uploaded`, or `starter` for the empty asset an interrupted upload leaves. */
  state: string
  content: Buffer
}

export interface FakeRelease {
  id: number
  tag_name: string
  target_commitish: string
  name: string | null
  body: string | null
  draft: boolean
  prerelease: boolean
  created_at: string
  published_at: string | null
  /** The html_url slug of a draft (`untagged-<hex>`), which GitHub gives drafts instead of their tag. */
  untagged: string
  assets: FakeAsset[]
}

export interface FakeComment {
  id: number
  issue: number
  body: string
  user: string
}

export interface FakeGitHub {
  /** GITHUB_API_URL for this server. */
  apiUrl: string
  owner: string
  repo: string
  /** Every request answered, in order. */
  requests: RecordedRequest[]
  releases: FakeRelease[]
  comments: FakeComment[]
  /** Adds a comment as if written earlier (by a person, or by a run). */
  addComment(issue: number, body: string, user?: string): FakeComment
  /** Adds a release as if made by hand (a draft, a published one). */
  addRelease(fields: Partial<Omit<FakeRelease, 'id' | 'assets'>> & { tag_name: string }): FakeRelease
  /** Adds an asset as if uploaded earlier (or left `starter` by a failed upload). */
  addAsset(release: FakeRelease, name: string, content: Buffer, state?: string): FakeAsset
  close(): Promise<void>
}

const DOCS = 'https://docs.github.com/rest/releases'

class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {}
}

function githubError(status: number, message: string, doc: string, errors?: unknown[]): Answer {
  return new Answer(status, { message, ...(errors ? { errors } : {}), documentation_url: doc, status: String(status) })
}

const notFound = (doc: string): Answer => githubError(404, 'Not Found', doc)

const validationFailed = (doc: string, resource: string, code: string, field: string): Answer =>
  githubError(422, 'Validation Failed', doc, [{ resource, code, field }])

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function readJson(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8') || '{}')
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const owner = options.owner ?? 'octo-org'
  const repo = options.repo ?? 'octo-repo'
  const maxPerPage = options.maxPerPage ?? 100
  const digests = options.digests ?? true
  const requests: RecordedRequest[] = []
  const releases: FakeRelease[] = []
  const comments: FakeComment[] = []
  let nextId = 1000
  let origin = ''

  const repoPath = `/repos/${owner}/${repo}`
  const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z')

  const assetJson = (release: FakeRelease, a: FakeAsset): Record<string, unknown> => ({
    url: `${origin}${repoPath}/releases/assets/${a.id}`,
    id: a.id,
    node_id: `RA_${a.id}`,
    name: a.name,
    label: a.label,
    uploader: { login: 'octocat', id: 1, type: 'User' },
    content_type: a.content_type,
    state: a.state,
    size: a.content.length,
    ...(digests ? { digest: a.state === 'uploaded' ? `sha256:${createHash('sha256').update(a.content).digest('hex')}` : null } : {}),
    download_count: 0,
    created_at: release.created_at,
    updated_at: release.created_at,
    browser_download_url: `${origin}/${owner}/${repo}/releases/download/${encodeURIComponent(release.tag_name)}/${encodeURIComponent(a.name)}`
  })

  const releaseJson = (r: FakeRelease): Record<string, unknown> => ({
    url: `${origin}${repoPath}/releases/${r.id}`,
    html_url: `${origin}/${owner}/${repo}/releases/tag/${r.draft ? r.untagged : encodeURIComponent(r.tag_name)}`,
    assets_url: `${origin}${repoPath}/releases/${r.id}/assets`,
    upload_url: `${origin}/uploads${repoPath}/releases/${r.id}/assets{?name,label}`,
    tarball_url: r.draft ? null : `${origin}${repoPath}/tarball/${encodeURIComponent(r.tag_name)}`,
    zipball_url: r.draft ? null : `${origin}${repoPath}/zipball/${encodeURIComponent(r.tag_name)}`,
    id: r.id,
    node_id: `RE_${r.id}`,
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    created_at: r.created_at,
    published_at: r.published_at,
    author: { login: 'octocat', id: 1, type: 'User' },
    assets: r.assets.map((a) => assetJson(r, a))
  })

  const addRelease: FakeGitHub['addRelease'] = (fields) => {
    const draft = fields.draft ?? false
    const release: FakeRelease = {
      target_commitish: 'main',
      name: null,
      body: null,
      prerelease: false,
      created_at: now(),
      published_at: draft ? null : now(),
      untagged: `untagged-${randomBytes(10).toString('hex')}`,
      ...fields,
      draft,
      id: nextId++,
      assets: []
    }
    releases.push(release)
    return release
  }

  const addAsset: FakeGitHub['addAsset'] = (release, name, content, state = 'uploaded') => {
    const asset: FakeAsset = { id: nextId++, name, label: null, content_type: 'application/octet-stream', state, content }
    release.assets.push(asset)
    return asset
  }

  /** One page of `items`, with GitHub's Link header when there is more than one. */
  const page = (url: URL, items: unknown[]): Answer => {
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), maxPerPage)
    const pageNo = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (n: number, rel: string): string => {
      const target = new URL(url.href)
      target.searchParams.set('per_page', String(perPage))
      target.searchParams.set('page', String(n))
      return `<${target.href}>; rel="${rel}"`
    }
    const links: string[] = []
    if (pageNo > 1) links.push(link(pageNo - 1, 'prev'))
    if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'))
    if (pageNo > 1) links.push(link(1, 'first'))
    return new Answer(200, items.slice((pageNo - 1) * perPage, pageNo * perPage), links.length ? { link: links.join(', ') } : {})
  }

  const releaseById = (id: string): FakeRelease | undefined => releases.find((r) => String(r.id) === id)
  const assetById = (id: string): { release: FakeRelease; asset: FakeAsset } | undefined => {
    for (const release of releases) {
      const asset = release.assets.find((a) => String(a.id) === id)
      if (asset) return { release, asset }
    }
    return undefined
  }
  const published = (tag: string): FakeRelease | undefined => releases.find((r) => !r.draft && r.tag_name === tag)

  const applyFields = (release: FakeRelease, body: Record<string, unknown>): void => {
    for (const key of ['name', 'body', 'target_commitish'] as const) if (typeof body[key] === 'string') release[key] = body[key]
    if (typeof body.tag_name === 'string') release.tag_name = body.tag_name
    if (typeof body.prerelease === 'boolean') release.prerelease = body.prerelease
    if (typeof body.draft === 'boolean') {
      if (release.draft && !body.draft) release.published_at = now()
      release.draft = body.draft
    }
  }

  const createRelease = (raw: Buffer): Answer => {
    const doc = `${DOCS}/releases#create-a-release`
    const body = readJson(raw)
    if (!body) return githubError(400, 'Problems parsing JSON', doc)
    if (typeof body.tag_name !== 'string' || !body.tag_name) return validationFailed(doc, 'Release', 'missing_field', 'tag_name')
    // Drafts may share a tag; a published release may not share it with another.
    if (body.draft !== true && published(body.tag_name)) return validationFailed(doc, 'Release', 'already_exists', 'tag_name')
    const release = addRelease({ tag_name: body.tag_name, draft: body.draft === true })
    applyFields(release, body)
    return new Answer(201, releaseJson(release), { location: `${origin}${repoPath}/releases/${release.id}` })
  }

  const updateRelease = (release: FakeRelease, raw: Buffer): Answer => {
    const doc = `${DOCS}/releases#update-a-release`
    const body = readJson(raw)
    if (!body) return githubError(400, 'Problems parsing JSON', doc)
    const tag = typeof body.tag_name === 'string' ? body.tag_name : release.tag_name
    const willPublish = body.draft === false || (body.draft === undefined && !release.draft)
    const other = published(tag)
    if (willPublish && other && other !== release) return validationFailed(doc, 'Release', 'already_exists', 'tag_name')
    applyFields(release, body)
    return new Answer(200, releaseJson(release))
  }

  const uploadAsset = (release: FakeRelease, url: URL, req: http.IncomingMessage, raw: Buffer): Answer => {
    const doc = `${DOCS}/assets#upload-a-release-asset`
    const name = url.searchParams.get('name')
    if (!name) return validationFailed(doc, 'ReleaseAsset', 'missing_field', 'name')
    const contentType = req.headers['content-type']
    if (!contentType) return githubError(400, 'Content-Type header is required', doc)
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) !== raw.length) return githubError(400, 'Content-Length does not match the body', doc)
    if (release.assets.some((a) => a.name === name)) return validationFailed(doc, 'ReleaseAsset', 'already_exists', 'name')
    const asset = addAsset(release, name, raw)
    asset.content_type = contentType
    asset.label = url.searchParams.get('label')
    return new Answer(201, assetJson(release, asset))
  }

  const COMMENTS_DOC = 'https://docs.github.com/rest/issues/comments'
  const commentJson = (c: FakeComment): Record<string, unknown> => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${origin}${repoPath}/issues/comments/${c.id}`,
    html_url: `${origin}/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${origin}${repoPath}/issues/${c.issue}`,
    body: c.body,
    user: { login: c.user, id: 2, type: c.user.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: now(),
    updated_at: now()
  })
  const addComment: FakeGitHub['addComment'] = (issue, body, user = 'github-actions[bot]') => {
    const comment = { id: nextId++, issue, body, user }
    comments.push(comment)
    return comment
  }
  /** A comment's body as GitHub checks it: a string of at most 65,536 characters. */
  const commentBody = (raw: Buffer, doc: string): string | Answer => {
    const body = readJson(raw)
    if (!body || typeof body.body !== 'string') return validationFailed(doc, 'IssueComment', 'missing_field', 'body')
    if (body.body.length > 65_536) {
      return githubError(422, 'Validation Failed', doc, [
        { resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }
      ])
    }
    return body.body
  }

  /** The repository's API routes; undefined when none matches. */
  const apiRoute = (method: string, url: URL, req: http.IncomingMessage, raw: Buffer): Answer | undefined => {
    const rest = url.pathname.slice(repoPath.length)
    const write = method !== 'GET' && method !== 'HEAD'
    if (write && options.readOnly) return githubError(403, 'Resource not accessible by integration', `${DOCS}/releases`)
    let m: RegExpExecArray | null
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1])
      if (method === 'GET') return page(url, comments.filter((c) => c.issue === issue).map(commentJson))
      if (method === 'POST') {
        const body = commentBody(raw, `${COMMENTS_DOC}#create-an-issue-comment`)
        if (body instanceof Answer) return body
        return new Answer(201, commentJson(addComment(issue, body)))
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const comment = comments.find((c) => String(c.id) === m![1])
      if (!comment) return notFound(`${COMMENTS_DOC}#update-an-issue-comment`)
      const body = commentBody(raw, `${COMMENTS_DOC}#update-an-issue-comment`)
      if (body instanceof Answer) return body
      comment.body = body
      return new Answer(200, commentJson(comment))
    }
    if (rest === '/releases') {
      if (method === 'GET') return page(url, [...releases].sort((a, b) => b.id - a.id).map(releaseJson))
      if (method === 'POST') return createRelease(raw)
    }
    if ((m = /^\/releases\/tags\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const release = published(decodeURIComponent(m[1]!))
      return release ? new Answer(200, releaseJson(release)) : notFound(`${DOCS}/releases#get-a-release-by-tag-name`)
    }
    if ((m = /^\/releases\/assets\/(\d+)$/.exec(rest))) {
      const found = assetById(m[1]!)
      if (!found) return notFound(`${DOCS}/assets#get-a-release-asset`)
      if (method === 'DELETE') {
        found.release.assets = found.release.assets.filter((a) => a !== found.asset)
        return new Answer(204, undefined)
      }
      if (method !== 'GET') return undefined
      // GitHub sends the file itself from storage, behind a redirect to a short-lived URL.
      if ((req.headers.accept ?? '').includes('application/octet-stream')) {
        return new Answer(302, undefined, { location: `${origin}/storage/assets/${found.asset.id}` })
      }
      return new Answer(200, assetJson(found.release, found.asset))
    }
    if ((m = /^\/releases\/(\d+)\/assets$/.exec(rest)) && method === 'GET') {
      const release = releaseById(m[1]!)
      return release
        ? page(
            url,
            release.assets.map((a) => assetJson(release, a))
          )
        : notFound(`${DOCS}/assets#list-release-assets`)
    }
    if ((m = /^\/releases\/(\d+)$/.exec(rest))) {
      const release = releaseById(m[1]!)
      if (!release) return notFound(`${DOCS}/releases#get-a-release`)
      if (method === 'GET') return new Answer(200, releaseJson(release))
      if (method === 'PATCH') return updateRelease(release, raw)
    }
    return undefined
  }

  /** Files by their public and storage URLs, which need no token (storage URLs are signed on GitHub). */
  const download = (pathname: string): Buffer | undefined => {
    let m: RegExpExecArray | null
    if ((m = /^\/storage\/assets\/(\d+)$/.exec(pathname))) return assetById(m[1]!)?.asset.content
    if ((m = new RegExp(`^/${owner}/${repo}/releases/download/([^/]+)/([^/]+)$`).exec(pathname))) {
      const tag = decodeURIComponent(m[1]!)
      const name = decodeURIComponent(m[2]!)
      const release = published(tag) ?? releases.find((r) => r.tag_name === tag)
      return release?.assets.find((a) => a.name === name && a.state === 'uploaded')?.content
    }
    return undefined
  }

  const authorized = (req: http.IncomingMessage): boolean => {
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    return m !== null && m[1] === options.token
  }

  const answer = async (req: http.IncomingMessage): Promise<Answer | Buffer> => {
    const url = new URL(req.url ?? '/', origin)
    const method = req.method ?? 'GET'
    requests.push({ method, path: url.pathname, query: url.search.replace(/^\?/, '') })
    const raw = await readBody(req)
    if (method === 'GET') {
      const file = download(url.pathname)
      if (file) return file
    }
    const isUpload = url.pathname.startsWith(`/uploads${repoPath}/`)
    const isApi = url.pathname === repoPath || url.pathname.startsWith(`${repoPath}/`)
    if (!isUpload && !isApi) return notFound('https://docs.github.com/rest')
    if (!authorized(req)) return githubError(401, 'Bad credentials', 'https://docs.github.com/rest')
    if (isUpload) {
      if (options.readOnly) return githubError(403, 'Resource not accessible by integration', `${DOCS}/assets#upload-a-release-asset`)
      const m = /^\/releases\/(\d+)\/assets$/.exec(url.pathname.slice(`/uploads${repoPath}`.length))
      const release = m ? releaseById(m[1]!) : undefined
      if (!release || method !== 'POST') return notFound(`${DOCS}/assets#upload-a-release-asset`)
      return uploadAsset(release, url, req, raw)
    }
    return apiRoute(method, url, req, raw) ?? notFound('https://docs.github.com/rest')
  }

  const server = http.createServer((req, res) => {
    answer(req).then(
      (out) => {
        if (Buffer.isBuffer(out)) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(out.length) }).end(out)
          return
        }
        const headers: Record<string, string> = { 'x-github-request-id': randomBytes(4).toString('hex').toUpperCase(), ...out.headers }
        if (out.body === undefined) {
          res.writeHead(out.status, headers).end()
          return
        }
        const text = JSON.stringify(out.body)
        res
          .writeHead(out.status, {
            ...headers,
            'content-type': 'application/json; charset=utf-8',
            'content-length': String(Buffer.byteLength(text))
          })
          .end(text)
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error))
      }
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    apiUrl: origin,
    owner,
    repo,
    requests,
    releases,
    comments,
    addComment,
    addRelease,
    addAsset,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
