/**
 * The one HTTP client every action uses. It is fetch-shaped so call sites read like fetch,
 * and it lives on ActionContext so main.ts can be unit-tested with recorded answers.
 *
 * Runners behind a corporate proxy set HTTPS_PROXY, HTTP_PROXY and NO_PROXY; Node's own
 * fetch ignores them, so this client routes each request itself: through a ProxyAgent
 * (https tunnelled with CONNECT, http forwarded) when a proxy applies to the request's
 * host, else through a plain Agent. The choice is made for every origin a request
 * reaches, so a redirect to another host is routed by that host's rules.
 */
import { Agent, Dispatcher, ProxyAgent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici'
import { UserError } from '../errors.js'
import { redactUrl } from '../secrets.js'

export type Http = (url: string, init?: RequestInit) => Promise<Response>

type Env = Readonly<Record<string, string | undefined>>

export interface HttpOptions {
  /** Extra certificate authorities (PEM) to trust for the servers reached; tests use it for a self-signed server. */
  ca?: string | readonly string[]
}

/** The variables that name the proxy for a scheme, in the order they are read (lower case first, as curl does). */
const PROXY_VARIABLES: Record<'https:' | 'http:', readonly [string, string]> = {
  'https:': ['https_proxy', 'HTTPS_PROXY'],
  'http:': ['http_proxy', 'HTTP_PROXY']
}

function bare(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase()
}

/** localhost, 127.0.0.0/8 and ::1: a proxy elsewhere could never reach what they name. */
export function isLoopback(hostname: string): boolean {
  const host = bare(hostname)
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true
  return host === '::1' || host === '0:0:0:0:0:0:0:1'
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80'
}

/** One NO_PROXY entry: a host or domain suffix, and the port it is limited to, if any. */
function parseNoProxyEntry(raw: string): { host: string; port?: string } {
  let entry = raw.trim().toLowerCase()
  let port: string | undefined
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry)
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] }
  // One colon is host:port; more are an IPv6 address without brackets.
  const colon = entry.lastIndexOf(':')
  if (colon > 0 && entry.indexOf(':') === colon && /^\d+$/.test(entry.slice(colon + 1))) {
    port = entry.slice(colon + 1)
    entry = entry.slice(0, colon)
  }
  // `.example.com`, `*.example.com` and `example.com` all cover example.com's subdomains.
  return { host: entry.replace(/^\*?\./, '').replace(/\.$/, ''), port }
}

/** Whether NO_PROXY (comma or space separated) exempts this host and port from the proxy. */
export function bypassesProxy(hostname: string, port: string, noProxy: string): boolean {
  const host = bare(hostname)
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (!raw) continue
    if (raw === '*') return true
    const entry = parseNoProxyEntry(raw)
    if (!entry.host) continue
    if (entry.port !== undefined && entry.port !== port) continue
    if (host === entry.host || host.endsWith(`.${entry.host}`)) return true
  }
  return false
}

function firstSet(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim()
    if (value) return { name, value }
  }
  return undefined
}

/** The variable and value that name the proxy for a URL, or undefined when it goes direct. */
function proxySetting(url: string, env: Env): { name: string; value: string } | undefined {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  const protocol = target.protocol
  if (protocol !== 'https:' && protocol !== 'http:') return undefined
  if (isLoopback(target.hostname)) return undefined
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY'])?.value ?? ''
  if (noProxy && bypassesProxy(target.hostname, target.port || defaultPort(protocol), noProxy)) return undefined
  return firstSet(env, PROXY_VARIABLES[protocol])
}

/** The proxy a request to `url` goes through, as the environment names it, or undefined for a direct connection. */
export function proxyFor(url: string, env: Env): string | undefined {
  return proxySetting(url, env)?.value
}

/** A proxy value for a message: its password (or token) replaced by `***`. */
function shown(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : redactUrl(`http://${value}`).slice('http://'.length)
}

export interface ParsedProxy {
  /** The proxy's URL without credentials (the dispatcher cache key). */
  uri: string
  /** The Proxy-Authorization header value for the credentials the URL carried. */
  authorization?: string
}

/**
 * A proxy variable's value as a URL. A value without a scheme is an http proxy, as curl
 * reads it; the credentials move from the URL into the Proxy-Authorization header.
 */
export function parseProxyUrl(name: string, value: string): ParsedProxy {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  const fix = `Set ${name} to the proxy's URL, http://host:port or https://host:port (with credentials: http://user:password@host:port), or unset it.`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new UserError(`${name} is not a URL: ${JSON.stringify(shown(value))}. ${fix}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(
      `${name} names a ${url.protocol.replace(/:$/, '')} proxy (${JSON.stringify(shown(value))}), which is not supported: only http and https proxies are. ${fix}`
    )
  }
  if (!url.hostname) throw new UserError(`${name} has no host: ${JSON.stringify(shown(value))}. ${fix}`)
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    throw new UserError(`${name} has a path, query or fragment, which a proxy URL cannot have: ${JSON.stringify(shown(value))}. ${fix}`)
  }
  let authorization: string | undefined
  if (url.username || url.password) {
    const decode = (s: string): string => {
      try {
        return decodeURIComponent(s)
      } catch {
        return s
      }
    }
    authorization = `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`, 'utf8').toString('base64')}`
  }
  return { uri: `${url.protocol}//${url.host}`, ...(authorization ? { authorization } : {}) }
}

function caList(ca: HttpOptions['ca']): string[] | undefined {
  if (ca === undefined) return undefined
  return typeof ca === 'string' ? [ca] : [...ca]
}

/**
 * Picks, for each origin a request reaches, the proxy's dispatcher or the direct one.
 * One dispatcher per proxy URL, made on first use, so connections are reused.
 */
class ProxyRouter extends Dispatcher {
  private readonly direct: Agent
  private readonly proxies = new Map<string, ProxyAgent>()

  constructor(
    private readonly env: Env,
    private readonly parsed: ReadonlyMap<string, ParsedProxy>,
    private readonly ca: string[] | undefined
  ) {
    super()
    this.direct = new Agent(ca ? { connect: { ca } } : {})
  }

  pick(origin: string): Dispatcher {
    const setting = proxySetting(origin, this.env)
    if (!setting) return this.direct
    const proxy = this.parsed.get(setting.name) ?? parseProxyUrl(setting.name, setting.value)
    const key = `${proxy.uri} ${proxy.authorization ?? ''}`
    let agent = this.proxies.get(key)
    if (!agent) {
      agent = new ProxyAgent({
        uri: proxy.uri,
        ...(proxy.authorization ? { token: proxy.authorization } : {}),
        // https is tunnelled through CONNECT; plain http is forwarded, as proxies expect.
        proxyTunnel: false,
        ...(this.ca ? { requestTls: { ca: this.ca }, proxyTls: { ca: this.ca } } : {})
      })
      this.proxies.set(key, agent)
    }
    return agent
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    const origin = options.origin === undefined ? '' : String(options.origin)
    return this.pick(origin).dispatch(options, handler)
  }
}

/**
 * The client for a run, chosen from the runner's environment (never process.env: the
 * caller passes io.env). A proxy variable that is set but unusable is the user's error,
 * raised here, before any request, naming the variable.
 */
export function createHttp(env: Env, options: HttpOptions = {}): Http {
  const parsed = new Map<string, ParsedProxy>()
  for (const names of Object.values(PROXY_VARIABLES)) {
    // Only the variable that would be used counts: a stale HTTPS_PROXY under a good https_proxy is ignored, as curl does.
    const setting = firstSet(env, names)
    if (setting) parsed.set(setting.name, parseProxyUrl(setting.name, setting.value))
  }
  const router = new ProxyRouter(env, parsed, caList(options.ca))
  return async (url, init) => {
    // The DOM and undici spellings of RequestInit and Response describe the same objects.
    const response = await undiciFetch(url, { ...(init as UndiciRequestInit | undefined), dispatcher: router })
    return response as unknown as Response
  }
}
