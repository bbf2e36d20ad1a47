/**
 * The run's secrets: every secret input and every token minted during the run is masked
 * with the runner (io.setSecret) before its first use, together with the forms it takes
 * on the wire (URL-encoded, and inside a Basic `Authorization` header), and recorded here.
 * redact() removes all of them, and the credentials of any URL, from text that comes from
 * outside (error pages, tool output, exception messages) before it reaches a log line, a
 * report, the summary, SARIF or a failure reason. The frame (action.ts) applies it to
 * everything it writes, so a call site that forgets still cannot leak.
 */
import type { AnnotationProps, RunnerIO } from './io.js'

const MASK = '***'

/** The secrets registered in this process (one action run, or one pipeline run). */
class SecretStore {
  private readonly values = new Set<string>()
  /** Longest first, so a secret that contains another is replaced whole. */
  private sorted: string[] = []

  add(value: string): void {
    if (!value || this.values.has(value)) return
    this.values.add(value)
    this.sorted = [...this.values].sort((a, b) => b.length - a.length)
  }

  list(): readonly string[] {
    return this.sorted
  }

  redact(text: string): string {
    let out = text
    for (const s of this.sorted) if (out.includes(s)) out = out.split(s).join(MASK)
    return out
  }
}

const store = new SecretStore()

/** The secrets registered so far (tests read it; nothing prints it). */
export function registeredSecrets(): readonly string[] {
  return store.list()
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64')
}

/** The header value HTTP Basic authentication sends for a user and password. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${base64(`${username}:${password}`)}`
}

/** Masks one exact value with the runner and records it for redact(). */
/** What each runner seam was already told to mask: one `::add-mask::` per value is enough. */
const masked = new WeakMap<object, Set<string>>()

export function registerSecret(io: Pick<RunnerIO, 'setSecret'>, value: string): void {
  if (!value) return
  store.add(value)
  const seen = masked.get(io) ?? new Set<string>()
  masked.set(io, seen)
  if (seen.has(value)) return
  seen.add(value)
  io.setSecret(value)
}

/**
 * Masks a token and its wire forms: URL-encoded (in a URL or a form body) and the Basic
 * header uploaders send for it (`__token__:<token>`, PyPI's convention).
 */
export function maskToken(io: Pick<RunnerIO, 'setSecret'>, token: string): void {
  if (!token) return
  for (const form of new Set([token, encodeURIComponent(token), base64(`__token__:${token}`)])) registerSecret(io, form)
}

/** Masks a password, its URL-encoded form, and the Basic header of the user and password. */
export function maskPassword(io: Pick<RunnerIO, 'setSecret'>, username: string, password: string): void {
  if (!password) return
  maskToken(io, password)
  registerSecret(io, base64(`${username}:${password}`))
}

/**
 * Masks the credentials a URL carries (https://user:token@host/simple/): the password in
 * every form, or the user name when it is the only part (a token given as the user).
 */
export function maskUrlCredentials(io: Pick<RunnerIO, 'setSecret'>, raw: string): void {
  const at = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(raw.trim())
  if (!at) return
  const userinfo = at[1]!
  const colon = userinfo.indexOf(':')
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon)
  const rawPassword = colon < 0 ? '' : userinfo.slice(colon + 1)
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  const user = decode(rawUser)
  const password = decode(rawPassword)
  if (password) {
    maskPassword(io, user, password)
    if (rawPassword !== password && rawPassword !== encodeURIComponent(password)) registerSecret(io, rawPassword)
  } else if (user) {
    maskToken(io, user)
    if (rawUser !== user && rawUser !== encodeURIComponent(user)) registerSecret(io, rawUser)
    registerSecret(io, base64(`${user}:`))
  }
}

/** A URL without its credentials, and the Authorization header that carries them instead. */
export function splitUrlCredentials(raw: string): { url: string; authorization?: string } {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { url: raw }
  }
  if (!url.username && !url.password) return { url: raw }
  const authorization = basicAuthorization(decodeURIComponent(url.username), decodeURIComponent(url.password))
  url.username = ''
  url.password = ''
  return { url: url.href, authorization }
}

/** `scheme://user:password@` and `scheme://token@` of URLs in text (a bare `user@host` is not a URL). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@(?=[^\s/?#@'"<>]*[a-z0-9\]])/gi

/** A URL for a report: its credentials replaced by `***`. */
export function redactUrl(url: string): string {
  return redact(url)
}

/** Text from outside, made safe for a log, report, summary or failure reason. */
export function redact(text: string): string {
  if (!text) return text
  return store.redact(text.replace(URL_USERINFO, `$1${MASK}@`))
}

/** redact() applied to every string of a JSON-like value (reports, SARIF). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v)
    return out as T
  }
  return value
}

/**
 * A RunnerIO whose every message, summary, output and failure passes through redact(),
 * and whose setSecret records the value for redact() as well as masking it.
 */
export function redactingIO(io: RunnerIO): RunnerIO {
  const props = (p: AnnotationProps): AnnotationProps => ({
    ...p,
    ...(p.title !== undefined ? { title: redact(p.title) } : {}),
    ...(p.file !== undefined ? { file: redact(p.file) } : {})
  })
  return {
    ...io,
    setSecret: (value) => registerSecret(io, value),
    setOutput: (name, value) => io.setOutput(name, redact(value)),
    debug: (m) => io.debug(redact(m)),
    info: (m) => io.info(redact(m)),
    toolOutput: (text) => io.toolOutput(redact(text)),
    notice: (m) => io.notice(redact(m)),
    warning: (m) => io.warning(redact(m)),
    error: (m) => io.error(redact(m)),
    annotate: (severity, message, p) => io.annotate(severity, redact(message), props(p)),
    group: (name, fn) => io.group(redact(name), fn),
    appendSummary: (markdown) => io.appendSummary(redact(markdown)),
    setFailed: (m) => io.setFailed(redact(m))
  }
}

/** How an action's secret input is masked. */
export type SecretInput =
  | { name: string; kind: 'token' }
  /** A password, with the input that names its user (for the Basic header form). */
  | { name: string; kind: 'password'; username: string }
  /** URLs (comma or newline separated) that may carry credentials. */
  | { name: string; kind: 'urls' }

/** Masks an action's secret inputs: the first thing a run does, before any input is parsed. */
export function maskSecretInputs(io: RunnerIO, inputs: readonly SecretInput[]): void {
  for (const spec of inputs) {
    const raw = io.getInput(spec.name).trim()
    // An unevaluated default (`${{ github.token }}` outside a runner) is no secret.
    if (!raw || /^\$\{\{[^}]*\}\}$/.test(raw)) continue
    if (spec.kind === 'token') maskToken(io, raw)
    else if (spec.kind === 'password') maskPassword(io, io.getInput(spec.username).trim(), raw)
    else for (const item of raw.split(/[\n,]/)) maskUrlCredentials(io, item)
  }
}
