/**
 * build-packages' bundle on the example monorepo (poetry-core, hatchling and setuptools
 * packages) with the real frontends, twine and uv, on Node 20 and Node 24; on broken
 * variants of it (a dropped subpackage, a file:// dependency, a version mismatch); and on
 * the empty-readme fixture, with and without strict-metadata.
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
  test(
    'builds the poetry-core, hatchling and setuptools packages, verifies, installs and imports them',
    async () => {
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
      expect(matrix.include).toContainEqual(
        expect.objectContaining({ package: 'dataknobs-utils', path: 'packages/utils', version: '1.0.0' })
      )
      const byTool = Object.fromEntries(run.report!.checks.filter((c) => !c.package).map((c) => [c.tool, c.status]))
      expect(byTool).toEqual({
        metadata: 'passed',
        twine: 'passed',
        'wheel-contents': 'passed',
        'sdist-contents': 'passed',
        dependencies: 'passed',
        versions: 'passed',
        'test-install': 'passed',
        import: 'passed',
        smoke: 'passed'
      })
      // Every module was imported from the test venv, not from the source tree.
      const imports = run.report!.imports as { module: string; ok: boolean; file: string }[]
      expect(imports.map((i) => i.module).sort()).toEqual([
        'dataknobs_common',
        'dataknobs_structures',
        'dataknobs_utils',
        'dataknobs_xization'
      ])
      for (const i of imports) {
        expect(i.ok).toBe(true)
        expect(i.file).toContain('site-packages')
        expect(i.file.startsWith(ws)).toBe(false)
      }
      // Reproducible: the timestamp is the fixture commit's.
      expect((run.report!.sourceDateEpoch as { source: string }).source).toBe('git')
      expect(run.summary).toContain('dataknobs_utils-1.0.0-py3-none-any.whl')
      expect(run.summary).toContain('smoke')
    },
    TIMEOUT
  )
})

// The failure variants and the empty selection need no second Node: they exercise our logic, not the runtime.
describe(`build-packages failures on ${NODES[0]!.label}`, () => {
  test(
    'a dropped subpackage, a file:// dependency and a version mismatch each fail with a precise message',
    async () => {
      const ws = copyFixture('examples/monorepo')
      // The classic setuptools mistake: an explicit package list that forgets the subpackage.
      fs.writeFileSync(
        path.join(ws, 'packages/structures/pyproject.toml'),
        fs
          .readFileSync(path.join(ws, 'packages/structures/pyproject.toml'), 'utf8')
          .replace(
            /\[build-system\][\s\S]*?build-backend = "poetry.core.masonry.api"/,
            '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"'
          )
          .replace(/\[tool\.poetry\][\s\S]*$/, '[tool.setuptools]\npackages = ["dataknobs_structures"]\npackage-dir = { "" = "src" }\n')
      )
      edit(
        path.join(ws, 'packages/utils/pyproject.toml'),
        (t) =>
          t.replace('dependencies = [\n', 'dependencies = [\n    "leftpad @ file:///opt/leftpad",\n') +
          '\n[tool.hatch.metadata]\nallow-direct-references = true\n'
      )
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

      // Verification findings do not stop the test install: it ran, and failed on the file:// dependency.
      const install = run.report!.checks.find((c) => c.tool === 'test-install')!
      expect(install.status).toBe('failed')
      expect(install.command).toContain('dataknobs_utils-1.0.0-py3-none-any.whl')
      // The failure is annotated at the package's pyproject.toml.
      expect(
        run.annotations.some(
          (a) => a.props.file === 'packages/structures/pyproject.toml' && a.message.includes('dataknobs_structures.graph')
        )
      ).toBe(true)
    },
    TIMEOUT
  )

  test(
    'an empty README fails metadata and twine, and the test install and imports still run for every package',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/empty-readme')
      gitInit(ws)
      const run = await runBundle('build-packages', {}, { workspace: ws, node: NODES[0]!.path })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      const status = Object.fromEntries(run.report!.checks.filter((c) => !c.package).map((c) => [c.tool, c.status]))
      expect(status).toEqual({
        metadata: 'failed',
        twine: 'failed',
        'wheel-contents': 'passed',
        'sdist-contents': 'passed',
        dependencies: 'passed',
        versions: 'passed',
        'test-install': 'passed',
        import: 'passed'
      })
      const metadata = run.report!.checks.find((c) => c.tool === 'metadata')!
      expect(metadata.findings.map((f) => [f.package, f.severity, f.message.split(':')[0]])).toEqual([
        ['quill-cli', 'error', 'quill_cli-0.1.0-py3-none-any.whl'],
        ['quill-cli', 'error', 'quill_cli-0.1.0.tar.gz']
      ])
      expect(metadata.findings[0]!.message).toContain('has no long description')
      const twine = run.report!.checks.find((c) => c.tool === 'twine')!
      expect(twine.command).toBe('twine check --strict <dists>')
      expect(twine.findings.map((f) => `${f.package} ${f.severity}`)).toEqual(Array(4).fill('quill-cli error'))
      expect(twine.findings.map((f) => f.message)).toContain('quill_cli-0.1.0-py3-none-any.whl: `long_description` missing.')
      // Both wheels went into the venv together, and both packages' modules imported from it.
      const install = run.report!.checks.find((c) => c.tool === 'test-install')!
      expect(install.command).toContain('quill_core-0.1.0-py3-none-any.whl')
      expect(install.command).toContain('quill_cli-0.1.0-py3-none-any.whl')
      const imports = run.report!.imports as { module: string; package: string; ok: boolean; file: string }[]
      expect(imports.map((i) => [i.package, i.module, i.ok])).toEqual([
        ['quill-core', 'quill_core', true],
        ['quill-cli', 'quill_cli', true]
      ])
      for (const i of imports) {
        expect(i.file).toContain('site-packages')
        expect(i.file.startsWith(ws)).toBe(false)
      }
      expect(
        run.annotations.some(
          (a) => a.severity === 'error' && a.props.file === 'packages/cli/pyproject.toml' && a.message.includes('no long description')
        )
      ).toBe(true)
      expect(run.annotations.find((a) => a.severity === 'error' && a.message.startsWith('build-packages failed'))?.message).toContain(
        'build-packages failed: metadata, twine.'
      )
    },
    TIMEOUT
  )

  test(
    "two members that cannot be installed together: test-install names the conflict (uv's cause), not only that there is one",
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/member-conflict')
      gitInit(ws)
      const run = await runBundle('build-packages', {}, { workspace: ws, node: NODES[0]!.path })
      expect(run.exitCode).toBe(1)
      const status = Object.fromEntries(run.report!.checks.filter((c) => !c.package).map((c) => [c.tool, c.status]))
      expect(status['test-install']).toBe('failed')
      expect(status.metadata).toBe('passed')
      const message = run.report!.checks.find((c) => c.tool === 'test-install')!.findings[0]!.message
      expect(message).toMatch(
        /^Installing the built wheels together failed: error: No solution found when resolving dependencies cause: Because /
      )
      for (const part of ['knot-left', 'knot-right', 'packaging<21', 'packaging>=24']) expect(message).toContain(part)
    },
    TIMEOUT
  )

  test(
    'strict-metadata: false passes with the empty README reported as warnings',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/empty-readme')
      gitInit(ws)
      const run = await runBundle('build-packages', { 'strict-metadata': 'false' }, { workspace: ws, node: NODES[0]!.path })
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      const status = Object.fromEntries(run.report!.checks.filter((c) => !c.package).map((c) => [c.tool, c.status]))
      expect(status).toEqual({
        metadata: 'passed',
        twine: 'passed',
        'wheel-contents': 'passed',
        'sdist-contents': 'passed',
        dependencies: 'passed',
        versions: 'passed',
        'test-install': 'passed',
        import: 'passed'
      })
      const metadata = run.report!.checks.find((c) => c.tool === 'metadata')!
      expect(metadata.findings.map((f) => `${f.package} ${f.severity}`)).toEqual(['quill-cli warning', 'quill-cli warning'])
      expect(metadata.message).toBe('strict-metadata is false: metadata warnings do not fail the step')
      const twine = run.report!.checks.find((c) => c.tool === 'twine')!
      expect(twine.command).toBe('twine check <dists>')
      expect(twine.findings.map((f) => `${f.package} ${f.severity}`)).toEqual(Array(4).fill('quill-cli warning'))
      expect((run.report!.imports as { module: string; ok: boolean }[]).map((i) => [i.module, i.ok])).toEqual([
        ['quill_core', true],
        ['quill_cli', true]
      ])
      // Shown as warnings at the package's pyproject.toml, never as errors.
      expect(run.annotations.filter((a) => a.severity === 'error')).toEqual([])
      expect(
        run.annotations.some(
          (a) => a.severity === 'warning' && a.props.file === 'packages/cli/pyproject.toml' && a.message.includes('no long description')
        )
      ).toBe(true)
      expect(run.summary).toMatch(/quill-cli[^\n]*metadata ⚠️ 2, twine ⚠️ 4/)
    },
    TIMEOUT
  )

  test(
    'a needed package that did not build skips the test install, naming it and its dependent',
    async () => {
      const ws = copyFixture('__tests__/fixtures/workspaces/empty-readme')
      edit(path.join(ws, 'packages/core/pyproject.toml'), (t) =>
        t.replace('build-backend = "hatchling.build"', 'build-backend = "hatchling.no_such_module"')
      )
      gitInit(ws)
      const run = await runBundle(
        'build-packages',
        { packages: 'quill-cli', 'twine-check': 'false' },
        { workspace: ws, node: NODES[0]!.path }
      )
      expect(run.exitCode).toBe(1)
      const install = run.report!.checks.find((c) => c.tool === 'test-install')!
      expect(install.status).toBe('skipped')
      expect(install.message).toBe(
        'not every package the test install needs was built: quill-core (failed), quill-cli (skipped: its dependency quill-core failed)'
      )
    },
    TIMEOUT
  )

  test(
    'a pin on a repository package that is neither built nor published fails, naming both',
    async () => {
      const ws = copyFixture('examples/monorepo')
      edit(path.join(ws, 'packages/xization/pyproject.toml'), (t) =>
        t.replace('"dataknobs-utils>=1.0.0"', '"dataknobs-utils==0.0.0.dev424242"')
      )
      gitInit(ws)
      const run = await runBundle(
        'build-packages',
        { packages: 'packages/xization', 'twine-check': 'false' },
        { workspace: ws, node: NODES[0]!.path }
      )
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
    },
    TIMEOUT
  )

  test(
    'packages: changed with nothing changed gives has-packages false and an empty matrix, without building',
    async () => {
      const ws = copyFixture('examples/monorepo')
      gitInit(ws)
      const run = await runBundle('build-packages', { packages: 'changed', 'base-ref': 'HEAD' }, { workspace: ws, node: NODES[0]!.path })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.passed).toBe('true')
      expect(run.outputs['has-packages']).toBe('false')
      expect(JSON.parse(run.outputs.matrix!)).toEqual({ include: [] })
      expect(JSON.parse(run.outputs.dists!)).toEqual([])
      expect(run.summary).toContain('nothing to build')
    },
    TIMEOUT
  )

  test(
    'a bad input is one line naming the input and the allowed values',
    async () => {
      const ws = copyFixture('examples/monorepo')
      const run = await runBundle('build-packages', { backend: 'maven' }, { workspace: ws, node: NODES[0]!.path })
      expect(run.exitCode).toBe(1)
      const err = run.annotations.find((a) => a.severity === 'error')!
      expect(err.message).toBe('Input \'backend\' has an invalid value "maven": allowed values are auto, uv, build, poetry.')
    },
    TIMEOUT
  )
})
