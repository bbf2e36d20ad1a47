/**
 * The dependency audit: each selected package's resolved dependency set (its lock file, or
 * without one its requirements resolved by `uv pip compile`: nothing installed), audited by
 * pip-audit against the advisory service or a local OSV database, with retries when the
 * service fails.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { withoutBuildLeftovers } from '../../packages-shared/build-leftovers.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { displayCommand, mapLimit, processNotes, tail } from '../../packages-shared/exec.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { backoffDelay, sleep } from '../../packages-shared/github/retry.js'
import { normalizeName, requirementName } from '../../packages-shared/names.js'
import { toPosix, venvPython } from '../../packages-shared/paths.js'
import { createVenv, installInto } from '../../packages-shared/python/venv.js'
import type { Toolbox } from '../../packages-shared/python/toolbox.js'
import { parsePipAudit, pipAuditArgv, type AuditedDependency } from '../../packages-shared/tools/pip-audit.js'
import { parseCompiled, uvPipCompileArgv } from '../../packages-shared/tools/uv-pip-compile.js'
import { uvInstallEnv } from '../../packages-shared/python/uv.js'
import type { SecurityFinding } from '../../packages-shared/tools/security.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { closureOf, findLockFile, readLockFile, type LockFile, type LockKind } from './lock-files.js'

export interface ResolvedDependency {
  name: string
  id: string
  version: string
  line?: number
  /** Workspace packages (ids) that need it. */
  usedBy: string[]
}

export interface DependencySet {
  /** Repository-relative file the set comes from (the lock file, or the package's pyproject.toml). */
  file: string
  /** `resolved`: the requirements resolved by `uv pip compile`; `environment`: installed into a venv and listed (no uv). */
  source: 'lock' | 'resolved' | 'environment'
  /** Workspace packages this set covers. */
  owners: string[]
  dependencies: ResolvedDependency[]
  /** Set when the environment could not be resolved. */
  error?: string
}

function fromLock(lock: LockFile, owners: PythonPackage[], ws: Workspace): DependencySet {
  const internal = new Set(ws.packages.map((p) => p.id))
  const closures = owners.map((o) => ({
    id: o.id,
    set: closureOf(
      lock,
      o.id,
      o.requires
        .map((r) => requirementName(r))
        .filter((n): n is string => !!n)
        .map(normalizeName)
    )
  }))
  return {
    file: toPosix(path.relative(ws.root, lock.file)),
    source: 'lock',
    owners: owners.map((o) => o.id),
    dependencies: lock.packages
      .filter((p) => p.registry && !internal.has(p.id))
      .map((p) => {
        const usedBy = closures.filter((c) => c.set.has(p.id)).map((c) => c.id)
        return { name: p.name, id: p.id, version: p.version, line: p.line, usedBy: usedBy.length ? usedBy : owners.map((o) => o.id) }
      })
  }
}

const LIST_SCRIPT =
  'import json, importlib.metadata as m\nprint(json.dumps(sorted({(d.metadata["Name"], d.version) for d in m.distributions() if d.metadata["Name"]})))'

/** Without a lock file and without uv: install the package (and the workspace packages it needs) into a fresh venv and list it. */
async function fromEnvironment(
  ctx: ActionContext,
  box: Toolbox,
  pkg: PythonPackage,
  ws: Workspace,
  scratch: string
): Promise<DependencySet> {
  const file = toPosix(path.relative(ws.root, path.join(pkg.dir, 'pyproject.toml')))
  const base: DependencySet = { file, source: 'environment', owners: [pkg.id], dependencies: [] }
  const internal = [pkg.id, ...ws.graph.dependenciesOf([pkg.id])]
  const venv = path.join(scratch, `env-${pkg.id}`)
  try {
    fs.rmSync(venv, { recursive: true, force: true })
    // Installing runs the repository's setup.py: the installer's environment, never ours.
    const uv = await box.uv()
    await createVenv(ctx, box.python, venv, box.installEnv, uv)
    // Installing from a source folder runs its backend there (setup.py, the metadata hooks),
    // which leaves build/ and egg-info behind: removed, so later steps see the sources only.
    const dirs = internal.map((id) => ws.get(id)!.dir)
    await withoutBuildLeftovers(dirs, [scratch], () => installInto(ctx, venv, dirs, box.installEnv, ws.root, uv))
  } catch (error) {
    return {
      ...base,
      error: `Could not install ${pkg.name} to find its dependencies (${NO_LOCK_HINT}): ${error instanceof Error ? error.message : String(error)}`
    }
  }
  const r = await ctx.exec({ argv: [venvPython(venv), '-c', LIST_SCRIPT], env: box.env })
  if (r.exitCode !== 0) return { ...base, error: `Could not list the packages installed for ${pkg.name}: ${tail(r.stderr)}` }
  const skip = new Set([...ws.packages.map((p) => p.id), 'pip', 'setuptools', 'wheel'])
  const listed = JSON.parse(r.stdout) as [string, string][]
  return {
    ...base,
    dependencies: listed
      .filter(([n]) => !skip.has(normalizeName(n)))
      .map(([name, version]) => ({ name, id: normalizeName(name), version, usedBy: [pkg.id] }))
  }
}

/** The marker of a requirement, and the requirement without it (a URL requirement's `;` needs a space before it, PEP 508). */
function splitMarker(req: string): [string, string | undefined] {
  const at = req.includes('@') ? /\s;/.exec(req) : /;/.exec(req)
  if (!at) return [req.trim(), undefined]
  const i = at.index + at[0].length - 1
  return [req.slice(0, i).trim(), req.slice(i + 1).trim() || undefined]
}

function bothMarkers(own: string | undefined, outer: string | undefined): string | undefined {
  if (!own || !outer) return own ?? outer
  return `(${own}) and (${outer})`
}

function requestedExtras(spec: string): string[] {
  const m = /^\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*\[([^\]]*)\]/.exec(spec)
  return m
    ? m[1]!
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)
    : []
}

/**
 * What a package needs from the index: its runtime requirements and those of the workspace
 * packages it depends on (with the extras it asks of them), as written (extras, versions and
 * markers kept; a marker on the way to a workspace package carried onto what that package
 * brings). The workspace packages themselves are left out: they are not on the index.
 */
export function thirdPartyRequirements(pkg: PythonPackage, ws: Workspace): string[] {
  const internal = new Set(ws.packages.map((p) => p.id))
  const out: string[] = []
  // Per package and extra, the markers it was reached under (undefined: unconditionally).
  const seen = new Map<string, (string | undefined)[]>()
  const visit = (id: string, extra: string | undefined, marker: string | undefined, depth: number): void => {
    const key = `${id}\0${extra ?? ''}`
    const markers = seen.get(key) ?? []
    // Bounded: a cycle through markers would make a longer marker each time round.
    if (markers.includes(undefined) || markers.includes(marker) || depth > ws.packages.length + 1) return
    seen.set(key, [...markers, marker])
    const p = ws.get(id)
    if (!p) return
    const extraKey = extra === undefined ? undefined : Object.keys(p.extras ?? {}).find((k) => normalizeName(k) === normalizeName(extra))
    const reqs = extra === undefined ? (p.dependencies ?? p.requires) : extraKey ? p.extras![extraKey]! : []
    for (const req of reqs) {
      const name = requirementName(req)
      if (!name) continue
      const [spec, own] = splitMarker(req)
      const rid = normalizeName(name)
      if (internal.has(rid)) {
        const m = bothMarkers(own, marker)
        visit(rid, undefined, m, depth + 1)
        for (const e of requestedExtras(spec)) visit(rid, e, m, depth + 1)
      } else {
        const m = bothMarkers(own, marker)
        out.push(m ? `${spec} ; ${m}` : spec)
      }
    }
  }
  visit(pkg.id, undefined, undefined, 0)
  // Workspace packages it needs that no requirement names (Poetry path dependencies under another key).
  for (const id of ws.graph.dependenciesOf([pkg.id]))
    if (![...seen.keys()].some((k) => k.startsWith(`${id}\0`))) visit(id, undefined, undefined, 1)
  return [...new Set(out)]
}

const NO_LOCK_HINT = 'add a uv.lock, poetry.lock, pylock.toml or a requirements.txt with hashes to audit the locked set instead'

function unresolved(pkg: PythonPackage, ws: Workspace): DependencySet {
  return {
    file: toPosix(path.relative(ws.root, path.join(pkg.dir, 'pyproject.toml'))),
    source: 'resolved',
    owners: [pkg.id],
    dependencies: []
  }
}

/** Without a lock file: the package's requirements resolved once by `uv pip compile`, for the interpreter the tools use. */
async function fromResolution(
  ctx: ActionContext,
  box: Toolbox,
  uv: string,
  env: Record<string, string | undefined>,
  pkg: PythonPackage,
  requirements: string[],
  ws: Workspace,
  scratch: string,
  timeoutMs: number
): Promise<DependencySet> {
  const base = unresolved(pkg, ws)
  fs.mkdirSync(scratch, { recursive: true })
  const input = path.join(scratch, `requirements-${pkg.id}.in`)
  fs.writeFileSync(input, requirements.join('\n') + '\n')
  const argv = uvPipCompileArgv(uv, input, box.python.path)
  // From the package's folder, so uv reads the project's own index settings ([tool.uv], uv.toml).
  const r = await ctx.exec({ argv, cwd: pkg.dir, env, timeoutMs })
  await ctx.io.group(`uv pip compile for ${pkg.name} (${requirements.length} requirement(s))`, async () => {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    ctx.io.info(requirements.join('\n'))
    if (r.stderr.trim()) ctx.io.toolOutput(tail(r.stderr, 40))
  })
  const stopped = processNotes(`uv pip compile for ${pkg.name}`, r).timeout
  if (r.exitCode !== 0 || r.spawnError || stopped) {
    const why = stopped ?? (r.spawnError ? `uv could not start: ${r.spawnError}` : tail(r.stderr || r.stdout, 12))
    return { ...base, error: `Could not resolve the requirements of ${pkg.name} with uv pip compile (${NO_LOCK_HINT}): ${why}` }
  }
  const { pinned, unpinned } = parseCompiled(r.stdout)
  if (unpinned.length) ctx.io.info(`${pkg.name}: not audited, no version to look up: ${unpinned.join(', ')}`)
  const internal = new Set(ws.packages.map((p) => p.id))
  return {
    ...base,
    dependencies: pinned
      .filter((p) => !internal.has(normalizeName(p.name)))
      .map((p) => ({ name: p.name, id: normalizeName(p.name), version: p.version, usedBy: [pkg.id] }))
  }
}

export interface ResolveOptions {
  /** Limit of each resolution. */
  timeoutMs: number
}

export async function resolveDependencySets(
  ctx: ActionContext,
  box: Toolbox,
  ws: Workspace,
  selected: PythonPackage[],
  scratch: string,
  o: ResolveOptions
): Promise<DependencySet[]> {
  const byLock = new Map<string, { lock: { file: string; kind: LockKind }; owners: PythonPackage[] }>()
  const unlocked: PythonPackage[] = []
  for (const pkg of selected) {
    const lock = findLockFile(pkg.dir, ws.root)
    if (!lock) {
      unlocked.push(pkg)
      continue
    }
    const entry = byLock.get(lock.file) ?? { lock, owners: [] }
    entry.owners.push(pkg)
    byLock.set(lock.file, entry)
  }
  const sets = [...byLock.values()].map(({ lock, owners }) => fromLock(readLockFile(lock.file, lock.kind), owners, ws))
  // A package that needs nothing from the index has nothing to resolve, with or without uv.
  const needs = unlocked.map((pkg) => ({ pkg, requirements: thirdPartyRequirements(pkg, ws) }))
  sets.push(...needs.filter((n) => n.requirements.length === 0).map((n) => unresolved(n.pkg, ws)))
  const toResolve = needs.filter((n) => n.requirements.length > 0)
  if (toResolve.length === 0) return sets
  // The uv dk-actions brought in reads the user's pip settings (python/uv.ts); the user's own uv, its own.
  const uv = await box.uv()
  if (uv) {
    const env = uvInstallEnv(uv, box.installEnv)
    return [
      ...sets,
      ...(await mapLimit(toResolve, 4, (n) => fromResolution(ctx, box, uv.path, env, n.pkg, n.requirements, ws, scratch, o.timeoutMs)))
    ]
  }
  const names = toResolve.map((n) => n.pkg.name)
  ctx.io.info(
    `uv is not available: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} installed into a venv each to list ${names.length === 1 ? 'its' : 'their'} dependencies (${NO_LOCK_HINT}).`
  )
  for (const { pkg } of toResolve) sets.push(await fromEnvironment(ctx, box, pkg, ws, scratch))
  return sets
}

export function requirementsText(set: DependencySet): string {
  return set.dependencies.map((d) => `${d.name}==${d.version}`).join('\n') + '\n'
}

export function writeRequirements(set: DependencySet, scratch: string): string {
  const text = requirementsText(set)
  const file = path.join(scratch, `requirements-${createHash('sha256').update(set.file).digest('hex').slice(0, 12)}.txt`)
  fs.mkdirSync(scratch, { recursive: true })
  fs.writeFileSync(file, text)
  return file
}

export interface AuditOptions {
  osvUrl?: string
  retries: number
  /** First backoff delay; doubles per attempt, with the jitter of github/retry.ts. */
  backoffMs: number
  cacheDir: string
  toolVersion?: string
  /** Limit of each pip-audit run; a run that hits it is not retried. */
  timeoutMs: number
}

function vulnFindings(set: DependencySet, audited: AuditedDependency[]): SecurityFinding[] {
  const byId = new Map(set.dependencies.map((d) => [d.id, d]))
  const findings: SecurityFinding[] = []
  for (const a of audited) {
    const dep = byId.get(normalizeName(a.name))
    const where =
      set.source === 'lock'
        ? `locked in ${set.file}`
        : `${set.source === 'resolved' ? 'resolved' : 'installed'} for ${set.owners.join(', ')}`
    const users = dep?.usedBy ?? set.owners
    for (const v of a.vulns) {
      // pip-audit picks one id of a record; GitHub's own (GHSA) is the one code scanning and
      // advisories link to, so it names the rule when the record has one.
      const all = [v.id, ...v.aliases.filter((x) => x !== v.id)]
      const id = all.find((x) => x.startsWith('GHSA-')) ?? v.id
      const aliases = all.filter((x) => x !== id)
      const fixed = v.fixVersions.length ? `Fixed in ${v.fixVersions.join(', ')}.` : 'No fixed version is known.'
      findings.push({
        tool: 'dependencies',
        package: users.length === 1 ? users[0] : undefined,
        file: set.file,
        line: dep?.line,
        rule: id,
        severity: 'error',
        message: `${users.join(', ')} depends on ${a.name} ${a.version ?? dep?.version ?? ''} (${where}), affected by ${id}${aliases.length ? ` (${aliases.join(', ')})` : ''}: ${v.description ?? 'see the advisory'}. ${fixed}`,
        url: id.startsWith('GHSA-') ? `https://github.com/advisories/${id}` : `https://osv.dev/vulnerability/${id}`,
        ids: [id, ...aliases]
      })
    }
  }
  return findings
}

/** Audits one dependency set with pip-audit, retrying while the advisory service fails. */
export async function auditSet(
  ctx: ActionContext,
  box: Toolbox,
  set: DependencySet,
  scratch: string,
  o: AuditOptions
): Promise<CheckResult> {
  const started = Date.now()
  const check: CheckResult = {
    tool: 'dependencies',
    toolVersion: o.toolVersion ? `pip-audit ${o.toolVersion}` : 'pip-audit',
    package: set.owners.length === 1 ? set.owners[0] : undefined,
    status: 'passed',
    durationMs: 0,
    findings: []
  }
  if (set.error) return { ...check, status: 'error', message: set.error, durationMs: Date.now() - started }
  if (set.dependencies.length === 0)
    return { ...check, message: `${set.file}: no third-party dependency to audit`, durationMs: Date.now() - started }
  const exe = box.which('pip-audit') ?? 'pip-audit'
  const argv = pipAuditArgv({ executable: exe, requirementsFile: writeRequirements(set, scratch), cacheDir: o.cacheDir, osvUrl: o.osvUrl })
  check.command = displayCommand(argv)
  let lastProblem = ''
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      const wait = backoffDelay(attempt, o.backoffMs)
      ctx.io.info(
        `pip-audit on ${set.file}: ${lastProblem.split('\n')[0]}; retrying in ${Math.round(wait / 1000)} s (attempt ${attempt + 1} of ${o.retries + 1}).`
      )
      await sleep(wait)
    }
    // pip-audit resolves with pip: it reads the user's index settings.
    const r = await ctx.exec({ argv, env: box.installEnv, cwd: scratch, timeoutMs: o.timeoutMs })
    await ctx.io.group(`pip-audit on ${set.file} (${set.dependencies.length} dependencies, attempt ${attempt + 1})`, async () => {
      ctx.io.info(`$ ${check.command}`)
      if (r.stderr.trim()) ctx.io.toolOutput(tail(r.stderr, 40))
    })
    const stopped = processNotes(`pip-audit on ${set.file}`, r).timeout
    if (stopped) return { ...check, status: 'error', durationMs: Date.now() - started, message: stopped }
    const parsed = parsePipAudit(r)
    if (parsed.error) {
      lastProblem = parsed.error
      continue
    }
    const skipped = parsed.dependencies.filter((d) => d.skipReason)
    // pip-audit does not fail when the service is unreachable: it skips every dependency.
    if (skipped.length === parsed.dependencies.length && skipped.length > 0) {
      lastProblem = `the advisory service answered for none of the dependencies (${skipped[0]!.skipReason})`
      continue
    }
    check.findings = [
      ...vulnFindings(set, parsed.dependencies),
      ...skipped.map((d): SecurityFinding => {
        const dep = set.dependencies.find((x) => x.id === normalizeName(d.name))
        return {
          tool: 'dependencies',
          file: set.file,
          line: dep?.line,
          rule: 'not-audited',
          severity: 'warning',
          message: `${d.name} ${dep?.version ?? ''} could not be audited: ${d.skipReason}`
        }
      })
    ]
    check.durationMs = Date.now() - started
    return check
  }
  return {
    ...check,
    status: 'error',
    durationMs: Date.now() - started,
    message: `pip-audit could not audit ${set.file} after ${o.retries + 1} attempt(s): ${lastProblem}`
  }
}
