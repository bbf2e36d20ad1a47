/**
 * `packages: changed`: the files changed since a base ref (real git), mapped to packages.
 * A change inside a package selects it and everything that depends on it; a change to
 * shared configuration selects every package.
 */
import { packageOwner } from './package-owner.js'
import { UserError } from './errors.js'
import type { Exec } from './exec.js'
import type { Workspace } from './workspace.js'

/** Root-level files whose change can alter every package's result. */
const SHARED_CONFIG = [
  /^pyproject\.toml$/,
  /^setup\.cfg$/,
  /^setup\.py$/,
  /^tox\.ini$/,
  /^\.flake8$/,
  /^\.pylintrc$/,
  /^pylintrc$/,
  /^mypy\.ini$/,
  /^\.mypy\.ini$/,
  /^ruff\.toml$/,
  /^\.ruff\.toml$/,
  /^\.isort\.cfg$/,
  /^\.bandit$/,
  /^pytest\.ini$/,
  /^conftest\.py$/,
  /^\.coveragerc$/,
  /^poetry\.lock$/,
  /^uv\.lock$/,
  /^pdm\.lock$/,
  /^requirements[^/]*\.txt$/,
  /^constraints[^/]*\.txt$/,
  /^\.python-version$/
]

export interface ChangeSelection {
  base: string
  files: string[]
  /** Packages whose files changed. */
  direct: string[]
  /** Direct ones plus every package depending on them (or all, on a shared change). */
  selected: string[]
  /** The shared configuration file that selected everything, if any. */
  sharedChange?: string
}

async function git(exec: Exec, cwd: string, args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await exec({ argv: ['git', ...args], cwd })
  return { ok: r.exitCode === 0, out: r.stdout, err: (r.spawnError ?? '') + r.stderr }
}

/**
 * The default base: the pull request's base branch, else the commit before the push
 * (`before` in the event), else HEAD~1.
 */
export function defaultBaseRef(env: Readonly<Record<string, string | undefined>>, eventBefore?: string): string {
  if (env.GITHUB_BASE_REF) return `origin/${env.GITHUB_BASE_REF}`
  if (eventBefore && !/^0+$/.test(eventBefore)) return eventBefore
  return 'HEAD~1'
}

export async function changedFiles(repoDir: string, baseRef: string, exec: Exec): Promise<{ base: string; files: string[] }> {
  const top = await git(exec, repoDir, ['rev-parse', '--show-toplevel'])
  if (!top.ok) {
    throw new UserError(
      `'packages: changed' needs a git checkout, but ${repoDir} is not one. Use 'packages: all' or check out the repository.`
    )
  }
  const head = await git(exec, repoDir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])
  if (!head.ok) {
    throw new UserError(
      `'packages: changed' compares commits, but the repository at ${repoDir} has no commit yet. ` + "Commit first, or use 'packages: all'."
    )
  }
  const resolved = await git(exec, repoDir, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`])
  if (!resolved.ok) {
    // A shallow clone (actions/checkout's default depth of 1) lacks the base more often than not.
    const shallow = await git(exec, repoDir, ['rev-parse', '--is-shallow-repository'])
    throw new UserError(
      shallow.ok && shallow.out.trim() === 'true'
        ? `The base ref '${baseRef}' for 'packages: changed' is missing from this shallow clone. ` +
            `Fetch the base (git fetch origin ${baseRef.replace(/^origin\//, '')}), or check out with actions/checkout 'fetch-depth: 0'.`
        : `The base ref '${baseRef}' for 'packages: changed' is not in this clone. ` +
            "Fetch the history it needs (actions/checkout with 'fetch-depth: 0'), or set 'base-ref' to a commit that exists."
    )
  }
  // Compare with the merge base, as a pull request does, so the base branch moving on
  // does not count as a change here.
  const mergeBase = await git(exec, repoDir, ['merge-base', resolved.out.trim(), 'HEAD'])
  const base = mergeBase.ok ? mergeBase.out.trim() : resolved.out.trim()
  // Committed changes since the base plus what is changed in the work tree (local runs).
  // Both commands print paths relative to repoDir and only below it.
  const diff = await git(exec, repoDir, ['diff', '--name-only', '--no-renames', '--relative', '-z', base])
  const untracked = await git(exec, repoDir, ['ls-files', '--others', '--exclude-standard', '-z'])
  if (!diff.ok) throw new UserError(`git diff against '${baseRef}' failed: ${diff.err.trim()}`)
  const files = [...diff.out.split('\0'), ...untracked.out.split('\0')].filter(Boolean)
  return { base, files: [...new Set(files)].sort() }
}

export function selectByFiles(ws: Workspace, files: string[]): Omit<ChangeSelection, 'base' | 'files'> {
  const sharedChange = files.find((f) => SHARED_CONFIG.some((re) => re.test(f)))
  // The deepest package folder holding a file owns it, so a nested package wins over its parent.
  const ownerOf = packageOwner(ws.packages)
  const direct = new Set<string>()
  for (const file of files) {
    const owner = ownerOf(file)
    if (owner) direct.add(owner)
  }
  if (sharedChange) {
    return { direct: [...direct].sort(), selected: ws.packages.map((p) => p.id), sharedChange }
  }
  const selected = new Set([...direct, ...ws.graph.dependentsOf(direct)])
  return {
    direct: [...direct].sort(),
    selected: ws.packages.map((p) => p.id).filter((id) => selected.has(id))
  }
}

export async function detectChanges(ws: Workspace, baseRef: string, exec: Exec): Promise<ChangeSelection> {
  const { base, files } = await changedFiles(ws.root, baseRef, exec)
  return { base, files, ...selectByFiles(ws, files) }
}
