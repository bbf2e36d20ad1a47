/**
 * The example monorepo as a consumer's repository under act: one workflow copied in, git
 * history to compare against, and a job's result read from act's output.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO } from '../integration/harness.js'
import { runAct } from './act.js'

export const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd: dir })
    .toString()
    .trim()

/** The example monorepo as a consumer's repository with one workflow, two commits deep. */
export function consumerRepo(workflow: string): { dir: string; base: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-consumer-'))
  fs.cpSync(path.join(REPO, 'examples', 'monorepo'), dir, { recursive: true })
  fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true })
  fs.copyFileSync(path.join(REPO, 'examples', 'workflows', workflow), path.join(dir, '.github', 'workflows', workflow))
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'initial')
  return { dir, base: git(dir, 'rev-parse', 'HEAD') }
}

export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

/** A job's result; a matrix job's when every instance agrees (act names them `tests-1`, `tests (a, b)`...). */
export function job(run: { jobs: Record<string, string> }, name: string): string | undefined {
  const statuses = Object.entries(run.jobs)
    .filter(([k]) => k === name || k.startsWith(`${name}-`) || k.startsWith(`${name} `))
    .map(([, v]) => v)
  if (statuses.length === 0) return undefined
  return statuses.every((s) => s === statuses[0]) ? statuses[0] : 'mixed'
}

/** ci.yml on a push to main from `base` to `head`. */
export function pushTo(
  dir: string,
  base: string,
  head: string,
  standIns: string,
  options: { job?: string; cacheServerPath?: string } = {}
): ReturnType<typeof runAct> {
  return runAct({
    workspace: dir,
    workflow: '.github/workflows/ci.yml',
    event: 'push',
    eventPayload: { ref: 'refs/heads/main', before: base, after: head, repository: { default_branch: 'main' } },
    standIns,
    ...options
  })
}
