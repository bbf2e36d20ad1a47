/**
 * sphinx: `sphinx-build -W --keep-going -b html <source> <out>` builds the HTML site and,
 * with -W, fails on any warning after reporting them all (--keep-going; the default since
 * Sphinx 8.1, needed before it). Warnings also go to a file of their own (`-w`), which is
 * read rather than stderr: it holds nothing but them.
 *
 * A warning reads `<path>:<line>: WARNING: <message> [<type>]`: the path is absolute, the
 * line is absent for a whole document (`<path>: WARNING: ...`), and the type (`ref.ref`,
 * `toc.not_included`, `docutils`) ends the message since Sphinx 7.3. Docutils' messages can
 * run over several lines (the offending source follows). A warning in a docstring names the
 * Python file and a line counted from the docstring's start (`<path>:docstring of pkg.f:3:`),
 * which is no line of the file, so only the file is kept.
 */
import * as path from 'node:path'
import type { CommandResult } from '../exec.js'
import type { Finding } from '../findings.js'
import { toPosix } from '../paths.js'
import type { ToolRequirement } from '../python/toolbox.js'
import { crashMessage, type ParsedOutput } from './tool.js'

export const SPHINX: ToolRequirement = { requirement: 'sphinx', version: '9.0.4', executable: 'sphinx-build' }

/** Where a sphinx project's conf.py usually is, relative to the repository (or docs-dir). */
export const SPHINX_CONF_DIRS = ['docs', 'docs/source', 'doc', 'doc/source'] as const

export interface SphinxBuild {
  executable: string
  /** The folder holding conf.py and the sources. */
  sourceDir: string
  outDir: string
  /** Sphinx's pickled environment: kept out of the site, so the Pages artifact holds only the site. */
  doctreeDir: string
  warningFile: string
  strict: boolean
}

export function sphinxArgv(build: SphinxBuild): string[] {
  return [
    build.executable,
    ...(build.strict ? ['-W'] : []),
    '--keep-going',
    '-N',
    '-b',
    'html',
    '-d',
    build.doctreeDir,
    '-w',
    build.warningFile,
    build.sourceDir,
    build.outDir
  ]
}

export interface SphinxWarning {
  level: 'WARNING' | 'ERROR' | 'SEVERE' | 'CRITICAL'
  /** As printed: absolute, or whatever the extension gave. */
  location?: string
  line?: number
  /** `docstring of pkg.f`: the line is counted from the docstring's start. */
  docstringOf?: string
  /** The warning's type (`ref.ref`), from the `[...]` that ends the message. */
  type?: string
  message: string
}

const HEAD = /^(?:(.*?)(?::(\d+))?: )?(WARNING|ERROR|SEVERE|CRITICAL): (.*)$/
const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g')

/** The warnings of a sphinx run, in order, each with the lines that continue it. */
export function parseSphinxWarnings(text: string): SphinxWarning[] {
  const out: { head: RegExpExecArray; lines: string[] }[] = []
  for (const raw of text.replace(ANSI, '').split(/\r?\n/)) {
    const line = raw.trimEnd()
    const head = HEAD.exec(line)
    if (head) out.push({ head, lines: [head[4]!] })
    else if (out.length) out[out.length - 1]!.lines.push(line)
  }
  return out.map(({ head, lines }) => {
    let message = lines.join('\n').trim()
    const type = /\s\[([\w.-]+)\]$/.exec(message)
    if (type) message = message.slice(0, type.index).trimEnd()
    let location = head[1]
    let docstringOf: string | undefined
    const doc = location ? /^(.*?):(docstring of .*)$/.exec(location) : null
    if (doc) {
      location = doc[1]
      docstringOf = doc[2]
    }
    return {
      level: head[3] as SphinxWarning['level'],
      ...(location ? { location } : {}),
      ...(head[2] && !docstringOf ? { line: Number(head[2]) } : {}),
      ...(docstringOf ? { docstringOf: head[2] ? `${docstringOf}, line ${head[2]}` : docstringOf } : {}),
      ...(type ? { type: type[1] } : {}),
      message
    }
  })
}

export interface SphinxContext {
  /** The repository root (absolute): findings' files are relative to it. */
  root: string
  /** The source folder (absolute): a relative location is read against it. */
  sourceDir: string
  strict: boolean
}

function relative(root: string, file: string): string | undefined {
  const rel = path.relative(root, file)
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined
  return toPosix(rel)
}

/**
 * Each warning as a finding: an error with -W (sphinx fails the build on it), a warning
 * without (sphinx passes, and so does the check; docutils' ERRORs are warnings to sphinx too).
 */
export function sphinxFindings(warnings: readonly SphinxWarning[], ctx: SphinxContext): Finding[] {
  return warnings.map((w) => {
    // `<rst_prolog>`, `<autosummary>`: no file of the repository.
    const file = w.location && !w.location.startsWith('<') ? relative(ctx.root, path.resolve(ctx.sourceDir, w.location)) : undefined
    return {
      tool: 'sphinx',
      severity: ctx.strict ? 'error' : 'warning',
      message: w.docstringOf ? `${w.docstringOf}: ${w.message}` : w.message,
      ...(w.type ? { rule: w.type } : {}),
      ...(file ? { file, ...(w.line ? { line: w.line } : {}) } : {})
    } satisfies Finding
  })
}

/**
 * sphinx's verdict. `warnings` is the warning file's text (undefined when sphinx did not get
 * as far as opening it: its stderr is read instead). Exit 1 is the warnings turned into
 * errors; any other failure (2: an exception, a bad conf.py, a missing extension) is an error
 * of the check whatever was reported before it.
 */
export function parseSphinx(r: CommandResult, warnings: string | undefined, ctx: SphinxContext): ParsedOutput {
  const findings = sphinxFindings(parseSphinxWarnings(warnings ?? r.stderr), ctx)
  if (r.timedOut || r.spawnError) return { findings, error: crashMessage('sphinx-build', r) }
  if (r.exitCode === 0) return { findings }
  if (r.exitCode === 1 && findings.some((f) => f.severity === 'error')) return { findings }
  return { findings, error: crashMessage('sphinx-build', r) }
}
