/**
 * A fault-injecting HTTP proxy in front of a package index: the n-th upload (POST) or
 * index read (GET) can be dropped before it reaches the index, dropped after the index
 * handled it (the upload landed, the answer is lost), answered 503, answered slowly, or
 * refused, answered 500, answered 500 with an error page that echoes the request's headers
 * and body (as careless servers do), held until the test releases it, or forwarded with
 * twine's User-Agent (pypiserver then answers a duplicate 400, as pypi.org does, instead of
 * 409). With `pairUploads`, two publishers truly race: each upload waits for the other one's
 * upload of the same file, then both reach the index, one after the other. Extra routes let a
 * test serve fake endpoints
 * from the same origin.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault = 'ok' | 'drop-before' | 'drop-after' | 'status-503' | 'status-500' | 'echo' | 'slow' | 'reject' | 'hold' | 'as-twine'

export interface FaultRule {
  method?: 'GET' | 'POST'
  /** Only requests whose body contains this (e.g. a file name in an upload). */
  bodyIncludes?: string
  fault: Fault
  /** How many matching requests it applies to (default: all). */
  times?: number
}

export interface ProxyEvent {
  method: string
  path: string
  fault: Fault
  status?: number
  /** The uploaded file's name (POST). */
  file?: string
  /** With pairUploads: whether this upload reached the index first or second of its pair. */
  paired?: 'first' | 'second'
}

interface Waiting {
  arrived: () => void
  forwarded: Promise<void>
}

export type ExtraRoute = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => boolean

export class FaultProxy {
  readonly events: ProxyEvent[] = []
  /** The error pages the echo fault sent (a test checks the secret really was in them). */
  readonly echoed: string[] = []
  /** Faults for successive uploads / reads, in order ('ok' passes one through). */
  postSequence: Fault[] = []
  getSequence: Fault[] = []
  rules: FaultRule[] = []
  slowMs = 1500
  /** Hold each upload until a second upload of the same file arrives (at most pairWaitMs). */
  pairUploads = false
  pairWaitMs = 120_000
  extra?: ExtraRoute
  private waiting = new Map<string, Waiting>()
  private holds: { release: () => void; done: Promise<void> }[] = []
  private server?: http.Server
  url = ''

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => void this.handle(req, Buffer.concat(chunks), res))
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`
    return this
  }

  /** Faults not yet used: a test asserts none is left, so each one really happened. */
  pending(): number {
    return (
      this.postSequence.filter((f) => f !== 'ok').length +
      this.getSequence.filter((f) => f !== 'ok').length +
      this.rules.filter((r) => (r.times ?? 0) > 0).length
    )
  }

  /** Uploads held by a 'hold' fault and not yet released. */
  held(): number {
    return this.holds.length
  }

  /** Lets the held uploads through to the index; resolves once the index has answered them. */
  async release(): Promise<void> {
    const holds = this.holds.splice(0)
    for (const h of holds) h.release()
    await Promise.all(holds.map((h) => h.done))
  }

  /**
   * Holds (and pairs) a request before it goes on; returns what to call once the index has
   * answered it.
   */
  private async gate(method: string, fault: Fault, event: ProxyEvent): Promise<() => void> {
    let answered!: () => void
    const done = new Promise<void>((resolve) => (answered = resolve))
    if (fault === 'hold') await new Promise<void>((release) => this.holds.push({ release, done }))
    if (method !== 'POST' || !this.pairUploads || !event.file) return answered
    const partner = this.waiting.get(event.file)
    if (partner) {
      this.waiting.delete(event.file)
      event.paired = 'second'
      partner.arrived()
      await partner.forwarded
      return answered
    }
    let arrived!: () => void
    const arrival = new Promise<void>((resolve) => (arrived = resolve))
    this.waiting.set(event.file, { arrived, forwarded: done })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([arrival, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.pairWaitMs)))])
    clearTimeout(timer)
    if (this.waiting.get(event.file)?.arrived === arrived) this.waiting.delete(event.file)
    else event.paired = 'first'
    return answered
  }

  private pick(method: string, body: Buffer): Fault {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method) continue
      if (rule.bodyIncludes && !body.includes(rule.bodyIncludes)) continue
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue
        rule.times--
      }
      return rule.fault
    }
    const seq = method === 'POST' ? this.postSequence : method === 'GET' ? this.getSequence : []
    return seq.shift() ?? 'ok'
  }

  private async handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    if (this.extra?.(req, body, res)) return
    const method = req.method ?? 'GET'
    const fault = this.pick(method, body)
    const file = method === 'POST' ? /filename="([^"]+)"/.exec(body.toString('latin1'))?.[1] : undefined
    const event: ProxyEvent = { method, path: req.url ?? '/', fault, ...(file ? { file } : {}) }
    this.events.push(event)
    const answered = await this.gate(method, fault, event)
    try {
      await this.answer(req, body, res, fault, event)
    } finally {
      answered()
    }
  }

  private async answer(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, fault: Fault, event: ProxyEvent): Promise<void> {
    if (fault === 'drop-before') {
      req.socket.destroy()
      return
    }
    if (fault === 'status-503') {
      event.status = 503
      res.writeHead(503, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Service Unavailable (injected by the test proxy)')
      return
    }
    if (fault === 'status-500') {
      event.status = 500
      res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Internal Server Error (injected by the test proxy)')
      return
    }
    if (fault === 'echo') {
      event.status = 500
      // One header per <pre> line, the way uv and pip quote an error page back.
      const lines = Object.entries(req.headers).map(([k, v]) => `<pre>${k}: ${String(v)}</pre>`)
      const page = `<html><body><h1>500 Internal Server Error</h1>\n${lines.join('\n')}\n<pre>${body.subarray(0, 4096).toString('latin1')}</pre></body></html>\n`
      this.echoed.push(page)
      res.writeHead(500, { 'Content-Type': 'text/html', Connection: 'close' }).end(page)
      return
    }
    if (fault === 'reject') {
      event.status = 400
      res
        .writeHead(400, 'Rejected by the test proxy', { 'Content-Type': 'text/plain', Connection: 'close' })
        .end('This upload is rejected by the test proxy.')
      return
    }
    if (fault === 'slow') {
      await new Promise((r) => setTimeout(r, this.slowMs))
      // The client gave up waiting: the request never reaches the index.
      if (req.socket.destroyed) return
    }
    const upstream = await this.forward(req, body, fault === 'as-twine').catch((e: Error) => ({
      status: 502,
      headers: {},
      body: Buffer.from(String(e))
    }))
    event.status = upstream.status
    if (fault === 'drop-after') {
      // The index did the work; the client never hears about it.
      req.socket.destroy()
      return
    }
    res.writeHead(upstream.status, upstream.headers).end(upstream.body)
  }

  private forward(
    req: http.IncomingMessage,
    body: Buffer,
    asTwine = false
  ): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream)
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      host: target.host,
      'content-length': String(body.length),
      connection: 'close'
    }
    if (asTwine) headers['user-agent'] = `twine/6.1.0 (set by the test proxy) ${req.headers['user-agent'] ?? ''}`
    delete headers['transfer-encoding']
    return new Promise((resolve, reject) => {
      const up = http.request(target, { method: req.method, headers }, (r) => {
        const chunks: Buffer[] = []
        r.on('data', (c: Buffer) => chunks.push(c))
        r.on('end', () => {
          const out: http.OutgoingHttpHeaders = { ...r.headers }
          delete out['transfer-encoding']
          delete out.connection
          const b = Buffer.concat(chunks)
          out['content-length'] = String(b.length)
          // Keep redirects inside the proxy.
          if (typeof out.location === 'string')
            out.location = out.location.replace(this.upstream.replace(/\/$/, ''), this.url.replace(/\/$/, ''))
          resolve({ status: r.statusCode ?? 502, headers: out, body: b })
        })
        r.on('error', reject)
      })
      up.on('error', reject)
      up.end(body)
    })
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve()
      this.server.closeAllConnections()
      this.server.close(() => resolve())
    })
  }
}
