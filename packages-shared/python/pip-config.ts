/**
 * The pip configuration files pip itself reads, and what they set: where uv brought in
 * without pip must step aside for a setting only pip honours.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Platform } from '../paths.js'

type Env = Readonly<Record<string, string | undefined>>

/** Option names of a pip configuration file that change where packages come from, or how they are fetched. */
export const SOURCE_OPTIONS = ['index-url', 'extra-index-url', 'find-links', 'no-index', 'trusted-host', 'cert', 'client-cert']

/** The pip configuration files pip itself would read, per platform (global, user, site, PIP_CONFIG_FILE). */
export function pipConfigFiles(env: Env, platform: Platform = process.platform): string[] {
  const p = platform === 'win32' ? path.win32 : path.posix
  if (env.PIP_CONFIG_FILE === (platform === 'win32' ? 'nul' : '/dev/null')) return []
  const files: string[] = []
  const home = platform === 'win32' ? env.USERPROFILE || env.HOME : env.HOME
  if (platform === 'win32') {
    if (env.PROGRAMDATA) files.push(p.join(env.PROGRAMDATA, 'pip', 'pip.ini'))
    if (home) files.push(p.join(home, 'pip', 'pip.ini'))
    if (env.APPDATA) files.push(p.join(env.APPDATA, 'pip', 'pip.ini'))
  } else {
    for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean)) files.push(p.join(dir, 'pip', 'pip.conf'))
    files.push('/etc/pip.conf')
    if (platform === 'darwin') files.push('/Library/Application Support/pip/pip.conf')
    if (home) {
      files.push(p.join(home, '.pip', 'pip.conf'))
      if (platform === 'darwin') files.push(p.join(home, 'Library', 'Application Support', 'pip', 'pip.conf'))
      files.push(p.join(env.XDG_CONFIG_HOME || p.join(home, '.config'), 'pip', 'pip.conf'))
    }
  }
  if (env.VIRTUAL_ENV) files.push(p.join(env.VIRTUAL_ENV, platform === 'win32' ? 'pip.ini' : 'pip.conf'))
  if (env.PIP_CONFIG_FILE) files.push(env.PIP_CONFIG_FILE)
  return files
}

/** Which of `names` a pip configuration file sets in the sections pip install reads, in the file's order. */
export function pipConfigOptions(text: string, names: readonly string[]): string[] {
  const found: string[] = []
  let section = ''
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    const head = /^\[([^\]]+)\]$/.exec(line)
    if (head) {
      section = head[1]!.trim().toLowerCase()
      continue
    }
    const m = /^([A-Za-z_-]+)\s*[=:]/.exec(line)
    if (!m || (section !== 'global' && section !== 'install')) continue
    const key = m[1]!.toLowerCase().replace(/_/g, '-')
    if (names.includes(key) && !found.includes(key)) found.push(key)
  }
  return found
}

/** The source options a pip configuration file sets in the sections pip install reads. */
export function pipSourceOptions(text: string): string[] {
  return pipConfigOptions(text, SOURCE_OPTIONS)
}

/** A file's text, or undefined when it cannot be read (most of pip's files are absent). */
export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
