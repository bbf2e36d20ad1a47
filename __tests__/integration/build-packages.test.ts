/**
 * build-packages' bundle on the example monorepo (poetry-core, hatchling and setuptools
 * packages) with the real frontends, twine and uv, on Node 20 and Node 24; and on broken
 * variants of it (a dropped subpackage, a file:// dependency, a version mismatch).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFixture, gitInit, nodeBinaries, runBundle } from './harness.js'

const NODES = nodeBinaries()
// jest ignores the project's testTimeout when a path pattern is given; each test says its own.
const TIMEOUT = 10 * 60_000
const PACKAGES = ['dataknobs-common', 'dataknobs-structures', 'dataknobs-utils', 'dataknobs-xization']

interface Dist {
  package: string
  version: string
  wheel: string
  sdist: string
  sha256: { wheel: string; sdist: string }
}

function edit(file: string, fn: (text: string) => string): void {
  fs.writeFileSync(file, fn(fs.readFileSync(file, 'utf8')))
}

describe.each(NODES)('build-packages bundle on $label', (node) => {
  test('builds the poetry-core, hatchling and setuptools packages, verifies, installs and imports them', async () => {
    const ws = copyFixture('examples/monorepo')
    gitInit(ws)
    const run = await runBundle(
      'build-packages',
      {
        'dist-dir': 'dist-out',
        smoke: 'from dataknobs_structures import Tree\nt = Tree("root")\nt.add_child("a")\nassert t.num_children == 1\nprint("smoke ok")'
      },
      { workspace: ws, node: node.path }
    )
    expect(run.stderr).toBe('')
    expect(run.outputs.passed).toBe('true')
    expect(run.exitCode).toBe(0)
    expect(run.outputs['has-packages']).toBe('true')
    expect(run.outputs['dist-dir']).toBe(path.join(ws, 'dist-out'))
    const dists = JSON.parse(run.outputs.dists!) as Dist[]
    expect(dists.map((d) => d.package)).toEqual(PACKAGES)
    for (const d of dists) {
      expect(d.version).toBe('1.0.0')
      for (const f of [d.wheel, d.sdist]) expect(fs.existsSync(f)).toBe(true)
      expect(path.dirname(d.wheel)).toBe(path.join(ws, 'dist-out', d.package))
      expect(d.sha256.wheel).toMatch(/^[0-9a-f]{64}$/)
    }
    const matrix = JSON.parse(run.outputs.matrix!) as { include: { package: string; path: string; version: string }[] }
    expect(matrix.include).toContainEqual(expect.objectContaining({ package: 'dataknobs-utils', path: 'packages/utils', version: '1.0.0' }))
    const byTool = Object.fromEntries(run.report!.checks.filter((c) => !c.package).map((c) => [c.tool, c.status]))
    expect(byTool).toEqual({
      metadata: 'passed', twine: 'passed', 'wheel-contents': 'passed', 'sdist-contents': 'passed',
      dependencies: 'passed', versions: 'passed', 'test-install': 'passed', import: 'passed', smoke: 'passed'
    })
    // Every module was imported from the test venv, not from the source tree.
    const imports = run.report!.imports as { module: string; ok: boolean; file: string }[]
    expect(imports.map((i) => i.module).sort()).toEqual(['dataknobs_common', 'dataknobs_structures', 'dataknobs_utils', 'dataknobs_xization'])
    for (const i of imports) {
      expect(i.ok).toBe(true)
      expect(i.file).toContain('site-packages')
      expect(i.file.startsWith(ws)).toBe(false)
    }
    // Reproducible: the timestamp is the fixture commit's.
    expect((run.report!.sourceDateEpoch as { source: string }).source).toBe('git')
    expect(run.summary).toContain('dataknobs_utils-1.0.0-py3-none-any.whl')
    expect(run.summary).toContain('smoke')
  }, TIMEOUT)
})

// The failure variants and the empty selection need no second Node: they exercise our logic, not the runtime.
describe(`build-packages failures on ${NODES[0]!.label}`, () => {
  test('a dropped subpackage, a file:// dependency and a version mismatch each fail with a precise message', async () => {
    const ws = copyFixture('examples/monorepo')
    // The classic setuptools mistake: an explicit package list that forgets the subpackage.
    fs.writeFileSync(
      path.join(ws, 'packages/structures/pyproject.toml'),
      fs.readFileSync(path.join(ws, 'packages/structures/pyproject.toml'), 'utf8')
        .replace(/\[build-system\][\s\S]*?build-backend = "poetry.core.masonry.api"/, '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"')
        .replace(/\[tool\.poetry\][\s\S]*$/, '[tool.setuptools]\npackages = ["dataknobs_structures"]\npackage-dir = { "" = "src" }\n')
    )
    edit(path.join(ws, 'packages/utils/pyproject.toml'), (t) =>
      t.replace('dependencies = [\n', 'dependencies = [\n    "leftpad @ file:///opt/leftpad",\n') + '\n[tool.hatch.metadata]\nallow-direct-references = true\n')
    edit(path.join(ws, 'packages/xization/pyproject.toml'), (t) => t.replace('version = "1.0.0"', 'version = "1.0.1"'))
    gitInit(ws)
    const run = await runBundle('build-packages', { 'expected-version': '1.0.0' }, { workspace: ws, node: NODES[0]!.path })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.passed).toBe('false')
    const findings = run.report!.checks.flatMap((c) => c.findings)
    const of = (tool: string): string[] => findings.filter((f) => f.tool === tool && f.severity === 'error').map((f) => f.message)

    const missing = of('wheel-contents')
    expect(missing).toHaveLength(1)
    expect(missing[0]).toContain('lacks module dataknobs_structures.graph ')
    expect(missing[0]).toContain('src/dataknobs_structures/graph/__init__.py')

    const deps = of('dependencies')
    expect(deps).toHaveLength(1)
    expect(deps[0]).toContain('"leftpad @ file:///opt/leftpad"')
    expect(findings.find((f) => f.tool === 'dependencies')!.package).toBe('dataknobs-utils')

    const versions = of('versions')
    expect(versions).toHaveLength(1)
    expect(versions[0]).toContain('built as version 1.0.1')
    expect(versions[0]).toContain('expects 1.0.0 (from expected-version)')

    // Unverified wheels are never installed.
    expect(run.report!.checks.find((c) => c.tool === 'test-install')!.status).toBe('skipped')
    // The failure is annotated at the package's pyproject.toml.
    expect(run.annotations.some((a) => a.props.file === 'packages/structures/pyproject.toml' && a.message.includes('dataknobs_structures.graph'))).toBe(true)
  }, TIMEOUT)

  test('a pin on a repository package that is neither built nor published fails, naming both', async () => {
    const ws = copyFixture('examples/monorepo')
    edit(path.join(ws, 'packages/xization/pyproject.toml'), (t) => t.replace('"dataknobs-utils>=1.0.0"', '"dataknobs-utils==0.0.0.dev424242"'))
    gitInit(ws)
    const run = await runBundle('build-packages', { packages: 'packages/xization', 'twine-check': 'false' }, { workspace: ws, node: NODES[0]!.path })
    expect(run.exitCode).toBe(1)
    const versions = run.report!.checks.find((c) => c.tool === 'versions')!
    const messages = versions.findings.map((f) => f.message).join('\n')
    // Either the index said no (error), or it could not be reached (a warning, never a failure).
    if (versions.findings.some((f) => f.severity === 'error')) {
      expect(messages).toContain('pins "dataknobs-utils==0.0.0.dev424242"')
      expect(messages).toContain('neither being built now')
    } else {
      expect(messages).toContain('could not be checked')
    }
    // Only the selected package is a dist; its dependencies were built for the test install only.
    expect((JSON.parse(run.outputs.dists!) as Dist[]).map((d) => d.package)).toEqual(['dataknobs-xization'])
    expect(run.report!.supportBuilds).toEqual(['dataknobs-common', 'dataknobs-structures', 'dataknobs-utils'])
    expect(fs.readdirSync(run.outputs['dist-dir']!)).not.toContain('dataknobs-common')
  }, TIMEOUT)

  test('packages: changed with nothing changed gives has-packages false and an empty matrix, without building', async () => {
    const ws = copyFixture('examples/monorepo')
    gitInit(ws)
    const run = await runBundle('build-packages', { packages: 'changed', 'base-ref': 'HEAD' }, { workspace: ws, node: NODES[0]!.path })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(run.outputs['has-packages']).toBe('false')
    expect(JSON.parse(run.outputs.matrix!)).toEqual({ include: [] })
    expect(JSON.parse(run.outputs.dists!)).toEqual([])
    expect(run.summary).toContain('nothing to build')
  }, TIMEOUT)

  test('a bad input is one line naming the input and the allowed values', async () => {
    const ws = copyFixture('examples/monorepo')
    const run = await runBundle('build-packages', { backend: 'maven' }, { workspace: ws, node: NODES[0]!.path })
    expect(run.exitCode).toBe(1)
    const err = run.annotations.find((a) => a.severity === 'error')!
    expect(err.message).toBe("Input 'backend' has an invalid value \"maven\": allowed values are auto, uv, build, poetry.")
  }, TIMEOUT)
})
