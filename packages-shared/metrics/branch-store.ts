/**
 * The history kept as a file on a branch of the repository (`metrics-branch`), committed with
 * git's plumbing so that the checkout's working tree, index and HEAD are never touched: the
 * branch is fetched into a private ref, the file read from it, a blob written
 * (`hash-object`), a tree made from the branch's tree with the file replaced (`ls-tree`,
 * `mktree`), a commit made on top of the branch (`commit-tree`) and pushed as a fast-forward.
 * When another run pushed meanwhile the push is refused; the branch is fetched again and the
 * record appended to what it holds now, up to three times. The first save makes the branch,
 * a commit without parents holding only the file.
 *
 * The push uses the checkout's credentials (actions/checkout keeps them unless told not to),
 * so the job needs `permissions: contents: write`.
 */
import { childEnv } from '../child-env.js'
import type { CommandResult, Exec } from '../exec.js'
import type { HistoryStore } from './store.js'

type Env = Readonly<Record<string, string | undefined>>

export interface BranchStoreOptions {
  exec: Exec
  /** The step's environment; git gets the allow-listed part of it (child-env.ts). */
  env: Env
  /** A folder of the checkout. */
  dir: string
  remote?: string
  branch: string
  /** The history's file name on the branch (`<series stem>.json`). */
  file: string
  /** The commit message. */
  message: string
  attempts?: number
}

const PRIVATE_REF = 'refs/dk-actions/metrics-history'
const IDENTITY = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' }

/** A URL without the credentials it may carry (a remote added as https://user:token@host/...). */
const withoutCredentials = (text: string): string => text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')

/** A git failure, in one line: the command and the last lines git said, with no credentials. */
class GitError extends Error {
  constructor(args: readonly string[], r: CommandResult) {
    const said = (r.spawnError ?? r.stderr).trim().split('\n').slice(-2).join(' ') || `exit ${r.exitCode}`
    super(withoutCredentials(`git ${args.join(' ')} failed: ${said}`))
  }
}

export function branchStore(options: BranchStoreOptions): HistoryStore {
  const remote = options.remote ?? 'origin'
  const { branch, file } = options
  const env = {
    ...childEnv(options.env),
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: IDENTITY.name,
    GIT_AUTHOR_EMAIL: IDENTITY.email,
    GIT_COMMITTER_NAME: IDENTITY.name,
    GIT_COMMITTER_EMAIL: IDENTITY.email
  }
  const run = (args: string[], stdin?: string): Promise<CommandResult> =>
    options.exec({ argv: ['git', ...args], cwd: options.dir, env, timeoutMs: 120_000, ...(stdin !== undefined ? { stdin } : {}) })
  const git = async (args: string[], stdin?: string): Promise<string> => {
    const r = await run(args, stdin)
    if (r.exitCode !== 0) throw new GitError(args, r)
    return r.stdout
  }

  /**
   * The remote's URL: git is given it rather than the remote's name, so that neither the fetch
   * nor the push updates the checkout's remote-tracking refs (the checkout's credentials, kept
   * per URL, apply the same).
   */
  let url: string | undefined
  const remoteUrl = async (): Promise<string> => {
    if (url) return url
    if ((await run(['rev-parse', '--git-dir'])).exitCode !== 0) throw new Error(`${options.dir} is not a git checkout`)
    const r = await run(['remote', 'get-url', '--push', remote])
    if (r.exitCode !== 0) throw new Error(`the checkout has no remote ${remote} to keep the history on`)
    return (url = r.stdout.trim())
  }

  /** The branch's head fetched into the private ref, or undefined when the remote has no such branch yet. */
  const fetchTip = async (): Promise<string | undefined> => {
    const ls = ['ls-remote', '--exit-code', await remoteUrl(), `refs/heads/${branch}`]
    const r = await run(ls)
    // --exit-code: 2 is "no such ref", anything else but 0 a failure (no remote, no access).
    if (r.exitCode === 2) return undefined
    if (r.exitCode !== 0) throw new GitError(ls, r)
    // Not shallow: a shallow fetch would make the user's clone shallow, which later steps may refuse.
    await git(['fetch', '--no-tags', '--quiet', '--no-write-fetch-head', await remoteUrl(), `+refs/heads/${branch}:${PRIVATE_REF}`])
    return (await git(['rev-parse', '--verify', `${PRIVATE_REF}^{commit}`])).trim()
  }

  const readFile = async (tip: string | undefined): Promise<string | undefined> => {
    if (!tip) return undefined
    if ((await run(['cat-file', '-e', `${tip}:${file}`])).exitCode !== 0) return undefined
    return git(['cat-file', 'blob', `${tip}:${file}`])
  }

  /** A commit of `text` as the file, on top of `tip` (the branch's other files kept), or a first commit. */
  const commit = async (tip: string | undefined, text: string): Promise<string> => {
    const blob = (await git(['hash-object', '-w', '--stdin'], text)).trim()
    const others = tip
      ? (await git(['ls-tree', '-z', tip])).split('\0').filter((e) => e !== '' && e.slice(e.indexOf('\t') + 1) !== file)
      : []
    const tree = (await git(['mktree', '-z'], [...others, `100644 blob ${blob}\t${file}`].map((e) => `${e}\0`).join(''))).trim()
    return (await git(['commit-tree', tree, ...(tip ? ['-p', tip] : []), '-m', options.message])).trim()
  }

  let tip: string | undefined
  return {
    kind: 'branch',
    where: `the ${file} file on branch ${branch}`,
    async load() {
      try {
        tip = await fetchTip()
        const text = await readFile(tip)
        const source = tip ? `${file} on branch ${branch} (${tip.slice(0, 12)})` : `branch ${branch} (not there yet)`
        return { ...(text !== undefined ? { text } : {}), source: text === undefined && tip ? `${source}, no history file yet` : source }
      } finally {
        await run(['update-ref', '-d', PRIVATE_REF])
      }
    },
    async save(next) {
      const attempts = options.attempts ?? 3
      try {
        for (let attempt = 1; ; attempt++) {
          const latest = attempt === 1 ? await readFile(tip) : await readFile((tip = await fetchTip()))
          const sha = await commit(tip, next(latest))
          const args = ['push', '--porcelain', await remoteUrl(), `${sha}:refs/heads/${branch}`]
          const r = await run(args)
          if (r.exitCode === 0) return { saved: true, detail: `committed to branch ${branch} (${sha.slice(0, 12)})` }
          // `[rejected]`: the branch moved on (another run pushed); a `[remote rejected]` is a refusal (protection, permissions).
          const movedOn = /^!\t.*\t\[rejected\]/m.test(r.stdout)
          if (!movedOn) throw new GitError(args, r)
          if (attempt >= attempts) return { saved: false, detail: `branch ${branch} kept moving on: ${attempts} pushes were refused` }
        }
      } finally {
        await run(['update-ref', '-d', PRIVATE_REF])
      }
    }
  }
}
