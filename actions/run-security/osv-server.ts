/**
 * A loopback OSV service over a local advisory database, so pip-audit (`-s osv
 * --osv-url`) audits offline against it. It implements what pip-audit calls:
 * `POST /v1/query` with `{"package":{"name","ecosystem"},"version"}`, answering
 * `{"vulns":[...]}` or `{}` (osv.dev's API, https://google.github.io/osv.dev/post-v1-query/).
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { normalizeName } from '../../packages-shared/names.js'
import { queryOsv, type OsvDatabase } from './osv-db.js'

export interface OsvServer {
  url: string
  /** How many queries it answered (for the log). */
  queries(): number
  close(): Promise<void>
}

interface Query {
  package?: { name?: string; ecosystem?: string; purl?: string }
  version?: string
}

export async function startOsvServer(db: OsvDatabase): Promise<OsvServer> {
  let count = 0
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/query') return send(404, { code: 5, message: 'Not Found' })
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let q: Query
      try {
        q = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Query
      } catch {
        return send(400, { code: 3, message: 'Invalid query.' })
      }
      const name = q.package?.name
      if (!name || !q.version || (q.package?.ecosystem ?? 'PyPI').toLowerCase() !== 'pypi')
        return send(400, { code: 3, message: 'Invalid query.' })
      count++
      // Clients compare the record's package name with their canonical one (pip-audit
      // does, to find fixed versions), so serve PyPI names PEP 503-normalised.
      const vulns = queryOsv(db, name, q.version).map((v) => ({
        ...v,
        affected: (v.affected ?? []).map((a) =>
          a.package?.name && (a.package.ecosystem ?? '').toLowerCase() === 'pypi'
            ? { ...a, package: { ...a.package, name: normalizeName(a.package.name) } }
            : a
        )
      }))
      send(200, vulns.length ? { vulns } : {})
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1/query`,
    queries: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
