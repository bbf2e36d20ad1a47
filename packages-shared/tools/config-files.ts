/** Which tool configuration a directory carries (so a package can be checked with its own). */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse as parseToml } from 'smol-toml'
import type { PythonPackage } from '../workspace.js'

export function hasToolTable(pkg: PythonPackage, ...keys: string[]): boolean {
  let t: unknown = pkg.pyproject.tool
  for (const k of keys) {
    if (t === null || typeof t !== 'object') return false
    t = (t as Record<string, unknown>)[k]
  }
  return t !== undefined
}

export function hasFile(pkg: PythonPackage, ...names: string[]): boolean {
  return pkg.relDir !== '.' && names.some((n) => fs.existsSync(path.join(pkg.dir, n)))
}

/** A section in the package's setup.cfg or tox.ini, e.g. `[flake8]`. */
export function hasIniSection(pkg: PythonPackage, section: string, files = ['setup.cfg', 'tox.ini']): boolean {
  if (pkg.relDir === '.') return false
  return files.some((f) => {
    try {
      return new RegExp(`^\\[${section.replace(/[.[\]]/g, '\\$&')}\\]`, 'm').test(fs.readFileSync(path.join(pkg.dir, f), 'utf8'))
    } catch {
      return false
    }
  })
}

/** Where a tool reads its configuration: its pyproject.toml table and its own files (read whole). */
export interface ToolConfig {
  /** Path of its table in pyproject.toml, e.g. ['tool', 'mypy']. */
  table?: readonly string[]
  files: readonly string[]
}

function tableOf(file: string, keys: readonly string[]): unknown {
  let t: unknown
  try {
    t = parseToml(fs.readFileSync(file, 'utf8'))
  } catch {
    // Unreadable or not TOML: the file's text stands for it.
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined
  }
  for (const k of keys) {
    if (t === null || typeof t !== 'object') return undefined
    t = (t as Record<string, unknown>)[k]
  }
  return t
}

/**
 * The tool's configuration in a folder as one text: its pyproject.toml table (not the whole
 * file, which changes with every version bump) and its own files; '' when there is none.
 */
export function toolConfigText(dir: string, config: ToolConfig): string {
  const parts: string[] = []
  if (config.table) {
    const table = tableOf(path.join(dir, 'pyproject.toml'), config.table)
    if (table !== undefined) parts.push(`pyproject.toml:${config.table.join('.')}=${JSON.stringify(table)}`)
  }
  for (const name of config.files) {
    const file = path.join(dir, name)
    if (fs.existsSync(file) && fs.statSync(file).isFile()) parts.push(`${name}=${fs.readFileSync(file, 'utf8')}`)
  }
  return parts.join('\n')
}
