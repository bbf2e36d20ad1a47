/**
 * Portable paths and executable lookup. Users run on Linux, macOS and Windows runners, so
 * anything that depends on the platform takes it as a parameter and is tested for all three.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

export type Platform = NodeJS.Platform

/** A folder's entries, or none when it cannot be read (gone, not a folder, no permission). */
export function dirEntries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

export function toPosix(p: string): string {
  return p.replace(/\\/g, '/')
}

/** Directory of a venv's executables: `Scripts` on Windows, `bin` elsewhere. */
export function venvBinDir(venv: string, platform: Platform = process.platform): string {
  return platform === 'win32' ? path.win32.join(venv, 'Scripts') : path.posix.join(venv, 'bin')
}

/** The python executable inside a venv. */
export function venvPython(venv: string, platform: Platform = process.platform): string {
  return platform === 'win32'
    ? path.win32.join(venvBinDir(venv, platform), 'python.exe')
    : path.posix.join(venvBinDir(venv, platform), 'python')
}

/** Names an executable may have on disk: PATHEXT variants on Windows. */
export function executableNames(name: string, platform: Platform = process.platform, pathext = process.env.PATHEXT): string[] {
  if (platform !== 'win32') return [name]
  const exts = (pathext || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)
  if (exts.some((e) => name.toLowerCase().endsWith(e.toLowerCase()))) return [name]
  return [name, ...exts.map((e) => name + e.toLowerCase())]
}

export function pathEntries(pathValue: string | undefined, platform: Platform = process.platform): string[] {
  return (pathValue ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean)
}

export interface LookupOptions {
  platform?: Platform
  pathValue?: string
  pathext?: string
  exists?: (file: string) => boolean
}

function isExecutableFile(file: string): boolean {
  try {
    const st = fs.statSync(file)
    if (!st.isFile()) return false
    if (process.platform === 'win32') return true
    fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Looks an executable up on PATH (or in given directories) the way the OS would. */
export function findExecutable(name: string, options: LookupOptions = {}): string | undefined {
  const platform = options.platform ?? process.platform
  const exists = options.exists ?? isExecutableFile
  const join = platform === 'win32' ? path.win32.join : path.posix.join
  const names = executableNames(name, platform, options.pathext)
  if (name.includes('/') || (platform === 'win32' && name.includes('\\'))) {
    return names.find((n) => exists(n))
  }
  for (const dir of pathEntries(options.pathValue ?? process.env.PATH, platform)) {
    for (const n of names) {
      const candidate = join(dir, n)
      if (exists(candidate)) return candidate
    }
  }
  return undefined
}

/** PATH with `dir` first, in the platform's separator. */
export function prependPath(dir: string, pathValue: string | undefined, platform: Platform = process.platform): string {
  const sep = platform === 'win32' ? ';' : ':'
  return pathValue ? `${dir}${sep}${pathValue}` : dir
}

/** The deepest directory holding every one of `dirs` (an artifact's root). */
export function commonRoot(dirs: string[]): string {
  const split = dirs.map((d) => path.resolve(d).split(path.sep))
  const first = split[0] ?? []
  let n = first.length
  for (const parts of split) {
    let i = 0
    while (i < n && parts[i] === first[i]) i++
    n = i
  }
  return first.slice(0, n).join(path.sep) || path.sep
}
