/** Throwaway git repositories built from fixture trees, for tests that need real git. */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'workspaces')

const IDENTITY = ['-c', 'user.email=tests@example.com', '-c', 'user.name=Unit Tests', '-c', 'commit.gpgsign=false']

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' }
  })
}

/** A temp dir that is a git repo holding a copy of a fixture, with one commit. */
export function repoFromFixture(fixture: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-git-'))
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true })
  git(dir, 'init', '-q', '-b', 'main')
  commitAll(dir, 'initial')
  return dir
}

export function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '--allow-empty', '-m', message)
}

export function writeFile(dir: string, rel: string, text: string): void {
  const file = path.join(dir, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}
