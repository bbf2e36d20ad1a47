/** ruff check (JSON, 1-based columns) and ruff format (`--check --diff`). */
import { crashMessage, globLiteral, repoRelative, splitDiff, type FileLocalTool, type QualityTool, type ToolInvocation } from './tool.js'
import { hasFile, hasToolTable } from './config-files.js'
import type { Finding } from '../findings.js'

interface RuffMessage {
  code: string | null
  message: string
  filename: string
  location: { row: number; column: number }
  end_location?: { row: number; column: number }
  url?: string | null
}

/** Globs, absolute paths accepted; added to the configured exclusions. */
const ruffExclude = (inv: ToolInvocation): string[] =>
  inv.exclude?.length ? [`--extend-exclude=${inv.exclude.map(globLiteral).join(',')}`] : []

const RUFF_CONFIG = { table: ['tool', 'ruff'], files: ['ruff.toml', '.ruff.toml'] }

const ownRuffConfig = (pkg: Parameters<QualityTool['ownConfig']>[0]): boolean =>
  hasToolTable(pkg, 'ruff') || hasFile(pkg, 'ruff.toml', '.ruff.toml')

/**
 * We name the package folders to check, and ruff checks a path it is given even when the
 * project's `exclude` / `extend-exclude` lists it (a whole package folder, a vendored tree)
 * unless told to apply the exclusions to given paths too, as a bare `ruff check` from the
 * root would.
 */
const FORCE_EXCLUDE = '--force-exclude'

/** ruff keeps .ruff_cache in the project's root unless told otherwise. */
function cacheArgs(inv: ToolInvocation): string[] {
  return inv.cacheDir ? ['--cache-dir', inv.cacheDir] : []
}

const showFiles = (inv: ToolInvocation): string[] => [
  inv.executable,
  'check',
  '--show-files',
  FORCE_EXCLUDE,
  ...ruffExclude(inv),
  ...cacheArgs(inv),
  ...inv.targets
]
const listedLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l !== '')

/**
 * ruff resolves each file's settings from the folders above it, whether it was found or
 * given, and --force-exclude applies the exclusions to given paths too. Whether a module is
 * first-party, or a folder lacks its __init__.py (INP001), depends on the files beside it.
 */
const ruffFiles: FileLocalTool = {
  configFiles: ['pyproject.toml', 'ruff.toml', '.ruff.toml'],
  homeConfigFiles: ['.config/ruff/ruff.toml', '.config/ruff/.ruff.toml', '.config/ruff/pyproject.toml'],
  treeWide: true,
  listFiles: showFiles,
  parseFiles: (r) => (r.exitCode === 0 && !r.spawnError ? listedLines(r.stdout) : undefined),
  subsetArgs: () => []
}

export const ruff: QualityTool = {
  name: 'ruff',
  requirement: { requirement: 'ruff', version: '0.17.5', executable: 'ruff' },
  fixes: true,
  argv: (inv) => [
    inv.executable,
    'check',
    '--output-format=json',
    ...(inv.fix ? ['--fix'] : ['--no-fix']),
    FORCE_EXCLUDE,
    ...ruffExclude(inv),
    ...cacheArgs(inv),
    ...inv.targets
  ],
  keepsCache: true,
  config: RUFF_CONFIG,
  ownConfig: ownRuffConfig,
  fileLocal: ruffFiles,
  parse(r, inv) {
    const findings: Finding[] = []
    let parsed = false
    try {
      const data = JSON.parse(r.stdout || '[]') as RuffMessage[]
      parsed = Array.isArray(data)
      for (const m of data) {
        const code = m.code ?? 'syntax'
        findings.push({
          tool: 'ruff',
          file: repoRelative(inv, m.filename),
          line: m.location.row,
          column: m.location.column,
          endLine: m.end_location?.row,
          endColumn: m.end_location?.column,
          rule: code,
          severity: 'error',
          message: `${code} ${m.message}`,
          url: m.url ?? undefined
        })
      }
    } catch {
      parsed = false
    }
    // 0 clean, 1 violations, 2 configuration or internal error.
    const ok = !r.spawnError && parsed && (r.exitCode === 0 || r.exitCode === 1)
    return ok ? { findings } : { findings, error: crashMessage('ruff', r) }
  }
}

export const ruffFormat: QualityTool = {
  name: 'ruff-format',
  requirement: { requirement: 'ruff', version: '0.17.5', executable: 'ruff' },
  fixes: true,
  argv: (inv) => [
    inv.executable,
    'format',
    ...(inv.fix ? [] : ['--check', '--diff']),
    FORCE_EXCLUDE,
    ...ruffExclude(inv),
    ...cacheArgs(inv),
    ...inv.targets
  ],
  keepsCache: true,
  config: RUFF_CONFIG,
  ownConfig: ownRuffConfig,
  // `ruff format` has no --show-files; it resolves files as `ruff check` does (format.exclude,
  // which --force-exclude applies to given files, aside), and formats Python files only.
  fileLocal: {
    ...ruffFiles,
    treeWide: false,
    parseFiles: (r) => (r.exitCode === 0 && !r.spawnError ? listedLines(r.stdout).filter((f) => /\.(py|pyi|ipynb)$/.test(f)) : undefined)
  },
  parse(r, inv) {
    const findings: Finding[] = []
    if (!inv.fix) {
      for (const s of splitDiff(
        r.stdout,
        (h) => h.split('\t')[0]!.trim(),
        (f) => repoRelative(inv, f)
      )) {
        findings.push({
          tool: 'ruff-format',
          file: repoRelative(inv, s.file),
          line: s.firstLine,
          rule: 'format',
          severity: 'error',
          message: 'ruff format would reformat this file',
          detail: s.diff
        })
      }
      const seen = new Set(findings.map((f) => f.file))
      for (const m of r.stderr.matchAll(/^Would reformat: (.+)$/gm)) {
        const file = repoRelative(inv, m[1]!.trim())
        if (!seen.has(file)) {
          seen.add(file)
          findings.push({ tool: 'ruff-format', file, rule: 'format', severity: 'error', message: 'ruff format would reformat this file' })
        }
      }
    }
    const ok = !r.spawnError && (r.exitCode === 0 || (r.exitCode === 1 && findings.length > 0))
    return ok ? { findings } : { findings, error: crashMessage('ruff format', r) }
  }
}
