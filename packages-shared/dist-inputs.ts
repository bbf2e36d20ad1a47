/**
 * The dists an action is given: the `dists` input (the JSON output of build-packages) or
 * the `dist-dir` input (a directory of wheels and sdists), and the dist files under a
 * directory. publish-pypi uploads them; release attaches them to the GitHub Release.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CommonInputs } from './context.js'
import { UserError } from './errors.js'
import { invalidInput, workspaceOrTempPath, type InputReader } from './inputs.js'

/** One file named by the `dists` input, with what build-packages knew about it. */
export interface GivenDist {
  path: string
  package?: string
  version?: string
  sha256?: string
}

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function paths(v: unknown): string[] {
  if (typeof v === 'string' && v.trim()) return [v.trim()]
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
  return []
}

/** Where a given dist may live: the workspace, or the runner's temp dir (downloaded artifacts). */
export function resolveDistPath(name: string, raw: string, common: CommonInputs, temp: string): string {
  return workspaceOrTempPath(name, raw, common.workingDirectory, { workspace: common.workspace, temp }, 'dists')
}

/**
 * The `dists` input: a JSON list of objects with `wheel` and/or `sdist` (a path or a list
 * of paths), optional `package`, `version` and `sha256` (a string when the entry has one
 * file, else an object keyed by `wheel`/`sdist` or by file name). Plain strings are paths.
 */
export function parseDists(raw: string, common: CommonInputs, temp: string): GivenDist[] {
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    throw invalidInput(
      'dists',
      raw,
      'expected a JSON list such as [{"package":"x","version":"1.0","wheel":"dist/x-1.0-py3-none-any.whl","sdist":"dist/x-1.0.tar.gz"}] (the dists output of build-packages)'
    )
  }
  const list = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.dists) ? (data.dists as unknown[]) : undefined
  if (!list) throw invalidInput('dists', raw, 'expected a JSON list of {package, version, wheel, sdist, sha256} objects')
  const out: GivenDist[] = []
  for (const item of list) {
    if (typeof item === 'string') {
      out.push({ path: resolveDistPath('dists', item, common, temp) })
      continue
    }
    if (!isObject(item)) throw invalidInput('dists', JSON.stringify(item), 'each entry must be an object with wheel and/or sdist paths')
    const pkg = typeof item.package === 'string' ? item.package : typeof item.name === 'string' ? item.name : undefined
    const version = typeof item.version === 'string' ? item.version : undefined
    const files: { role: string; path: string }[] = [
      ...paths(item.wheel).map((p) => ({ role: 'wheel', path: p })),
      ...paths(item.wheels).map((p) => ({ role: 'wheel', path: p })),
      ...paths(item.sdist).map((p) => ({ role: 'sdist', path: p })),
      ...paths(item.files).map((p) => ({ role: p.endsWith('.whl') ? 'wheel' : 'sdist', path: p }))
    ]
    if (files.length === 0) throw invalidInput('dists', JSON.stringify(item), 'the entry names no wheel or sdist path')
    for (const f of files) {
      let sha256: string | undefined
      if (typeof item.sha256 === 'string' && files.length === 1) sha256 = item.sha256
      else if (isObject(item.sha256)) {
        const byName = item.sha256[path.basename(f.path)] ?? item.sha256[f.path]
        const byRole = f.role === 'wheel' && paths(item.wheel).length + paths(item.wheels).length > 1 ? undefined : item.sha256[f.role]
        const v = byName ?? byRole
        if (typeof v === 'string') sha256 = v
      }
      out.push({ path: resolveDistPath('dists', f.path, common, temp), package: pkg, version, sha256: sha256?.toLowerCase() })
    }
  }
  if (out.length === 0) throw invalidInput('dists', raw, 'the list is empty; nothing to publish')
  return out
}

/** `dists` or `dist-dir` (never both); each undefined when not given. */
export function parseDistInputs(reader: InputReader, common: CommonInputs, temp: string): { dists?: GivenDist[]; distDir?: string } {
  const distsRaw = reader.raw('dists').trim()
  const dirRaw = reader.raw('dist-dir').trim()
  if (distsRaw && dirRaw) {
    throw new UserError(
      "Inputs 'dists' and 'dist-dir' are both set: give one of them (dists: the JSON output of build-packages; dist-dir: a directory of .whl and .tar.gz files)."
    )
  }
  const dists = distsRaw && distsRaw !== '[]' ? parseDists(distsRaw, common, temp) : undefined
  const distDir = dirRaw ? resolveDistPath('dist-dir', dirRaw, common, temp) : undefined
  return { ...(dists ? { dists } : {}), ...(distDir ? { distDir } : {}) }
}

function isDist(name: string): boolean {
  return name.endsWith('.whl') || name.endsWith('.tar.gz')
}

/** Dist files under a directory, per-package subdirectories included (a few levels). */
export function findDists(dir: string, depth = 3): string[] {
  const out: string[] = []
  let entries: fs.Dirent[] = []
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return out
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue
    const full = path.join(dir, e.name)
    if (e.isFile() && isDist(e.name)) out.push(full)
    else if (e.isDirectory() && depth > 0 && !['node_modules', '__pycache__'].includes(e.name)) out.push(...findDists(full, depth - 1))
  }
  return out
}
