/**
 * The repository's files as git sees them: tracked ones plus untracked files that are not
 * ignored (`git ls-files --cached --others --exclude-standard`). Outside git, a plain walk
 * that honours every `.gitignore` on the way down. Symlinked folders are never followed, so
 * the listing stays inside the root.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import ignoreModule, { type Ignore } from 'ignore'
import { dirEntries, toPosix } from '../paths.js'

// `ignore` is CommonJS: its function is module.exports, with `.default` pointing at itself.
const ignore = (ignoreModule as unknown as { default: () => Ignore }).default

/** Folders never worth reading, whatever .gitignore says: VCS data, environments, caches. */
const NEVER = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '__pycache__',
  '.mypy_cache',
  '.ruff_cache',
  '.pytest_cache'
])

function gitFiles(root: string): string[] | undefined {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }
  })
  if (r.error || r.status !== 0) return undefined
  const files = r.stdout.split('\0').filter((f) => f !== '')
  // A root git ignores entirely (a scratch copy inside another checkout) lists nothing: walk it.
  return files.length > 0 ? files.map(toPosix) : undefined
}

function walkFiles(root: string): string[] {
  const out: string[] = []
  const visit = (rel: string, rules: { base: string; ig: Ignore }[]): void => {
    const dir = path.join(root, rel)
    const entries = dirEntries(dir)
    let here = rules
    const gitignore = path.join(dir, '.gitignore')
    if (fs.existsSync(gitignore)) {
      try {
        here = [...rules, { base: rel, ig: ignore().add(fs.readFileSync(gitignore, 'utf8')) }]
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    const ignored = (child: string, isDir: boolean): boolean =>
      here.some(({ base, ig }) => {
        const relToBase = base === '' ? child : child.slice(base.length + 1)
        return ig.ignores(isDir ? `${relToBase}/` : relToBase)
      })
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`
      if (e.isDirectory()) {
        if (NEVER.has(e.name) || ignored(child, true)) continue
        visit(child, here)
      } else if ((e.isFile() || e.isSymbolicLink()) && !ignored(child, false)) {
        out.push(child)
      }
    }
  }
  visit('', [])
  return out
}

/** Every file of the repository below `root`, relative to it, posix separators. */
export function repositoryFiles(root: string): string[] {
  const listed = gitFiles(root)
  if (listed === undefined) return walkFiles(root).sort()
  return listed.filter((f) => !f.split('/').some((s) => NEVER.has(s))).sort()
}
