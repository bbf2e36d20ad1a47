/**
 * The pre-screen run before any tool parses sources. A huge one-line file kept pylint
 * running for a quarter of an hour at several GB, and a binary `.py` crashes parsers; so
 * each such file is one finding here and is kept from the tools through each tool's own
 * exclude option (the rest of its folder is still checked).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CheckResult, Finding } from './findings.js'
import { formatBytes } from './report/markdown.js'
import { toPosix } from './paths.js'

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024

/** Folders the Python tools skip by default too (environments, caches, build output). */
const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  'node_modules',
  '__pycache__',
  '.mypy_cache',
  '.ruff_cache',
  '.pytest_cache',
  'build',
  'dist',
  '__pypackages__',
  '.eggs'
])
const SOURCE = /\.pyi?$/

export interface ScreenedFile {
  /** Absolute path. */
  path: string
  reason: 'too-large' | 'binary'
  bytes: number
  detail: string
}

/** PEP 263: a coding declaration on line 1 or 2 lets a source be in another encoding. */
function declaresEncoding(head: Buffer): boolean {
  const lines = head.subarray(0, 400).toString('latin1').split('\n').slice(0, 2)
  return lines.some((l) => /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(l))
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Why Python cannot read this source, or undefined when it can. */
export function binaryReason(content: Buffer): string | undefined {
  const nul = content.indexOf(0)
  if (nul >= 0) return `it holds a NUL byte at offset ${nul}, which no Python source may contain`
  if (declaresEncoding(content)) return undefined
  try {
    utf8.decode(content)
    return undefined
  } catch {
    return 'it is not valid UTF-8 and declares no other encoding (PEP 263)'
  }
}

function screenFile(file: string, maxBytes: number): ScreenedFile | undefined {
  let size: number
  try {
    const st = fs.statSync(file)
    if (!st.isFile()) return undefined
    size = st.size
  } catch {
    return undefined
  }
  if (maxBytes > 0 && size > maxBytes) {
    return { path: file, reason: 'too-large', bytes: size, detail: `${formatBytes(size)}, above max-file-size (${formatBytes(maxBytes)})` }
  }
  let content: Buffer
  try {
    content = fs.readFileSync(file)
  } catch {
    return undefined
  }
  const why = binaryReason(content)
  return why ? { path: file, reason: 'binary', bytes: size, detail: why } : undefined
}

/**
 * Every `.py`/`.pyi` file under `targets` (files or folders, absolute) that is too large or
 * not readable as Python source, each once. Folders symlinked in are not entered (loops).
 */
export function screenSources(targets: readonly string[], maxBytes: number): ScreenedFile[] {
  const found = new Map<string, ScreenedFile>()
  const visit = (p: string, explicit: boolean): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(p, { withFileTypes: true })
    } catch {
      // A file, or a folder we cannot read (the tools will say so).
      if (explicit && SOURCE.test(p) && !found.has(p)) {
        const s = screenFile(p, maxBytes)
        if (s) found.set(p, s)
      }
      return
    }
    for (const e of entries) {
      const child = path.join(p, e.name)
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.endsWith('.egg-info')) visit(child, false)
      } else if ((e.isFile() || e.isSymbolicLink()) && SOURCE.test(e.name) && !found.has(child)) {
        const s = screenFile(child, maxBytes)
        if (s) found.set(child, s)
      }
    }
  }
  for (const t of targets) visit(t, true)
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/**
 * Severity: a file above the size limit is a warning (it is not wrong, it was not checked;
 * raise `max-file-size` to check it); a source Python cannot read is an error (importing it fails).
 */
export function screenFindings(root: string, screened: readonly ScreenedFile[]): Finding[] {
  return screened.map((s) => ({
    tool: 'file-screen',
    file: toPosix(path.relative(root, s.path)),
    rule: s.reason === 'too-large' ? 'dk-actions/file-too-large' : 'dk-actions/binary-file',
    severity: s.reason === 'too-large' ? 'warning' : 'error',
    message:
      s.reason === 'too-large'
        ? `Not checked: ${s.detail}. Raise max-file-size (or 0 for no limit) to check it.`
        : `Not a Python source the tools can read: ${s.detail}. Not checked.`
  }))
}

export function screenCheck(findings: Finding[], durationMs: number, failOn: (f: Finding) => boolean): CheckResult {
  return { tool: 'file-screen', status: findings.some(failOn) ? 'failed' : 'passed', durationMs, findings }
}

/** The files among `screened` under one of `targets` (relative to `cwd`), for a tool's exclude option. */
export function excludedUnder(screened: readonly ScreenedFile[], cwd: string, targets: readonly string[]): string[] {
  const dirs = targets.map((t) => path.resolve(cwd, t))
  return screened.map((s) => s.path).filter((p) => dirs.some((d) => p === d || p.startsWith(d.endsWith(path.sep) ? d : d + path.sep)))
}
