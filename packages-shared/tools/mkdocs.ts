/**
 * mkdocs: `mkdocs build --strict` renders the site and, with --strict, fails on any warning
 * (a link to a page that does not exist, a nav entry with no page, an unknown setting).
 *
 * Its log goes to stderr, one message a line as `LEVEL   -  text` (the level padded to seven),
 * with continuation lines right below it (the pages missing from the nav, the exception under
 * a configuration error); click's own fatal errors read `Error: ...` (an unparsable mkdocs.yml,
 * naming its line and column). A page is named relative to `docs_dir` (`Doc file 'index.md'
 * contains a link 'missing.md', ...`) and never with a line, so the line of a broken link is
 * looked up in the page itself, and a setting's line in mkdocs.yml.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parseDocument } from 'yaml'
import type { CommandResult } from '../exec.js'
import type { Finding, Severity } from '../findings.js'
import { toPosix } from '../paths.js'
import type { ToolRequirement } from '../python/toolbox.js'
import { crashMessage, type ParsedOutput } from './tool.js'
import { escapeRegExp } from '../regexp.js'

export const MKDOCS: ToolRequirement = { requirement: 'mkdocs', version: '1.6.1', executable: 'mkdocs' }
/** The theme most mkdocs sites use: installed beside mkdocs only when mkdocs.yml names it. */
export const MKDOCS_MATERIAL: ToolRequirement = { requirement: 'mkdocs-material', version: '9.8.2', executable: 'mkdocs' }

/** The file names mkdocs looks for by itself, in its order. */
export const MKDOCS_CONFIG_FILES = ['mkdocs.yml', 'mkdocs.yaml'] as const

export interface MkdocsConfig {
  /** `docs_dir` as written (relative to the config file's folder), `docs` by default. */
  docsDir: string
  /** The theme's name (`theme: material` or `theme: {name: material}`). */
  theme?: string
}

type Table = Record<string, unknown>

function table(value: unknown): Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {}
}

function readYaml(file: string): Table {
  try {
    // Unknown tags (`!ENV`, `!!python/name:`) are warnings to the parser, not errors: the rest still reads.
    return table(parseDocument(fs.readFileSync(file, 'utf8')).toJS())
  } catch {
    return {}
  }
}

/**
 * What the action needs from mkdocs.yml: where the pages are and which theme. `INHERIT`
 * (a parent config) is followed for what the file itself does not set, a few levels deep.
 */
export function readMkdocsConfig(file: string, depth = 0): MkdocsConfig {
  const data = readYaml(file)
  const theme = typeof data.theme === 'string' ? data.theme : table(data.theme).name
  const own: Partial<MkdocsConfig> = {
    ...(typeof data.docs_dir === 'string' && data.docs_dir.trim() ? { docsDir: data.docs_dir.trim() } : {}),
    ...(typeof theme === 'string' && theme ? { theme } : {})
  }
  const parent = typeof data.INHERIT === 'string' && depth < 5 ? path.resolve(path.dirname(file), data.INHERIT) : undefined
  const inherited = parent && fs.existsSync(parent) ? readMkdocsConfig(parent, depth + 1) : undefined
  // docs_dir in a parent is relative to the parent's folder.
  const inheritedDocs = inherited ? path.relative(path.dirname(file), path.resolve(path.dirname(parent!), inherited.docsDir)) : undefined
  return {
    docsDir: own.docsDir ?? inheritedDocs ?? 'docs',
    ...((own.theme ?? inherited?.theme) ? { theme: own.theme ?? inherited!.theme } : {})
  }
}

export interface MkdocsBuild {
  executable: string
  /** mkdocs.yml, absolute. */
  configFile: string
  siteDir: string
  strict: boolean
}

export function mkdocsArgv(build: MkdocsBuild): string[] {
  return [build.executable, 'build', '--config-file', build.configFile, '--site-dir', build.siteDir, ...(build.strict ? ['--strict'] : [])]
}

export interface MkdocsMessage {
  level: 'WARNING' | 'ERROR' | 'CRITICAL' | 'Error'
  /** The message with its continuation lines, newline separated. */
  text: string
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g')
const HEAD = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+-\s+(.*)$/
const CLICK_ERROR = /^(Error): (.*)$/

/** The warnings and errors of mkdocs' log, in order; INFO and DEBUG messages (and their continuations) are left out. */
export function parseMkdocsLog(text: string): MkdocsMessage[] {
  const out: MkdocsMessage[] = []
  let current: MkdocsMessage | undefined
  let inMessage = false
  for (const raw of text.replace(ANSI, '').split(/\r?\n/)) {
    const line = raw.trimEnd()
    const head = HEAD.exec(line) ?? CLICK_ERROR.exec(line)
    if (head) {
      const level = head[1]!
      inMessage = true
      current = level === 'DEBUG' || level === 'INFO' ? undefined : { level: level as MkdocsMessage['level'], text: head[2]!.trim() }
      if (current) out.push(current)
      continue
    }
    // A continuation sits right below its message; a blank line ends it (a plugin's banner is not part of it).
    if (!line.trim()) {
      inMessage = false
      current = undefined
      continue
    }
    if (inMessage && current) current.text += '\n' + line
  }
  return out
}

export interface MkdocsContext {
  /** The repository root (absolute): findings' files are relative to it. */
  root: string
  /** mkdocs.yml, absolute. */
  configFile: string
  /** docs_dir, absolute. */
  docsDir: string
  strict: boolean
}

function lines(file: string): string[] | undefined {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/)
  } catch {
    return undefined
  }
}

/**
 * The 1-based line of a link to `url` in a Markdown page: an inline link `](url`, a
 * reference definition `]: url`, an autolink `<url>` or an HTML `href="url"`; undefined when
 * the page has none (the link came from a plugin or an include).
 */
export function locateLink(text: readonly string[], url: string): number | undefined {
  const u = escapeRegExp(url)
  const forms = new RegExp(`\\]\\(\\s*<?${u}(?=[\\s>)"'])|^\\s*\\[[^\\]]+\\]:\\s*<?${u}(?=\\s|>|$)|<${u}>|href=["']${u}["']`)
  const i = text.findIndex((l) => forms.test(l))
  return i < 0 ? undefined : i + 1
}

/** The line of a top-level key in mkdocs.yml (`plugins:`). */
function locateKey(text: readonly string[], key: string): number | undefined {
  const re = new RegExp(`^${escapeRegExp(key)}\\s*:`)
  const i = text.findIndex((l) => re.test(l))
  return i < 0 ? undefined : i + 1
}

/** The first line of mkdocs.yml naming `value` (a nav entry's page). */
function locateValue(text: readonly string[], value: string): number | undefined {
  const re = new RegExp(`(^|[\\s:'"-])${escapeRegExp(value)}(['"]|\\s*$)`)
  const i = text.findIndex((l) => !/^\s*#/.test(l) && re.test(l))
  return i < 0 ? undefined : i + 1
}

function relative(root: string, file: string): string | undefined {
  const rel = path.relative(root, file)
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined
  return toPosix(rel)
}

/**
 * The rule a message falls under, named as the mkdocs setting that decides its level
 * (`validation.links.not_found`), so the finding says what to change to silence it.
 */
function ruleOf(text: string): string | undefined {
  if (/^Doc file '.+?' contains a link '.+?', but the target .*is not found/.test(text)) return 'validation.links.not_found'
  if (/^Doc file '.+?' contains a link '.+?', but .*does not contain an anchor/.test(text)) return 'validation.links.anchors'
  if (/^Doc file '.+?' contains an absolute link/.test(text)) return 'validation.links.absolute_links'
  if (/^Doc file '.+?' contains an unrecognized relative link/.test(text)) return 'validation.links.unrecognized_links'
  if (/^A reference to '.+?' is included in the 'nav' configuration, which is not found/.test(text)) return 'validation.nav.not_found'
  if (/^A reference to '.+?' is included in the 'nav' configuration, but this file is excluded/.test(text))
    return 'validation.nav.not_found'
  if (/^The following pages exist in the docs directory, but are not included in the "nav"/.test(text))
    return 'validation.nav.omitted_files'
  if (/^An absolute path to '.+?' is included in the 'nav'/.test(text)) return 'validation.nav.absolute_links'
  if (/^Config value '.+?'/.test(text)) return 'config'
  return undefined
}

/** Each warning and error of mkdocs' log as a finding, at its page (or mkdocs.yml) and, when found there, its line. */
export function mkdocsFindings(messages: readonly MkdocsMessage[], ctx: MkdocsContext): Finding[] {
  const config = relative(ctx.root, ctx.configFile)
  const configLines = lines(ctx.configFile) ?? []
  return messages.map((m) => {
    const severity: Severity = m.level === 'WARNING' && !ctx.strict ? 'warning' : 'error'
    const rule = ruleOf(m.text)
    const finding: Finding = { tool: 'mkdocs', severity, message: m.text, ...(rule ? { rule } : {}) }
    const page = /^Doc file '(.+?)' contains (?:a|an absolute|an unrecognized relative) link '(.+?)'/.exec(m.text)
    if (page) {
      const abs = path.resolve(ctx.docsDir, page[1]!)
      const file = relative(ctx.root, abs)
      if (file) {
        const line = locateLink(lines(abs) ?? [], page[2]!)
        return { ...finding, file, ...(line ? { line } : {}) }
      }
      return finding
    }
    // A page mkdocs could not read or render (a plugin's error, a bad include) names it too.
    const docFile = /^Doc file '(.+?)'/.exec(m.text) ?? /^Error (?:reading|building) page '(.+?)'/.exec(m.text)
    if (docFile) {
      const file = relative(ctx.root, path.resolve(ctx.docsDir, docFile[1]!))
      return file ? { ...finding, file } : finding
    }
    if (!config) return finding
    const nav =
      /^A reference to '(.+?)' is included in the 'nav'/.exec(m.text) ??
      /^An absolute path to '(.+?)' is included in the 'nav'/.exec(m.text)
    if (nav) {
      const line = locateValue(configLines, nav[1]!)
      return { ...finding, file: config, ...(line ? { line } : {}) }
    }
    const key = /^Config value '([^'.]+)(?:\.[^']*)?'/.exec(m.text)
    if (key) {
      const line = locateKey(configLines, key[1]!)
      return { ...finding, file: config, ...(line ? { line } : {}) }
    }
    // An unparsable mkdocs.yml: PyYAML names the file, the line and the column.
    const yamlAt = /in "(.+?)", line (\d+), column (\d+)/.exec(m.text)
    if (m.level === 'Error' && yamlAt && path.resolve(yamlAt[1]!) === path.resolve(ctx.configFile)) {
      return { ...finding, rule: 'config', file: config, line: Number(yamlAt[2]), column: Number(yamlAt[3]) }
    }
    return finding
  })
}

/** A Python traceback in the log: mkdocs (or a plugin) crashed, whatever it reported before. */
const TRACEBACK = /^Traceback \(most recent call last\):/m

/**
 * mkdocs' verdict: its findings, and an error when it crashed, timed out, or failed with
 * nothing in its log that says why (so the check is an error, never a pass).
 */
export function parseMkdocs(r: CommandResult, ctx: MkdocsContext): ParsedOutput {
  const findings = mkdocsFindings([...parseMkdocsLog(r.stderr), ...parseMkdocsLog(r.stdout)], ctx)
  if (r.timedOut || r.spawnError || TRACEBACK.test(r.stderr)) return { findings, error: crashMessage('mkdocs', r) }
  if (r.exitCode !== 0 && !findings.some((f) => f.severity === 'error')) return { findings, error: crashMessage('mkdocs', r) }
  return { findings }
}
