/**
 * dk-actions audits itself: this repository's workflows, the example consumer workflows and
 * every action.yml pass run-security's workflow audit (through the built bundle), actionlint
 * and zizmor. actionlint and zizmor come from npm test's bootstrap (DK_ACTIONLINT,
 * DK_CI_VENV); a missing one fails its test, naming the install step.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO, nodeBinaries, runBundle } from './harness.js'

const node = nodeBinaries()[0]!
const actionFiles = [
  'action.yml',
  ...fs
    .readdirSync(REPO)
    .filter((d) => fs.existsSync(path.join(REPO, d, 'action.yml')))
    .map((d) => `${d}/action.yml`)
]
const workflows = [
  '.github/workflows/ci.yml',
  ...fs
    .readdirSync(path.join(REPO, 'examples', 'workflows'))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => `examples/workflows/${f}`)
]

function tool(env: string | undefined, fallback: string, install: string): string {
  const candidates = [env, path.join(REPO, '.cache', fallback)]
  const found = candidates.find((c): c is string => Boolean(c && fs.existsSync(c)))
  if (!found) throw new Error(`${path.basename(fallback)} was not found: npm test installs it (scripts/bootstrap.js, ${install}).`)
  return found
}
const actionlint = (): string => tool(process.env.DK_ACTIONLINT, 'go-bin/actionlint', 'go install github.com/rhysd/actionlint')
const zizmor = (): string =>
  tool(
    process.env.DK_CI_VENV ? path.join(process.env.DK_CI_VENV, 'bin', 'zizmor') : undefined,
    'ci-venv/bin/zizmor',
    'pip install -r .ci/requirements.txt'
  )

describe('self-audit', () => {
  test("run-security's workflow audit finds nothing in this repository", async () => {
    const run = await runBundle('run-security', { checks: 'workflows' }, { workspace: REPO, node: node.path })
    expect(run.outputs.passed).toBe('true')
    const audit = run.report!.checks.find((c) => c.tool === 'workflows')!
    expect(audit.findings).toEqual([])
    // It really looked: every action.yml and the CI workflow.
    for (const f of [...actionFiles, '.github/workflows/ci.yml']) expect(run.stdout).toContain(f)
  })

  test("run-security's workflow audit finds nothing in the example consumer workflows", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-audit-'))
    fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true })
    for (const f of ['ci.yml', 'release.yml', 'fan-out.yml'])
      fs.copyFileSync(path.join(REPO, 'examples', 'workflows', f), path.join(dir, '.github', 'workflows', f))
    const run = await runBundle('run-security', { checks: 'workflows' }, { workspace: dir, node: node.path })
    expect(run.report!.checks.find((c) => c.tool === 'workflows')!.findings).toEqual([])
    expect(run.stdout).toContain('.github/workflows/release.yml')
  })

  test('actionlint passes on every workflow', () => {
    const r = spawnSync(actionlint(), workflows, { cwd: REPO, encoding: 'utf8' })
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  test('zizmor passes on every workflow and action.yml', () => {
    const out = execFileSync(zizmor(), ['--offline', '--no-progress', '--format', 'plain', ...workflows, ...actionFiles], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    })
    expect(out).toMatch(/No findings to report/)
  })
})
