/** build-docs' own inputs, parsed once before any work. */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, isInside, workspaceOrTempPath, type InputReader } from '../../packages-shared/inputs.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { parseName } from '../../packages-shared/output-dirs.js'
import { parseToolVersions } from '../../packages-shared/python/toolbox.js'

export const DOCS_TOOLS = ['auto', 'mkdocs', 'sphinx'] as const
export type DocsToolChoice = (typeof DOCS_TOOLS)[number]
export type DocsTool = Exclude<DocsToolChoice, 'auto'>

/** The artifact actions/deploy-pages takes by default. */
export const DEFAULT_PAGES_ARTIFACT = 'github-pages'

export interface DocsInputs {
  tool: DocsToolChoice
  /** Where the documentation project is looked for (absolute): docs-dir, else the working directory. */
  docsDir: string
  /** A mkdocs.yml or a conf.py named by `config` (absolute); the tool it implies. */
  config?: { file: string; tool: DocsTool }
  strict: boolean
  /** The folder the site is built into (absolute), and the input as given ('' for the default). */
  siteDir: string
  siteDirRaw: string
  /** The action's own scratch folder under the runner's temp (doctrees, warnings, the Pages tar). */
  workDir: string
  pages: boolean
  pagesArtifactName: string
  timeoutMs: number
  toolVersions: Record<string, string>
}

/** The folder under the runner's temp that build-docs clears and works in; the default site is its `site`. */
export function docsWorkDir(temp: string): string {
  return path.join(temp, 'dk-actions-docs')
}

/** The tool a config file's name implies: conf.py is sphinx's, a YAML file mkdocs'. */
export function toolOfConfig(file: string): DocsTool | undefined {
  const base = path.basename(file).toLowerCase()
  if (base === 'conf.py') return 'sphinx'
  if (base.endsWith('.yml') || base.endsWith('.yaml')) return 'mkdocs'
  return undefined
}

function parseConfig(reader: InputReader, common: CommonInputs, tool: DocsToolChoice): DocsInputs['config'] {
  const raw = reader.raw('config')
  if (!raw.trim()) return undefined
  const file = reader.insidePath('config', common.workspace, common.workingDirectory)
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw invalidInput('config', raw, `no such file under ${common.workingDirectory}; name a mkdocs.yml or a sphinx conf.py`)
  }
  const implied = toolOfConfig(file)
  if (!implied) throw invalidInput('config', raw, 'expected a mkdocs.yml (or another .yml/.yaml file) or a sphinx conf.py')
  if (tool !== 'auto' && tool !== implied) {
    throw invalidInput('config', raw, `it is a ${implied} configuration, but 'tool' is ${tool}; set tool: ${implied} or auto`)
  }
  return { file, tool: implied }
}

export function parseDocsInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): DocsInputs {
  const temp = path.resolve(io.env.RUNNER_TEMP || os.tmpdir())
  const tool = reader.enumeration('tool', DOCS_TOOLS, 'auto')
  const docsRaw = reader.raw('docs-dir')
  const docsDir = docsRaw.trim() ? reader.insidePath('docs-dir', common.workspace, common.workingDirectory) : common.workingDirectory
  if (docsRaw.trim() && !(fs.existsSync(docsDir) && fs.statSync(docsDir).isDirectory())) {
    throw invalidInput(
      'docs-dir',
      docsRaw,
      `no such directory under ${common.workingDirectory}; name the folder holding mkdocs.yml or the sphinx project`
    )
  }
  const workDir = docsWorkDir(temp)
  const siteRaw = reader.string('site-dir')
  const siteDir = siteRaw
    ? workspaceOrTempPath('site-dir', siteRaw, common.workingDirectory, { workspace: common.workspace, temp }, 'the site directory')
    : path.join(workDir, 'site')
  // Only its `site` is the action's to give: the rest of the scratch folder is cleared on every run.
  if (siteRaw && isInside(workDir, siteDir) && path.resolve(siteDir) !== path.join(workDir, 'site')) {
    throw invalidInput('site-dir', siteRaw, `it is inside ${workDir}, build-docs' scratch folder; choose another folder, or leave it empty`)
  }
  const pages = reader.boolean('pages', false)
  const pagesArtifactName = parseName(
    'pages-artifact-name',
    reader.raw('pages-artifact-name'),
    reader.string('pages-artifact-name', DEFAULT_PAGES_ARTIFACT)
  )
  if (pages && common.artifactName === pagesArtifactName) {
    throw invalidInput(
      'artifact-name',
      common.artifactName,
      `it is also the Pages artifact's name (pages-artifact-name), and one run cannot upload two artifacts of one name; choose another`
    )
  }
  return {
    tool,
    docsDir,
    config: parseConfig(reader, common, tool),
    strict: reader.boolean('strict', true),
    siteDir,
    siteDirRaw: siteRaw,
    workDir,
    pages,
    pagesArtifactName,
    timeoutMs: reader.timeLimit('timeout', 30 * 60_000),
    toolVersions: parseToolVersions('tool-versions', reader.raw('tool-versions'))
  }
}
