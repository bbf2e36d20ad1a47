/**
 * The data-loss cases, on the built bundles: output folders over a repository's sources
 * (packages named like their folders, with uncommitted and untracked work) and cache
 * keys that are paths. Each is refused with one line, and every file in the workspace
 * and in RUNNER_TEMP is byte for byte what it was. Then the good path: a folder the
 * suite stamped on an earlier run is cleared and reused.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gitInit, nodeBinaries, runBundle, type ActionRun } from './harness.js'

const TIMEOUT = 10 * 60_000
const STAMP = '.dk-actions-output'
const [node] = nodeBinaries()
const made: string[] = []
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true })
})

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(d)
  return d
}

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
  fs.writeFileSync(path.join(root, rel), text)
}

/** Two hatchling packages in folders named like them, committed; then uncommitted and untracked work on top. */
function monorepo(): string {
  const ws = tempDir('dk-dataloss-')
  for (const name of ['hm-core', 'hm-utils']) {
    const mod = name.replace('-', '_')
    write(
      ws,
      `packages/${name}/pyproject.toml`,
      [
        '[build-system]',
        'requires = ["hatchling"]',
        'build-backend = "hatchling.build"',
        '',
        '[project]',
        `name = "${name}"`,
        'version = "1.0.0"',
        'readme = "README.md"',
        'requires-python = ">=3.8"',
        '',
        '[tool.hatch.build.targets.wheel]',
        `packages = ["src/${mod}"]`,
        ''
      ].join('\n')
    )
    write(ws, `packages/${name}/src/${mod}/__init__.py`, `"""${name}."""\nVALUE = 1\n`)
    write(ws, `packages/${name}/README.md`, `# ${name}\n`)
  }
  write(ws, 'README.md', '# the monorepo\n')
  gitInit(ws)
  // Work not yet committed: the suite must keep it too.
  write(ws, 'packages/hm-core/src/hm_core/__init__.py', '"""hm-core, edited."""\nVALUE = 2\n')
  write(ws, 'packages/hm-core/src/hm_core/new_module.py', 'NEW = True\n')
  write(ws, 'packages/hm-utils/NOTES.txt', 'untracked notes\n')
  return ws
}

/** A runner temp dir that already holds earlier steps' files: a tool, a venv, dists. */
function runnerTemp(): string {
  const t = tempDir('dk-dataloss-temp-')
  write(t, 'setup-uv/bin/tool', '#!/bin/sh\n')
  write(t, 'dk-actions-cache/venvs/0123456789abcdef/pyvenv.cfg', 'home = /usr/bin\n')
  write(t, 'earlier-step/dist/hm_core-0.9.0-py3-none-any.whl', 'PK')
  return t
}

/** sha256 of every file (and the target of every link) under dir, by relative path. */
function hashes(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      const rel = path.relative(dir, p)
      if (e.isSymbolicLink()) out.set(rel, `link:${fs.readlinkSync(p)}`)
      else if (e.isDirectory()) walk(p)
      else out.set(rel, createHash('sha256').update(fs.readFileSync(p)).digest('hex'))
    }
  }
  walk(dir)
  return out
}

/** Files a run may add to RUNNER_TEMP: its own report folder and the tool cache's stamp. */
const OWN_TEMP = /^(dk-actions|dk-actions-cache)\//

function expectUntouched(ws: string, wsBefore: Map<string, string>, temp: string, tempBefore: Map<string, string>): void {
  expect(hashes(ws)).toEqual(wsBefore)
  const after = hashes(temp)
  for (const [rel, h] of tempBefore) expect([rel, after.get(rel)]).toEqual([rel, h])
  expect([...after.keys()].filter((k) => !tempBefore.has(k) && !OWN_TEMP.test(k))).toEqual([])
}

/** Refused with one line naming the input: one error annotation, no stack, the step failed. */
function expectRefused(run: ActionRun, input: string, why: RegExp): void {
  expect(run.exitCode).toBe(1)
  expect(run.outputs.passed).toBe('false')
  const errors = run.annotations.filter((a) => a.severity === 'error')
  expect(errors).toHaveLength(1)
  const message = errors[0]!.message
  expect(message).not.toMatch(/\n/)
  expect(message).toContain(`Input '${input}'`)
  expect(message).toMatch(why)
  expect(run.stdout).not.toMatch(/^\s+at /m)
}

describe(`output folders never overlap sources (${node!.label})`, () => {
  const OVER_SOURCES = /holds the sources of the package hm-core|inside the sources of the package hm-core|holds the whole repository/
  const cases: {
    title: string
    action: string
    inputs: Record<string, string>
    input: string
    why: RegExp
    setup?: (ws: string) => void
  }[] = [
    {
      title: 'dist-dir: packages',
      action: 'build-packages',
      inputs: { 'dist-dir': 'packages' },
      input: 'dist-dir',
      why: /holds the sources of the package hm-core \(packages\/hm-core\)/
    },
    { title: 'dist-dir: .', action: 'build-packages', inputs: { 'dist-dir': '.' }, input: 'dist-dir', why: /holds the whole repository/ },
    { title: 'dist-dir: ..', action: 'build-packages', inputs: { 'dist-dir': '..' }, input: 'dist-dir', why: /inside the workspace/ },
    {
      title: 'dist-dir: packages/hm-core/src',
      action: 'build-packages',
      inputs: { 'dist-dir': 'packages/hm-core/src' },
      input: 'dist-dir',
      why: /inside the sources of the package hm-core/
    },
    {
      title: 'dependencies-dir: packages',
      action: 'build-packages',
      inputs: { 'dist-dir': 'dist-out', 'dependencies-dir': 'packages' },
      input: 'dependencies-dir',
      why: OVER_SOURCES
    },
    {
      title: 'a dist-dir that is a symlink into a package',
      action: 'build-packages',
      inputs: { 'dist-dir': 'dist-link' },
      input: 'dist-dir',
      why: /holds the sources of the package hm-core/,
      setup: (ws) => fs.symlinkSync(path.join(ws, 'packages', 'hm-core'), path.join(ws, 'dist-link'))
    },
    {
      title: 'report-dir inside a package',
      action: 'build-packages',
      inputs: { 'report-dir': 'packages/hm-core/reports' },
      input: 'report-dir',
      why: /inside the sources of the package hm-core/
    },
    {
      title: 'report-dir inside a package (run-tests)',
      action: 'run-tests',
      inputs: { 'report-dir': 'packages/hm-utils' },
      input: 'report-dir',
      why: /holds the sources of the package hm-utils/
    },
    {
      title: 'benchmark-baseline: cache:..',
      action: 'run-tests',
      inputs: { benchmark: 'true', 'benchmark-baseline': 'cache:..' },
      input: 'benchmark-baseline',
      why: /letters, digits/
    },
    {
      title: 'benchmark-baseline: cache:../x',
      action: 'run-tests',
      inputs: { benchmark: 'true', 'benchmark-baseline': 'cache:../x' },
      input: 'benchmark-baseline',
      why: /never a path/
    },
    {
      title: 'a non-empty dist-dir without the stamp',
      action: 'build-packages',
      inputs: { 'dist-dir': 'mine' },
      input: 'dist-dir',
      why: /already holds files that dk-actions did not create/,
      setup: (ws) => write(ws, 'mine/hm-core/keep.txt', "the user's own, untracked\n")
    }
  ]

  test.each(cases)(
    '$title is refused with one line; no file in the workspace or RUNNER_TEMP changes',
    async ({ action, inputs, input, why, setup }) => {
      const ws = monorepo()
      setup?.(ws)
      const temp = runnerTemp()
      const wsBefore = hashes(ws)
      const tempBefore = hashes(temp)
      expect(wsBefore.size).toBeGreaterThan(10)
      const run = await runBundle(
        action,
        { install: 'isolated', ...inputs },
        { workspace: ws, node: node!.path, env: { RUNNER_TEMP: temp } }
      )
      expectRefused(run, input, why)
      expectUntouched(ws, wsBefore, temp, tempBefore)
    },
    TIMEOUT
  )

  test(
    'a folder stamped by an earlier run is cleared and reused; the stamp is in no output',
    async () => {
      const ws = monorepo()
      const temp = runnerTemp()
      const inputs = { 'dist-dir': 'dist-out', 'test-install': 'false', 'twine-check': 'false' }
      const first = await runBundle('build-packages', inputs, { workspace: ws, node: node!.path, env: { RUNNER_TEMP: temp } })
      expect([first.outputs.passed, first.annotations.filter((a) => a.severity === 'error').map((a) => a.message)]).toEqual(['true', []])
      const out = path.join(ws, 'dist-out')
      expect(fs.readdirSync(out).sort()).toEqual([STAMP, 'hm-core', 'hm-utils'])
      // Left over from the earlier run: the next one must take it away.
      write(out, 'hm-core/hm_core-0.1.0-py3-none-any.whl', 'stale')
      const sources = [...hashes(ws)].filter(([rel]) => !rel.startsWith('dist-out'))

      const second = await runBundle('build-packages', inputs, { workspace: ws, node: node!.path, env: { RUNNER_TEMP: temp } })
      expect([second.outputs.passed, second.annotations.filter((a) => a.severity === 'error').map((a) => a.message)]).toEqual(['true', []])
      // uv build writes a `.gitignore` of `*` into an output folder it creates; the stale file is gone.
      expect(
        fs
          .readdirSync(path.join(out, 'hm-core'))
          .filter((f) => f !== '.gitignore')
          .sort()
      ).toEqual(['hm_core-1.0.0-py3-none-any.whl', 'hm_core-1.0.0.tar.gz'])
      const dists = JSON.parse(second.outputs.dists!) as { wheel: string; sdist: string }[]
      expect(dists.flatMap((d) => [d.wheel, d.sdist]).some((f) => f.includes(STAMP))).toBe(false)
      expect(dists).toHaveLength(2)
      // The sources, with the uncommitted and untracked work, are as they were.
      expect([...hashes(ws)].filter(([rel]) => !rel.startsWith('dist-out'))).toEqual(sources)
      expect(fs.readFileSync(path.join(ws, 'packages/hm-core/src/hm_core/new_module.py'), 'utf8')).toBe('NEW = True\n')
    },
    TIMEOUT
  )
})
