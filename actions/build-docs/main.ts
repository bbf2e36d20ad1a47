/**
 * build-docs: builds the repository's documentation the way the repository does (mkdocs
 * build --strict, or sphinx-build -W), each warning a finding at its file (and line, when
 * there is one), and uploads the site as the GitHub Pages artifact when asked. Deploying
 * stays with actions/deploy-pages. detect.ts finds the docs, requirements.ts and plan.ts
 * decide the environment, runs.ts builds and packs, summary.ts reports.
 */
import type { ActionDefinition, ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { DependencyGraph } from '../../packages-shared/graph.js'
import { toPosix } from '../../packages-shared/paths.js'
import type { Workspace } from '../../packages-shared/workspace.js'
import * as path from 'node:path'
import { detectDocs, type DocsProject } from './detect.js'
import { parseDocsInputs, type DocsInputs } from './inputs.js'
import { planDocs } from './plan.js'
import { findDocsRequirements } from './requirements.js'
import { prepareFolders, provisionDocs, runDocsBuild, siteFileCount, uploadPages, type PagesOutcome } from './runs.js'
import { docsSection } from './summary.js'

/**
 * The repository's packages, to attribute findings and read tool pins; none when the
 * working directory holds no Python package (a docs-only repository) or its packages do
 * not read: the docs build needs neither.
 */
function docsWorkspace(ctx: ActionContext): Workspace {
  try {
    return ctx.workspace()
  } catch (error) {
    ctx.io.debug(
      `No Python packages for the docs build to attribute findings to: ${error instanceof Error ? error.message : String(error)}`
    )
    const root = ctx.common.workingDirectory
    return { root, kind: 'single', packages: [], graph: new DependencyGraph([]), get: () => undefined }
  }
}

function nothingBuilt(inputs: DocsInputs, root: string): ActionResult {
  const rel = toPosix(path.relative(root, inputs.docsDir))
  const where = rel ? rel : 'the working directory'
  const why = `no mkdocs.yml or mkdocs.yaml in ${where}, and no sphinx conf.py in ${where} or its docs/, docs/source/, doc/, doc/source/`
  return {
    passed: true,
    packages: [],
    checks: [{ tool: 'docs', status: 'skipped', durationMs: 0, findings: [], message: why }],
    outputs: { 'site-dir': '', tool: '', 'pages-artifact': '', 'pages-tar': '' },
    sections: [docsSection({ strict: inputs.strict, nothing: `${why}. Set docs-dir or config to point at the documentation.` })],
    data: { docs: { built: false, reason: why } }
  }
}

export async function runBuildDocs(ctx: ActionContext, inputs: DocsInputs): Promise<ActionResult> {
  const { io } = ctx
  const root = ctx.common.workingDirectory
  const project: DocsProject | undefined = detectDocs(root, inputs)
  if (!project) {
    const result = nothingBuilt(inputs, root)
    io.notice(`build-docs: nothing to build: ${result.checks[0]!.message}.`)
    return result
  }
  io.info(`Documentation: ${project.tool}, ${project.why}.`)
  const ws = docsWorkspace(ctx)
  // The packages the report lists: the selection (a name that is no package is the user's error, as in every action).
  const covered = ws.packages.length ? (await ctx.selection()).packages.map((p) => p.id) : []
  const found = findDocsRequirements(root, project)
  for (const note of found.notes) io.info(note)
  const plan = planDocs(project, ctx.common.install, found.requirements)
  const folders = await prepareFolders(ctx, inputs)
  const env = await provisionDocs(ctx, plan, ws, inputs)
  io.info(`Environment: ${env.description}.`)
  const build = await runDocsBuild(ctx, project, env, folders, ws, inputs)
  const checks: CheckResult[] = [build]
  let pages: PagesOutcome | undefined
  if (inputs.pages) {
    pages = await uploadPages(ctx, build, folders, inputs)
    checks.push(pages.check)
  }
  const siteFiles = siteFileCount(folders.site)
  const passed = checks.every((c) => c.status === 'passed' || c.status === 'skipped') && build.status === 'passed'
  const rel = (p: string): string => toPosix(path.relative(root, p)) || '.'
  return {
    passed,
    packages: covered,
    checks,
    outputs: {
      'site-dir': folders.site,
      tool: project.tool,
      'pages-artifact': pages?.uploaded ? inputs.pagesArtifactName : '',
      'pages-tar': pages?.tar ?? ''
    },
    sections: [
      docsSection({
        tool: `${project.tool}${build.toolVersion ? ` ${build.toolVersion}` : ''}`,
        found: project.why,
        environment: env.description,
        strict: inputs.strict,
        site: folders.site,
        siteFiles,
        pages: {
          requested: inputs.pages,
          name: inputs.pagesArtifactName,
          ...(pages ? { uploaded: pages.uploaded, files: pages.files, bytes: pages.bytes, message: pages.check.message } : {})
        }
      })
    ],
    data: {
      docs: {
        built: true,
        tool: project.tool,
        config: rel(project.configFile),
        sourceDir: rel(project.sourceDir),
        environment: { kind: env.kind, description: env.description, requirements: found.requirements?.source ?? null },
        strict: inputs.strict,
        siteDir: folders.site,
        siteFiles,
        pages: inputs.pages ? { artifact: inputs.pagesArtifactName, uploaded: pages?.uploaded ?? false, tar: pages?.tar ?? null } : null
      }
    }
  }
}

export const buildDocsAction: ActionDefinition<DocsInputs> = {
  name: 'build-docs',
  title: 'Documentation',
  parseInputs: (reader, common, io) => parseDocsInputs(reader, common, io),
  run: runBuildDocs
}
