/**
 * What a docs build needs, decided before anything runs: the pinned tools, and where they
 * come from.
 * - `none`: the tool on PATH, as the workflow installed it; nothing is installed.
 * - `auto`: the repository's docs requirements in a venv when it declares them (a site's
 *   plugins and theme are in them); else the tool on PATH when it is there; else the pinned
 *   tool in a cached venv.
 * - `isolated`, `project`: a venv under the runner's temp, with the docs requirements when the
 *   repository declares them, else the pinned tool.
 * Pure: reads nothing, runs nothing.
 */
import type { InstallMode, ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { MKDOCS, MKDOCS_MATERIAL } from '../../packages-shared/tools/mkdocs.js'
import { SPHINX } from '../../packages-shared/tools/sphinx.js'
import type { DocsProject } from './detect.js'
import type { DocsRequirements } from './requirements.js'

export type EnvironmentKind = 'path' | 'pinned' | 'requirements'

export interface DocsPlan {
  /** The pinned tools: what `pinned` installs, what `path` looks for, what `requirements` adds when they lack the tool. */
  tools: ToolRequirement[]
  /** The executable that builds. */
  executable: string
  /** `path` for install: none; `auto` decides between path and pinned once PATH is looked at. */
  environment: EnvironmentKind | 'path-or-pinned'
  requirements?: DocsRequirements
}

/** mkdocs, with the material theme when mkdocs.yml names it (`theme: material`); sphinx-build. */
export function pinnedTools(project: Pick<DocsProject, 'tool' | 'theme'>): ToolRequirement[] {
  if (project.tool === 'sphinx') return [SPHINX]
  return project.theme === 'material' ? [MKDOCS, MKDOCS_MATERIAL] : [MKDOCS]
}

export function planDocs(project: Pick<DocsProject, 'tool' | 'theme'>, install: InstallMode, requirements?: DocsRequirements): DocsPlan {
  const tools = pinnedTools(project)
  const executable = tools[0]!.executable
  if (install === 'none') return { tools, executable, environment: 'path', ...(requirements ? { requirements } : {}) }
  if (requirements) return { tools, executable, environment: 'requirements', requirements }
  return { tools, executable, environment: install === 'auto' ? 'path-or-pinned' : 'pinned' }
}
