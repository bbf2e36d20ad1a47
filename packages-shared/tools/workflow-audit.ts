/**
 * Our own audit of GitHub workflows and action manifests (no external tool): actions not
 * pinned to a full commit SHA, untrusted expressions interpolated into `run:` scripts,
 * workflows without top-level `permissions:`, and `pull_request_target` workflows that
 * check out the pull request's head. Positions come from the YAML source (1-based).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml'
import { dirEntries, toPosix } from '../paths.js'
import type { SecurityFinding } from './security.js'

export type WorkflowKind = 'workflow' | 'action'

export const WORKFLOW_RULES = {
  unpinned: 'unpinned-uses',
  injection: 'script-injection',
  permissions: 'missing-permissions',
  prTarget: 'pull-request-target-checkout',
  syntax: 'workflow-syntax'
} as const

const DOCS = {
  unpinned:
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions',
  injection:
    'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
  permissions:
    'https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token',
  prTarget: 'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/'
}

const SKIP = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.cache', '.mypy_cache', '.ruff_cache'])

/** `.github/workflows/*.yml|yaml` and every `action.yml|yaml` under root. */
export function findWorkflowFiles(root: string): { file: string; kind: WorkflowKind }[] {
  const out: { file: string; kind: WorkflowKind }[] = []
  const wfDir = path.join(root, '.github', 'workflows')
  if (fs.existsSync(wfDir)) {
    for (const e of fs.readdirSync(wfDir, { withFileTypes: true })) {
      if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push({ file: path.join(wfDir, e.name), kind: 'workflow' })
    }
  }
  const walk = (dir: string): void => {
    const entries = dirEntries(dir)
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) walk(path.join(dir, e.name))
      } else if (e.isFile() && (e.name === 'action.yml' || e.name === 'action.yaml')) {
        out.push({ file: path.join(dir, e.name), kind: 'action' })
      }
    }
  }
  walk(root)
  return out.sort((a, b) => a.file.localeCompare(b.file))
}

// Contexts an outsider controls (GitHub's security-hardening guide), after normalising
// `a['b']` / `a[0]` / `a[*]` to `a.b` / `a.*`.
const UNTRUSTED: RegExp[] = [
  /^github\.event\.(issue|pull_request|discussion)\.(title|body)$/,
  /^github\.event\.(comment|review|review_comment)\.body$/,
  /^github\.event\.pages\.\*\.page_name$/,
  /^github\.event\.(head_commit|workflow_run\.head_commit|commits\.\*)\.(message|author\.(email|name)|committer\.(email|name))$/,
  /^github\.event\.pull_request\.head\.(ref|label|repo\.default_branch)$/,
  /^github\.event\.workflow_run\.(head_branch|display_title|pull_requests\.\*\.head\.ref)$/,
  /^github\.event\.(inputs\.[\w-]+|client_payload(\..+)?)$/,
  /^github\.head_ref$/,
  /^inputs\.[\w-]+$/
]

function normaliseReference(ref: string): string {
  return ref
    .replace(/\[\s*'([^']*)'\s*\]/g, '.$1')
    .replace(/\[\s*"([^"]*)"\s*\]/g, '.$1')
    .replace(/\[\s*(\d+|\*)\s*\]/g, '.*')
}

/** Untrusted context references inside one `${{ ... }}` expression body. */
export function untrustedReferences(expression: string): string[] {
  const refs = expression.match(/\b(?:github|inputs)(?:\.[\w*-]+|\[[^\]]*\])+/g) ?? []
  return [...new Set(refs.filter((r) => UNTRUSTED.some((re) => re.test(normaliseReference(r)))))]
}

const SHA = /^[0-9a-f]{40}$/

/** Why a `uses:` value is not pinned, or undefined when it is (or is local). */
export function unpinnedReason(uses: string): string | undefined {
  const value = uses.trim()
  if (value.startsWith('./') || value.startsWith('.\\')) return undefined
  if (value.startsWith('docker://'))
    return /@sha256:[0-9a-f]{64}$/.test(value) ? undefined : 'a container image not pinned by digest (@sha256:...)'
  const at = value.lastIndexOf('@')
  if (at < 0) return 'no ref at all (the default branch, whatever it holds at run time)'
  const ref = value.slice(at + 1)
  return SHA.test(ref) ? undefined : `the ref '${ref}', which can be moved to other code`
}

interface Ctx {
  doc: Document
  lc: LineCounter
  src: string
  file: string
  findings: SecurityFinding[]
}

function pos(ctx: Ctx, offset: number): { line: number; column: number } {
  const p = ctx.lc.linePos(offset)
  return { line: p.line, column: p.col }
}

function add(ctx: Ctx, node: Node | undefined, offset: number | undefined, f: Omit<SecurityFinding, 'tool' | 'file'>): void {
  const at = offset ?? node?.range?.[0]
  ctx.findings.push({ tool: 'workflows', file: ctx.file, ...(at === undefined ? {} : pos(ctx, at)), ...f })
}

function mapEntries(node: unknown): [string, unknown, Node | undefined][] {
  if (!isMap(node)) return []
  return (node as YAMLMap).items.map((p) => [isScalar(p.key) ? String(p.key.value) : '', p.value, isScalar(p.key) ? p.key : undefined])
}

function get(node: unknown, key: string): unknown {
  return isMap(node) ? (node as YAMLMap).get(key, true) : undefined
}

function checkUses(ctx: Ctx, node: unknown): void {
  if (!isScalar(node) || typeof node.value !== 'string') return
  const reason = unpinnedReason(node.value)
  if (reason) {
    add(ctx, node, undefined, {
      rule: WORKFLOW_RULES.unpinned,
      severity: 'warning',
      message: `'uses: ${node.value}' is not pinned to a full commit SHA: it runs ${reason}. Pin it to a 40-character commit SHA (keep the tag in a comment).`,
      url: DOCS.unpinned
    })
  }
}

function checkRun(ctx: Ctx, node: unknown): void {
  if (!isScalar(node) || !node.range) return
  // Expressions appear verbatim in the source of plain, quoted and block scalars alike,
  // so searching the node's source text gives exact positions.
  const [start, end] = node.range
  const text = ctx.src.slice(start, end)
  for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const refs = untrustedReferences(m[1]!)
    if (refs.length === 0) continue
    // Point at the untrusted reference itself, inside the expression.
    const inner = m[0].indexOf(refs[0]!)
    add(ctx, undefined, start + m.index! + Math.max(0, inner), {
      rule: WORKFLOW_RULES.injection,
      severity: 'error',
      message: `'${refs.join("', '")}' is interpolated into a run: script, so whoever controls it can inject shell commands. Pass it through env: and use the shell variable ("$VAR") instead.`,
      url: DOCS.injection
    })
  }
}

function triggers(on: unknown): string[] {
  if (isScalar(on)) return [String(on.value)]
  if (isSeq(on)) return on.items.map((i) => (isScalar(i) ? String(i.value) : ''))
  return mapEntries(on).map(([k]) => k)
}

function checkSteps(ctx: Ctx, steps: unknown, prTarget: boolean): void {
  if (!isSeq(steps)) return
  for (const step of steps.items) {
    const uses = get(step, 'uses')
    checkUses(ctx, uses)
    checkRun(ctx, get(step, 'run'))
    if (prTarget && isScalar(uses) && /^actions\/checkout@/.test(String(uses.value))) {
      const ref = get(get(step, 'with'), 'ref')
      const refText = isScalar(ref) ? String(ref.value) : ''
      if (/github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\//.test(refText)) {
        add(ctx, ref as Node, undefined, {
          rule: WORKFLOW_RULES.prTarget,
          severity: 'error',
          message: `A pull_request_target workflow checks out the pull request's head (ref: ${refText}): untrusted code then runs with the base repository's secrets and write token. Use pull_request, or never build or run the checked-out code here.`,
          url: DOCS.prTarget
        })
      }
    }
  }
}

export function auditWorkflow(src: string, file: string, kind: WorkflowKind): SecurityFinding[] {
  const lc = new LineCounter()
  const doc = parseDocument(src, { lineCounter: lc })
  const ctx: Ctx = { doc, lc, src, file, findings: [] }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    add(ctx, undefined, e.pos[0], {
      rule: WORKFLOW_RULES.syntax,
      severity: 'warning',
      message: `Not valid YAML, so it was not audited: ${e.message.split('\n')[0]}`
    })
    return ctx.findings
  }
  const root = doc.contents
  if (kind === 'action') {
    checkSteps(ctx, get(get(root, 'runs'), 'steps'), false)
    return ctx.findings
  }
  const on = get(root, 'on')
  const prTarget = triggers(on).includes('pull_request_target')
  const jobs = mapEntries(get(root, 'jobs'))
  for (const [, job] of jobs) {
    checkUses(ctx, get(job, 'uses'))
    checkSteps(ctx, get(job, 'steps'), prTarget)
  }
  if (get(root, 'permissions') === undefined) {
    const open = jobs.filter(([, job]) => get(job, 'permissions') === undefined).map(([name]) => name)
    if (open.length > 0) {
      add(ctx, undefined, 0, {
        rule: WORKFLOW_RULES.permissions,
        severity: 'warning',
        message: `No top-level permissions: block, so job(s) ${open.join(', ')} get the repository's default GITHUB_TOKEN permissions (often read-write). Add e.g. 'permissions: contents: read' at the top and widen it per job.`,
        url: DOCS.permissions
      })
    }
  }
  return ctx.findings
}

export function auditWorkflowFiles(root: string): { files: string[]; findings: SecurityFinding[] } {
  const files = findWorkflowFiles(root)
  const findings = files.flatMap(({ file, kind }) => auditWorkflow(fs.readFileSync(file, 'utf8'), toPosix(path.relative(root, file)), kind))
  return { files: files.map((f) => toPosix(path.relative(root, f.file))), findings }
}
