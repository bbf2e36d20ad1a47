/**
 * How the project runs its linters: through pre-commit, or directly from its locked
 * environment (`poetry run ruff`, `uv run ruff`, `make lint` whose recipe runs ruff). When
 * a lock file and the pre-commit hook pin different versions of a tool, the one the
 * project's CI runs is the one its code passes; this module finds that out from the
 * repository: its workflows first (what CI runs), then its Makefile, tox.ini and noxfile.py,
 * and pre-commit.ci (a `ci:` section in `.pre-commit-config.yaml`).
 *
 * Workflows are read with a YAML parser; shell scripts are split into commands and words
 * only as far as telling which program a command starts (no shell is emulated).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml'
import { normalizeName } from './names.js'

/** One command found in a script: the program it runs, and whether through a project runner. */
export interface Invocation {
  program: string
  /** `poetry run`, `uv run`…: the project's locked environment. */
  runner?: string
  /** The words after the program (for make targets). */
  args: string[]
}

/** Runners that run a program inside the project's own (locked) environment. */
const RUNNERS: Record<string, number> = { poetry: 1, uv: 1, pdm: 1, pipenv: 1, rye: 1, hatch: 1 }

function programName(word: string): string {
  return normalizeName(path.basename(word.replace(/\\/g, '/')).replace(/\.exe$/i, ''))
}

/** The commands of a shell script (lines, `&&`, `||`, `;`, `|`), each reduced to its program. */
export function invocations(script: string): Invocation[] {
  const out: Invocation[] = []
  const joined = script.replace(/\\\r?\n/g, ' ')
  for (const command of joined.split(/\r?\n|&&|\|\||[;|]/)) {
    const words = command
      .replace(/(^|\s)#.*$/, '')
      .trim()
      .split(/\s+/)
      .map((w) => (/^\$[({]MAKE[)}]$/.test(w) ? 'make' : w.replace(/^['"(]+|['")]+$/g, '')))
      .filter(Boolean)
    let i = 0
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++
    // Prefixes that do not change the program: `sudo`, `time`, `exec`, `env`, the make recipe markers.
    while (i < words.length && /^(sudo|time|exec|env|command|-|@|@-|-@|\+)$/.test(words[i]!)) i++
    let runner: string | undefined
    const first = words[i] ? programName(words[i]!) : ''
    if (RUNNERS[first] && words[i + 1] === 'run') {
      runner = `${first} run`
      i += 2
      // Options of the runner (`uv run --frozen`, `hatch run lint:`): skipped to the program.
      while (i < words.length && (words[i]!.startsWith('-') || (first === 'hatch' && words[i]!.endsWith(':')))) i++
      if (first === 'hatch' && words[i]?.includes(':')) words[i] = words[i]!.split(':').pop()!
    } else if (first === 'uvx' || first === 'pipx') {
      // A tool run from a throwaway environment: not the lock's version either.
      i += first === 'pipx' && words[i + 1] === 'run' ? 2 : 1
      runner = first
    }
    if (/^python(\d(\.\d+)?)?$/.test(programName(words[i] ?? '')) && words[i + 1] === '-m') i += 2
    const program = words[i]
    if (!program || program.startsWith('$')) continue
    out.push({ program: programName(program), runner, args: words.slice(i + 1) })
  }
  return out
}

/** Make rules: target → prerequisites and recipe lines (tab-indented), as GNU make reads them. */
export function makeRules(text: string): Map<string, { prerequisites: string[]; recipe: string[] }> {
  const rules = new Map<string, { prerequisites: string[]; recipe: string[] }>()
  let current: { prerequisites: string[]; recipe: string[] }[] = []
  for (const line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    if (line.startsWith('\t')) {
      for (const r of current) r.recipe.push(line.slice(1))
      continue
    }
    const m = /^([^\s:=#][^:=#]*?)\s*::?(?!=)\s*([^;#]*)(?:;(.*))?$/.exec(line)
    if (!m) {
      if (line.trim() && !line.trim().startsWith('#')) current = []
      continue
    }
    current = []
    for (const target of m[1]!.trim().split(/\s+/)) {
      const rule = rules.get(target) ?? { prerequisites: [], recipe: [] }
      rule.prerequisites.push(...m[2]!.trim().split(/\s+/).filter(Boolean))
      if (m[3]?.trim()) rule.recipe.push(m[3].trim())
      rules.set(target, rule)
      current.push(rule)
    }
  }
  return rules
}

/** The commands `make <targets>` runs: the recipes of the targets and their prerequisites, followed through sub-makes. */
function makeCommands(rules: ReturnType<typeof makeRules>, targets: readonly string[], seen = new Set<string>()): Invocation[] {
  const out: Invocation[] = []
  const wanted = targets.length ? targets : [...rules.keys()].filter((t) => !t.startsWith('.')).slice(0, 1)
  for (const target of wanted) {
    if (seen.has(target)) continue
    seen.add(target)
    const rule = rules.get(target)
    if (!rule) continue
    out.push(...makeCommands(rules, rule.prerequisites, seen))
    for (const inv of invocations(rule.recipe.join('\n'))) {
      if (inv.program === 'make')
        out.push(
          ...makeCommands(
            rules,
            inv.args.filter((a) => !a.startsWith('-') && !a.includes('=')),
            seen
          )
        )
      else out.push(inv)
    }
  }
  return out
}

/** Where a tool's version comes from when the project runs it: pre-commit's hook, or its lock. */
export type Runner = 'pre-commit' | 'lock'

export interface RunEvidence {
  /** Why pre-commit is taken to run the hooks (`the workflows run pre-commit`), if it is. */
  preCommit?: string
  /** Per tool (distribution name), why it is taken to run from the project's environment. */
  direct: Map<string, string>
}

/** The tools' distributions by the programs that run them. */
const PROGRAMS: Record<string, string> = {
  ruff: 'ruff',
  black: 'black',
  isort: 'isort',
  flake8: 'flake8',
  mypy: 'mypy',
  dmypy: 'mypy',
  pylint: 'pylint',
  bandit: 'bandit',
  'pip-audit': 'pip-audit',
  pytest: 'pytest'
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function parseYaml(file: string): Document | undefined {
  const text = readText(file)
  if (text === undefined) return undefined
  const doc = parseDocument(text)
  return doc.errors.length ? undefined : doc
}

/** Keys whose value is a shell script: GitHub's `run`, Azure Pipelines' `script`/`bash`/`pwsh`, GitLab's and CircleCI's. */
const SCRIPT_KEYS = new Set(['run', 'script', 'bash', 'pwsh', 'powershell', 'before_script', 'after_script', 'command'])

/**
 * Every script and `uses:` reference of a CI file, wherever it sits: GitHub's jobs and
 * steps, Azure Pipelines' stages, jobs and templates, GitLab's jobs, CircleCI's steps all
 * nest differently, and a script is a string (or a list of lines) under one of SCRIPT_KEYS.
 */
function workflowSteps(doc: Document): { run: string[]; uses: string[] } {
  const run: string[] = []
  const uses: string[] = []
  const visit = (node: unknown, key?: string): void => {
    if (isMap(node)) {
      for (const item of node.items)
        visit(item.value, isScalar(item.key) && typeof item.key.value === 'string' ? item.key.value : undefined)
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, key && SCRIPT_KEYS.has(key) ? key : undefined)
    } else if (key !== undefined && isScalar(node) && typeof node.value === 'string') {
      if (SCRIPT_KEYS.has(key)) run.push(node.value)
      else if (key === 'uses') uses.push(node.value)
    }
  }
  visit(doc.contents)
  return { run, uses }
}

/** CI configurations, relative to the root: GitHub workflows, Azure Pipelines (trulens), GitLab, CircleCI. */
function ciFiles(root: string): string[] {
  const inDir = (dir: string): string[] => {
    try {
      return fs
        .readdirSync(path.join(root, dir))
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort()
        .map((f) => `${dir}/${f}`)
    } catch {
      return []
    }
  }
  let top: string[] = []
  try {
    top = fs
      .readdirSync(root)
      .filter((f) => /^(azure-pipelines.*|\.gitlab-ci)\.ya?ml$/i.test(f))
      .sort()
  } catch {
    top = []
  }
  return [...inDir('.github/workflows'), ...inDir('.azure_pipelines'), ...inDir('.azure-pipelines'), ...top, ...inDir('.circleci')]
}

/** Gathers invocations at one scope, labelled for the log. */
class Scope {
  preCommit?: string
  readonly direct = new Map<string, string>()

  /** `subject` is who runs it ("the workflows", "the Makefile"), `detail` where exactly. */
  add(inv: Invocation, subject: string, detail: string): void {
    const verb = subject === 'the workflows' ? 'run' : 'runs'
    if (inv.program === 'pre-commit' || inv.program === 'prek') {
      this.preCommit ??= `${subject} ${verb} pre-commit (${detail})`
      return
    }
    const tool = PROGRAMS[inv.program]
    // A tool from uvx or pipx runs whatever version that resolves to, not the lock's.
    if (!tool || inv.runner === 'uvx' || inv.runner === 'pipx') return
    const shown = [inv.runner, inv.program, inv.args[0]].filter(Boolean).join(' ')
    if (!this.direct.has(tool)) this.direct.set(tool, `${subject} ${verb} \`${shown}\` (${detail})`)
  }

  get empty(): boolean {
    return this.preCommit === undefined && this.direct.size === 0
  }
}

interface TaskCommand {
  file: 'make' | 'tox' | 'nox'
  subject: string
  detail: string
  inv: Invocation
}

/** The commands the Makefile, tox.ini and noxfile.py run, with their labels. */
function taskRunnerCommands(root: string, wantMake: readonly string[] | 'all'): TaskCommand[] {
  const out: TaskCommand[] = []
  const makefile = ['GNUmakefile', 'Makefile', 'makefile'].map((f) => path.join(root, f)).find((f) => fs.existsSync(f))
  const makeText = makefile ? readText(makefile) : undefined
  if (makeText !== undefined) {
    const rules = makeRules(makeText)
    // `make` alone builds the first target.
    const first = [...rules.keys()].filter((t) => !t.startsWith('.')).slice(0, 1)
    const cmds = makeCommands(rules, wantMake === 'all' ? [...rules.keys()] : wantMake.length ? wantMake : first)
    const detail = wantMake === 'all' ? 'in a recipe' : `make ${wantMake.join(' ')}`.trim()
    for (const inv of cmds) out.push({ file: 'make', subject: `the ${path.basename(makefile!)}`, detail, inv })
  }
  const tox = readText(path.join(root, 'tox.ini'))
  // tox runs each command in its own environment, installed from the project's requirements.
  if (tox !== undefined) {
    for (const m of tox.matchAll(/^commands\s*=(.*(?:\r?\n[ \t]+.*)*)/gm))
      for (const inv of invocations(m[1]!)) out.push({ file: 'tox', subject: 'tox.ini', detail: 'its commands', inv })
  }
  const nox = readText(path.join(root, 'noxfile.py'))
  if (nox !== undefined) {
    // session.run("pre-commit", "run", ...): the first string argument is the program.
    for (const m of nox.matchAll(/\bsession\.run\(\s*["']([^"']+)["']((?:\s*,\s*["'][^"']*["'])*)/g)) {
      const args = [...m[2]!.matchAll(/["']([^"']*)["']/g)].map((a) => a[1]!)
      out.push({ file: 'nox', subject: 'noxfile.py', detail: 'a session', inv: { program: programName(m[1]!), args } })
    }
  }
  return out
}

/**
 * What the repository says about how it runs its tools. The workflows decide when they say
 * anything (a `make lint` or `tox` there is followed into the Makefile or tox.ini); the task
 * files and pre-commit.ci only when they do not.
 */
export function readRunEvidence(root: string): RunEvidence {
  const ci = new Scope()
  for (const where of ciFiles(root)) {
    const doc = parseYaml(path.join(root, where))
    if (!doc) continue
    const { run, uses } = workflowSteps(doc)
    if (uses.some((u) => /^pre-commit\/action@|^pre-commit-ci\/lite-action@/i.test(u)))
      ci.preCommit ??= `the workflows run pre-commit (${where})`
    for (const script of run) {
      for (const inv of invocations(script)) {
        if (inv.program === 'make') {
          const targets = inv.args.filter((a) => !a.startsWith('-') && !a.includes('='))
          for (const c of taskRunnerCommands(root, targets).filter((c) => c.file === 'make'))
            ci.add(c.inv, 'the workflows', `${where}, through ${c.detail}`)
        } else if (inv.program === 'tox' || inv.program === 'nox') {
          for (const c of taskRunnerCommands(root, []).filter((c) => c.file === inv.program))
            ci.add(c.inv, 'the workflows', `${where}, through ${c.subject}`)
        } else {
          ci.add(inv, 'the workflows', where)
        }
      }
    }
  }
  if (!ci.empty) return { preCommit: ci.preCommit, direct: ci.direct }
  const local = new Scope()
  for (const c of taskRunnerCommands(root, 'all')) local.add(c.inv, c.subject, c.detail)
  const config = parseYaml(path.join(root, '.pre-commit-config.yaml'))
  if (config?.has('ci')) local.preCommit ??= 'pre-commit.ci runs the hooks (the ci: section of .pre-commit-config.yaml)'
  return { preCommit: local.preCommit, direct: local.direct }
}

/** Linters and formatters: their pre-commit hook is their declared invocation when nothing else says. */
const HOOK_FIRST = new Set(['ruff', 'black', 'isort', 'flake8', 'pylint', 'bandit'])

/**
 * Which of a lock pin and a pre-commit pin the project runs, and why. The tool run directly
 * from the project's environment wins (that is the more specific evidence), then pre-commit
 * when it is run; without evidence the hook of a linter or formatter, the lock of the rest
 * (mypy's hook has none of the project's dependencies, so its lock is what type-checks).
 */
export function preferredRunner(tool: string, evidence: RunEvidence): { runner: Runner; reason: string } {
  const id = normalizeName(tool)
  const direct = evidence.direct.get(id)
  if (direct) return { runner: 'lock', reason: direct }
  if (evidence.preCommit) return { runner: 'pre-commit', reason: evidence.preCommit }
  if (HOOK_FIRST.has(id))
    return {
      runner: 'pre-commit',
      reason: `nothing in the repository says how ${id} is run; its pre-commit hook is its declared invocation`
    }
  return { runner: 'lock', reason: `nothing in the repository says how ${id} is run; the lock is what its environment installs` }
}
