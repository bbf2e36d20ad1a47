/**
 * dk-actions audits itself: this repository's workflows, the example consumer workflows and
 * every action.yml pass run-security's workflow audit (through the built bundle), actionlint
 * and zizmor. actionlint and zizmor come from .ci/run (DK_ACTIONLINT, DK_CI_VENV); without
 * them outside CI those two tests are skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO, nodeBinaries, runBundle } from './harness.js'

const node = nodeBinaries()[0]!
const actionFiles = [
  'action.yml',
  ...fs.readdirSync(REPO).filter((d) => fs.existsSync(path.join(REPO, d, 'action.yml'))).map((d) => `${d}/action.yml`)
]
const workflows = ['.github/workflows/ci.yml', 'examples/workflows/ci.yml', 'examples/workflows/release.yml']

function tool(env: string | undefined, fallback: string): string | undefined {
  const candidates = [env, path.join(REPO, '.cache', 'bin', fallback)]
  return candidates.find((c): c is string => Boolean(c && fs.existsSync(c)))
}
const actionlint = tool(process.env.DK_ACTIONLINT, 'actionlint')
const zizmor = tool(process.env.DK_CI_VENV ? path.join(process.env.DK_CI_VENV, 'bin', 'zizmor') : undefined, 'zizmor')
const required = (found: string | undefined): typeof test => (found || process.env.CI ? test : test.skip)

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
    for (const f of ['ci.yml', 'release.yml']) fs.copyFileSync(path.join(REPO, 'examples', 'workflows', f), path.join(dir, '.github', 'workflows', f))
    const run = await runBundle('run-security', { checks: 'workflows' }, { workspace: dir, node: node.path })
    expect(run.report!.checks.find((c) => c.tool === 'workflows')!.findings).toEqual([])
    expect(run.stdout).toContain('.github/workflows/release.yml')
  })

  required(actionlint)('actionlint passes on every workflow', () => {
    const r = spawnSync(actionlint!, workflows, { cwd: REPO, encoding: 'utf8' })
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  required(zizmor)('zizmor passes on every workflow and action.yml', () => {
    const out = execFileSync(zizmor!, ['--offline', '--no-progress', '--format', 'plain', ...workflows, ...actionFiles], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    expect(out).toMatch(/No findings to report/)
  })
})
