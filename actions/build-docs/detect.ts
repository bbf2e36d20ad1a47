/**
 * Which documentation the repository has, found the way its own tooling would find it:
 * mkdocs reads `mkdocs.yml` (or `mkdocs.yaml`) in the folder it runs in; a sphinx project is
 * a folder holding `conf.py`, by convention `docs/`, `docs/source/`, `doc/` or `doc/source/`.
 * Reads files only; runs nothing.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import { toPosix } from '../../packages-shared/paths.js'
import { MKDOCS_CONFIG_FILES, readMkdocsConfig } from '../../packages-shared/tools/mkdocs.js'
import { SPHINX_CONF_DIRS } from '../../packages-shared/tools/sphinx.js'
import type { DocsInputs, DocsTool } from './inputs.js'

export interface DocsProject {
  tool: DocsTool
  /** mkdocs.yml or conf.py, absolute. */
  configFile: string
  /** Where the tool runs: mkdocs.yml's folder, or the sphinx source folder (conf.py's). */
  dir: string
  /** The pages: mkdocs' docs_dir, or the sphinx source folder (absolute). */
  sourceDir: string
  /** mkdocs' theme name, when mkdocs.yml sets one. */
  theme?: string
  /** How it was found, for the log and the summary. */
  why: string
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile()
  } catch {
    return false
  }
}

function rel(root: string, p: string): string {
  return toPosix(path.relative(root, p)) || '.'
}

function mkdocsProject(configFile: string, why: string): DocsProject {
  const config = readMkdocsConfig(configFile)
  const dir = path.dirname(configFile)
  return {
    tool: 'mkdocs',
    configFile,
    dir,
    sourceDir: path.resolve(dir, config.docsDir),
    ...(config.theme ? { theme: config.theme } : {}),
    why
  }
}

function sphinxProject(configFile: string, why: string): DocsProject {
  const dir = path.dirname(configFile)
  return { tool: 'sphinx', configFile, dir, sourceDir: dir, why }
}

/** The mkdocs.yml in `dir`, in mkdocs' own order. */
export function findMkdocsConfig(dir: string): string | undefined {
  return MKDOCS_CONFIG_FILES.map((f) => path.join(dir, f)).find(isFile)
}

/** The sphinx conf.py in `dir` itself or in its conventional folders. */
export function findSphinxConfig(dir: string): string | undefined {
  return ['.', ...SPHINX_CONF_DIRS].map((d) => path.join(dir, d, 'conf.py')).find(isFile)
}

/**
 * The documentation project: `config` when given; else in `docs-dir` (the working directory
 * by default) a mkdocs.yml first, then a sphinx conf.py, of the tool asked for (`auto`: either).
 * Undefined when there is none and `tool` is auto; a UserError when the tool was named.
 */
export function detectDocs(root: string, inputs: Pick<DocsInputs, 'tool' | 'docsDir' | 'config'>): DocsProject | undefined {
  if (inputs.config) {
    const why = `${rel(root, inputs.config.file)} (input 'config')`
    return inputs.config.tool === 'mkdocs' ? mkdocsProject(inputs.config.file, why) : sphinxProject(inputs.config.file, why)
  }
  const where = rel(root, inputs.docsDir)
  const place = where === '.' ? 'the working directory' : where
  if (inputs.tool !== 'sphinx') {
    const mk = findMkdocsConfig(inputs.docsDir)
    if (mk) return mkdocsProject(mk, `${rel(root, mk)} found${inputs.tool === 'auto' ? '' : ' (tool: mkdocs)'}`)
  }
  if (inputs.tool !== 'mkdocs') {
    const conf = findSphinxConfig(inputs.docsDir)
    if (conf) return sphinxProject(conf, `sphinx's ${rel(root, conf)} found${inputs.tool === 'auto' ? '' : ' (tool: sphinx)'}`)
  }
  if (inputs.tool === 'auto') return undefined
  const looked =
    inputs.tool === 'mkdocs'
      ? `no ${MKDOCS_CONFIG_FILES.join(' or ')} in ${place}`
      : `no conf.py in ${['.', ...SPHINX_CONF_DIRS].map((d) => toPosix(path.join(where, d))).join(', ')}`
  throw new UserError(
    `Input 'tool' is ${inputs.tool}, but there is ${looked}. Set 'docs-dir' to the folder that holds the documentation project, ` +
      `or 'config' to its ${inputs.tool === 'mkdocs' ? 'mkdocs.yml' : 'conf.py'}, or use tool: auto to pass when a repository has no docs.`
  )
}
