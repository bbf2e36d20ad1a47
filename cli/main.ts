/**
 * dk-actions <action> [--input-name value ...]: runs the same dist bundle GitHub runs,
 * through the local runner (inputs from flags, defaults from action.yml, the runner's files
 * in a temp dir), streams the log with workflow commands made readable, then prints the
 * step summary and the outputs.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorMessage, isUserError } from '../packages-shared/errors.js'
import { readManifest, runLocalAction } from './local-runner.js'
import { makeLineRenderer, makePrinter } from './log-render.js'

const HELP = `usage: dk-actions <action> [--<input> <value> ...] [--debug]
       dk-actions list

Runs a dk-actions action locally exactly as a runner would (the same dist bundle).
Inputs are the action's inputs as flags: --packages changed, --checks=black,mypy ...
Example: dk-actions run-quality --working-directory examples/monorepo
`

function repoRoot(): string {
  // dist/cli/index.js → repository root.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
}

function actionDir(root: string, name: string): string {
  return name === 'pipeline' ? root : path.join(root, name)
}

function listActions(root: string): string[] {
  const folders = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
  return [...folders, 'pipeline'].filter((n) => isAction(root, n)).sort()
}

/** Whether the command runs `name`: its folder's (the root's, for `pipeline`) action.yml runs JavaScript. One manifest read, one YAML parse. */
function isAction(root: string, name: string): boolean {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return false
  const file = path.join(actionDir(root, name), 'action.yml')
  return fs.existsSync(file) && readManifest(file).runs.main !== undefined
}

export function parseArgs(argv: string[]): { action?: string; inputs: Record<string, string>; debug: boolean } {
  const inputs: Record<string, string> = {}
  let action: string | undefined
  let debug = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--debug') debug = true
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      if (eq > 0) inputs[arg.slice(2, eq)] = arg.slice(eq + 1)
      else {
        const value = argv[i + 1]
        if (value === undefined) throw new Error(`--${arg.slice(2)} needs a value`)
        inputs[arg.slice(2)] = value
        i++
      }
    } else if (!action) action = arg
    else throw new Error(`unexpected argument '${arg}'`)
  }
  return { action, inputs, debug }
}

/** Markdown summary made readable in a terminal. */
export function renderSummaryForTerminal(markdown: string): string {
  return markdown
    .replace(/<details><summary>(.*?)<\/summary>/g, '▸ $1')
    .replace(/<\/details>/g, '')
    .replace(/<br>/g, '\n    ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
}

export async function cli(argv: string[]): Promise<number> {
  const root = repoRoot()
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs(argv)
  } catch (error) {
    process.stderr.write(`dk-actions: ${errorMessage(error)}\n\n${HELP}`)
    return 2
  }
  if (!parsed.action || parsed.action === 'help' || parsed.inputs.help !== undefined) {
    process.stdout.write(HELP)
    return parsed.action ? 0 : 2
  }
  if (parsed.action === 'list') {
    process.stdout.write(listActions(root).join('\n') + '\n')
    return 0
  }
  if (!isAction(root, parsed.action)) {
    process.stderr.write(`dk-actions: unknown action '${parsed.action}'. Known: ${listActions(root).join(', ')}.\n`)
    return 2
  }
  // A stable RUNNER_TEMP keeps tool venvs and caches between local runs.
  const runnerTemp = path.join(os.tmpdir(), 'dk-actions-local')
  fs.mkdirSync(runnerTemp, { recursive: true })
  const underRunner = process.env.GITHUB_ACTIONS === 'true'
  const print = makePrinter(underRunner)
  const printErr = makePrinter(underRunner, (s) => process.stderr.write(s))
  const render = makeLineRenderer(parsed.debug, print)
  try {
    const result = await runLocalAction({
      actionDir: actionDir(root, parsed.action),
      inputs: parsed.inputs,
      workspace: process.cwd(),
      runnerTemp,
      env: parsed.debug ? { RUNNER_DEBUG: '1' } : {},
      onOutput: (chunk, stream) => (stream === 'stdout' ? render(chunk) : printErr(chunk))
    })
    render('\n')
    // The summary and outputs carry findings' messages: the same printer keeps them inert.
    print(`\n──────── step summary ────────\n${renderSummaryForTerminal(result.summary)}\n`)
    print(
      '──────── outputs ────────\n' +
        Object.entries(result.outputs)
          .map(([k, v]) => `${k}: ${v.length > 200 ? `${v.slice(0, 200)}…` : v}\n`)
          .join('')
    )
    fs.rmSync(result.runnerDir, { recursive: true, force: true })
    return result.exitCode
  } catch (error) {
    process.stderr.write(`dk-actions: ${errorMessage(error)}\n`)
    if (!isUserError(error) && error instanceof Error && parsed.debug) process.stderr.write(`${error.stack}\n`)
    return 2
  }
}

process.exitCode = await cli(process.argv.slice(2))
