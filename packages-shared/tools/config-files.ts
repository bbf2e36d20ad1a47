/** Which tool configuration a directory carries (so a package can be checked with its own). */
import * as fs from 'node:fs'
import * as path from 'node:path'
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
