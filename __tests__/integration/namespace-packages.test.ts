/**
 * A uv workspace whose members share the PEP 420 namespace `acme` under dotted names
 * (`acme.core`, `acme.extras`), with the built bundles and the real tools.
 */
import { copyFixture, runBundle } from './harness.js'

const FIXTURE = '__tests__/fixtures/workspaces/namespace-dotted'

describe('namespace packages (PEP 420) with dotted names', () => {
  test('run-quality: mypy and pylint check the members by import name and report exactly the seeded error', async () => {
    const ws = copyFixture(FIXTURE)
    const run = await runBundle('run-quality', { checks: 'mypy,pylint', install: 'isolated' }, { workspace: ws })
    const checks = run.report!.checks
    expect(checks.map((c) => [c.tool, c.status])).toEqual([['mypy', 'failed'], ['pylint', 'passed']])
    expect(checks.flatMap((c) => c.findings).map((f) => [f.tool, f.package, f.file, f.line, f.column, f.rule])).toEqual([
      ['mypy', 'acme-extras', 'src/acme/extras/acme/extras/shout.py', 13, 12, 'return-value']
    ])
    expect(checks[0]!.command).toContain('-p acme.core -p acme.extras')
    expect(run.exitCode).toBe(1)
  })
})
