/**
 * The project's own tool versions. A repository that pins ruff, black or mypy formats and
 * checks its code with that version; a newer one reports differences the project never had
 * (formatting rules change between releases). Isolated mode therefore installs the version
 * the project pins, found in its lock files, its pre-commit configuration or its
 * requirements files, and says where each version came from.
 *
 * Precedence, highest first:
 * 1. the `tool-versions` input: the workflow author's explicit choice for this run;
 * 2. the one of these two the project runs (see tool-invocations.ts):
 *    - a lock file (uv.lock, poetry.lock), dev groups and dev extras only: what the project's
 *      own environment installs, taken when the workflows (or the Makefile, tox.ini,
 *      noxfile.py) run the tool from it (`poetry run ruff`);
 *    - `.pre-commit-config.yaml`, the tool's official hook: taken when pre-commit runs the
 *      hooks (the workflows, the task files, pre-commit.ci); with no evidence either way,
 *      the hook of a linter or formatter (its declared invocation), the lock of the others;
 * 3. a development requirements file: the loosest signal, often stale next to a lock;
 * 4. the dk-actions default.
 * Within one level, sources that disagree give no pin (there is no telling which one the
 * project runs), and the next level decides; the log says so. When a lock and the hook
 * disagree, the source shown names both and the reason for the choice.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { RunnerIO } from './io.js'
import { normalizeName, requirementName } from './names.js'
import { toPosix } from './paths.js'
import type { InstallMode, ToolRequirement } from './python/toolbox.js'
import { preferredRunner, readRunEvidence, type RunEvidence } from './tool-invocations.js'
import { evaluateMarker, type MarkerEnvironment } from './pypa/markers.js'

export const INPUT_SOURCE = 'tool-versions input'
export const DEFAULT_SOURCE = 'dk-actions default'

/** A version found in one file, and the file (repository-relative) it came from. */
export interface FoundPin {
  version: string
  source: string
  /** How it was read: `rev v0.15.11 of astral-sh/ruff-pre-commit`, `dev group of app`. */
  detail: string
  /** The PEP 508 marker of a requirements line (`python_version < "3.10"`): the pin holds only where it does. */
  marker?: string
}

type Level = 'lock' | 'pre-commit' | 'requirements'
const LEVELS: readonly Level[] = ['lock', 'pre-commit', 'requirements']

export interface ProjectPins {
  /** Per tool (normalised name) and level, every exact version found. */
  found: Map<string, Map<Level, FoundPin[]>>
  /** What was seen but is not a pin (ranges, SHA revs, unreadable files), one line each. */
  notes: string[]
  /** How the project runs its tools, to choose between a lock and a hook that disagree. */
  evidence?: RunEvidence
}

/**
 * The official pre-commit hook repositories of each tool (owner/name, lower case). Only these
 * count: a hook from another repository may wrap any version, or another tool.
 */
const OFFICIAL_HOOKS: Record<string, readonly string[]> = {
  ruff: ['astral-sh/ruff-pre-commit', 'charliermarsh/ruff-pre-commit'],
  black: ['psf/black', 'psf/black-pre-commit-mirror'],
  isort: ['pycqa/isort', 'timothycrosley/isort'],
  flake8: ['pycqa/flake8'],
  mypy: ['pre-commit/mirrors-mypy'],
  pylint: ['pylint-dev/pylint', 'pycqa/pylint'],
  bandit: ['pycqa/bandit'],
  'pip-audit': ['pypa/pip-audit']
}

/** A PEP 440 public version, exact (no wildcard), with an optional local part. */
const EXACT_VERSION = /^(?:\d+!)?\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?(?:\+[a-z0-9.]+)?$/i

/** Extras that hold development tools, as opposed to optional runtime features. */
const DEV_EXTRA = /^(dev|develop|development|test|tests|testing|lint|linting|typing|types|check|checks|qa|style|format)$/i

type Table = Record<string, unknown>

function table(value: unknown): Table {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {}
}

function tables(value: unknown): Table[] {
  return Array.isArray(value) ? value.map(table) : []
}

export function exactVersion(raw: string): string | undefined {
  const v = raw.trim().replace(/^v(?=\d)/i, '')
  return EXACT_VERSION.test(v) ? v : undefined
}

function rel(root: string, file: string): string {
  return toPosix(path.relative(root, file)) || path.basename(file)
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

class Collector {
  readonly found = new Map<string, Map<Level, FoundPin[]>>()
  readonly notes: string[] = []
  constructor(readonly tools: ReadonlySet<string>) {}

  add(tool: string, level: Level, pin: FoundPin): void {
    const id = normalizeName(tool)
    if (!this.tools.has(id)) return
    const levels = this.found.get(id) ?? new Map<Level, FoundPin[]>()
    this.found.set(id, levels)
    levels.set(level, [...(levels.get(level) ?? []), pin])
  }
}

/** Names in a member's dev groups and dev extras of a uv.lock package entry. */
function uvDevNames(entry: Table): string[] {
  const names: string[] = []
  for (const deps of Object.values(table(entry['dev-dependencies']))) names.push(...tables(deps).map((d) => String(d.name ?? '')))
  for (const [extra, deps] of Object.entries(table(entry['optional-dependencies']))) {
    if (DEV_EXTRA.test(extra)) names.push(...tables(deps).map((d) => String(d.name ?? '')))
  }
  return names.filter(Boolean).map(normalizeName)
}

/** A lock file's TOML; a note, and nothing, when it does not parse. */
function readLockToml(file: string, source: string, out: Collector): Table | undefined {
  const text = readText(file)
  if (text === undefined) return undefined
  try {
    return parseToml(text) as Table
  } catch {
    out.notes.push(`${source} is not valid TOML; its versions are not used.`)
    return undefined
  }
}

/** uv.lock: the versions locked for tools that a workspace member (or the root) needs for development. */
export function readUvLock(file: string, source: string, out: Collector): void {
  const data = readLockToml(file, source, out)
  if (data === undefined) return
  const entries = tables(data.package)
  const members = entries.filter((e) => {
    const s = table(e.source)
    return 'editable' in s || 'virtual' in s
  })
  const dev = new Map<string, string>()
  for (const m of members) for (const n of uvDevNames(m)) if (!dev.has(n)) dev.set(n, String(m.name ?? 'the root'))
  // A virtual root without [project] has no package entry: its groups live in the manifest.
  for (const deps of Object.values(table(table(data.manifest)['dependency-groups']))) {
    for (const d of tables(deps))
      if (typeof d.name === 'string' && !dev.has(normalizeName(d.name))) dev.set(normalizeName(d.name), 'the workspace root')
  }
  for (const e of entries) {
    const id = normalizeName(String(e.name ?? ''))
    const owner = dev.get(id)
    if (owner === undefined || typeof e.version !== 'string') continue
    out.add(id, 'lock', { version: e.version, source, detail: `locked for the development dependencies of ${owner}` })
  }
}

/** Names a pyproject.toml puts in Poetry groups other than main, or in its dev extras. */
function poetryDevNames(pyproject: Table): string[] {
  const poetry = table(table(pyproject.tool).poetry)
  const names = Object.keys(table(poetry['dev-dependencies']))
  for (const [group, spec] of Object.entries(table(poetry.group))) {
    if (group !== 'main') names.push(...Object.keys(table(table(spec).dependencies)))
  }
  for (const deps of Object.values(table(pyproject['dependency-groups']))) {
    if (Array.isArray(deps)) names.push(...deps.filter((d): d is string => typeof d === 'string').map((d) => requirementName(d) ?? ''))
  }
  for (const [extra, deps] of Object.entries(table(table(pyproject.project)['optional-dependencies']))) {
    if (DEV_EXTRA.test(extra) && Array.isArray(deps))
      names.push(...deps.filter((d): d is string => typeof d === 'string').map((d) => requirementName(d) ?? ''))
  }
  return names.filter(Boolean).map(normalizeName)
}

/**
 * poetry.lock: a tool is a development one when the lock says so (`category = "dev"` before
 * lock format 2.0, `groups` other than main since 2.1) or when the pyproject.toml next to the
 * lock (format 2.0 records neither) declares it in a group other than main.
 */
export function readPoetryLock(file: string, source: string, pyproject: Table | undefined, out: Collector): void {
  const data = readLockToml(file, source, out)
  if (data === undefined) return
  const declared = new Set(pyproject ? poetryDevNames(pyproject) : [])
  for (const e of tables(data.package)) {
    const id = normalizeName(String(e.name ?? ''))
    if (typeof e.version !== 'string') continue
    const groups = Array.isArray(e.groups) ? e.groups.map(String) : []
    const dev = e.category === 'dev' || groups.some((g) => g !== 'main') || declared.has(id)
    if (dev) out.add(id, 'lock', { version: e.version, source, detail: 'locked in a development group' })
  }
}

/** `.pre-commit-config.yaml`: the rev of each tool's official hook repository. */
export function readPreCommit(file: string, source: string, out: Collector): void {
  const text = readText(file)
  if (text === undefined) return
  const doc = parseDocument(text)
  if (doc.errors.length) {
    out.notes.push(`${source} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); its revs are not used.`)
    return
  }
  const repos = doc.get('repos', true)
  if (!isSeq(repos)) return
  for (const item of repos.items) {
    if (!isMap(item)) continue
    const url = item.get('repo')
    if (typeof url !== 'string') continue
    const slug = /github\.com[/:]([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/i.exec(url.trim())?.[1]?.toLowerCase()
    const tool = slug && Object.keys(OFFICIAL_HOOKS).find((t) => OFFICIAL_HOOKS[t]!.includes(slug))
    if (!tool || !out.tools.has(tool)) continue
    const revNode = item.get('rev', true)
    // The text as written: an unquoted `rev: 1.10` is the float 1.1 to a YAML parser.
    const rev = isScalar(revNode) ? (typeof revNode.source === 'string' ? revNode.source : String(revNode.value)) : ''
    // A SHA rev written by `pre-commit autoupdate --freeze` carries the tag in a comment.
    const frozen = isScalar(revNode) ? /frozen:\s*(\S+)/.exec(revNode.comment ?? '')?.[1] : undefined
    const version = exactVersion(rev) ?? (frozen ? exactVersion(frozen) : undefined)
    if (version) {
      out.add(tool, 'pre-commit', {
        version,
        source,
        detail: `rev ${frozen && !exactVersion(rev) ? `${rev.slice(0, 12)} (frozen: ${frozen})` : rev} of ${slug}`
      })
    } else {
      out.notes.push(
        `${source}: ${slug} rev ${JSON.stringify(rev)} is not a version${frozen ? ` (nor is its frozen comment ${JSON.stringify(frozen)})` : ' and has no "# frozen: vX.Y.Z" comment'}; it does not pin ${tool}.`
      )
    }
  }
}

/**
 * Requirements files that hold development tools and test dependencies: `requirements-dev.txt`,
 * `requirements-test.txt`, `dev-requirements.txt`, `test-requirements.txt` (openinference's tox
 * installs one per package), and any file in a `requirements/` folder.
 */
export function isDevRequirementsFile(relPath: string): boolean {
  const p = toPosix(relPath)
  const base = path.posix.basename(p)
  if (/(^|\/)requirements\/[^/]+\.txt$/i.test(p)) return true
  return (
    /^requirements.*[-_]dev.*\.txt$/i.test(base) ||
    /^requirements[-_]tests?.*\.txt$/i.test(base) ||
    /^(dev|tests?)[-_]requirements\.txt$/i.test(base)
  )
}

/** `tool==X` lines of a requirements file; a range (`>=`, `~=`, `==1.*`) is noted, not a pin. */
export function readRequirements(file: string, source: string, out: Collector): void {
  const text = readText(file)
  if (text === undefined) return
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (!line || line.startsWith('-')) continue
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)(?:;(.*))?$/.exec(line)
    if (!m) continue
    const id = normalizeName(m[1]!)
    if (!out.tools.has(id)) continue
    const spec = m[2]!.trim()
    const exact = /^===?\s*([^\s,]+)$/.exec(spec)
    const version = exact ? exactVersion(exact[1]!) : undefined
    const marker = m[3]?.trim()
    if (version && !exact![1]!.includes('*'))
      out.add(id, 'requirements', { version, source, detail: `line ${i + 1}: ${line}`, ...(marker ? { marker } : {}) })
    else
      out.notes.push(
        `${source}:${i + 1}: ${spec ? `'${line}' is a range` : `'${line}' has no version`}, not a pin; ${id} keeps the next source's version.`
      )
  }
}

/** Files read for pins: the root and every package directory, since each may hold its own. */
function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

function readPyproject(dir: string): Table | undefined {
  const text = readText(path.join(dir, 'pyproject.toml'))
  if (text === undefined) return undefined
  try {
    return parseToml(text) as Table
  } catch {
    return undefined
  }
}

export const TOOLING_DIRS = ['tools', 'ci']
export const TOOLING_FILE = /^([\w.-]*[-_])?(requirements|constraints)([-_][\w.-]*)?\.txt$/i

/** The folders strictly between `root` and `dir` (none when `dir` is not below `root`). */
export function foldersBetween(root: string, dir: string): string[] {
  const out: string[] = []
  const relative = path.relative(root, dir)
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return out
  for (let d = path.dirname(dir); d !== root && d.startsWith(root); d = path.dirname(d)) out.push(d)
  return out
}

/** Every pin the repository declares for the given tools (distribution names). */
export function readProjectPins(root: string, packageDirs: readonly string[], tools: readonly string[]): ProjectPins {
  const out = new Collector(new Set(tools.map(normalizeName)))
  const dirs = [...new Set([path.resolve(root), ...packageDirs.map((d) => path.resolve(d))])]
  for (const dir of dirs) {
    if (fs.existsSync(path.join(dir, 'uv.lock'))) readUvLock(path.join(dir, 'uv.lock'), rel(root, path.join(dir, 'uv.lock')), out)
    if (fs.existsSync(path.join(dir, 'poetry.lock')))
      readPoetryLock(path.join(dir, 'poetry.lock'), rel(root, path.join(dir, 'poetry.lock')), readPyproject(dir), out)
  }
  // pre-commit reads its configuration at the repository root only.
  const preCommit = path.join(root, '.pre-commit-config.yaml')
  if (fs.existsSync(preCommit)) readPreCommit(preCommit, '.pre-commit-config.yaml', out)
  // Development requirements sit beside a package, at the root, or in a folder between them
  // (openinference: python/dev-requirements.txt above python/instrumentation/<dist>).
  const between = packageDirs.flatMap((d) => foldersBetween(path.resolve(root), path.resolve(d)))
  for (const dir of [...new Set([...dirs, ...between])]) {
    const files = listDir(dir)
      .filter((f) => isDevRequirementsFile(f))
      .map((f) => path.join(dir, f))
    files.push(
      ...listDir(path.join(dir, 'requirements'))
        .filter((f) => f.endsWith('.txt'))
        .map((f) => path.join(dir, 'requirements', f))
    )
    for (const f of files.sort()) readRequirements(f, rel(root, f), out)
  }
  // A tooling folder's requirements and constraints are the project's tools, whatever their
  // name (certbot's tox installs with the constraints in tools/requirements.txt).
  for (const dir of TOOLING_DIRS.map((d) => path.join(root, d))) {
    for (const f of listDir(dir)
      .filter((f) => TOOLING_FILE.test(f))
      .sort())
      readRequirements(path.join(dir, f), rel(root, path.join(dir, f)), out)
  }
  return { found: out.found, notes: out.notes, evidence: readRunEvidence(root) }
}

/** The distribution a requirement names (`bandit[toml]` → `bandit`). */
export function toolName(t: ToolRequirement): string {
  return normalizeName(t.requirement.replace(/\[.*\]$/, ''))
}

export interface PinDecision {
  tools: ToolRequirement[]
  /** One line per tool whose version is not the default, and per note. */
  log: string[]
}

/** `poetry.lock has 0.16.0`, `libs/a/poetry.lock has 0.6.2, libs/b/poetry.lock has 0.6.9`. */
function describeHas(pins: readonly FoundPin[]): string {
  return [...new Set(pins.map((p) => `${p.source} has ${p.version}`))].join(', ')
}

/** Applies the precedence above; every returned requirement says its source. */
export function choosePins(
  tools: readonly ToolRequirement[],
  inputPins: Readonly<Record<string, string>>,
  project: ProjectPins
): PinDecision {
  const log: string[] = [...project.notes]
  const chosen = tools.map((t): ToolRequirement => {
    const id = toolName(t)
    const levels = project.found.get(id)
    const describe = (pins: FoundPin[]): string => pins.map((p) => `${p.version} in ${p.source}`).join(', ')
    let pick: ToolRequirement | undefined
    if (inputPins[id]) {
      pick = { ...t, version: inputPins[id]!, source: INPUT_SOURCE }
      if (levels?.size)
        log.push(`${id} ${pick.version} from the tool-versions input, over the project's ${describe([...levels.values()].flat())}.`)
    }
    // A lock and a hook that both pin the tool: the one the project runs comes first.
    const lock = levels?.get('lock') ?? []
    const hook = levels?.get('pre-commit') ?? []
    const runner = lock.length && hook.length ? preferredRunner(id, project.evidence ?? { direct: new Map() }) : undefined
    const order: readonly Level[] = runner?.runner === 'pre-commit' ? ['pre-commit', 'lock', 'requirements'] : LEVELS
    for (const level of order) {
      const pins = levels?.get(level) ?? []
      if (pins.length === 0) continue
      const versions = [...new Set(pins.map((p) => p.version))]
      if (pick) {
        if (versions.some((v) => v !== pick!.version) && pick.source !== INPUT_SOURCE)
          log.push(`${id}: ${describe(pins)} differs from ${pick.version} in ${pick.source}, which comes first.`)
        continue
      }
      if (versions.length > 1) {
        log.push(`${id}: ${describe(pins)} disagree, so none of them is used.`)
        continue
      }
      const first = pins[0]!
      const files = [...new Set(pins.map((p) => p.source))].join(', ')
      // The other of lock and hook, when it pins another version: named with the reason.
      const other = runner && (level === 'lock' || level === 'pre-commit') ? (level === 'lock' ? hook : lock) : []
      const otherVersions = [...new Set(other.map((p) => p.version))].filter((v) => v !== first.version)
      const why = otherVersions.length ? `; ${runner!.reason}; ${describeHas(other)}` : ''
      pick = { ...t, version: first.version, source: `${files}${why}` }
      log.push(
        `${id} ${first.version} from ${files} (${first.detail})${why}${first.version === t.version ? ', the default version too' : ` instead of the default ${t.version}`}.`
      )
    }
    return pick ?? { ...t, source: t.source ?? DEFAULT_SOURCE }
  })
  return { tools: chosen, log }
}

/**
 * The pins that hold where the tools are installed. A requirements line under a marker
 * (certbot's tools/requirements.txt pins sphinx once per range of python_version) counts only
 * where its marker is true; one whose marker cannot be read, or with no environment to read
 * it in, is a note and no pin.
 */
export function pinsWhere(project: ProjectPins, env: MarkerEnvironment | undefined): ProjectPins {
  const notes = [...project.notes]
  const holds = (tool: string, pin: FoundPin): boolean => {
    if (!pin.marker) return true
    if (!env) {
      notes.push(`${pin.source} ${pin.detail}: the interpreter's environment is not known to evaluate its marker; it does not pin ${tool}.`)
      return false
    }
    try {
      return evaluateMarker(pin.marker, env)
    } catch (e) {
      notes.push(`${pin.source} ${pin.detail}: the marker is not PEP 508 (${(e as Error).message}); it does not pin ${tool}.`)
      return false
    }
  }
  const found = new Map<string, Map<Level, FoundPin[]>>()
  for (const [tool, levels] of project.found) {
    const kept = new Map<Level, FoundPin[]>()
    for (const [level, pins] of levels) {
      const held = pins.filter((p) => holds(tool, p))
      if (held.length) kept.set(level, held)
    }
    if (kept.size) found.set(tool, kept)
  }
  return { ...project, found, notes }
}

/**
 * The tool versions an action installs: `tool-versions` first, then the repository's own pins
 * (see the precedence at the top), then the defaults. Says what it chose in the log.
 * `markers` gives the interpreter's marker environment; it is asked only when a pin has a marker.
 */
export async function pinToolVersions(
  io: Pick<RunnerIO, 'info'>,
  ws: { root: string; packages: readonly { dir: string }[] },
  tools: readonly ToolRequirement[],
  inputPins: Readonly<Record<string, string>>,
  markers: () => Promise<MarkerEnvironment | undefined>
): Promise<ToolRequirement[]> {
  const read = readProjectPins(
    ws.root,
    ws.packages.map((p) => p.dir),
    [...new Set(tools.map(toolName))]
  )
  const conditional = [...read.found.values()].some((levels) => [...levels.values()].flat().some((p) => p.marker))
  const project = conditional ? pinsWhere(read, await markers().catch(() => undefined)) : read
  const { tools: chosen, log } = choosePins(tools, inputPins, project)
  // Tools sharing a distribution (ruff, ruff-format) give the same line once.
  for (const line of new Set(log)) io.info(`Tool versions: ${line}`)
  return chosen
}

/**
 * Where a running tool's version came from: the chosen pin in isolated mode (the venv holds
 * exactly it); the project's environment or PATH otherwise, whose version the tool reports.
 */
export function versionSource(mode: Exclude<InstallMode, 'auto'>, req: ToolRequirement | undefined): string | undefined {
  if (mode === 'none') return 'PATH'
  if (mode === 'project') return 'project environment'
  return req?.source ?? DEFAULT_SOURCE
}
