/**
 * build-packages' whole flow through a recorded exec, on a copy of examples/monorepo: the
 * recorded `uv build` puts the dists uv built from that monorepo
 * (__tests__/fixtures/captured/dists) into the `--out-dir` it is given, so the action reads,
 * verifies and records real wheels and sdists; twine and the installer answer with their
 * captured output; any other command fails the test.
 */
import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { buildPackagesAction } from '../../actions/build-packages/main.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { recordedExec, testContext, type Answer, type ExecRule } from '../helpers/recorded.js'
import { scratchDirs } from '../helpers/scratch.js'

const CAPTURED = path.resolve('__tests__/fixtures/captured')
const DISTS = path.join(CAPTURED, 'dists')
const captured = (file: string): string => fs.readFileSync(path.join(CAPTURED, file), 'utf8')
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

const scratch = scratchDirs()
const tempDir = scratch.tempDir

/** A copy of the example monorepo outside any git checkout (discovery walks the files). */
function monorepo(): string {
  const ws = tempDir('dk-build-main-')
  fs.cpSync(path.resolve('examples/monorepo'), ws, { recursive: true })
  return ws
}

/** A PATH folder holding uv and twine, so install: none and backend auto find them; the recorded exec answers for them. */
function toolsOnPath(...names: string[]): string {
  const bin = tempDir('dk-build-bin-')
  for (const n of names) fs.writeFileSync(path.join(bin, n), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  return bin
}

/** The folder a frontend's argv writes its dists into. */
function outDirIn(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--out-dir' || a === '--outdir' || a === '-o' || a === '--output')
  if (i < 0) throw new Error(`no output folder in ${argv.join(' ')}`)
  return argv[i + 1]!
}

/**
 * `uv build` of a package of the monorepo: the captured dists of that package (from `from`,
 * a folder of captured/dists) copied into the out dir, as uv writes them.
 */
function uvBuild(from: Record<string, string> = {}): (spec: CommandSpec) => Answer {
  return (spec) => {
    const folder = path.basename(spec.cwd!)
    const stem = `dataknobs_${folder}-1.0.0`
    const out = outDirIn(spec.argv)
    const files = [`${stem}-py3-none-any.whl`, `${stem}.tar.gz`]
    for (const f of files) fs.copyFileSync(path.join(from[folder] ?? DISTS, f), path.join(out, f))
    return {
      stderr: `Building source distribution...\nBuilding wheel from source distribution...\n${files.map((f) => `Successfully built ${path.join(out, f)}`).join('\n')}\n`
    }
  }
}

/** twine check's line for a file that passes (the shape of captured/twine). */
const twinePasses = (spec: CommandSpec): Answer => ({
  stdout:
    spec.argv
      .filter((a) => /\.(whl|tar\.gz)$/.test(a))
      .map((f) => `Checking ${f}: PASSED`)
      .join('\n') + '\n'
})

const isImport = (s: CommandSpec): boolean => s.argv[1] === '-I' && s.argv[2] === '-c'

/** What the import script prints for modules that import from the venv. */
function importsOk(spec: CommandSpec): Answer {
  const venv = path.dirname(path.dirname(spec.argv[0]!))
  const results = spec.argv
    .slice(4)
    .map((m) => ({ module: m, ok: true, file: path.join(venv, 'lib', 'python3.11', 'site-packages', m, '__init__.py') }))
  return { stdout: `DK-IMPORTS ${JSON.stringify(results)}\n` }
}

/** Commands every run of the flow makes before and after the builds. */
const BASE: ExecRule[] = [
  {
    match: /^git ls-files -z --cached/,
    answer: { exitCode: 128, stderr: 'fatal: not a git repository (or any of the parent directories): .git\n' }
  },
  { match: /^git rev-parse --verify --quiet/, answer: { exitCode: 128, stderr: 'fatal: not a git repository\n' } },
  { match: /^git log -1 --format=%ct$/, answer: { stdout: '1700000000\n' } },
  { match: /^python3 -c 'import sys; print\(sys.executable\)/, answer: { stdout: '/usr/bin/python3\n3.11.2\n' } },
  { match: /\/uv --version$/, answer: { stdout: 'uv 0.13.8\n' } },
  {
    match: /\/twine --version$/,
    answer: {
      stdout:
        'twine version 7.0.0 (keyring: 25.6.0, packaging: 25.0, requests: 2.32.5, requests-toolbelt: 1.0.0, urllib3: 2.5.0, id: 1.5.0)\n'
    }
  }
]
const BUILD: ExecRule = { match: /\/uv build --sdist --wheel --out-dir /, answer: uvBuild() }
const TWINE: ExecRule = { match: /\/twine --no-color check --strict /, answer: twinePasses }
const VENV: ExecRule = { match: /\/uv venv --quiet --python \/usr\/bin\/python3 /, answer: {} }
const INSTALL: ExecRule = {
  match: /\/uv pip install --python /,
  answer: {
    stderr: 'Resolved 2 packages in 3ms\nInstalled 2 packages in 2ms\n + dataknobs-common==1.0.0\n + dataknobs-structures==1.0.0\n'
  }
}
const IMPORT: ExecRule = { match: isImport, answer: importsOk }

async function run(inputs: Record<string, string>, rules: ExecRule[], tools = ['uv', 'twine']) {
  const ws = monorepo()
  const exec = recordedExec(rules)
  const { ctx, io } = testContext({
    inputs: { install: 'none', 'dist-dir': 'dist-out', ...inputs },
    env: { GITHUB_WORKSPACE: ws, PATH: toolsOnPath(...tools), RUNNER_TEMP: tempDir('dk-build-temp-') },
    exec
  })
  const parsed = buildPackagesAction.parseInputs(new InputReader(io), ctx.common, io)
  const result = await buildPackagesAction.run(ctx, parsed)
  const check = (tool: string, pkg?: string): CheckResult => {
    const found = result.checks.find((c) => c.tool === tool && (pkg === undefined || c.package === pkg))
    if (!found) throw new Error(`no ${tool} check in ${result.checks.map((c) => c.tool).join(', ')}`)
    return found
  }
  const statuses = Object.fromEntries(result.checks.map((c) => [c.package ? `${c.tool} ${c.package}` : c.tool, c.status]))
  return { ws, result, check, statuses, exec, io }
}

describe('build-packages main through recorded tools', () => {
  test('a selected package and the dependency its test install needs: both built in order, the real dists verified, installed, imported and recorded', async () => {
    const { ws, result, statuses, exec, io } = await run({ packages: 'dataknobs-structures' }, [
      ...BASE,
      BUILD,
      TWINE,
      VENV,
      INSTALL,
      IMPORT
    ])

    expect(statuses).toEqual({
      'build dataknobs-structures': 'passed',
      metadata: 'passed',
      twine: 'passed',
      'wheel-contents': 'passed',
      'sdist-contents': 'passed',
      dependencies: 'passed',
      versions: 'passed',
      'test-install': 'passed',
      import: 'passed'
    })
    expect(result.passed).toBe(true)
    expect(result.failureMessage).toBeUndefined()
    expect(result.packages).toEqual(['dataknobs-structures'])
    expect(result.checks.find((c) => c.tool === 'build')!.toolVersion).toBe('uv build (uv 0.13.8)')
    expect(result.checks.find((c) => c.tool === 'twine')!.toolVersion).toBe('7.0.0')

    // The dependency is built first, into scratch (not dist-dir); the selection into dist-dir/<id>.
    const builds = exec.calls.filter((c) => c.argv[1] === 'build')
    expect(builds.map((c) => path.basename(c.cwd!))).toEqual(['common', 'structures'])
    expect(outDirIn(builds[1]!.argv)).toBe(path.join(ws, 'dist-out', 'dataknobs-structures'))
    expect(outDirIn(builds[0]!.argv).startsWith(path.join(ws, 'dist-out'))).toBe(false)
    expect(builds[1]!.argv).toContain('/usr/bin/python3')
    expect(builds.every((c) => c.env?.SOURCE_DATE_EPOCH === '1700000000')).toBe(true)
    expect(result.data!.supportBuilds).toEqual(['dataknobs-common'])
    expect(result.data!.sourceDateEpoch).toEqual({ epoch: '1700000000', source: 'git' })

    // Outputs name the files the build wrote, with the digests of those bytes.
    const dists = JSON.parse(result.outputs!.dists!) as {
      package: string
      version: string
      wheel: string
      sdist: string
      sha256: { wheel: string; sdist: string }
    }[]
    expect(dists).toHaveLength(1)
    const d = dists[0]!
    expect(d).toMatchObject({
      package: 'dataknobs-structures',
      version: '1.0.0',
      wheel: path.join(ws, 'dist-out', 'dataknobs-structures', 'dataknobs_structures-1.0.0-py3-none-any.whl')
    })
    expect(d.sha256.wheel).toBe(sha256(path.join(DISTS, 'dataknobs_structures-1.0.0-py3-none-any.whl')))
    expect(d.sha256.sdist).toBe(sha256(path.join(DISTS, 'dataknobs_structures-1.0.0.tar.gz')))
    expect(JSON.parse(result.outputs!.matrix!)).toEqual({
      include: [{ package: 'dataknobs-structures', name: 'dataknobs-structures', path: 'packages/structures', version: '1.0.0' }]
    })
    expect(result.outputs!['has-packages']).toBe('true')
    // Besides the output guard's stamp, dist-dir holds the selection's folder only.
    expect(fs.readdirSync(path.join(ws, 'dist-out')).filter((f) => f !== '.dk-actions-output')).toEqual(['dataknobs-structures'])

    // twine sees the selection's two files only; the install takes both wheels in one resolution; only the selection is imported.
    const twine = exec.calls.find((c) => c.argv.includes('check'))!
    expect(twine.argv.slice(-2).map((f) => path.basename(f))).toEqual([
      'dataknobs_structures-1.0.0-py3-none-any.whl',
      'dataknobs_structures-1.0.0.tar.gz'
    ])
    const install = exec.calls.find((c) => c.argv.includes('pip'))!
    expect(install.argv.filter((a) => a.endsWith('.whl')).map((f) => path.basename(f))).toEqual([
      'dataknobs_common-1.0.0-py3-none-any.whl',
      'dataknobs_structures-1.0.0-py3-none-any.whl'
    ])
    expect(install.argv).not.toContain('--index-url')
    expect(exec.calls.find(isImport)!.argv.slice(4)).toEqual(['dataknobs_structures'])
    expect(result.data!.imports).toEqual([
      expect.objectContaining({ module: 'dataknobs_structures', package: 'dataknobs-structures', ok: true })
    ])

    // The dist record names the dists for the steps that follow.
    const record = JSON.parse(fs.readFileSync(result.data!.record as string, 'utf8')) as {
      passed: boolean
      packages: { package: string; files: { path: string }[] }[]
    }
    expect(record.passed).toBe(true)
    expect(record.packages.map((p) => [p.package, p.files.map((f) => path.basename(f.path))])).toEqual([
      ['dataknobs-structures', ['dataknobs_structures-1.0.0-py3-none-any.whl', 'dataknobs_structures-1.0.0.tar.gz']]
    ])
    expect(result.sections!.join('\n')).toContain('dataknobs_structures-1.0.0-py3-none-any.whl')
    expect(io.logs.filter((l) => l.level === 'error' || l.level === 'warning')).toEqual([])
  })

  test('a dependency that fails to build: its error, the dependent skipped naming it, no test install, and nothing else run', async () => {
    const failing: ExecRule = {
      match: (s) => s.argv[1] === 'build' && path.basename(s.cwd!) === 'common',
      answer: {
        exitCode: 2,
        stderr: '  × Failed to build `packages/common`\n  ╰─▶ Build backend failed to build wheel through `build_wheel` (exit status: 1)\n'
      }
    }
    const { result, statuses, check, exec } = await run({ packages: 'dataknobs-structures' }, [...BASE, failing, BUILD])

    expect(statuses).toEqual({
      'build dataknobs-common': 'failed',
      'build dataknobs-structures': 'failed',
      metadata: 'passed',
      twine: 'skipped',
      'wheel-contents': 'passed',
      'sdist-contents': 'passed',
      dependencies: 'passed',
      versions: 'passed',
      'test-install': 'skipped'
    })
    const common = check('build', 'dataknobs-common')
    expect(common.findings[0]!.message).toBe(
      'dataknobs-common did not build (needed for the test install): Building dataknobs-common failed (exit 2):'
    )
    expect(common.findings[0]!.detail).toContain('Build backend failed to build wheel')
    expect(common.findings[0]!.file).toBe('packages/common/pyproject.toml')
    expect(check('build', 'dataknobs-structures').findings[0]!.message).toBe(
      'dataknobs-structures was not built: its dependency dataknobs-common failed to build.'
    )
    expect(check('twine').message).toBe('nothing built')
    expect(check('test-install').message).toBe(
      'not every package the test install needs was built: dataknobs-common (failed), dataknobs-structures (skipped: its dependency dataknobs-common failed)'
    )
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe(
      'build-packages failed: build (dataknobs-common), build (dataknobs-structures). First problem: dataknobs-common did not build (needed for the test install): Building dataknobs-common failed (exit 2):'
    )
    expect(JSON.parse(result.outputs!.dists!)).toEqual([])
    // structures never started; no twine, venv, install or import.
    expect(exec.calls.filter((c) => c.argv[1] === 'build')).toHaveLength(1)
    expect(exec.commands().filter((c) => /twine .*check|uv venv|uv pip|-I -c/.test(c))).toEqual([])
  })

  test('dists whose metadata disagree with the project: the metadata and version checks fail with what is wrong, twine and the test install off', async () => {
    const bad: ExecRule = { match: /\/uv build /, answer: uvBuild({ common: path.join(DISTS, 'bad') }) }
    const { result, statuses, check, exec } = await run(
      { packages: 'dataknobs-common', 'twine-check': 'false', 'test-install': 'false', 'expected-version': '1.0.0' },
      [...BASE, bad]
    )

    expect(statuses).toMatchObject({
      'build dataknobs-common': 'passed',
      metadata: 'failed',
      versions: 'failed',
      twine: 'skipped',
      'test-install': 'skipped'
    })
    expect(check('twine').message).toBe('twine-check is false')
    expect(check('test-install').message).toBe('test-install is false')
    const metadata = check('metadata').findings.map((f) => [f.severity, f.message])
    expect(metadata).toEqual([
      [
        'error',
        'dataknobs_common-1.0.0-py3-none-any.whl: the metadata has no long description, so PyPI would show an empty project page. Point `readme` in [project] at a README that has content (an empty file gives none), or set `long_description` (in setup() of setup.py, or [metadata] of setup.cfg).'
      ],
      ['error', 'The wheel says version 1.0.1 and the sdist says 1.0.0; both must come from the same source.'],
      ['warning', 'packages/common/pyproject.toml reads as version 1.0.0, but the build produced 1.0.1.']
    ])
    expect(check('versions').findings.map((f) => f.message)).toEqual([
      'dataknobs-common was built as version 1.0.1, but the release expects 1.0.0 (from expected-version). Set the version in packages/common/pyproject.toml to 1.0.0, or build from the right tag.'
    ])
    expect(check('versions').message).toBe('expected 1.0.0 (from expected-version)')
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toMatch(/^build-packages failed: metadata, versions\. First problem: /)
    // The dists are still the outputs: the step failing is what keeps them from being published.
    expect((JSON.parse(result.outputs!.dists!) as { version: string }[]).map((d) => d.version)).toEqual(['1.0.1'])
    expect(exec.commands().filter((c) => /twine|uv venv|uv pip/.test(c))).toEqual([])
  })

  test('twine that fails on warnings under --strict: its findings, attributed to the package, fail the step', async () => {
    // twine 7.0.0's captured answer for a dist without a description, given for this wheel and sdist.
    const lines = captured('twine/check-strict-mixed.txt').split('\n')
    const nodesc = (kind: 'whl' | 'tar.gz'): string[] => {
      const start = lines.findIndex((l) =>
        l.startsWith(`Checking dist2/nodesc/nodesc-0.1${kind === 'whl' ? '-py2.py3-none-any.whl' : '.tar.gz'}`)
      )
      return lines.slice(start, start + 3)
    }
    const twine: ExecRule = {
      match: /\/twine --no-color check --strict /,
      answer: (spec) => {
        const [wheel, sdist] = spec.argv.slice(-2)
        const out = [
          ...nodesc('whl').map((l) => l.replace(/dist2\/nodesc\/nodesc-0\.1-py2\.py3-none-any\.whl/, wheel!)),
          ...nodesc('tar.gz').map((l) => l.replace(/dist2\/nodesc\/nodesc-0\.1\.tar\.gz/, sdist!))
        ]
        return { exitCode: 1, stdout: out.join('\n') + '\n' }
      }
    }
    const { result, check } = await run({ packages: 'dataknobs-common', 'test-install': 'false' }, [...BASE, BUILD, twine])

    const t = check('twine')
    expect(t.status).toBe('failed')
    expect(t.command).toBe('twine check --strict <dists>')
    expect(t.findings.map((f) => [f.package, f.file, f.severity, f.message])).toEqual([
      [
        'dataknobs-common',
        'packages/common/pyproject.toml',
        'error',
        'dataknobs_common-1.0.0-py3-none-any.whl: `long_description_content_type` missing. defaulting to `text/x-rst`.'
      ],
      [
        'dataknobs-common',
        'packages/common/pyproject.toml',
        'error',
        'dataknobs_common-1.0.0-py3-none-any.whl: `long_description` missing.'
      ],
      [
        'dataknobs-common',
        'packages/common/pyproject.toml',
        'error',
        'dataknobs_common-1.0.0.tar.gz: `long_description_content_type` missing. defaulting to `text/x-rst`.'
      ],
      ['dataknobs-common', 'packages/common/pyproject.toml', 'error', 'dataknobs_common-1.0.0.tar.gz: `long_description` missing.']
    ])
    expect(check('metadata').status).toBe('passed')
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe(
      'build-packages failed: twine. First problem: dataknobs_common-1.0.0-py3-none-any.whl: `long_description_content_type` missing. defaulting to `text/x-rst`.'
    )
  })

  test('twine that cannot start is an error, never a pass', async () => {
    const twine: ExecRule = { match: /\/twine --no-color check /, answer: { exitCode: 127, spawnError: 'spawn twine ENOENT' } }
    const { result, check } = await run({ packages: 'dataknobs-common', 'test-install': 'false' }, [...BASE, BUILD, twine])
    expect(check('twine')).toMatchObject({ status: 'error', findings: [] })
    expect(check('twine').message).toMatch(/^twine check did not report on every file \(exit 127\):/)
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toBe('build-packages failed: twine')
  })

  test("wheels that do not install together: the installer's reason in one line, no import, the step fails", async () => {
    const conflict: ExecRule = {
      match: /\/uv pip install --python /,
      answer: {
        exitCode: Number(captured('uv/conflict.exit').trim()),
        stdout: captured('uv/conflict.stdout'),
        stderr: captured('uv/conflict.stderr')
      }
    }
    const { result, statuses, check, exec } = await run({ packages: 'dataknobs-structures' }, [...BASE, BUILD, TWINE, VENV, conflict])
    expect(statuses['test-install']).toBe('failed')
    expect(statuses.import).toBeUndefined()
    const f = check('test-install').findings[0]!
    expect(f.message).toMatch(/^Installing the built wheels together failed: /)
    expect(f.message).toContain('dataknobs-common==1.0.0 and dataknobs-common<1.0')
    expect(f.detail).toContain('No solution found when resolving dependencies')
    expect(exec.calls.some(isImport)).toBe(false)
    expect(result.passed).toBe(false)
    expect(result.failureMessage).toMatch(
      /^build-packages failed: test-install\. First problem: Installing the built wheels together failed: /
    )
  })

  test("a module that does not import from the venv: its traceback's last line, on the package's pyproject", async () => {
    const failing: ExecRule = {
      match: isImport,
      answer: (spec) => ({
        stdout: `DK-IMPORTS ${JSON.stringify(spec.argv.slice(4).map((m) => ({ module: m, ok: false, error: `Traceback (most recent call last):\n  File "<string>", line 5, in <module>\nModuleNotFoundError: No module named '${m}._native'\n` })))}\n`
      })
    }
    const { result, check } = await run({ packages: 'dataknobs-common' }, [...BASE, BUILD, TWINE, VENV, INSTALL, failing])
    const imp = check('import')
    expect(imp.status).toBe('failed')
    expect(imp.findings.map((f) => [f.package, f.file, f.message])).toEqual([
      [
        'dataknobs-common',
        'packages/common/pyproject.toml',
        "import dataknobs_common failed in the test venv: ModuleNotFoundError: No module named 'dataknobs_common._native'"
      ]
    ])
    expect(result.data!.imports).toEqual([expect.objectContaining({ module: 'dataknobs_common', ok: false })])
    expect(result.passed).toBe(false)
  })

  test("backend: uv without uv on PATH is the user's error, before anything is built", async () => {
    await expect(run({ packages: 'dataknobs-common', backend: 'uv' }, [...BASE], ['twine'])).rejects.toThrow(
      "Input 'backend' is 'uv', but uv is not on PATH. Install it first (astral-sh/setup-uv), or use backend: auto or build."
    )
  })
})
