/**
 * build-packages' pure parts: the zip/tar/metadata readers on dists the real tools built,
 * twine's output as captured, what strict-metadata makes of metadata and twine findings,
 * versions, direct references, module walks and exclusions, the dependency-ordered
 * scheduler, and when the test install cannot run.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runInDependencyOrder, frontendFor, buildArgv } from '../../actions/build-packages/build.js'
import { readSdist, readWheel, wheelTopLevelModules } from '../../actions/build-packages/dists.js'
import { field, fields, parseCoreMetadata } from '../../packages-shared/core-metadata.js'
import { versionsInFiles } from '../../packages-shared/pypa/dist-filename.js'
import { exclusionsOf, globMatches, isExcluded, sourceModules } from '../../actions/build-packages/source-modules.js'
import { collapseMissing } from '../../actions/build-packages/verify-contents.js'
import { directReferences } from '../../actions/build-packages/verify-dependencies.js'
import { verifyInternalPins } from '../../actions/build-packages/verify-versions.js'
import { pinsIn, versionFromRef } from '../../actions/build-packages/versions.js'
import { sameVersion, versionKey } from '../../packages-shared/pypa/versions.js'
import { parseTwineCheck, readTwineCheck, twineCheckArgv, twineCheckShown } from '../../packages-shared/tools/twine.js'
import { metadataSeverity } from '../../packages-shared/metadata-policy.js'
import { unbuiltForTestInstall } from '../../actions/build-packages/test-install.js'
import { verifyMetadata } from '../../actions/build-packages/verify-metadata.js'
import { twineFindings } from '../../actions/build-packages/verify-twine.js'
import type { BuiltPackage } from '../../actions/build-packages/built.js'
import { discoverWorkspace, type PythonPackage } from '../../packages-shared/workspace.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const CAPTURED = path.join(HERE, '..', 'fixtures', 'captured')
const DISTS = path.join(CAPTURED, 'dists')
const MONOREPO = path.join(HERE, '..', '..', 'examples', 'monorepo')

describe('wheel and sdist readers (dists built by uv build)', () => {
  test('a poetry-core wheel: file list, METADATA, top-level modules', () => {
    const w = readWheel(path.join(DISTS, 'dataknobs_structures-1.0.0-py3-none-any.whl'))
    expect(w.error).toBeUndefined()
    expect(w.files).toEqual(
      expect.arrayContaining([
        'dataknobs_structures/graph/__init__.py',
        'dataknobs_structures/graph/digraph.py',
        'dataknobs_structures-1.0.0.dist-info/RECORD'
      ])
    )
    expect(field(w.metadata!, 'Name')).toBe('dataknobs-structures')
    expect(field(w.metadata!, 'Version')).toBe('1.0.0')
    expect(fields(w.metadata!, 'Requires-Dist')).toEqual(['dataknobs-common (>=1.0.0)'])
    expect(w.metadata!.description).toContain('dataknobs-structures')
    expect(wheelTopLevelModules(w.files)).toEqual(['dataknobs_structures'])
    expect(w.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  test('a poetry-core and a setuptools sdist: files relative to the top directory, PKG-INFO', () => {
    for (const [file, name] of [
      ['dataknobs_structures-1.0.0.tar.gz', 'dataknobs-structures'],
      ['dataknobs_xization-1.0.0.tar.gz', 'dataknobs-xization']
    ] as const) {
      const s = readSdist(path.join(DISTS, file))
      expect(s.error).toBeUndefined()
      expect(s.files).toContain('pyproject.toml')
      expect(s.files).toContain('PKG-INFO')
      expect(field(s.metadata!, 'Name')).toBe(name)
    }
    expect(readSdist(path.join(DISTS, 'dataknobs_structures-1.0.0.tar.gz')).files).toContain('src/dataknobs_structures/graph/digraph.py')
  })

  test('a hatchling wheel with direct references', () => {
    const w = readWheel(path.join(DISTS, 'badpkg-0.1-py2.py3-none-any.whl'))
    const refs = directReferences(fields(w.metadata!, 'Requires-Dist'))
    expect(refs.map((r) => [r.name, r.kind])).toEqual([
      ['bar', 'vcs'],
      ['foo', 'path']
    ])
    expect(refs[1]!.requirement).toBe('foo @ file:///tmp/foo')
  })

  test('garbage is reported, not thrown', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-bp-'))
    fs.writeFileSync(path.join(dir, 'x-1.0-py3-none-any.whl'), 'not a zip')
    fs.writeFileSync(path.join(dir, 'x-1.0.tar.gz'), 'not gzip')
    expect(readWheel(path.join(dir, 'x-1.0-py3-none-any.whl')).error).toMatch(/not a readable zip/)
    expect(readSdist(path.join(dir, 'x-1.0.tar.gz')).error).toMatch(/not a readable \.tar\.gz/)
  })
})

test('core metadata: repeated fields, continuation lines, body as description', () => {
  const m = parseCoreMetadata('Metadata-Version: 2.1\nName: x\nClassifier: A\nClassifier: B\nLicense: MIT\n  and more\n\n# Title\n\nbody\n')
  expect(fields(m, 'classifier')).toEqual(['A', 'B'])
  expect(field(m, 'License')).toBe('MIT\n  and more')
  expect(m.description).toBe('# Title\n\nbody')
})

test('twine check --strict output (captured from twine 7.0.0)', () => {
  const out = parseTwineCheck(fs.readFileSync(path.join(CAPTURED, 'twine', 'check-strict-mixed.txt'), 'utf8'))
  expect(out.map((r) => [path.basename(r.file), r.passed])).toEqual([
    ['badpkg-0.1-py2.py3-none-any.whl', false],
    ['nodesc-0.1-py2.py3-none-any.whl', false],
    ['dataknobs_common-1.0.0-py3-none-any.whl', true],
    ['badpkg-0.1.tar.gz', false],
    ['nodesc-0.1.tar.gz', false],
    ['dataknobs_common-1.0.0.tar.gz', true]
  ])
  expect(out[0]!.messages[0]!.level).toBe('error')
  expect(out[0]!.messages[0]!.text).toContain('line 4: Error: Unknown directive type "broken".')
  expect(out[1]!.messages.map((m) => m.text)).toEqual([
    '`long_description_content_type` missing. defaulting to `text/x-rst`.',
    '`long_description` missing.'
  ])
  // rich wraps long paths on a narrow terminal.
  const wrapped = parseTwineCheck('Checking \n/very/long/path/pkg-1.0-py3-none-\nany.whl: PASSED\n')
  expect(wrapped).toEqual([{ file: '/very/long/path/pkg-1.0-py3-none-any.whl', passed: true, verdict: 'PASSED', messages: [] }])
})

test('twine check that says nothing about some file is no verdict: an error naming its exit, with its output', () => {
  const text = fs.readFileSync(path.join(CAPTURED, 'twine', 'check-strict-mixed.txt'), 'utf8')
  const files = [
    'dist2/bad/badpkg-0.1-py2.py3-none-any.whl',
    'dist2/nodesc/nodesc-0.1-py2.py3-none-any.whl',
    'dist/common/dataknobs_common-1.0.0-py3-none-any.whl',
    'dist2/bad/badpkg-0.1.tar.gz',
    'dist2/nodesc/nodesc-0.1.tar.gz',
    'dist/common/dataknobs_common-1.0.0.tar.gz'
  ]
  const answer = { argv: [], exitCode: 1, timedOut: false, stdout: text, stderr: '', durationMs: 1 }
  const read = readTwineCheck(answer, files)
  expect('results' in read && read.results.map((r) => r.passed)).toEqual([false, false, true, false, false, true])
  const crashed = readTwineCheck(
    { ...answer, exitCode: 1, stdout: '', stderr: 'Traceback (most recent call last):\nImportError: cannot import name x\n' },
    files
  )
  expect('error' in crashed && crashed.error).toBe(
    'twine check did not report on every file (exit 1):\nTraceback (most recent call last):\nImportError: cannot import name x'
  )
  const cut = readTwineCheck(
    { ...answer, stdout: text.split('Checking dist2/bad/badpkg-0.1.tar.gz')[0]!, timedOut: true, timeoutMs: 60_000 },
    files
  )
  expect('error' in cut && cut.error).toMatch(/^twine check .*1m[\s\S]*\ntwine check did not report on every file \(exit 1\):/)
})

describe('strict-metadata', () => {
  const quill = (id = 'quill-cli'): BuiltPackage => ({
    pkg: { id, name: id, relDir: 'packages/cli', metadataSource: 'pyproject', version: '0.1.0' } as unknown as PythonPackage,
    selected: true,
    ok: true,
    outDir: '',
    command: '',
    durationMs: 0,
    log: '',
    wheel: readWheel(path.join(DISTS, 'quill_cli-0.1.0-py3-none-any.whl')),
    sdist: readSdist(path.join(DISTS, 'quill_cli-0.1.0.tar.gz'))
  })

  test('the empty-readme fixture: quill-core then quill-cli, whose readme is a 0-byte file', () => {
    const root = path.join(HERE, '..', 'fixtures', 'workspaces', 'empty-readme')
    const ws = discoverWorkspace(root)
    expect(ws.packages.map((p) => [p.id, p.version, p.relDir, p.backend])).toEqual([
      ['quill-core', '0.1.0', 'packages/core', 'hatchling'],
      ['quill-cli', '0.1.0', 'packages/cli', 'hatchling']
    ])
    expect([...ws.graph.depsOf('quill-cli')]).toEqual(['quill-core'])
    expect(fs.statSync(path.join(root, 'packages', 'cli', 'README.md')).size).toBe(0)
  })

  test('the rule: errors always fail; warnings fail only when strict', () => {
    expect(metadataSeverity('error', true)).toBe('error')
    expect(metadataSeverity('error', false)).toBe('error')
    expect(metadataSeverity('warning', true)).toBe('error')
    expect(metadataSeverity('warning', false)).toBe('warning')
  })

  test('an empty README (hatchling dists of the empty-readme fixture) is a metadata warning', () => {
    const strict = verifyMetadata(quill())
    expect(strict.map((f) => [f.severity, f.file])).toEqual([
      ['error', 'packages/cli/pyproject.toml'],
      ['error', 'packages/cli/pyproject.toml']
    ])
    expect(strict[0]!.message).toBe(
      'quill_cli-0.1.0-py3-none-any.whl: the metadata has no long description, so PyPI would show an empty project page. Point `readme` in [project] at a README that has content (an empty file gives none), or set `long_description` (in setup() of setup.py, or [metadata] of setup.cfg).'
    )
    expect(strict[1]!.message).toContain('quill_cli-0.1.0.tar.gz: the metadata has no long description')
    expect(verifyMetadata(quill(), false).map((f) => f.severity)).toEqual(['warning', 'warning'])
  })

  test("a name that is not the package's stays an error when not strict", () => {
    const findings = verifyMetadata(quill('quill-tool'), false)
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([
      "quill_cli-0.1.0-py3-none-any.whl: the metadata names the project 'quill-cli', but packages/cli/pyproject.toml declares 'quill-tool'.",
      "quill_cli-0.1.0.tar.gz: the metadata names the project 'quill-cli', but packages/cli/pyproject.toml declares 'quill-tool'."
    ])
    expect(findings.filter((f) => f.severity === 'warning')).toHaveLength(2)
  })

  test('twine: WARNING lines follow strict-metadata, ERROR lines and bare failures are errors', () => {
    const b = quill()
    const at = (file: string): string => path.join('/out', file)
    b.wheel = { ...b.wheel!, path: at('quill_cli-0.1.0-py3-none-any.whl') }
    b.sdist = { ...b.sdist!, path: at('quill_cli-0.1.0.tar.gz') }
    // Captured without --strict (what strict-metadata: false runs), with the dists' paths as twine printed them.
    const lenient = parseTwineCheck(
      fs.readFileSync(path.join(CAPTURED, 'twine', 'check-empty-readme.txt'), 'utf8').replace(/^Checking /gm, 'Checking /out/')
    )
    expect(lenient.map((r) => [path.basename(r.file), r.passed, r.verdict])).toEqual([
      ['quill_cli-0.1.0-py3-none-any.whl', true, 'PASSED with warnings'],
      ['quill_core-0.1.0-py3-none-any.whl', true, 'PASSED'],
      ['quill_cli-0.1.0.tar.gz', true, 'PASSED with warnings'],
      ['quill_core-0.1.0.tar.gz', true, 'PASSED']
    ])
    const warned = twineFindings(lenient, [b], false)
    expect(warned.map((f) => [f.severity, f.package, f.message])).toEqual([
      ['warning', 'quill-cli', 'quill_cli-0.1.0-py3-none-any.whl: `long_description_content_type` missing. defaulting to `text/x-rst`.'],
      ['warning', 'quill-cli', 'quill_cli-0.1.0-py3-none-any.whl: `long_description` missing.'],
      ['warning', 'quill-cli', 'quill_cli-0.1.0.tar.gz: `long_description_content_type` missing. defaulting to `text/x-rst`.'],
      ['warning', 'quill-cli', 'quill_cli-0.1.0.tar.gz: `long_description` missing.']
    ])
    expect(twineFindings(lenient, [b], true).map((f) => f.severity)).toEqual(['error', 'error', 'error', 'error'])
    // Captured with --strict: badpkg's rST error is an error either way; nodesc's warnings follow the input.
    const mixed = parseTwineCheck(fs.readFileSync(path.join(CAPTURED, 'twine', 'check-strict-mixed.txt'), 'utf8'))
    const levels = (strict: boolean): string[] => twineFindings(mixed, [], strict).map((f) => `${f.message.split(':')[0]} ${f.severity}`)
    expect(levels(false)).toEqual([
      'badpkg-0.1-py2.py3-none-any.whl error',
      'nodesc-0.1-py2.py3-none-any.whl warning',
      'nodesc-0.1-py2.py3-none-any.whl warning',
      'badpkg-0.1.tar.gz error',
      'nodesc-0.1.tar.gz warning',
      'nodesc-0.1.tar.gz warning'
    ])
    expect(levels(true).every((l) => l.endsWith(' error'))).toBe(true)
    expect(twineFindings([{ file: '/out/x.whl', passed: false, verdict: 'FAILED', messages: [] }], [], false)).toEqual([
      { tool: 'twine', package: undefined, severity: 'error', message: 'x.whl: FAILED' }
    ])
  })

  test('twine runs with --strict only when strict-metadata is true', () => {
    expect(twineCheckArgv('twine', ['a.whl'])).toEqual(['twine', '--no-color', 'check', '--strict', 'a.whl'])
    expect(twineCheckArgv('twine', ['a.whl'], false)).toEqual(['twine', '--no-color', 'check', 'a.whl'])
    expect(twineCheckShown()).toBe('twine check --strict <dists>')
    expect(twineCheckShown(false)).toBe('twine check <dists>')
  })
})

describe('test install', () => {
  const b = (name: string, ok: boolean, skipped?: string): Pick<BuiltPackage, 'pkg' | 'ok' | 'skipped'> => ({
    pkg: { name } as PythonPackage,
    ok,
    skipped
  })
  test('runs when every needed package built, whatever verification found', () => {
    expect(unbuiltForTestInstall([b('quill-core', true), b('quill-cli', true)])).toBeUndefined()
    expect(unbuiltForTestInstall([])).toBeUndefined()
  })
  test('otherwise names each package that did not build and why', () => {
    expect(unbuiltForTestInstall([b('quill-core', false), b('quill-cli', false, 'quill-core'), b('other', true)])).toBe(
      'quill-core (failed), quill-cli (skipped: its dependency quill-core failed)'
    )
  })
})

describe('versions', () => {
  test('PEP 440 equality', () => {
    expect(sameVersion('1.0', '1.0.0')).toBe(true)
    expect(sameVersion('v1.2.0-RC1', '1.2rc1')).toBe(true)
    expect(sameVersion('1.0.post1', '1.0-1')).toBe(true)
    expect(sameVersion('1.0.1', '1.0.0')).toBe(false)
    expect(versionKey('not a version')).toBeUndefined()
  })
  test('release tags', () => {
    expect(versionFromRef('refs/tags/v1.2.3')).toBe('1.2.3')
    expect(versionFromRef('refs/tags/2.0.0rc1')).toBe('2.0.0rc1')
    expect(versionFromRef('refs/heads/main')).toBeUndefined()
    expect(versionFromRef('refs/tags/release-x')).toBeUndefined()
  })
  test('== pins, not ranges or wildcards', () => {
    expect(pinsIn(['a==1.0', 'b>=1,<2', 'c==1.*', 'D_e[x] == 2.0 ; python_version>"3"', 'f===3', 'g (==4.0)'])).toEqual([
      { id: 'a', version: '1.0', requirement: 'a==1.0' },
      { id: 'd-e', version: '2.0', requirement: 'D_e[x] == 2.0 ; python_version>"3"' },
      { id: 'f', version: '3', requirement: 'f===3' },
      { id: 'g', version: '4.0', requirement: 'g (==4.0)' }
    ])
  })
  test('index file names give versions', () => {
    expect(versionsInFiles('Data-Knobs', ['data_knobs-1.0-py3-none-any.whl', 'data_knobs-1.1.tar.gz', 'other-2.0.tar.gz']).sort()).toEqual([
      '1.0',
      '1.1'
    ])
  })
  test('pins: built now passes, published passes, otherwise fails; an unreachable index warns', async () => {
    const b = {
      pkg: { id: 'app', name: 'app', relDir: 'packages/app' },
      selected: true,
      ok: true,
      wheel: { metadata: parseCoreMetadata('Name: app\nRequires-Dist: lib==2.0\nRequires-Dist: old==1.0\nRequires-Dist: gone==0.1\n') }
    } as unknown as BuiltPackage
    const repo = new Map([
      ['lib', { name: 'lib', version: '2.0.0', building: true }],
      ['old', { name: 'old', version: '1.5', building: false }],
      ['gone', { name: 'gone', version: '0.2', building: false }]
    ])
    const r = await verifyInternalPins([b], repo, 'https://index.example/simple', async (name) =>
      name === 'old' ? { ok: true, versions: ['1.0'] } : { ok: false, notFound: false, error: 'connection refused' }
    )
    expect(r.queried).toEqual(['old', 'gone'])
    expect(r.findings).toHaveLength(1)
    expect(r.findings[0]!.severity).toBe('warning')
    expect(r.unreachable).toEqual(['connection refused'])
    const r2 = await verifyInternalPins([b], repo, 'https://index.example/simple', async () => ({
      ok: false,
      notFound: true,
      error: '404'
    }))
    expect(r2.findings.map((f) => f.severity)).toEqual(['error', 'error'])
    expect(r2.findings[1]!.message).toContain('pins "gone==0.1", but gone 0.1 is neither being built now')
  })
})

describe('source modules', () => {
  const structures = {
    dir: path.join(MONOREPO, 'packages/structures'),
    importDir: path.join(MONOREPO, 'packages/structures/src'),
    modules: ['dataknobs_structures']
  }
  test('walks the import root into dotted names', () => {
    expect(sourceModules(structures).map((m) => m.name)).toEqual([
      'dataknobs_structures',
      'dataknobs_structures.graph',
      'dataknobs_structures.graph.digraph',
      'dataknobs_structures.tree'
    ])
  })
  test('a dropped subpackage is one missing module', () => {
    const missing = sourceModules(structures).filter((m) => m.name.startsWith('dataknobs_structures.graph'))
    expect(collapseMissing(missing).map((m) => m.name)).toEqual(['dataknobs_structures.graph'])
  })
  test('exclusions from dk-actions, setuptools, hatch and Poetry', () => {
    const mods = sourceModules(structures)
    const graph = mods.find((m) => m.name === 'dataknobs_structures.graph.digraph')!
    const tree = mods.find((m) => m.name === 'dataknobs_structures.tree')!
    const cases = [
      { tool: { 'dk-actions': { 'exclude-modules': ['dataknobs_structures.graph'] } } },
      { tool: { setuptools: { packages: { find: { exclude: ['*.graph'] } } } } },
      { tool: { hatch: { build: { targets: { wheel: { exclude: ['graph/'] } } } } } },
      { tool: { poetry: { exclude: ['src/dataknobs_structures/graph/**'] } } }
    ]
    for (const pyproject of cases) {
      const ex = exclusionsOf(pyproject)
      expect({ pyproject, graph: isExcluded(graph, ex), tree: isExcluded(tree, ex) }).toEqual({ pyproject, graph: true, tree: false })
    }
    expect(isExcluded(graph, exclusionsOf({}, { tool: { 'dk-actions': { 'exclude-modules': ['*.digraph'] } } }))).toBe(true)
  })
  test('gitignore-style globs', () => {
    expect(globMatches('tests', 'src/x/tests/a.py')).toBe(true)
    expect(globMatches('/tests', 'src/x/tests/a.py')).toBe(false)
    expect(globMatches('src/**/*.py', 'src/x/y/a.py')).toBe(true)
    expect(globMatches('*.pyc', 'src/x/a.py')).toBe(false)
  })
})

describe('building', () => {
  test('frontends', () => {
    const pkg = (backend: PythonPackage['backend']): Pick<PythonPackage, 'backend'> => ({ backend })
    expect(frontendFor(pkg('hatchling'), 'auto', true)).toBe('uv')
    expect(frontendFor(pkg('hatchling'), 'auto', false)).toBe('build')
    expect(frontendFor(pkg('poetry'), 'poetry', true)).toBe('poetry')
    expect(frontendFor(pkg('setuptools'), 'poetry', true)).toBe('uv')
    expect(buildArgv('uv', { uv: '/u/uv', python: '/py' }, '/p', '/o')).toEqual([
      '/u/uv',
      'build',
      '--sdist',
      '--wheel',
      '--out-dir',
      '/o',
      '--python',
      '/py',
      '--no-progress',
      '/p'
    ])
    expect(buildArgv('build', { python: '/py', buildPython: '/v/python' }, '/p', '/o')).toEqual([
      '/v/python',
      '-m',
      'build',
      '--sdist',
      '--wheel',
      '--outdir',
      '/o',
      '/p'
    ])
  })

  test('dependency order: a package starts once its dependencies are built; a failed one skips its dependents', async () => {
    const deps: Record<string, string[]> = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] }
    const started: string[] = []
    const finished = new Set<string>()
    const r = await runInDependencyOrder(
      ['a', 'b', 'c', 'd', 'e'],
      (id) => deps[id]!,
      2,
      async (id) => {
        for (const d of deps[id]!) expect(finished.has(d)).toBe(true)
        started.push(id)
        await new Promise((res) => setTimeout(res, 5))
        finished.add(id)
        return id !== 'c'
      }
    )
    expect(started.sort()).toEqual(['a', 'b', 'c', 'e'])
    expect(r.get('d')).toEqual({ ok: false, skipped: 'c' })
    expect(r.get('b')).toEqual({ ok: true })
  })
})
