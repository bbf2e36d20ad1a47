/**
 * build-docs' plan carried out through the context: the folders claimed, the environment
 * provisioned, the tool run, its output read, and the site packed and uploaded for Pages.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { artifactServiceAvailable, listFiles, uploadArtifact } from '../../packages-shared/artifacts.js'
import { withoutBuildLeftovers } from '../../packages-shared/build-leftovers.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { UserError } from '../../packages-shared/errors.js'
import { displayCommand, processNotes } from '../../packages-shared/exec.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { STAMP } from '../../packages-shared/output-dirs.js'
import { findExecutable, venvBinDir } from '../../packages-shared/paths.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import { interpreterMarkers, provisionTools, type Toolbox, type ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { installInto } from '../../packages-shared/python/venv.js'
import { pinToolVersions, versionSource } from '../../packages-shared/tool-pins.js'
import { mkdocsArgv, parseMkdocs } from '../../packages-shared/tools/mkdocs.js'
import { parseSphinx, sphinxArgv } from '../../packages-shared/tools/sphinx.js'
import { attributePackages, withRealFiles } from '../../packages-shared/tools/tool.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import type { DocsProject } from './detect.js'
import type { DocsInputs } from './inputs.js'
import { writeSiteTar } from './pages-tar.js'
import type { DocsPlan } from './plan.js'

export interface DocsFolders {
  /** The built site (real path). */
  site: string
  /** Scratch for the tool: sphinx's doctrees and warning file. */
  build: string
  /** Where artifact.tar is written. */
  pages: string
}

/**
 * Claims the scratch folder and the site folder (both checked before either is made), and
 * empties them: the site holds only this build, never pages an earlier one left behind.
 */
export async function prepareFolders(ctx: ActionContext, inputs: DocsInputs): Promise<DocsFolders> {
  const guard = await ctx.outputs()
  const defaultSite = path.resolve(inputs.siteDir) === path.join(inputs.workDir, 'site')
  const [work, site] = guard.claimAll([
    { origin: { what: "build-docs' scratch folder", value: inputs.workDir }, dir: inputs.workDir, kind: 'clear' },
    ...(defaultSite ? [] : [{ origin: { input: 'site-dir', value: inputs.siteDirRaw }, dir: inputs.siteDir, kind: 'clear' as const }])
  ])
  const fresh = (name: string): string => {
    const dir = guard.clearChild(work!, name)
    fs.mkdirSync(dir, { recursive: true })
    return dir
  }
  let siteDir: string
  if (defaultSite) siteDir = fresh('site')
  else {
    siteDir = site!
    // Claimed for clearing: new, empty, or stamped by an earlier run. The stamp stays (tools keep dotfiles; the tar leaves it out).
    for (const e of fs.readdirSync(siteDir)) if (e !== STAMP) fs.rmSync(path.join(siteDir, e), { recursive: true, force: true })
  }
  return { site: siteDir, build: fresh('build'), pages: fresh('pages') }
}

export interface DocsEnvironment {
  box: Toolbox
  /** The executable that builds, as found. */
  executable: string
  kind: 'path' | 'pinned' | 'requirements'
  /** One line: where the tool and its plugins came from. */
  description: string
  toolVersion?: string
  versionSource?: string
}

function requirementLines(tools: readonly ToolRequirement[]): string[] {
  return [...new Set(tools.map((t) => `${t.requirement}==${t.version}`))]
}

/**
 * The group at uv.lock's versions, with every workspace package (editable), as `uv run
 * --group` would install them: `-r <exported file>`. Undefined (the group's own
 * requirements are installed, and the log says why) when the lock cannot be exported.
 */
async function lockedGroup(
  ctx: ActionContext,
  uv: string,
  root: string,
  group: string,
  env: Record<string, string | undefined>
): Promise<string[] | undefined> {
  const out = path.join(ctx.tempDir, `dk-docs-requirements-${process.pid}.txt`)
  const argv = [uv, 'export', '--frozen', '--no-hashes', '--no-header', '--all-packages', '--group', group, '--output-file', out]
  const r = await ctx.exec({ argv, cwd: root, env })
  if (r.exitCode === 0 && fs.existsSync(out)) return ['-r', out]
  ctx.io.warning(
    `${displayCommand(argv)} failed (${(r.spawnError ?? r.stderr).trim().split('\n').pop() || `exit ${r.exitCode}`}): the docs group's own requirements are installed instead, at the newest versions and without the workspace.`
  )
  return undefined
}

/** The venv (or PATH) the build runs in, made as plan.ts decided. */
export async function provisionDocs(ctx: ActionContext, plan: DocsPlan, ws: Workspace, inputs: DocsInputs): Promise<DocsEnvironment> {
  const { io } = ctx
  const tools = await pinToolVersions(io, ws, plan.tools, inputs.toolVersions, interpreterMarkers(ctx))
  const base = { pythonCommand: ctx.common.python, cacheRoot: ctx.cacheRoot, workspace: ws }
  if (plan.environment === 'requirements') {
    const req = plan.requirements!
    // A venv of this repository's docs requirements: made anew when they change.
    const box = await provisionTools(ctx, { ...base, mode: 'isolated', tools: [], venvSalt: `${ws.root}\0docs\0${req.digest}` })
    const uv = await box.uv()
    const args = (uv && req.uvLockGroup ? await lockedGroup(ctx, uv.path, ws.root, req.uvLockGroup, box.installEnv) : undefined) ?? req.args
    await io.group(`Installing the docs requirements from ${req.source}`, () =>
      withoutBuildLeftovers(req.installsRoot || args !== req.args ? [ws.root] : [], [], () =>
        installInto(ctx, box.venv!, args, box.installEnv, ws.root, uv)
      )
    )
    const inVenv = (): string | undefined => findExecutable(plan.executable, { pathValue: venvBinDir(box.venv!) })
    let added = false
    if (!inVenv()) {
      const lines = requirementLines(tools)
      io.info(`${req.source} does not install ${plan.executable}; adding ${lines.join(', ')}.`)
      await installInto(ctx, box.venv!, lines, box.installEnv, ws.root, uv)
      added = true
    }
    const executable = inVenv()
    if (!executable)
      throw new UserError(
        `${plan.executable} is not in the docs venv (${box.venv}) even after installing ${requirementLines(tools).join(', ')}.`
      )
    return {
      box,
      executable,
      kind: 'requirements',
      description: `${req.source}${added ? ` (with ${requirementLines(tools).join(', ')})` : ''}, in a venv under the runner's temp`,
      toolVersion: await toolVersion(executable, box.env, ctx.exec),
      versionSource: added ? (tools[0]!.source ?? req.source) : req.source
    }
  }
  if (plan.environment === 'path' && plan.requirements)
    io.info(`install: none: the docs requirements in ${plan.requirements.source} are not installed; the ${plan.executable} on PATH builds.`)
  const mode = plan.environment === 'path' ? 'none' : plan.environment === 'pinned' ? 'isolated' : 'auto'
  const box = await provisionTools(ctx, { ...base, mode, tools })
  const executable = box.which(plan.executable) ?? plan.executable
  const pinned = box.mode === 'isolated'
  return {
    box,
    executable,
    kind: pinned ? 'pinned' : 'path',
    description: pinned
      ? `${requirementLines(tools).join(', ')} (the repository declares no docs requirements), in a cached venv`
      : `${plan.executable} from PATH (${executable})`,
    toolVersion: pinned ? tools[0]!.version : await toolVersion(executable, box.env, ctx.exec),
    versionSource: versionSource(box.mode === 'isolated' ? 'isolated' : 'none', tools[0])
  }
}

/** Runs the tool and reads its verdict into one check. */
export async function runDocsBuild(
  ctx: ActionContext,
  project: DocsProject,
  env: DocsEnvironment,
  folders: DocsFolders,
  ws: Workspace,
  inputs: DocsInputs
): Promise<CheckResult> {
  const root = ws.root
  const warningFile = path.join(folders.build, 'warnings.txt')
  const argv =
    project.tool === 'mkdocs'
      ? mkdocsArgv({ executable: env.executable, configFile: project.configFile, siteDir: folders.site, strict: inputs.strict })
      : sphinxArgv({
          executable: env.executable,
          sourceDir: project.sourceDir,
          outDir: folders.site,
          doctreeDir: path.join(folders.build, 'doctrees'),
          warningFile,
          strict: inputs.strict
        })
  // mkdocs resolves plugins' paths (snippets, includes) from where it runs: mkdocs.yml's folder. sphinx runs conf.py in its own folder anyway.
  const cwd = project.tool === 'mkdocs' ? project.dir : root
  const r = await ctx.exec({ argv, cwd, env: env.box.env, timeoutMs: inputs.timeoutMs })
  const parsed =
    project.tool === 'mkdocs'
      ? parseMkdocs(r, { root, configFile: project.configFile, docsDir: project.sourceDir, strict: inputs.strict })
      : parseSphinx(r, fs.existsSync(warningFile) ? fs.readFileSync(warningFile, 'utf8') : undefined, {
          root,
          sourceDir: project.sourceDir,
          strict: inputs.strict
        })
  const findings = attributePackages(withRealFiles(parsed.findings, root), ws.packages)
  const status: CheckResult['status'] = parsed.error ? 'error' : findings.some((f) => f.severity === 'error') ? 'failed' : 'passed'
  const notes = processNotes(project.tool, r)
  if (notes.orphans) ctx.io.warning(notes.orphans)
  await ctx.io.group(`${project.tool}: ${status}, ${findings.length} finding(s) (${r.durationMs} ms)`, async () => {
    ctx.io.info(`$ ${displayCommand(argv)}`)
    if (r.stdout.trim()) ctx.io.toolOutput(r.stdout.trimEnd())
    if (r.stderr.trim()) ctx.io.toolOutput(r.stderr.trimEnd())
  })
  return {
    tool: project.tool,
    ...(env.toolVersion ? { toolVersion: env.toolVersion } : {}),
    ...(env.versionSource ? { toolVersionSource: env.versionSource } : {}),
    status,
    durationMs: r.durationMs,
    findings,
    ...(parsed.error ? { message: parsed.error } : {}),
    command: displayCommand(argv)
  }
}

export interface PagesOutcome {
  check: CheckResult
  /** artifact.tar, when written. */
  tar?: string
  uploaded: boolean
  files?: number
  bytes?: number
}

/**
 * The site packed as deploy-pages takes it and uploaded under `pages-artifact-name`; not
 * when the build did not pass (a broken site is never published). With no artifact service
 * (a local run) the tar stays in the scratch folder, and the check passes with a notice.
 */
export async function uploadPages(ctx: ActionContext, build: CheckResult, folders: DocsFolders, inputs: DocsInputs): Promise<PagesOutcome> {
  const started = Date.now()
  const check = (status: CheckResult['status'], findings: Finding[], message?: string): CheckResult => ({
    tool: 'pages',
    status,
    durationMs: Date.now() - started,
    findings,
    ...(message ? { message } : {})
  })
  if (build.status !== 'passed') {
    return { check: check('skipped', [], `not uploaded: the ${build.tool} build did not pass`), uploaded: false }
  }
  const tar = path.join(folders.pages, 'artifact.tar')
  const packed = writeSiteTar(folders.site, tar)
  const findings: Finding[] = packed.skipped.map((s) => ({
    tool: 'pages',
    severity: 'warning',
    rule: 'link-outside-site',
    message: `${s} is a link to something outside the site (or a broken link), so it is not in the Pages artifact.`
  }))
  ctx.io.info(`Packed ${packed.files} file(s) of the site into ${tar} (${packed.bytes} bytes).`)
  const upload = await uploadArtifact(ctx.io, inputs.pagesArtifactName, [tar], folders.pages)
  if (!upload.uploaded && artifactServiceAvailable(ctx.io.env)) {
    findings.push({
      tool: 'pages',
      severity: 'error',
      message: `The Pages artifact '${inputs.pagesArtifactName}' could not be uploaded: ${upload.reason ?? 'no reason given'}. deploy-pages will find nothing to deploy; re-run the job.`
    })
    return { check: check('failed', findings), tar, uploaded: false, files: packed.files, bytes: packed.bytes }
  }
  const message = upload.uploaded
    ? `uploaded as '${inputs.pagesArtifactName}' (${packed.files} file(s))`
    : `not uploaded: ${upload.reason ?? 'no artifact service'}; artifact.tar is in ${folders.pages}`
  return { check: check('passed', findings, message), tar, uploaded: upload.uploaded, files: packed.files, bytes: packed.bytes }
}

/** The number of files in the built site (the stamp left out). */
export function siteFileCount(site: string): number {
  return listFiles(site).filter((f) => path.basename(f) !== STAMP || path.dirname(f) !== site).length
}
