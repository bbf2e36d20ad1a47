/**
 * Every folder the suite writes into or clears goes through here first. A folder is
 * resolved through symlinks and refused when it is, holds or sits inside a package's
 * sources or the repository's tracked files; the suite clears only folders it made
 * itself, which it marks with a stamp file.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UserError } from './errors.js'
import type { Exec } from './exec.js'
import { invalidInput } from './inputs.js'
import { dirEntries } from './paths.js'

/** The stamp the suite puts in every folder it creates; nothing reading dists looks at it. */
export const STAMP = '.dk-actions-output'

type PathApi = typeof path.posix

/** What the suite writes into: `write` adds files only, `clear` also deletes what is inside. */
export type OutputKind = 'write' | 'clear'

/** Which input a folder comes from (or, for a folder no input names, what it is), for the one-line refusal. */
export type Origin = { input: string; value: string } | { what: string; value: string }

export interface SourcePackage {
  name: string
  /** Absolute directory holding the package's pyproject.toml. */
  dir: string
  /** Absolute module directories (used when the package is the repository root). */
  moduleDirs: string[]
}

export interface Protected {
  /** The repository (the runner's workspace), resolved. */
  workspace: string
  /** The working directory, resolved: a package there (or above) owns only its module folders. */
  root: string
  /** The runner's temp directory, resolved. */
  tempDir: string
  packages: SourcePackage[]
  /** Tracked files (or, outside git, the working directory's files), absolute and resolved. */
  files: string[]
  /** Where `files` came from, for the message. */
  filesAre: 'tracked' | 'present'
}

/**
 * The rules, with no file system access, so they can be tested for Windows paths too.
 * Paths given to it are already resolved through symlinks.
 */
export class SourceIndex {
  private readonly api: PathApi
  private readonly fold: (p: string) => string
  private readonly files = new Set<string>()
  /** Every directory holding a protected file, with one such file to name. */
  private readonly holders = new Map<string, string>()

  constructor(
    readonly prot: Protected,
    platform: NodeJS.Platform = process.platform
  ) {
    this.api = platform === 'win32' ? path.win32 : path.posix
    // Windows and macOS file systems ignore case by default; a folder differing only in case is the same folder.
    this.fold = platform === 'win32' || platform === 'darwin' ? (p) => p.toLowerCase() : (p) => p
    for (const f of prot.files) {
      const key = this.key(f)
      this.files.add(key)
      let dir = this.api.dirname(key)
      while (!this.holders.has(dir)) {
        this.holders.set(dir, f)
        const up = this.api.dirname(dir)
        if (up === dir) break
        dir = up
      }
    }
  }

  private key(p: string): string {
    const n = this.api.normalize(p)
    const root = this.api.parse(n).root
    return this.fold(n.length > root.length ? n.replace(/[\\/]+$/, '') : n)
  }

  /** Whether `inner` is `outer` or below it. */
  within(outer: string, inner: string): boolean {
    const rel = this.api.relative(this.key(outer), this.key(inner))
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${this.api.sep}`) && !this.api.isAbsolute(rel))
  }

  private rel(p: string): string {
    const r = this.api.relative(this.prot.workspace, p)
    return r === '' ? '.' : this.within(this.prot.workspace, p) ? r.split(this.api.sep).join('/') : p
  }

  /** Why `dir` may not be an output folder of this kind, or undefined when it may. */
  conflict(dir: string, kind: OutputKind): string | undefined {
    const { workspace, root, tempDir, packages } = this.prot
    if (this.within(dir, workspace)) return `it holds the whole repository (${workspace})`
    if (kind === 'clear' && this.within(dir, tempDir))
      return `it holds the runner's temp directory (${tempDir}), which other steps' files live in`
    for (const p of packages) {
      const where = `${p.name} (${this.rel(p.dir)})`
      if (this.within(dir, p.dir)) return `it holds the sources of the package ${where}`
      // A package at the repository root owns only its module folders (its dist/ is the
      // usual output folder); any other package owns its whole folder.
      const owned = this.within(p.dir, root) ? p.moduleDirs : [p.dir]
      if (owned.some((o) => this.within(o, dir))) return `it is inside the sources of the package ${where}`
    }
    const key = this.key(dir)
    const what = this.prot.filesAre === 'tracked' ? "the repository's tracked files" : "the working directory's files"
    if (this.files.has(key)) return `it is one of ${what}`
    const held = this.holders.get(key)
    if (held) return `it holds ${what} (such as ${this.rel(held)})`
    for (let up = this.api.dirname(key); ; up = this.api.dirname(up)) {
      if (this.files.has(up)) return `it is inside ${this.rel(up)}, one of ${what}`
      if (this.api.dirname(up) === up) break
    }
    return undefined
  }
}

/**
 * The real path of `p`, which need not exist yet: the real path of its nearest existing
 * ancestor plus the rest. A dangling symlink on the way is followed to where it points.
 */
export function resolveReal(p: string, depth = 0): string {
  const rest: string[] = []
  let cur = path.resolve(p)
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse())
    } catch {
      // Not there, or a dangling link: see below.
    }
    let link: string | undefined
    try {
      if (fs.lstatSync(cur).isSymbolicLink()) link = fs.readlinkSync(cur)
    } catch {
      // Does not exist: go up.
    }
    if (link !== undefined && depth < 40) return resolveReal(path.join(path.resolve(path.dirname(cur), link), ...rest.reverse()), depth + 1)
    const up = path.dirname(cur)
    if (up === cur) return path.join(cur, ...rest.reverse())
    rest.push(path.basename(cur))
    cur = up
  }
}

function isEmptyDir(dir: string): boolean {
  return fs.readdirSync(dir).length === 0
}

function isStamped(dir: string): boolean {
  try {
    return fs.statSync(path.join(dir, STAMP)).isFile()
  } catch {
    return false
  }
}

/** Marks a folder as the suite's own, so a later run may delete it (removeOwned). */
export function stampOwned(dir: string): void {
  fs.writeFileSync(path.join(dir, STAMP), 'Made by dk-actions, which may clear this folder on its next run.\n')
}

/**
 * Names that become one path segment (cache keys, package subfolders): letters, digits,
 * `.`, `_`, `-`, starting with a letter or digit, so never a separator, `.` or `..`.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
export const NAME_RULE =
  'a name of letters, digits, ".", "_" and "-" that starts with a letter or digit (at most 100 characters), never a path'

export function parseName(input: string, raw: string, value = raw.trim()): string {
  if (!NAME_PATTERN.test(value)) throw invalidInput(input, raw, `expected ${NAME_RULE}`)
  return value
}

/** The files to protect outside git: the working directory's, minus the suite's own folders and the runner's temp dir. */
export function presentFiles(dir: string, skip: readonly string[]): string[] {
  const out: string[] = []
  const skipped = new Set(skip.map((s) => path.resolve(s)))
  const walk = (d: string): void => {
    const entries = dirEntries(d)
    if (entries.some((e) => e.name === STAMP)) return
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory() && e.name !== '.git' && !skipped.has(p)) walk(p)
      else if (!e.isDirectory()) out.push(p)
    }
  }
  walk(dir)
  return out
}

async function gitTrackedFiles(dir: string, exec: Exec): Promise<string[] | undefined> {
  // The buffer keeps a stream's tail; it must hold the whole list, or files would go unprotected.
  const maxBuffer = 1024 * 1024 * 1024
  const r = await exec({ argv: ['git', 'ls-files', '-z', '--cached'], cwd: dir, timeoutMs: 5 * 60_000, maxBuffer })
  if (r.exitCode !== 0) return undefined
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .map((f) => path.join(dir, f))
}

export interface OutputDirsOptions {
  workspace: string
  workingDirectory: string
  tempDir: string
  /** Runs `git ls-files` for the tracked files the guard protects. */
  exec: Exec
  /** The repository's packages; undefined when there is no Python repository (health-check). */
  packages?: readonly { name: string; dir: string; importDir: string; modules: readonly string[] }[]
}

/** The guard every action uses before it creates, writes into or clears a folder. */
export class OutputDirs {
  private readonly claimed = new Map<string, OutputKind>()

  private constructor(readonly index: SourceIndex) {}

  static async create(opts: OutputDirsOptions): Promise<OutputDirs> {
    const workspace = resolveReal(opts.workspace)
    const tempDir = resolveReal(opts.tempDir)
    const packages: SourcePackage[] = (opts.packages ?? []).map((p) => ({
      name: p.name,
      dir: resolveReal(p.dir),
      moduleDirs: p.modules
        .map((m) => resolveReal(path.join(p.importDir, m)))
        .concat(path.resolve(p.importDir) === path.resolve(p.dir) ? [] : [resolveReal(p.importDir)])
    }))
    const tracked = await gitTrackedFiles(workspace, opts.exec)
    const root = resolveReal(opts.workingDirectory)
    const files = tracked ?? presentFiles(root, [tempDir])
    return new OutputDirs(new SourceIndex({ workspace, root, tempDir, packages, files, filesAre: tracked ? 'tracked' : 'present' }))
  }

  /**
   * Checks a folder and creates it (stamped) if needed; returns its real path. A `clear`
   * folder must be new, empty or stamped by an earlier run, since the suite deletes in it.
   */
  claim(origin: Origin, dir: string, kind: OutputKind): string {
    return this.claimAll([{ origin, dir, kind }])[0]!
  }

  /** Claims several folders, checking every one before any is created. */
  claimAll(wanted: readonly { origin: Origin; dir: string; kind: OutputKind }[]): string[] {
    const reals = wanted.map((w) => this.check(w.origin, w.dir, w.kind))
    wanted.forEach((w, i) => this.create(reals[i]!, w.kind))
    return reals
  }

  private check(origin: Origin, dir: string, kind: OutputKind): string {
    const real = resolveReal(dir)
    const why = this.index.conflict(real, kind)
    if (why) throw refusal(origin, `${why}, and the suite ${kind === 'clear' ? 'deletes and writes' : 'writes'} files there`)
    if (fs.existsSync(real) && !fs.statSync(real).isDirectory()) throw refusal(origin, `${real} is a file, not a folder`)
    if (kind === 'clear' && fs.existsSync(real) && !isEmptyDir(real) && !isStamped(real)) {
      throw refusal(
        origin,
        `${real} already holds files that dk-actions did not create (it has no ${STAMP} stamp), and the suite deletes in it`
      )
    }
    return real
  }

  private create(real: string, kind: OutputKind): void {
    if (!fs.existsSync(real)) {
      fs.mkdirSync(real, { recursive: true })
      stampOwned(real)
    } else if (isEmptyDir(real)) {
      stampOwned(real)
    }
    if (this.claimed.get(real) !== 'clear') this.claimed.set(real, kind)
  }

  /**
   * Checks a file the user named for the suite to write (a benchmark baseline): once
   * resolved through symlinks it must still be in the workspace, and must not be a folder.
   */
  checkFile(origin: Origin, file: string): string {
    const real = resolveReal(file)
    const { workspace } = this.index.prot
    const fix = 'name a file in the workspace that is not a symlink out of it'
    if (!this.index.within(workspace, real))
      throw refusal(origin, `it resolves to ${real}, outside the workspace ${workspace} (through a symlink)`, fix)
    if (fs.existsSync(real) && fs.statSync(real).isDirectory()) throw refusal(origin, `${real} is a folder, not a file`, fix)
    return real
  }

  /** Removes `name` (one path segment) inside a folder claimed for clearing. */
  clearChild(root: string, name: string): string {
    const realRoot = resolveReal(root)
    if (this.claimed.get(realRoot) !== 'clear') throw new Error(`clearChild: ${root} was not claimed for clearing`)
    if (!NAME_PATTERN.test(name))
      throw new UserError(`The folder name ${JSON.stringify(name)} under ${root} is not ${NAME_RULE}; rename the package.`)
    const child = path.join(realRoot, name)
    removeOwned(child, realRoot)
    return child
  }
}

/** Checks the folders every action writes: the report folder and the tool cache under RUNNER_TEMP. */
export function claimCommonDirs(guard: OutputDirs, reportDir: string, cacheRoot: string): void {
  guard.claimAll([
    { origin: { input: 'report-dir', value: reportDir }, dir: reportDir, kind: 'write' },
    { origin: { what: 'the tool cache', value: cacheRoot }, dir: cacheRoot, kind: 'write' }
  ])
}

const FOLDER_FIX = "choose a new or empty folder that holds no package and no tracked file, e.g. one under the runner's temp directory"

function refusal(origin: Origin, why: string, fix = FOLDER_FIX): UserError {
  if ('input' in origin) return invalidInput(origin.input, origin.value, `${why}; ${fix}`)
  return new UserError(
    `dk-actions cannot use ${origin.value} (${origin.what}): ${why}; point RUNNER_TEMP at a folder outside the repository's sources, or remove that folder.`
  )
}

/**
 * Deletes `target`, which must lie inside `root`, once resolved: only when it is missing,
 * empty, or the suite's own (the folder or `root` carries the stamp, or `owned` says so of
 * the folder itself, never of a link). Used for the tool venvs under the cache root too.
 */
export function removeOwned(target: string, root: string, options: { owned?: (dir: string) => boolean } = {}): void {
  const realRoot = resolveReal(root)
  // The link itself is removed, never what it points at; so only the parent is resolved.
  const parent = resolveReal(path.dirname(target))
  const real = path.join(parent, path.basename(target))
  const rel = path.relative(realRoot, real)
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new UserError(`${target} is not inside ${root}, so dk-actions does not delete it; remove whatever put it there.`)
  }
  let st: fs.Stats
  try {
    st = fs.lstatSync(real)
  } catch {
    return
  }
  if (st.isDirectory() && !isEmptyDir(real) && !isStamped(real) && !isStamped(realRoot) && !options.owned?.(real)) {
    throw new UserError(
      `${real} holds files that dk-actions did not create (no ${STAMP} stamp in it or in ${realRoot}); delete it yourself or choose an empty folder.`
    )
  }
  fs.rmSync(real, { recursive: true, force: true })
}
