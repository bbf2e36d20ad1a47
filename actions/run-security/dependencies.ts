/**
 * The dependency audit: each selected package's resolved dependency set (its lock file,
 * or without one the environment it installs into), audited by pip-audit against the
 * advisory service or a local OSV database, with retries when the service fails.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { withoutBuildLeftovers } from '../../packages-shared/build-leftovers.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { displayCommand, processNotes, tail } from '../../packages-shared/exec.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { backoffDelay, sleep } from '../../packages-shared/github/retry.js'
import { normalizeName, requirementName } from '../../packages-shared/names.js'
import { toPosix, venvPython } from '../../packages-shared/paths.js'
import { createVenv, installInto } from '../../packages-shared/python/venv.js'
import type { Toolbox } from '../../packages-shared/python/toolbox.js'
import { parsePipAudit, pipAuditArgv, type AuditedDependency } from '../../packages-shared/tools/pip-audit.js'
import type { SecurityFinding } from '../../packages-shared/tools/security.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { closureOf, findLockFile, readLockFile, type LockFile } from './lock-files.js'

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
  source: 'lock' | 'environment'
  /** Workspace packages this set covers. */
  owners: string[]
  dependencies: ResolvedDependency[]
  /** Set when the environment could not be resolved. */
  error?: string
}

function fromLock(lock: LockFile, owners: PythonPackage[], ws: Workspace): DependencySet {
  const internal = new Set(ws.packages.map((p) => p.id))
  const closures = owners.map((o) => ({ id: o.id, set: closureOf(lock, o.id, o.requires.map((r) => requirementName(r)).filter((n): n is string => !!n).map(normalizeName)) }))
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

const LIST_SCRIPT = 'import json, importlib.metadata as m\nprint(json.dumps(sorted({(d.metadata["Name"], d.version) for d in m.distributions() if d.metadata["Name"]})))'

/** Without a lock file: install the package (and the workspace packages it needs) into a fresh venv and list it. */
async function fromEnvironment(ctx: ActionContext, box: Toolbox, pkg: PythonPackage, ws: Workspace, scratch: string): Promise<DependencySet> {
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
    return { ...base, error: `Could not install ${pkg.name} to find its dependencies (add a poetry.lock or uv.lock to audit without installing): ${error instanceof Error ? error.message : String(error)}` }
  }
  const r = await ctx.exec({ argv: [venvPython(venv), '-c', LIST_SCRIPT], env: box.env })
  if (r.exitCode !== 0) return { ...base, error: `Could not list the packages installed for ${pkg.name}: ${tail(r.stderr)}` }
  const skip = new Set([...ws.packages.map((p) => p.id), 'pip', 'setuptools', 'wheel'])
  const listed = JSON.parse(r.stdout) as [string, string][]
  return {
    ...base,
    dependencies: listed.filter(([n]) => !skip.has(normalizeName(n))).map(([name, version]) => ({ name, id: normalizeName(name), version, usedBy: [pkg.id] }))
  }
}

export async function resolveDependencySets(ctx: ActionContext, box: Toolbox, ws: Workspace, selected: PythonPackage[], scratch: string): Promise<DependencySet[]> {
  const byLock = new Map<string, { lock: { file: string; kind: 'poetry' | 'uv' }; owners: PythonPackage[] }>()
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
  for (const pkg of unlocked) sets.push(await fromEnvironment(ctx, box, pkg, ws, scratch))
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
    const where = set.source === 'lock' ? `locked in ${set.file}` : `installed for ${set.owners.join(', ')}`
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
export async function auditSet(ctx: ActionContext, box: Toolbox, set: DependencySet, scratch: string, o: AuditOptions): Promise<CheckResult> {
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
  if (set.dependencies.length === 0) return { ...check, message: `${set.file}: no third-party dependency to audit`, durationMs: Date.now() - started }
  const exe = box.which('pip-audit') ?? 'pip-audit'
  const argv = pipAuditArgv({ executable: exe, requirementsFile: writeRequirements(set, scratch), cacheDir: o.cacheDir, osvUrl: o.osvUrl })
  check.command = displayCommand(argv)
  let lastProblem = ''
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      const wait = backoffDelay(attempt, o.backoffMs)
      ctx.io.info(`pip-audit on ${set.file}: ${lastProblem.split('\n')[0]}; retrying in ${Math.round(wait / 1000)} s (attempt ${attempt + 1} of ${o.retries + 1}).`)
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
        return { tool: 'dependencies', file: set.file, line: dep?.line, rule: 'not-audited', severity: 'warning', message: `${d.name} ${dep?.version ?? ''} could not be audited: ${d.skipReason}` }
      })
    ]
    check.durationMs = Date.now() - started
    return check
  }
  return { ...check, status: 'error', durationMs: Date.now() - started, message: `pip-audit could not audit ${set.file} after ${o.retries + 1} attempt(s): ${lastProblem}` }
}
