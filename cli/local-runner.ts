/**
 * Runs an action's dist bundle exactly as the runner does: INPUT_ variables named the
 * runner's way (upper-cased, spaces to `_`, dashes kept) with action.yml defaults applied,
 * the file commands (GITHUB_OUTPUT, _ENV, _STATE, _PATH, _STEP_SUMMARY) in a temp dir,
 * RUNNER_TEMP, the workspace as working directory. Used by the local command and by every
 * integration test, so both exercise what GitHub runs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { UserError } from '../packages-shared/errors.js'
import { CommandReader, runnerLines, type WorkflowCommand } from '../packages-shared/workflow-commands.js'

export interface ActionInputSpec {
  description?: string
  default?: string
  required?: boolean
}

export interface ActionManifest {
  name: string
  description?: string
  inputs: Record<string, ActionInputSpec>
  outputs: Record<string, { description?: string }>
  runs: { using: string; main?: string; steps?: unknown[] }
}

export function readManifest(file: string): ActionManifest {
  const data = parseYaml(fs.readFileSync(file, 'utf8')) as Partial<ActionManifest> | null
  if (!data || typeof data !== 'object' || !data.runs) throw new Error(`${file} is not an action manifest`)
  const inputs: Record<string, ActionInputSpec> = {}
  for (const [k, v] of Object.entries(data.inputs ?? {})) {
    const spec = (v ?? {}) as ActionInputSpec
    inputs[k] = { ...spec, default: spec.default === undefined ? undefined : String(spec.default) }
  }
  return { name: data.name ?? '', description: data.description, inputs, outputs: data.outputs ?? {}, runs: data.runs }
}

/** The variable name the runner gives an input. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export interface Annotation {
  severity: 'error' | 'warning' | 'notice' | 'debug'
  message: string
  props: Record<string, string>
}

export interface LocalRunOptions {
  /** Directory holding `action.yml` (e.g. `<repo>/run-quality`). */
  actionDir: string
  inputs?: Record<string, string>
  /** The workspace (GITHUB_WORKSPACE and the working directory). */
  workspace: string
  /** Extra environment on top of the host's. */
  env?: Record<string, string | undefined>
  node?: string
  /** RUNNER_TEMP; defaults to a fresh temp dir. Keep it across runs to keep tool caches. */
  runnerTemp?: string
  /** Called with each stdout/stderr chunk as it arrives (the local command streams them). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void
  timeoutMs?: number
  /** Called with the action's process once it started (a test that kills it mid-run). */
  onSpawn?: (child: ChildProcess) => void
}

export interface LocalRunResult {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  state: Record<string, string>
  exportedEnv: Record<string, string>
  summary: string
  annotations: Annotation[]
  masks: string[]
  /** Every workflow command the runner would obey in the step's output. */
  commands: ObeyedCommands['commands']
  runnerDir: string
}

/** Parses the runner's file-command format: `k=v` lines and `k<<DELIM` heredocs. */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (!line) continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, key, delim] = heredoc
      const value: string[] = []
      i++
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]!)
      out[key!] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

/** What a runner obeys in a step's output stream, honouring stop-commands blocks. */
export interface ObeyedCommands {
  annotations: Annotation[]
  masks: string[]
  /** `::set-output` and `::save-state` lines (dk-actions uses the files; these are obeyed too). */
  outputs: Record<string, string>
  state: Record<string, string>
  /** Every obeyed command, in order, with the stream it came from. */
  commands: (WorkflowCommand & { stream: 'stdout' | 'stderr' })[]
}

export function collectCommands(streams: { stdout: string; stderr: string }): ObeyedCommands {
  const found: ObeyedCommands = { annotations: [], masks: [], outputs: {}, state: {}, commands: [] }
  // The runner shares one stop state between both streams; their interleaving is lost here,
  // so each stream is read on its own (dk-actions writes no command to stderr).
  for (const stream of ['stdout', 'stderr'] as const) {
    const reader = new CommandReader()
    for (const line of runnerLines(streams[stream])) {
      const event = reader.read(line)
      if (event.kind !== 'command') continue
      const cmd = event.command
      found.commands.push({ ...cmd, stream })
      if (cmd.command === 'error' || cmd.command === 'warning' || cmd.command === 'notice' || cmd.command === 'debug') {
        found.annotations.push({ severity: cmd.command, message: cmd.message, props: cmd.props })
      } else if (cmd.command === 'add-mask') found.masks.push(cmd.message)
      else if (cmd.command === 'set-output' && cmd.props.name) found.outputs[cmd.props.name] = cmd.message
      else if (cmd.command === 'save-state' && cmd.props.name) found.state[cmd.props.name] = cmd.message
    }
  }
  return found
}

export function buildInputEnv(manifest: ActionManifest, given: Record<string, string>): Record<string, string> {
  const known = Object.keys(manifest.inputs)
  for (const name of Object.keys(given)) {
    if (!(name in manifest.inputs)) {
      throw new UserError(`Unknown input '${name}' for ${manifest.name}. Its inputs are: ${known.join(', ')}.`)
    }
  }
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const value = given[name] ?? spec.default ?? ''
    if (spec.required && value === '') throw new UserError(`Input '${name}' is required by ${manifest.name}.`)
    env[inputVariable(name)] = value
  }
  return env
}

/** Runner-owned variables a host may carry; an emulated step must not inherit them. */
const RUNNER_VARS = /^(INPUT_|STATE_|GITHUB_|RUNNER_|ACTIONS_)/

export async function runLocalAction(options: LocalRunOptions): Promise<LocalRunResult> {
  const manifestFile = ['action.yml', 'action.yaml'].map((f) => path.join(options.actionDir, f)).find((f) => fs.existsSync(f))
  if (!manifestFile) throw new UserError(`No action.yml in ${options.actionDir}.`)
  const manifest = readManifest(manifestFile)
  if (!manifest.runs.main || !/^node\d+$/.test(manifest.runs.using)) {
    throw new UserError(`${manifestFile} is not a JavaScript action (runs.using: ${manifest.runs.using}).`)
  }
  const main = path.resolve(options.actionDir, manifest.runs.main)
  // Validate the inputs before creating anything, so a typo leaves no temp dir behind.
  const inputEnv = buildInputEnv(manifest, options.inputs ?? {})
  const runnerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-actions-runner-'))
  const files = {
    GITHUB_OUTPUT: path.join(runnerDir, 'output'),
    GITHUB_ENV: path.join(runnerDir, 'env'),
    GITHUB_STATE: path.join(runnerDir, 'state'),
    GITHUB_PATH: path.join(runnerDir, 'path'),
    GITHUB_STEP_SUMMARY: path.join(runnerDir, 'summary.md')
  }
  for (const f of Object.values(files)) fs.writeFileSync(f, '')
  const eventPath = path.join(runnerDir, 'event.json')
  fs.writeFileSync(eventPath, '{}\n')
  const runnerTemp = options.runnerTemp ?? path.join(runnerDir, 'temp')
  fs.mkdirSync(runnerTemp, { recursive: true })

  const hostEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !RUNNER_VARS.test(k)))
  const env: Record<string, string | undefined> = {
    ...hostEnv,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'local/repository',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: 'local',
    RUNNER_OS: os.platform() === 'win32' ? 'Windows' : os.platform() === 'darwin' ? 'macOS' : 'Linux',
    RUNNER_TEMP: runnerTemp,
    ...files,
    ...(options.env ?? {}),
    ...inputEnv
  }
  const cleanEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))

  const { exitCode, stdout, stderr } = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(options.node ?? process.execPath, [main], {
      cwd: options.workspace,
      env: cleanEnv,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    options.onSpawn?.(child)
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8')
      options.onOutput?.(c.toString('utf8'), 'stdout')
    })
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8')
      options.onOutput?.(c.toString('utf8'), 'stderr')
    })
    child.on('error', (e) => resolve({ exitCode: 127, stdout: out, stderr: err + String(e) }))
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      resolve({ exitCode: code ?? 1, stdout: out, stderr: err })
    })
  })

  const obeyed = collectCommands({ stdout, stderr })
  return {
    exitCode,
    stdout,
    stderr,
    // The runner applies `::set-output` as it reads it and the output file after the step, so the file wins.
    outputs: { ...obeyed.outputs, ...parseFileCommand(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')) },
    state: { ...obeyed.state, ...parseFileCommand(fs.readFileSync(files.GITHUB_STATE, 'utf8')) },
    exportedEnv: parseFileCommand(fs.readFileSync(files.GITHUB_ENV, 'utf8')),
    summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    annotations: obeyed.annotations,
    masks: obeyed.masks,
    commands: obeyed.commands,
    runnerDir
  }
}
