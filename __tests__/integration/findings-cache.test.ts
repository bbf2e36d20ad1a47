/**
 * The findings cache with the real tools, through the built run-quality bundle: after a
 * first run, a change to one file is checked by each file-local tool on that file alone,
 * and the report is the one a run without any cache gives on the same tree.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ReportData } from '../../packages-shared/findings.js'
import { copyFixture, gitInit, nodeBinaries, RUNNER_TEMP, runBundle, type ActionRun } from './harness.js'

const node = nodeBinaries()[nodeBinaries().length - 1]!
const CHECKS = 'black,isort,flake8,ruff,ruff-format'
const FILE_LOCAL = CHECKS.split(',')
const TOUCHED = 'packages/pkg_a/src/pkg_a/__init__.py'
const FINDINGS = path.join(RUNNER_TEMP, 'dk-actions-cache', 'quality', 'findings')

/** A diff's `--- file<TAB>time` headers hold the time black ran: not part of a finding's meaning. */
const undated = (text?: string): string | undefined => text?.replace(/^((?:---|\+\+\+) [^\t\n]*)\t.*$/gm, '$1')

/** What a report says, without what legitimately differs from run to run (durations, commands, the cache's counts). */
function verdicts(run: ActionRun): unknown {
  const report = run.report as ReportData
  return {
    passed: run.outputs.passed,
    findings: run.outputs.findings,
    checks: report.checks.map((c) => ({
      tool: c.tool,
      status: c.status,
      findings: c.findings.map((f) => ({ ...f, detail: undated(f.detail) })),
      message: c.message
    })),
    // What GitHub shows as annotations (the debug lines, which say what ran, differ).
    annotations: run.annotations.filter((a) => a.severity !== 'debug'),
    notAnnotated: report.annotations
  }
}

async function quality(ws: string): Promise<ActionRun> {
  const run = await runBundle('run-quality', { checks: CHECKS, install: 'isolated' }, { workspace: ws, node: node.path })
  expect(run.report).toBeDefined()
  return run
}

describe('findings cache with the real tools', () => {
  test('cold run, one file changed, warm run: each tool checks that file only, and the report equals a cold run on the same tree', async () => {
    fs.rmSync(FINDINGS, { recursive: true, force: true })
    const ws = copyFixture('__tests__/fixtures/quality/defects')
    gitInit(ws)
    const cold = await quality(ws)
    expect(cold.report!.findingsCache).toMatchObject(Object.fromEntries(FILE_LOCAL.map((t) => [t, { fromCache: 0 }])))

    // A change every tool has something to say about: an unused import right below the docstring.
    fs.writeFileSync(path.join(ws, TOUCHED), '"""A package with one seeded defect per quality tool."""\nimport os\n')
    const warm = await quality(ws)
    const use = warm.report!.findingsCache as Record<string, { files: number; fromCache: number; checked: number }>
    for (const tool of FILE_LOCAL) {
      expect({ tool, checked: use[tool]!.checked, fromCache: use[tool]!.fromCache }).toEqual({
        tool,
        checked: 1,
        fromCache: use[tool]!.files - 1
      })
      const command = warm.report!.checks.find((c) => c.tool === tool)!.command!
      expect({ tool, named: command.includes(TOUCHED), whole: / packages\/pkg_a( |$)/.test(command) }).toEqual({
        tool,
        named: true,
        whole: false
      })
    }
    // The change shows in the warm report: new findings on the touched file for the linters.
    const flake8 = warm.report!.checks.find((c) => c.tool === 'flake8')!
    expect(flake8.findings.filter((f) => f.file === TOUCHED).map((f) => f.rule)).toEqual(['F401'])
    expect(warm.summary).toContain('### Findings cache')

    // The same tree without any cache: the same verdicts, findings, counts and annotations.
    fs.rmSync(FINDINGS, { recursive: true, force: true })
    const fresh = await quality(ws)
    expect(fresh.report!.findingsCache).toMatchObject(Object.fromEntries(FILE_LOCAL.map((t) => [t, { fromCache: 0 }])))
    expect(verdicts(warm)).toEqual(verdicts(fresh))

    // And back to the first content: the cache still answers every file as the first run did.
    fs.writeFileSync(path.join(ws, TOUCHED), '"""A package with one seeded defect per quality tool."""\n')
    const back = await quality(ws)
    expect(verdicts(back)).toEqual(verdicts(cold))
  })
  test.each([
    ['isolated', ['The tool venv was not restored'], ['venvs']],
    // mypy and pylint in the project's environment, the others in a tool venv.
    ['auto', ['The tool venv was not restored', 'The project environment was not made'], ['venvs', 'envs']]
  ])(
    'install: %s, nothing changed on a fresh runner (no venv): every check answers from the caches, nothing is made; a change makes them again',
    async (install, said, folders) => {
      // A runner temp of its own: this test removes the tool venv, which other tests share.
      const temp = fs.mkdtempSync(path.join(RUNNER_TEMP, '..', 'dk-fresh-runner-'))
      const checks = `${CHECKS},mypy,pylint`
      const run = (ws: string): Promise<ActionRun> =>
        runBundle('run-quality', { checks, install }, { workspace: ws, node: node.path, runnerTemp: temp })
      const made = (): string[] => folders.filter((f) => fs.existsSync(path.join(temp, 'dk-actions-cache', f)))
      const ws = copyFixture('__tests__/fixtures/quality/defects')
      gitInit(ws)
      const first = await run(ws)
      expect(first.report).toBeDefined()
      expect(made()).toEqual(folders)

      // What a hosted runner has on the next workflow run: the caches restored, no venv.
      for (const f of folders) fs.rmSync(path.join(temp, 'dk-actions-cache', f), { recursive: true, force: true })
      const second = await run(ws)
      for (const line of said) expect(second.stdout).toContain(`${line}: the caches answered for every check.`)
      expect(made()).toEqual([])
      const use = second.report!.findingsCache as Record<string, { whole?: boolean; fromCache: number; checked: number }>
      for (const tool of checks.split(',')) expect({ tool, ...use[tool] }).toMatchObject({ tool, whole: true, fromCache: 1, checked: 0 })
      expect(verdicts(second)).toEqual(verdicts(first))

      // One file changed: the venv comes back for the checks that must run, and they see the change.
      fs.writeFileSync(path.join(ws, TOUCHED), '"""A package with one seeded defect per quality tool."""\nimport os\n')
      const third = await run(ws)
      for (const line of said) expect(third.stdout).not.toContain(line)
      expect(made()).toEqual(folders)
      const flake8 = third.report!.checks.find((c) => c.tool === 'flake8')!
      expect(flake8.findings.filter((f) => f.file === TOUCHED).map((f) => f.rule)).toEqual(['F401'])
      fs.rmSync(temp, { recursive: true, force: true })
    }
  )
})
