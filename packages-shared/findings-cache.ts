/**
 * The findings cache of tools that check each file on its own (black, isort, flake8, ruff):
 * a file's findings are kept under a key that hashes everything they depend on, so a later
 * run gives the tool only the files whose key changed and takes the others' findings from here.
 *
 * A key hashes:
 * - the run: the tool, a fingerprint of its environment (every distribution installed beside
 *   it, so its version and plugins; the interpreter's version), its options, the folder it runs in;
 * - the file: its path and its content;
 * - its configuration: every configuration file the tool reads (tools/*.ts `fileLocal`) in
 *   the file's folder and each folder above it, and those in the user's home;
 * - for tools whose findings depend on the files beside it (isort's first-party imports), the
 *   list of files the run checks.
 *
 * One manifest per tool and folder it runs in holds one entry per file (the last one
 * written), so it never grows beyond the repository's files. A manifest or an entry that is
 * not ours, not of this format or not well formed is ignored: its files are checked again.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Finding } from './findings.js'
import { toPosix } from './paths.js'
import { scriptInterpreter } from './python/interpreter.js'
import type { FileLocalTool } from './tools/tool.js'

export const FINDINGS_CACHE_FORMAT = 'dk-actions-findings/1'
const SEVERITIES = new Set(['error', 'warning', 'note'])

/** Where the findings cache lives (saved and restored with the tools' caches). */
export function findingsCacheDir(cacheRoot: string): string {
  return path.join(cacheRoot, 'quality', 'findings')
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

export interface RunIdentity {
  tool: string
  /** toolFingerprint() of the executable that runs. */
  fingerprint: string
  /** The options the tool gets besides its targets, the parallelism and our own cache folder. */
  options: readonly string[]
}

interface Entry {
  key: string
  findings: Finding[]
}

function readFileOrUndefined(file: string): Buffer | undefined {
  try {
    return fs.statSync(file).isFile() ? fs.readFileSync(file) : undefined
  } catch {
    return undefined
  }
}

function siteListing(prefix: string): string[] {
  const out: string[] = []
  const dirs: string[] = [path.join(prefix, 'Lib', 'site-packages')]
  try {
    for (const e of fs.readdirSync(path.join(prefix, 'lib'))) {
      if (/^python/.test(e)) dirs.push(path.join(prefix, 'lib', e, 'site-packages'), path.join(prefix, 'lib', e, 'dist-packages'))
    }
  } catch {
    // no lib folder
  }
  for (const d of dirs) {
    try {
      for (const e of fs.readdirSync(d)) if (/\.(dist-info|egg-info|pth|egg-link)$/.test(e)) out.push(e)
    } catch {
      // not there
    }
  }
  return out.sort()
}

/**
 * What the tool's findings depend on in its installation: in a venv, its Python version and
 * every distribution installed (the tool, its plugins, their versions), which holds from
 * one checkout or machine to the next; elsewhere the executable itself too.
 */
export function toolFingerprint(executable: string): string {
  // A bare name was not found on PATH: the run fails as a miss, whatever the key.
  if (!path.isAbsolute(executable)) return sha(JSON.stringify({ missing: executable }))
  const prefix = path.dirname(path.dirname(executable))
  const cfg = readFileOrUndefined(path.join(prefix, 'pyvenv.cfg'))
  if (cfg) {
    const version = cfg
      .toString('utf8')
      .split(/\r?\n/)
      .filter((l) => /^\s*(version|version_info|implementation)\s*=/.test(l))
      .map((l) => l.replace(/\s+/g, ''))
    return sha(JSON.stringify({ venv: version, site: siteListing(prefix) }))
  }
  let real = executable
  let stat = ''
  try {
    real = fs.realpathSync(executable)
    const st = fs.statSync(real)
    stat = `${st.size}:${st.mtimeMs}`
  } catch {
    // a tool not found runs as a miss anyway
  }
  return sha(JSON.stringify({ executable: real, stat, interpreter: scriptInterpreter(executable), site: siteListing(prefix) }))
}

export interface FindingsCacheOptions {
  /** The findings cache folder (findingsCacheDir). */
  dir: string
  /** Repository root and the folder the tool runs in, absolute. */
  root: string
  cwd: string
  run: RunIdentity
  local: FileLocalTool
  /** Absolute paths of the files the run checks, as the tool listed them. */
  files: readonly string[]
  /** The user's home, for the tool's home configuration files. */
  home?: string
}

/** Digests of the configuration files a file-local tool reads from a folder: there, in each folder above, and in the home. */
export class ConfigDigests {
  private readonly memo = new Map<string, string>()
  private readonly home: string

  constructor(
    private readonly root: string,
    private readonly local: Pick<FileLocalTool, 'configFiles' | 'homeConfigFiles'>,
    home?: string
  ) {
    this.home = home
      ? sha(
          local.homeConfigFiles
            .map((f) => {
              const data = readFileOrUndefined(path.join(home, f))
              return data ? `${f}:${sha(data)}` : ''
            })
            .join('\0')
        )
      : ''
  }

  /** The configuration files seen from `dir` up to the file system's root, and the home's. */
  at(dir: string): string {
    const known = this.memo.get(dir)
    if (known !== undefined) return known
    const parent = path.dirname(dir)
    const above = parent === dir ? this.home : this.at(parent)
    const own = this.local.configFiles
      .map((name) => {
        const data = readFileOrUndefined(path.join(dir, name))
        return data ? `${toPosix(path.relative(this.root, dir))}/${name}:${sha(data)}` : ''
      })
      .filter(Boolean)
    const digest = own.length ? sha([above, ...own].join('\0')) : above
    this.memo.set(dir, digest)
    return digest
  }
}

/** One run's view of the cache: the keys of its files, their cached findings, and the store of new ones. */
export class FindingsCache {
  readonly manifest: string
  private readonly runDigest: string
  private readonly treeDigest?: string
  private readonly config: ConfigDigests
  private entries: Map<string, Entry>
  private readonly keys = new Map<string, string | undefined>()

  constructor(private readonly o: FindingsCacheOptions) {
    const cwdRel = toPosix(path.relative(o.root, o.cwd)) || '.'
    this.manifest = path.join(o.dir, `${o.run.tool}-${sha(cwdRel).slice(0, 16)}.json`)
    this.runDigest = sha(JSON.stringify([FINDINGS_CACHE_FORMAT, o.run.tool, o.run.fingerprint, o.run.options, cwdRel]))
    if (o.local.treeWide)
      this.treeDigest = sha(
        o.files
          .map((f) => this.rel(f))
          .sort()
          .join('\0')
      )
    this.config = new ConfigDigests(o.root, o.local, o.home)
    this.entries = readManifest(this.manifest, o.run.tool)
  }

  /** Whether the manifest holds no entry (a first run, or one whose manifest was not usable). */
  get empty(): boolean {
    return this.entries.size === 0
  }

  /** Repository-relative posix path (the form findings carry). */
  rel(file: string): string {
    return toPosix(path.relative(this.o.root, file))
  }

  /** The file's key; undefined when it cannot be read (it is then always checked). */
  keyOf(file: string): string | undefined {
    if (this.keys.has(file)) return this.keys.get(file)
    const content = readFileOrUndefined(file)
    const key = content
      ? sha(JSON.stringify([this.runDigest, this.rel(file), sha(content), this.config.at(path.dirname(file)), this.treeDigest ?? '']))
      : undefined
    this.keys.set(file, key)
    return key
  }

  /** The listed files' cached findings, and the files to check. */
  lookup(): { hits: Map<string, Finding[]>; misses: string[] } {
    const hits = new Map<string, Finding[]>()
    const misses: string[] = []
    for (const f of this.o.files) {
      const key = this.keyOf(f)
      const entry = this.entries.get(this.rel(f))
      if (key && entry?.key === key) hits.set(f, entry.findings)
      else misses.push(f)
    }
    return { hits, misses }
  }

  /**
   * Keeps the findings of files the tool has just checked (absolute path → its findings,
   * none for a clean file), and the entries of other files that still exist.
   */
  store(checked: ReadonlyMap<string, readonly Finding[]>): void {
    for (const [file, findings] of checked) {
      const key = this.keyOf(file)
      const rel = this.rel(file)
      if (key) this.entries.set(rel, { key, findings: findings.map(({ package: _pkg, ...f }) => f) })
      else this.entries.delete(rel)
    }
    for (const rel of [...this.entries.keys()]) if (!fs.existsSync(path.join(this.o.root, rel))) this.entries.delete(rel)
    writeManifest(this.manifest, this.o.run.tool, this.entries)
  }
}

/** A stored finding of `tool` about `file` (none: about no file), as the caches write it (no package). */
export function validFinding(f: unknown, tool: string, file: string | undefined): f is Finding {
  if (f === null || typeof f !== 'object') return false
  const v = f as Record<string, unknown>
  const optionalNumber = (k: string): boolean => v[k] === undefined || (typeof v[k] === 'number' && Number.isInteger(v[k]))
  const optionalString = (k: string): boolean => v[k] === undefined || typeof v[k] === 'string'
  return (
    v.tool === tool &&
    v.file === file &&
    typeof v.message === 'string' &&
    SEVERITIES.has(v.severity as string) &&
    ['line', 'column', 'endLine', 'endColumn'].every(optionalNumber) &&
    ['rule', 'url', 'detail'].every(optionalString) &&
    v.package === undefined
  )
}

/** The manifest's well-formed entries; a file that is missing, not JSON or not ours gives none. */
export function readManifest(file: string, tool: string): Map<string, Entry> {
  const out = new Map<string, Entry>()
  let data: unknown
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return out
  }
  if (data === null || typeof data !== 'object') return out
  const m = data as { format?: unknown; tool?: unknown; entries?: unknown }
  if (
    m.format !== FINDINGS_CACHE_FORMAT ||
    m.tool !== tool ||
    m.entries === null ||
    typeof m.entries !== 'object' ||
    Array.isArray(m.entries)
  )
    return out
  for (const [rel, e] of Object.entries(m.entries as Record<string, unknown>)) {
    if (e === null || typeof e !== 'object') continue
    const { key, findings } = e as { key?: unknown; findings?: unknown }
    if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key) || !Array.isArray(findings)) continue
    if (!findings.every((f) => validFinding(f, tool, rel))) continue
    out.set(rel, { key, findings: findings as Finding[] })
  }
  return out
}

function writeManifest(file: string, tool: string, entries: ReadonlyMap<string, Entry>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const sorted = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  // Written aside then renamed: a run stopped halfway leaves the old manifest, never half a new one.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  fs.writeFileSync(tmp, JSON.stringify({ format: FINDINGS_CACHE_FORMAT, tool, entries: sorted }))
  fs.renameSync(tmp, file)
}
