/**
 * run-security: bandit, a dependency audit against advisories, and our workflow audit (plus
 * safety, semgrep and trivy), with expiring ignores applied to every scanner, SARIF with one
 * run per tool, and an optional upload to code scanning.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import { isNamespaced, packageImportRoots } from '../../packages-shared/import-roots.js'
import { childEnv, pickEnv } from '../../packages-shared/child-env.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { displayCommand, processNotes, runCommand, tail } from '../../packages-shared/exec.js'
import { reachesThreshold, type CheckResult, type Finding, type Severity } from '../../packages-shared/findings.js'
import { NoPythonPackagesError } from '../../packages-shared/errors.js'
import { DependencyGraph } from '../../packages-shared/graph.js'
import { findExecutable, toPosix } from '../../packages-shared/paths.js'
import { toolVersion, type ToolRequirement, type Toolbox } from '../../packages-shared/python.js'
import { pinToolVersions, versionSource } from '../../packages-shared/tool-pins.js'
import { table } from '../../packages-shared/report/markdown.js'
import { buildSarif } from '../../packages-shared/report/sarif.js'
import { BANDIT, banditArgv, hasOwnBanditConfig, parseBandit } from '../../packages-shared/tools/bandit.js'
import { PIP_AUDIT } from '../../packages-shared/tools/pip-audit.js'
import { SAFETY, parseSafety, safetyArgv, safetyMessage, safetyShownArgv } from '../../packages-shared/tools/safety.js'
import { SEMGREP, parseSemgrep, semgrepArgv, semgrepEnv, semgrepScanEnv } from '../../packages-shared/tools/semgrep.js'
import type { SecurityFinding } from '../../packages-shared/tools/security.js'
import { excludedUnder, screenCheck, screenFindings, screenSources } from '../../packages-shared/file-screen.js'
import { attributePackages } from '../../packages-shared/tools/tool.js'
import { parseTrivy, trivyArgv } from '../../packages-shared/tools/trivy.js'
import { auditWorkflowFiles } from '../../packages-shared/tools/workflow-audit.js'
import { VERSION } from '../../packages-shared/version.js'
import { guardPackages } from '../../packages-shared/links.js'
import { toolboxFor } from '../../packages-shared/environments/for-tools.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { auditSet, resolveDependencySets, writeRequirements, type DependencySet } from './dependencies.js'
import { applyIgnores, isExpired, today, type Ignore, type IgnoreOutcome } from './ignores.js'
import { parseSecurityInputs, type SecurityCheck, type SecurityInputs } from './inputs.js'
import { loadOsvDatabase } from './osv-db.js'
import { startOsvServer } from './osv-server.js'
import { uploadSarif, type UploadOutcome } from './sarif-upload.js'

const SARIF_CATEGORY = 'dk-actions/run-security'

function skipped(tool: string, message: string): CheckResult {
  return { tool, status: 'skipped', durationMs: 0, findings: [], message }
}

function errored(tool: string, message: string): CheckResult {
  return { tool, status: 'error', durationMs: 0, findings: [], message }
}

/** Where bandit and semgrep look: each package's importable modules (not its tests). */
/**
 * What ships: each import root's real packages and modules (`src/acme/core/acme/core` below a
 * PEP 420 namespace, read by import-roots.ts as the type checkers and coverage read them),
 * never the package's tests beside them. The whole folder only when no import root is found.
 */
function sourceTargets(pkg: PythonPackage, cwd: string): string[] {
  const roots = packageImportRoots(pkg)
  const targets = (isNamespaced(roots) ? roots : [{ dir: pkg.importDir, modules: pkg.modules }]).flatMap((root) => root.modules.map((m) => {
    const base = path.join(root.dir, ...m.split('.'))
    return [base, `${base}.py`].find((p) => fs.existsSync(p))
  })).filter((p): p is string => p !== undefined)
  return [...new Set(targets.length ? targets : [pkg.dir])].map((p) => toPosix(path.relative(cwd, p)) || '.')
}

async function logRun(ctx: ActionContext, title: string, argv: readonly string[], r: { stdout: string; stderr: string; orphansKilled?: boolean }): Promise<void> {
  if (r.orphansKilled) ctx.io.warning(processNotes(title.split(':')[0]!, { timedOut: false, orphansKilled: true }).orphans!)
  await ctx.io.group(title, async () => {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    if (r.stderr.trim()) ctx.io.toolOutput(tail(r.stderr, 60))
  })
}

async function runBandit(ctx: ActionContext, box: Toolbox, ws: Workspace, packages: PythonPackage[], inputs: SecurityInputs): Promise<CheckResult[]> {
  // One run from the root over every package, plus one per package with its own bandit
  // configuration, run from that package so bandit reads it as it would there.
  const own = packages.filter(hasOwnBanditConfig)
  const shared = packages.filter((p) => !own.includes(p))
  const runs = [
    ...(shared.length ? [{ cwd: ws.root, targets: shared.flatMap((p) => sourceTargets(p, ws.root)), pkg: undefined as string | undefined }] : []),
    ...own.map((p) => ({ cwd: p.dir, targets: sourceTargets(p, p.dir), pkg: p.id }))
  ]
  const exe = box.which(BANDIT.executable) ?? BANDIT.executable
  // Files too large or not readable as Python are one finding each and kept from bandit.
  const screenStart = Date.now()
  const screened = screenSources([...new Set(runs.flatMap((r) => r.targets.map((t) => path.resolve(r.cwd, t))))], inputs.maxFileSize)
  const screen = screened.length
    ? [screenCheck(attributePackages(screenFindings(ws.root, screened), ws.packages), Date.now() - screenStart, (f) => reachesThreshold(f.severity, inputs.failOn))]
    : []
  const skip = new Set(screened.map((s) => s.path))
  const kept = runs
    .map((r) => ({ ...r, targets: r.targets.filter((t) => !skip.has(path.resolve(r.cwd, t))), exclude: excludedUnder(screened, r.cwd, r.targets) }))
    .filter((r) => r.targets.length > 0)
  return [...screen, ...await Promise.all(kept.map(async (run) => {
    const inv = { root: ws.root, cwd: run.cwd, targets: run.targets, executable: exe, fix: false, exclude: run.exclude }
    const argv = banditArgv(inv, { severity: inputs.severityThreshold, confidence: inputs.confidenceThreshold })
    const r = await runCommand({ argv, cwd: run.cwd, env: box.env, timeoutMs: inputs.timeoutMs })
    const parsed = parseBandit(r, inv)
    await logRun(ctx, `bandit in ${toPosix(path.relative(ws.root, run.cwd)) || '.'}: ${parsed.error ? 'error' : `${parsed.findings.length} finding(s)`}`, argv, r)
    return {
      tool: 'bandit', package: run.pkg, status: parsed.error ? 'error' : 'passed', durationMs: r.durationMs,
      findings: attributePackages(parsed.findings, ws.packages), message: parsed.error, command: displayCommand(argv)
    } satisfies CheckResult
  }))]
}

async function runSafety(ctx: ActionContext, box: Toolbox, sets: DependencySet[], inputs: SecurityInputs, scratch: string): Promise<CheckResult[]> {
  const exe = box.which(SAFETY.executable) ?? SAFETY.executable
  return Promise.all(sets.filter((s) => !s.error && s.dependencies.length).map(async (set) => {
    const argv = safetyArgv(exe, writeRequirements(set, scratch), inputs.safetyApiKey)
    const r = await runCommand({ argv, env: box.env, cwd: scratch, timeoutMs: inputs.timeoutMs })
    await logRun(ctx, `safety on ${set.file}`, argv, r)
    const parsed = parseSafety(r)
    const findings: SecurityFinding[] = parsed.vulns.map((v) => {
      const dep = set.dependencies.find((d) => d.id === v.name.toLowerCase().replace(/[-_.]+/g, '-'))
      return {
        tool: 'safety', file: set.file, line: dep?.line, package: set.owners.length === 1 ? set.owners[0] : undefined,
        rule: v.id, severity: 'error', ids: [v.id, ...(v.cve ? [v.cve] : [])],
        message: safetyMessage(v)
      }
    })
    return {
      tool: 'safety', package: set.owners.length === 1 ? set.owners[0] : undefined, status: parsed.error ? 'error' : 'passed',
      durationMs: r.durationMs, findings, message: parsed.error, command: displayCommand(safetyShownArgv(argv, inputs.safetyApiKey))
    } satisfies CheckResult
  }))
}

async function runSemgrep(ctx: ActionContext, exe: string, env: Record<string, string | undefined>, ws: Workspace, packages: PythonPackage[], config: string, timeoutMs: number): Promise<CheckResult> {
  const inv = { root: ws.root, cwd: ws.root, targets: packages.flatMap((p) => sourceTargets(p, ws.root)), executable: exe, fix: false }
  const argv = semgrepArgv(inv, config)
  const r = await runCommand({ argv, cwd: ws.root, env: semgrepScanEnv(env), timeoutMs })
  await logRun(ctx, 'semgrep', argv, r)
  const parsed = parseSemgrep(r, inv)
  return { tool: 'semgrep', status: parsed.error ? 'error' : 'passed', durationMs: r.durationMs, findings: attributePackages(parsed.findings, ws.packages), message: parsed.error, command: displayCommand(argv) }
}

async function runTrivy(ctx: ActionContext, exe: string, env: Record<string, string | undefined>, ws: Workspace, image: string, timeoutMs: number): Promise<CheckResult> {
  const argv = trivyArgv(exe, { image: image || undefined, dir: ws.root }, path.join(ctx.cacheRoot, 'trivy'))
  const r = await runCommand({ argv, cwd: ws.root, env, timeoutMs })
  await logRun(ctx, `trivy ${image ? `image ${image}` : 'fs'}`, argv, r)
  const parsed = parseTrivy(r, (target) => (image ? undefined : toPosix(path.relative(ws.root, path.resolve(ws.root, target)))))
  return { tool: 'trivy', status: parsed.error ? 'error' : 'passed', durationMs: r.durationMs, findings: attributePackages(parsed.findings, ws.packages), message: parsed.error, command: displayCommand(argv) }
}

function ignoreSection(outcomes: IgnoreOutcome[]): string {
  if (outcomes.length === 0) return ''
  const state = (o: IgnoreOutcome): string => (o.expired ? (o.matched ? '❌ expired, reported again' : 'expired (matches nothing: remove it)') : o.matched ? '✅ active' : 'active, matches nothing')
  const rows = outcomes.map((o) => [`\`${o.ignore.id}\``, o.ignore.until ?? 'no expiry', o.ignore.reason ?? '', String(o.matched), state(o)])
  return `### Ignored findings\n\n${table(['id', 'until', 'reason', 'findings', 'state'], rows)}`
}

function uploadSection(u: UploadOutcome): string {
  return u.uploaded
    ? `### Code scanning\n\nSARIF uploaded to code scanning${u.id ? ` (upload id \`${u.id}\`)` : ''}.\n`
    : `### Code scanning\n\nSARIF not uploaded: ${u.reason}.\n`
}

export async function runSecurity(ctx: ActionContext, inputs: SecurityInputs): Promise<ActionResult> {
  const { io, common } = ctx
  // The workflow audit (and trivy) need no Python package: a repository without any, such
  // as an actions repository auditing itself, gets those checks alone.
  const repoOnly = inputs.checks.every((c) => c === 'workflows' || c === 'trivy')
  let ws: Workspace
  let packages: PythonPackage[]
  try {
    ws = ctx.workspace()
    packages = (await ctx.selection()).packages
  } catch (error) {
    if (!repoOnly || !(error instanceof NoPythonPackagesError)) throw error
    ws = { root: common.workingDirectory, kind: 'single', packages: [], graph: new DependencyGraph([]), get: () => undefined }
    packages = []
  }
  // bandit and semgrep read the files a symlink points at into their reports: a package
  // holding a link out of the repository is not scanned, and the run fails (links.ts).
  const guard = guardPackages(ws.root, inputs.checks.includes('bandit') || inputs.checks.includes('semgrep') || inputs.optionalChecks.includes('semgrep') ? packages : [], 'scanned by bandit or semgrep')
  const scanned = guard.safe
  // A fresh folder of this run's own, so the venvs it clears inside are never anyone else's.
  fs.mkdirSync(path.join(ctx.tempDir, 'dk-actions-security'), { recursive: true })
  const scratch = fs.mkdtempSync(path.join(ctx.tempDir, 'dk-actions-security', 'run-'))
  const want = (c: SecurityCheck): boolean => inputs.checks.includes(c)
  const envPath = io.env.PATH

  // Which checks run, and which Python tools they need.
  const planned: CheckResult[] = []
  const tools: ToolRequirement[] = []
  if (guard.check) planned.push(guard.check)
  const wantBandit = want('bandit') && scanned.length > 0
  const wantDeps = want('dependencies') && packages.length > 0
  if (want('bandit') && !wantBandit) planned.push(skipped('bandit', packages.length ? 'every selected package was refused' : 'no package selected'))
  if (want('dependencies') && !wantDeps) planned.push(skipped('dependencies', 'no package selected'))
  if (wantBandit) tools.push(BANDIT)
  if (wantDeps) tools.push(PIP_AUDIT)
  let wantSafety = false
  if (want('safety')) {
    if (!inputs.safetyApiKey) {
      io.notice("safety was requested but 'safety-api-key' is empty, so it was skipped. Set it from a secret to run safety.")
      planned.push(skipped('safety', "no 'safety-api-key': safety needs an account key"))
    } else if (packages.length > 0) {
      wantSafety = true
      tools.push(SAFETY)
    }
  }
  if (want('semgrep')) tools.push(SEMGREP)
  const optional = (name: 'semgrep' | 'trivy'): string | undefined => (inputs.optionalChecks.includes(name) && !want(name) ? findExecutable(name, { pathValue: envPath }) : undefined)
  const semgrepOnPath = optional('semgrep')
  const trivyOnPath = want('trivy') || inputs.optionalChecks.includes('trivy') ? findExecutable('trivy', { pathValue: envPath }) : undefined
  for (const name of ['semgrep', 'trivy'] as const) {
    if (!want(name) && inputs.optionalChecks.includes(name) && !(name === 'semgrep' ? semgrepOnPath : trivyOnPath)) {
      planned.push(skipped(name, `${name} is not installed (optional: it runs when found on PATH, or add it to 'checks')`))
    }
  }
  if (want('trivy') && !trivyOnPath) {
    planned.push(errored('trivy', "trivy was requested in 'checks' but is not on PATH. It is a standalone binary that dk-actions does not install: add a step such as aquasecurity/setup-trivy (pinned by SHA) before this one, or remove trivy from 'checks'."))
  }

  const requirements = pinToolVersions(io, ws, tools, inputs.toolVersions)
  const box: Toolbox | undefined = requirements.length
    ? await toolboxFor(ctx, ws, ws.packages, requirements)
    : undefined
  const version = async (t: ToolRequirement): Promise<string | undefined> => {
    const req = requirements.find((r) => r.executable === t.executable)
    if (!box || !req) return undefined
    if (box.mode === 'isolated') return req.version
    const exe = box.which(t.executable)
    return exe ? toolVersion(exe, box.env, ctx.exec) : undefined
  }

  const tasks: Promise<CheckResult[]>[] = []
  if (wantBandit && box) {
    tasks.push((async () => {
      const [checks, v] = await Promise.all([runBandit(ctx, box, ws, scanned, inputs), version(BANDIT)])
      return checks.map((c) => (c.tool === 'bandit' ? { ...c, toolVersion: v } : c))
    })())
  }
  let setsPromise: Promise<DependencySet[]> | undefined
  if ((wantDeps || wantSafety) && box) setsPromise = resolveDependencySets(ctx, box, ws, packages, scratch)
  const osvServer = wantDeps && inputs.advisoryDb ? await startOsvServer(loadOsvDatabase(inputs.advisoryDb)) : undefined
  if (osvServer) io.info(`Auditing against the local advisory database ${inputs.advisoryDb} (served to pip-audit at ${osvServer.url}).`)
  if (wantDeps && box && setsPromise) {
    tasks.push((async () => {
      const [sets, v] = await Promise.all([setsPromise!, version(PIP_AUDIT)])
      return Promise.all(sets.map((s) => auditSet(ctx, box, s, scratch, {
        osvUrl: osvServer?.url, retries: inputs.auditRetries, backoffMs: 2000, cacheDir: path.join(ctx.cacheRoot, 'pip-audit'), toolVersion: v, timeoutMs: inputs.timeoutMs
      })))
    })())
  }
  if (wantSafety && box && setsPromise) {
    tasks.push((async () => {
      const [sets, v] = await Promise.all([setsPromise!, version(SAFETY)])
      return (await runSafety(ctx, box, sets, inputs, scratch)).map((c) => ({ ...c, toolVersion: v }))
    })())
  }
  if (want('workflows')) {
    tasks.push((async () => {
      const started = Date.now()
      const { files, findings } = auditWorkflowFiles(ws.root)
      io.info(`workflows: audited ${files.length} file(s): ${files.join(', ') || 'none'}`)
      return [{ tool: 'workflows', toolVersion: `dk-actions ${VERSION}`, status: 'passed', durationMs: Date.now() - started, findings, message: files.length ? undefined : 'no workflow or action.yml found' } satisfies CheckResult]
    })())
  }
  const semgrepExe = want('semgrep') ? box?.which(SEMGREP.executable) : semgrepOnPath
  if (semgrepExe && scanned.length) {
    tasks.push((async () => {
      // semgrep and trivy scan, they run nothing of the repository: their own settings
      // (SEMGREP_*, TRIVY_*, a registry's Docker configuration) reach them.
      const env = semgrepEnv(box?.env ?? childEnv(io.env), io.env)
      const [c, v] = await Promise.all([runSemgrep(ctx, semgrepExe, env, ws, scanned, inputs.semgrepConfig, inputs.timeoutMs), toolVersion(semgrepExe, env, ctx.exec)])
      return [{ ...c, toolVersion: v }]
    })())
  }
  if (trivyOnPath) {
    tasks.push((async () => {
      const env = { ...(box?.env ?? childEnv(io.env)), ...pickEnv(io.env, ['TRIVY_*', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY']) }
      const [c, v] = await Promise.all([runTrivy(ctx, trivyOnPath, env, ws, inputs.trivyImage, inputs.timeoutMs), toolVersion(trivyOnPath, env, ctx.exec, ['--version'])])
      return [{ ...c, toolVersion: v }]
    })())
  }
  let ran: CheckResult[]
  try {
    ran = (await Promise.all(tasks)).flat()
  } finally {
    await osvServer?.close()
  }
  const provisioned: Record<string, ToolRequirement> = { bandit: BANDIT, dependencies: PIP_AUDIT, safety: SAFETY, semgrep: SEMGREP }
  ran = ran.map((c) => {
    const req = provisioned[c.tool] && requirements.find((r) => r.executable === provisioned[c.tool]!.executable)
    return c.toolVersion && box && req ? { ...c, toolVersionSource: versionSource(box.mode, req) } : c
  })

  // Ignores apply to every scanner; then each check's status follows the gate.
  const day = today()
  const outcomes = new Map<Ignore, IgnoreOutcome>()
  const threshold: Severity | 'never' = inputs.failOn === 'never' ? 'error' : inputs.failOn
  const checks: CheckResult[] = [...ran, ...planned].map((c) => {
    const findings = applyIgnores(c.findings, inputs.ignores, day, outcomes)
    const status = c.status === 'error' || c.status === 'skipped' ? c.status : findings.some((f) => reachesThreshold(f.severity, threshold)) ? 'failed' : 'passed'
    return { ...c, findings, status }
  })
  const order = ['symlinks', 'bandit', 'dependencies', 'workflows', 'safety', 'semgrep', 'trivy']
  checks.sort((a, b) => order.indexOf(a.tool) - order.indexOf(b.tool))
  const ignoreOutcomes = inputs.ignores.map((i) => outcomes.get(i) ?? { ignore: i, expired: isExpired(i, day), matched: 0 })
  for (const o of ignoreOutcomes.filter((x) => x.expired)) io.warning(`The ignore of ${o.ignore.id} expired on ${o.ignore.until}${o.matched ? `; its ${o.matched} finding(s) are reported again` : ' and matches nothing: remove it'}.`)

  const sections = [ignoreSection(ignoreOutcomes)].filter(Boolean)
  const outputs: Record<string, string> = {}
  let upload: UploadOutcome | undefined
  if (inputs.uploadSarif) {
    const sarif = JSON.stringify(buildSarif(checks, { category: SARIF_CATEGORY }))
    upload = await uploadSarif(sarif, inputs.token, io.env, ctx.http)
    if (upload.uploaded) {
      io.info(`SARIF uploaded to code scanning${upload.id ? ` (id ${upload.id})` : ''}.`)
      if (upload.id) outputs['sarif-id'] = upload.id
    } else {
      io.warning(`SARIF was not uploaded to code scanning: ${upload.reason}.`)
    }
    sections.push(uploadSection(upload))
  }

  const erroredChecks = checks.filter((c) => c.status === 'error')
  const blocking = checks.flatMap((c) => c.findings).filter((f: Finding) => reachesThreshold(f.severity, inputs.failOn))
  // A refused package fails the run whatever fail-on says: it was not scanned.
  const passed = erroredChecks.length === 0 && blocking.length === 0 && guard.check === undefined
  return {
    passed,
    packages: packages.map((p) => p.id),
    checks,
    sarif: true,
    sections,
    outputs,
    data: {
      ignores: ignoreOutcomes.map((o) => ({ ...o.ignore, expired: o.expired, matched: o.matched })),
      ...(upload ? { sarifUpload: upload } : {})
    },
    failureMessage: passed
      ? undefined
      : guard.check && blocking.every((f) => f.tool === 'symlinks') && erroredChecks.length === 0
        ? `run-security: ${guard.check.findings[0]!.message}`
        : erroredChecks.length
        ? `run-security: ${erroredChecks.map((c) => c.tool).join(', ')} could not run: ${(erroredChecks[0]!.message ?? 'see the log').split('\n')[0]}`
        : `run-security found ${blocking.length} problem(s) at or above '${inputs.failOn}' (${[...new Set(blocking.map((f) => f.tool))].join(', ')}). See the annotations and the step summary.`
  }
}

export const runSecurityAction: ActionDefinition<SecurityInputs> = {
  name: 'run-security',
  title: 'Security',
  secretInputs: [{ name: 'token', kind: 'token' }, { name: 'safety-api-key', kind: 'token' }],
  parseInputs: (reader, common, io) => parseSecurityInputs(reader, common, path.resolve(io.env.RUNNER_TEMP || os.tmpdir())),
  run: runSecurity
}
