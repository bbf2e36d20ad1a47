/** What release reads and does in the world: each package's history, and the push. */
import { UserError } from '../../packages-shared/errors.js'
import type { Exec } from '../../packages-shared/exec.js'
import { childEnv } from '../../packages-shared/child-env.js'
import type { RunnerIO } from '../../packages-shared/io.js'
import { basicAuthorization } from '../../packages-shared/secrets.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { dig, readVersion } from '../../packages-shared/workspace/read.js'
import { parseConventional, type ConventionalCommit } from './conventional.js'
import { commitsSince, git, packagePathspec, reachableTags, relativeToTop } from './history.js'
import type { PackageHistory } from './plan.js'
import { requirementSites } from './requirement-sites.js'
import { lastTag } from '../../packages-shared/release-tags.js'
import type { ReleaseInputs } from './inputs.js'

export interface Histories {
  top: string
  histories: PackageHistory[]
  lockstepTag?: { tag: string; version: string }
}

/** The repository's commitizen setting, when it has one (`[tool.commitizen] major_version_zero`). */
export function commitizenMajorVersionZero(ws: Workspace): boolean | undefined {
  const value = dig(ws.rootPyproject ?? {}, 'tool', 'commitizen', 'major_version_zero')
  return typeof value === 'boolean' ? value : undefined
}

export async function readHistories(
  exec: Exec,
  top: string,
  ws: Workspace,
  candidates: readonly PythonPackage[],
  named: boolean,
  inputs: Pick<ReleaseInputs, 'tagFormat' | 'versioning'>
): Promise<Histories> {
  const tags = await reachableTags(exec, top)
  const dirs = ws.packages.map((p) => relativeToTop(top, p.dir))
  const ids = new Set(ws.packages.map((p) => p.id))
  const lockstepTag = inputs.versioning === 'lockstep' ? lastTag(inputs.tagFormat, '', tags) : undefined
  const histories: PackageHistory[] = []
  for (const pkg of candidates) {
    const own = inputs.versioning === 'lockstep' ? lockstepTag : lastTag(inputs.tagFormat, pkg.name, tags)
    const spec = packagePathspec(relativeToTop(top, pkg.dir), dirs)
    const raw = await commitsSince(exec, top, own?.tag, spec)
    const commits = raw.map(parseConventional).filter((c): c is ConventionalCommit => c !== undefined)
    // The version as the files state it; a VCS version (only the build knows it) is undefined.
    const version = pkg.pyproject && Object.keys(pkg.pyproject).length ? readVersion(pkg.dir, pkg.pyproject) : pkg.version
    histories.push({
      pkg,
      ...(version ? { version } : {}),
      ...(own ? { lastTag: own } : {}),
      commits,
      otherCommits: raw.length - commits.length,
      sites: requirementSites(pkg.pyproject ?? {}, ids),
      named
    })
  }
  return { top, histories, ...(lockstepTag ? { lockstepTag } : {}) }
}

/** The branch HEAD is on; a detached HEAD (a tag checkout) cannot be pushed to. */
async function currentBranch(exec: Exec, top: string): Promise<string> {
  const r = await exec({ argv: ['git', 'symbolic-ref', '--quiet', '--short', 'HEAD'], cwd: top })
  if (r.exitCode !== 0) {
    throw new UserError(
      "push: true needs a branch to push the release commit to, but HEAD is detached (a tag or SHA checkout). Check out the branch (actions/checkout's 'ref'), or push by hand."
    )
  }
  return r.stdout.trim()
}

/**
 * git's environment for talking to `url`: with a token and an HTTPS remote, the
 * credentials travel in git's environment (GIT_CONFIG_*), never on the command line.
 */
export function remoteEnv(io: RunnerIO, url: string, token: string): Record<string, string> {
  const env: Record<string, string> = { ...childEnv(io.env, { purpose: 'install' }) }
  if (token && /^https:\/\//i.test(url)) {
    const origin = new URL(url).origin
    // actions/checkout keeps its own header under the same key, and two Authorization headers
    // are refused (400): an empty value first resets the list (git's http.extraHeader rule).
    Object.assign(env, {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: `http.${origin}/.extraheader`,
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: `http.${origin}/.extraheader`,
      GIT_CONFIG_VALUE_1: `AUTHORIZATION: ${basicAuthorization('x-access-token', token)}`
    })
  }
  return env
}

/**
 * Pushes the release commit and its tags in one atomic push, so a rejected branch leaves no
 * tag behind. With a token and an HTTPS remote the credentials travel in git's environment
 * (GIT_CONFIG_*), never on the command line.
 */
export async function pushRelease(
  exec: Exec,
  io: RunnerIO,
  top: string,
  remote: string,
  tags: readonly string[],
  token: string
): Promise<string> {
  const branch = await currentBranch(exec, top)
  const url = (await git(exec, top, ['remote', 'get-url', remote])).trim()
  const env = remoteEnv(io, url, token)
  const refs = [`HEAD:refs/heads/${branch}`, ...tags.map((t) => `refs/tags/${t}`)]
  const r = await exec({ argv: ['git', 'push', '--atomic', '--porcelain', remote, ...refs], cwd: top, env })
  if (r.exitCode !== 0) {
    throw new UserError(
      `git push to ${remote} (${branch} and ${tags.length} tag(s)) was refused: ${(r.spawnError ?? r.stderr).trim().split('\n').slice(-3).join(' ')}. ` +
        'The job needs `permissions: contents: write` and a checkout that keeps its credentials (or the `token` input); ' +
        'if the branch moved on meanwhile, run the release again on the new head.'
    )
  }
  return branch
}
