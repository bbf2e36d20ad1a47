/** black: `--check --diff`; each file it would reformat is a finding carrying the diff. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { crashMessage, nulList, regexLiteral, repoRelative, splitDiff, type FileLocalTool, type QualityTool } from './tool.js'
import { hasToolTable } from './config-files.js'
import type { Finding } from '../findings.js'
import { toPosix } from '../paths.js'

/**
 * black matches `--force-exclude` against `/` plus the path relative to the project root it
 * finds by itself (the nearest folder with .git, .hg or a pyproject.toml with [tool.black],
 * else the file system root). Any ancestor may be that root, so the pattern takes the file's
 * path from each of them: `^/(?:(?:a/)?b/)?c[.]py$`. One flag, so it replaces a configured
 * force-exclude only in the runs where the pre-screen excluded a file.
 */
export function blackExcludePattern(files: readonly string[]): string {
  const one = (file: string): string => {
    const parts = toPosix(file).split('/').filter(Boolean)
    const name = regexLiteral(parts.pop()!)
    return parts.reduce((acc, p) => `(?:${acc}${regexLiteral(p)}/)?`, '') + name
  }
  return `^/(?:${files.map(one).join('|')})$`
}

function excludeArgs(files: readonly string[]): string[] {
  return files.length ? ['--force-exclude', blackExcludePattern(files)] : []
}

const LISTED = 'dk-actions-files'

/**
 * black has no flag that lists its files: this parses black's own command line with the same
 * arguments (and the configuration it reads from its project root), then asks black's own
 * `get_sources` which files it would check (include, exclude, extend-exclude, force-exclude,
 * .gitignore) and prints them without checking any. A black without these functions fails
 * here, and the run is not cached. (black is compiled: its functions cannot be wrapped.)
 */
const SOURCES = [
  'import os, sys',
  'import black',
  'with black.main.make_context("black", sys.argv[1:]) as ctx:',
  '    p = ctx.params',
  '    root = black.find_project_root(p["src"], p["stdin_filename"])[0]',
  '    report = black.Report(check=True, diff=True, quiet=True, verbose=False)',
  '    found = black.get_sources(root=root, src=p["src"], quiet=True, verbose=False, include=p["include"], exclude=p["exclude"],',
  '        extend_exclude=p["extend_exclude"], force_exclude=p["force_exclude"], report=report, stdin_filename=p["stdin_filename"])',
  `listed = ${JSON.stringify(LISTED)} + "\\0" + "".join(os.path.abspath(src) + "\\0" for src in sorted(str(s) for s in found))`
]
const LIST_SOURCES = [...SOURCES, 'sys.stdout.write(listed)'].join('\n')
/** The same listing, by the lean launcher's prelude in black's own process, before black runs. */
const OBSERVE_SOURCES = [
  ...SOURCES,
  'with open(os.environ["DK_ACTIONS_LISTING"], "w", encoding="utf-8", errors="surrogateescape") as out:',
  '    out.write(listed)'
].join('\n')

function hasBlackTable(file: string): boolean {
  try {
    const tool = (parseToml(fs.readFileSync(file, 'utf8')) as { tool?: Record<string, unknown> }).tool
    return tool !== undefined && typeof tool === 'object' && 'black' in tool
  } catch {
    return false
  }
}

/**
 * The project root black settles on for these sources (its configuration and the paths its
 * exclusions match are taken from there): the deepest folder holding them all, or the first
 * folder above it with `.git`, a `.hg` folder or a pyproject.toml with `[tool.black]`.
 */
export function blackProjectRoot(cwd: string, sources: readonly string[]): string {
  const chains = sources.map((s) => {
    const abs = path.resolve(cwd, s)
    let real = abs
    try {
      real = fs.realpathSync(abs)
    } catch {
      // black resolves what exists; a missing path keeps its name.
    }
    const isDir = fs.existsSync(real) && fs.statSync(real).isDirectory()
    const chain: string[] = []
    for (let d = isDir ? real : path.dirname(real); ; d = path.dirname(d)) {
      chain.push(d)
      if (path.dirname(d) === d) break
    }
    return chain
  })
  const common = chains.reduce((acc, c) => acc.filter((d) => c.includes(d)))
  const base = common.reduce((a, b) => (b.length > a.length ? b : a), common[0] ?? path.parse(cwd).root)
  for (let d = base; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d
    try {
      if (fs.statSync(path.join(d, '.hg')).isDirectory()) return d
    } catch {
      // no .hg here
    }
    const pyproject = path.join(d, 'pyproject.toml')
    if (fs.existsSync(pyproject) && fs.statSync(pyproject).isFile() && hasBlackTable(pyproject)) return d
    if (path.dirname(d) === d) return d
  }
}

const blackFiles: FileLocalTool = {
  configFiles: ['pyproject.toml'],
  homeConfigFiles: ['.config/black'],
  treeWide: false,
  listFiles: (inv, python) => (python ? [python, '-c', LIST_SOURCES, ...black.argv(inv).slice(1)] : undefined),
  parseFiles: (r) => (r.exitCode === 0 && !r.spawnError ? nulList(r.stdout, LISTED) : undefined),
  observeFiles: OBSERVE_SOURCES,
  // Given files, black finds its configuration from the folder holding them: the same one only if that leads to the same root.
  subsetArgs: (inv, files) => (blackProjectRoot(inv.cwd, files) === blackProjectRoot(inv.cwd, inv.targets) ? [] : undefined)
}

export const black: QualityTool = {
  name: 'black',
  requirement: { requirement: 'black', version: '26.10.1', executable: 'black' },
  fixes: true,
  // It closes what it writes: the lean launcher may run it (and list its files as it runs).
  lean: true,
  // Its process pool forks the loaded tool: workers cost a few percent (black on certbot: 34.9 s → 18.7 s for 1.7% more CPU).
  cheapWorkers: true,
  argv: (inv) => [
    inv.executable,
    ...(inv.fix ? [] : ['--check', '--diff']),
    '--no-color',
    ...(inv.jobs ? [`--workers=${inv.jobs}`] : []),
    ...excludeArgs(inv.exclude ?? []),
    ...inv.targets
  ],
  // black keeps its cache in the user's home (or BLACK_CACHE_DIR).
  env: (inv): Record<string, string> => (inv.cacheDir ? { BLACK_CACHE_DIR: inv.cacheDir } : {}),
  keepsCache: true,
  config: { table: ['tool', 'black'], files: [] },
  ownConfig: (pkg) => pkg.relDir !== '.' && hasToolTable(pkg, 'black'),
  fileLocal: blackFiles,
  parse(r, inv) {
    // 0 unchanged, 1 would reformat; 123 an internal error or a file it cannot parse.
    const findings: Finding[] = []
    for (const m of r.stderr.matchAll(/^error: cannot format (.+?): (.*)$/gm)) {
      const line = /(\d+):(\d+)/.exec(m[2]!)
      findings.push({
        tool: 'black',
        file: repoRelative(inv, m[1]!),
        rule: 'parse-error',
        severity: 'error',
        message: `black cannot format this file: ${m[2]}`,
        ...(line ? { line: Number(line[1]), column: Number(line[2]) + 1 } : {})
      })
    }
    if (inv.fix) {
      for (const m of r.stderr.matchAll(/^reformatted (.+)$/gm)) {
        findings.push({
          tool: 'black',
          file: repoRelative(inv, m[1]!),
          rule: 'reformatted',
          severity: 'note',
          message: 'black reformatted this file'
        })
      }
    } else {
      const sections = splitDiff(
        r.stdout,
        (h) => h.split('\t')[0]!.trim(),
        (f) => repoRelative(inv, f)
      )
      const reformat = [...r.stderr.matchAll(/^would reformat (.+)$/gm)].map((m) => repoRelative(inv, m[1]!))
      const seen = new Set<string>()
      for (const s of sections) {
        const file = repoRelative(inv, s.file)
        seen.add(file)
        findings.push({
          tool: 'black',
          file,
          line: s.firstLine,
          rule: 'format',
          severity: 'error',
          message: 'black would reformat this file',
          detail: s.diff
        })
      }
      for (const file of reformat.filter((f) => !seen.has(f))) {
        findings.push({ tool: 'black', file, rule: 'format', severity: 'error', message: 'black would reformat this file' })
      }
    }
    const ok = r.exitCode === 0 || r.exitCode === 1 || (r.exitCode === 123 && findings.some((f) => f.rule === 'parse-error'))
    return ok && !r.spawnError ? { findings } : { findings, error: crashMessage('black', r) }
  }
}
