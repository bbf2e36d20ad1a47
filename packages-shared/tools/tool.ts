/**
 * What every external tool wrapper provides: how to install it, how to call it (argv),
 * and how to turn its output into findings. No tool logic lives anywhere else.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommandResult } from '../exec.js'
import { processNotes, tail } from '../exec.js'
import type { Finding } from '../findings.js'
import { toPosix } from '../paths.js'
import { packageOwner } from '../package-owner.js'
import type { ToolRequirement } from '../python/toolbox.js'
import type { ToolConfig } from './config-files.js'
import type { PythonPackage } from '../workspace.js'

export interface ToolInvocation {
  /** Repository root (absolute); findings' files are made relative to it. */
  root: string
  /** Where the tool runs: the root, or a package with its own configuration. */
  cwd: string
  /** Targets relative to cwd. */
  targets: string[]
  executable: string
  fix: boolean
  /**
   * Processes a tool that fans out by itself may use (black's workers, flake8's and
   * pylint's jobs). Tools already run side by side, so each gets its share of the cores:
   * worker pools on top of that only add start-up and switching costs.
   */
  jobs?: number
  /**
   * Absolute paths of files the tool must not read (the pre-screen's too large or binary
   * files), passed through the tool's own exclude option so the rest of their folder is checked.
   */
  exclude?: string[]
  /**
   * A folder of our own (under RUNNER_TEMP) for the tool's cache and data files, which it
   * would otherwise write into the repository or the user's home.
   */
  cacheDir?: string
  /**
   * Packages given by import name (`acme.core`) rather than by folder, for tools that take
   * names: packages below a PEP 420 namespace shared by several distributions, whose files
   * would otherwise map to colliding or wrong module names.
   */
  modules?: string[]
  /** Absolute import roots of those modules, put on the tool's search path. */
  searchPath?: string[]
}

export interface ParsedOutput {
  findings: Finding[]
  /** Set when the tool itself failed (crash, bad configuration): the check is `error`. */
  error?: string
}

export interface QualityTool {
  name: string
  requirement: ToolRequirement
  /** Tools that rewrite files when fixing; they run one at a time, before the checks. */
  fixes: boolean
  argv(inv: ToolInvocation): string[]
  /** Variables that keep the tool's cache and data files in `inv.cacheDir`, for tools without a flag for it. */
  env?(inv: ToolInvocation): Record<string, string>
  parse(result: CommandResult, inv: ToolInvocation): ParsedOutput
  /** Where it reads its configuration (cache keys hash it: tool-caches.ts). */
  config: ToolConfig
  /**
   * Whether what it keeps in `cacheDir` saves time in the next run, so it is kept across
   * workflow runs (tool-caches.ts). pylint's folder holds only its score history.
   */
  keepsCache?: boolean
  /**
   * Whether it runs under the lean launcher (python/lean-launch.ts): it writes its report to
   * stdout and closes every file it opens, so ending without the interpreter's teardown loses
   * nothing. Worth it where the teardown and the garbage collector cost much (pylint).
   */
  lean?: boolean
  /**
   * Whether its workers cost little beyond the work they share (black's and flake8's process
   * pools fork the loaded tool): it is given every core even beside other runs, so that a long
   * run's end uses them all. Others (pylint's workers each infer the standard library again)
   * get their share of the cores.
   */
  cheapWorkers?: boolean
  /** Config files that, found in a package directory, make it a separate run there. */
  ownConfig(pkg: PythonPackage): boolean
  /** Tools that take import names (see ToolInvocation.modules): the environment that puts the roots on their search path. */
  byModule?(inv: ToolInvocation, env: Readonly<Record<string, string | undefined>>): Record<string, string>
  /** Tools that check each file on its own, whose findings the findings cache may keep per file. */
  fileLocal?: FileLocalTool
  /** Whole-program tools whose findings fall in the module they are about, kept per module (module-cache.ts). */
  byModuleCache?: ModuleCacheTool
}

/** An import as written: `level` dots (0 for absolute), then a dotted name (empty for `from . import x`'s package). */
export interface ImportRef {
  level: number
  name: string
}

/** What a whole-program tool says it would check: its modules, its search path, and what each module imports. */
export interface ModuleListing {
  /** The modules it checks, in its order: import name and absolute file. */
  modules: { name: string; file: string }[]
  /** Its search path while it checks them (absolute). */
  searchPath: string[]
  /** The folders its targets themselves put on that path. */
  targetPaths: string[]
  /** Whether each message of crossModule and suppression is enabled by the project's configuration and the argv. */
  enabled: Record<string, boolean>
  /** Absolute file → what it imports; null when it does not parse. */
  imports: Map<string, ImportRef[] | null>
}

/**
 * What the per-module cache needs of a whole-program tool: its own listing of the modules a
 * run checks, and which of its messages depend on the whole run set rather than on one module
 * and what it imports.
 */
export interface ModuleCacheTool {
  /**
   * The command that lists, for a run over `inv`, its modules and their imports (ModuleListing);
   * `python` is the tool's interpreter; the other Python files whose imports to read come on stdin
   * as a JSON list. Undefined when the tool cannot say.
   */
  listModules(inv: ToolInvocation, python: string | undefined): string[] | undefined
  parseModules(r: CommandResult): ModuleListing | undefined
  /**
   * Python the lean launcher runs first in a run over all modules, that writes to the file
   * DK_ACTIONS_LISTING names what the listing command prints (the further files: a JSON list in
   * the file DK_ACTIONS_LISTING_INPUT names): a run with nothing stored lists as it checks.
   */
  observeModules?: string
  /** Messages (symbols) about the whole run set: left out of a run over some modules, found by a pass over all. */
  crossModule: readonly string[]
  /** Messages that, enabled, a run over some modules reports differently: the run is then always whole. */
  suppression: readonly string[]
  /** A finding's message symbol. */
  symbol(f: Finding): string | undefined
  /** Arguments, after the run's own, of a run over some modules: the cross-module messages off. */
  partialArgs(): string[]
  /** Arguments, after the run's own, of the pass over every module that reports only `enabled` of them. */
  crossArgs(enabled: readonly string[]): string[]
}

/**
 * What the findings cache (findings-cache.ts) needs of a tool that checks files one at a
 * time: which files a run checks, as the tool itself decides it (its own exclusions,
 * .gitignore, include patterns), and what its findings for one file depend on.
 */
export interface FileLocalTool {
  /** Configuration files the tool reads in a file's folder or any folder above it. */
  configFiles: readonly string[]
  /** Configuration files it reads in the user's home (paths relative to it). */
  homeConfigFiles: readonly string[]
  /**
   * Findings that depend on which other files exist (isort's first-party imports, ruff's
   * INP001): the list of files checked is then part of every file's key.
   */
  treeWide: boolean
  /**
   * The command that prints the files a run over `inv` would check, without checking them;
   * `python` is the tool's interpreter (for tools asked through their own discovery code).
   * Undefined when the tool cannot say.
   */
  listFiles(inv: ToolInvocation, python: string | undefined): string[] | undefined
  /** The files that command printed (absolute, or relative to the run's cwd); undefined when its output is not a list. */
  parseFiles(r: CommandResult): string[] | undefined
  /**
   * Python run before the tool in the tool's own process (the lean launcher's prelude) that
   * writes to the file named by DK_ACTIONS_LISTING what the listing command prints, for the
   * same run: a run with nothing cached lists and checks in one interpreter instead of two.
   */
  observeFiles?: string
  /**
   * Arguments that make a run over some of those files read the configuration a run over
   * the targets reads (isort finds its settings from the first path it is given). Undefined
   * when the subset would be checked differently: the run then covers the targets.
   */
  subsetArgs?(inv: ToolInvocation, files: readonly string[]): string[] | undefined
}

/** Output of a listing that writes `header`, then each path, all NUL-terminated (a path may hold a newline). */
export function nulList(stdout: string, header: string): string[] | undefined {
  const parts = stdout.split('\0')
  if (parts[0] !== header || parts[parts.length - 1] !== '') return undefined
  return parts.slice(1, -1)
}

/** `searchPath` ahead of what a variable already holds (the user's own MYPYPATH or PYTHONPATH). */
export function searchPathVar(inv: Pick<ToolInvocation, 'searchPath'>, current: string | undefined): string {
  return [...(inv.searchPath ?? []), ...(current ? [current] : [])].join(path.delimiter)
}

/** A tool's path (relative to its cwd, or absolute) as a repository-relative posix path. */
export function repoRelative(inv: Pick<ToolInvocation, 'root' | 'cwd'>, file: string): string {
  return toPosix(path.relative(inv.root, path.resolve(inv.cwd, file)))
}

/**
 * Findings whose file is not in the checkout lose their location. A line-based parser fed a
 * path holding a newline (files can be named so) reads the path's tail as a file name, and an
 * annotation must point at a real file or at none.
 */
export function withRealFiles(findings: Finding[], root: string): Finding[] {
  return findings.map((f) => {
    if (!f.file || fs.existsSync(path.resolve(root, f.file))) return f
    const rest = { ...f }
    for (const key of ['file', 'line', 'column', 'endLine', 'endColumn'] as const) delete rest[key]
    return rest
  })
}

/** Attributes findings to the package owning their file (deepest directory wins). */
export function attributePackages(findings: Finding[], packages: readonly PythonPackage[]): Finding[] {
  const owner = packageOwner(packages)
  for (const f of findings) {
    if (f.package || !f.file) continue
    const id = owner(f.file)
    if (id !== undefined) f.package = id
  }
  return findings
}

/**
 * A path as a Python regular expression matching exactly it. Metacharacters go in a
 * character class rather than behind a backslash: pylint rewrites backslashes in its
 * path patterns as Windows separators. A lone `]` is literal already.
 */
export function regexLiteral(text: string): string {
  return text.replace(/[.*+?{}()|[$]/g, (c) => `[${c}]`).replace(/\^/g, '\\^')
}

/** A path as an fnmatch pattern matching exactly it (flake8, bandit). */
export function globLiteral(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`)
}

/** The exclusions relative to the tool's cwd, posix separators. */
export function excludedRelative(inv: Pick<ToolInvocation, 'cwd' | 'exclude'>): string[] {
  return (inv.exclude ?? []).map((p) => toPosix(path.relative(inv.cwd, p)))
}

export function crashMessage(tool: string, r: CommandResult): string {
  if (r.timedOut) return processNotes(tool, r).timeout!
  if (r.spawnError) return `${tool} could not run: ${r.spawnError}`
  const text = tail(r.stderr.trim() ? r.stderr : r.stdout, 25)
  return `${tool} exited with code ${r.exitCode}${text ? `:\n${text}` : ''}`
}

/**
 * Splits a unified diff into per-file sections: `--- a` / `+++ b` headers start one. With
 * `rename`, the headers name each file as `rename` gives it (repository-relative): a tool
 * prints the path it was given or found, and a file's diff must read the same whether the
 * tool found it in a folder or was given it by name. Blank lines that end a section (the
 * separator before the next) are not part of it.
 */
export function splitDiff(
  diff: string,
  headerPath: (line: string) => string | undefined,
  rename?: (file: string) => string
): { file: string; diff: string; firstLine?: number }[] {
  const sections: { file: string; diff: string; firstLine?: number }[] = []
  const lines = diff.split('\n')
  let current: { file: string; lines: string[]; firstLine?: number } | undefined
  const close = (): void => {
    if (!current) return
    while (current.lines.length > 2 && current.lines[current.lines.length - 1] === '') current.lines.pop()
    sections.push({ file: current.file, diff: current.lines.join('\n'), firstLine: current.firstLine })
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      const file = headerPath(line.slice(4))
      if (file !== undefined) {
        close()
        const named = (header: string): string => (rename ? header.slice(0, 4) + header.slice(4).replace(file, () => rename(file)) : header)
        current = { file, lines: [named(line), named(lines[i + 1]!)] }
        i++
        continue
      }
    }
    if (!current) continue
    current.lines.push(line)
    const hunk = /^@@ -(\d+)/.exec(line)
    if (hunk && current.firstLine === undefined) current.firstLine = Math.max(1, Number(hunk[1]))
  }
  close()
  return sections
}
