/**
 * Where each backend keeps a package's version, and the edit that writes a new one there:
 * `[project] version`, `[tool.poetry] version`, the file hatch's `path` or setuptools' `attr`
 * reads. A version the VCS gives (hatch-vcs, setuptools-scm, poetry-dynamic-versioning) is
 * left alone: the tag is the version.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UserError } from '../../packages-shared/errors.js'
import { toPosix } from '../../packages-shared/paths.js'
import { readVersion, dig, strings, table } from '../../packages-shared/workspace/read.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { replaceTomlString, TomlEditError } from './toml-edit.js'

export type VersionLocation =
  { kind: 'pyproject'; file: string; table: string[]; key: 'version' } | { kind: 'file'; file: string } | { kind: 'vcs' }

/** The candidates setuptools' `attr = "pkg.__version__"` and hatch's `path` point at. */
function versionFileCandidates(dir: string, data: Record<string, unknown>): string[] {
  const out: string[] = []
  const hatch = table(dig(data, 'tool', 'hatch', 'version'))
  if (typeof hatch.path === 'string' && hatch.source === undefined) out.push(path.join(dir, hatch.path))
  const attr = dig(data, 'tool', 'setuptools', 'dynamic', 'version', 'attr')
  if (typeof attr === 'string' && attr.endsWith('__version__')) {
    const mod = attr.split('.').slice(0, -1).join('/')
    for (const base of [dir, path.join(dir, 'src')]) out.push(path.join(base, `${mod}.py`), path.join(base, mod, '__init__.py'))
  }
  return out.filter((f) => fs.existsSync(f))
}

export function versionLocation(pkg: PythonPackage): VersionLocation {
  const data = pkg.pyproject
  const file = path.join(pkg.dir, 'pyproject.toml')
  const project = table(data.project)
  if (typeof project.version === 'string') return { kind: 'pyproject', file, table: ['project'], key: 'version' }
  const dynamic = strings(project.dynamic).includes('version')
  if (typeof dig(data, 'tool', 'poetry', 'version') === 'string' && (!dynamic || data.project === undefined)) {
    return { kind: 'pyproject', file, table: ['tool', 'poetry'], key: 'version' }
  }
  if (readVersion(pkg.dir, data) !== undefined) {
    const found = versionFileCandidates(pkg.dir, data)
    if (found[0]) return { kind: 'file', file: found[0] }
  }
  return { kind: 'vcs' }
}

const VERSION_LINE = /^([ \t]*(?:__version__|VERSION)[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*)(['"])v?([^'"\r\n]+)\2/m

/** The file's text with the version written in; throws a UserError that says where and why it could not be. */
export function writeVersionText(location: VersionLocation, text: string, oldVersion: string, newVersion: string, root: string): string {
  const where = toPosix(path.relative(root, location.kind === 'vcs' ? root : location.file))
  if (location.kind === 'pyproject') {
    try {
      return replaceTomlString(text, location.table, location.key, oldVersion, newVersion)
    } catch (error) {
      if (!(error instanceof TomlEditError)) throw error
      throw new UserError(
        `The version of ${where} cannot be written: ${error.message}. Write it as \`version = "${oldVersion}"\` under [${location.table.join('.')}].`
      )
    }
  }
  if (location.kind === 'file') {
    const m = VERSION_LINE.exec(text)
    if (!m || m[3] !== oldVersion) {
      throw new UserError(
        `The version in ${where} is not a line \`__version__ = "${oldVersion}"\`, so dk-actions cannot write ${newVersion} there: write it that way.`
      )
    }
    return text.slice(0, m.index) + m[1] + m[2] + newVersion + m[2] + text.slice(m.index + m[0].length)
  }
  return text
}
