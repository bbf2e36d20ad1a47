/**
 * The findings cache on its own: a file's findings come back while nothing they depend on
 * changed (its content, its configuration, the tool's installation), and anything it cannot
 * trust (a corrupt or foreign manifest, a malformed entry) is checked again.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  FINDINGS_CACHE_FORMAT,
  FindingsCache,
  findingsCacheDir,
  readManifest,
  toolFingerprint,
  type RunIdentity
} from '../../packages-shared/findings-cache.js'
import { scriptInterpreter } from '../../packages-shared/python/interpreter.js'
import type { Finding } from '../../packages-shared/findings.js'
import { black, blackProjectRoot } from '../../packages-shared/tools/black.js'
import { isort } from '../../packages-shared/tools/isort.js'
import type { FileLocalTool } from '../../packages-shared/tools/tool.js'
import type { CommandResult } from '../../packages-shared/exec.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()

/** A venv holding black at `version`: what toolFingerprint reads of it. */
function venv(version: string): string {
  const dir = scratch.tempDir('dk-fc-venv-')
  fs.writeFileSync(path.join(dir, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.7\n')
  const site = path.join(dir, 'lib', 'python3.11', 'site-packages')
  for (const d of [`black-${version}.dist-info`, 'click-8.5.1.dist-info']) fs.mkdirSync(path.join(site, d), { recursive: true })
  fs.mkdirSync(path.join(dir, 'bin'))
  fs.writeFileSync(path.join(dir, 'bin', 'black'), `#!${path.join(dir, 'bin', 'python')}\n`, { mode: 0o755 })
  fs.writeFileSync(path.join(dir, 'bin', 'python'), '', { mode: 0o755 })
  return path.join(dir, 'bin', 'black')
}

function repo(): { root: string; file: string; other: string } {
  const root = scratch.tempDir('dk-fc-repo-')
  const src = path.join(root, 'packages', 'a', 'src', 'a')
  fs.mkdirSync(src, { recursive: true })
  fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.black]\nline-length = 88\n')
  fs.writeFileSync(path.join(root, 'packages', 'a', 'pyproject.toml'), '[project]\nname = "a"\n')
  const file = path.join(src, 'mod.py')
  const other = path.join(src, '__init__.py')
  fs.writeFileSync(file, "x = 'a'\n")
  fs.writeFileSync(other, '')
  return { root, file, other }
}

const FINDING: Finding = {
  tool: 'black',
  file: 'packages/a/src/a/mod.py',
  line: 1,
  rule: 'format',
  severity: 'error',
  message: 'black would reformat this file',
  detail: '-x\n+x'
}

function open(
  root: string,
  files: string[],
  options: { exe?: string; local?: FileLocalTool; run?: Partial<RunIdentity>; dir?: string } = {}
): FindingsCache {
  const exe = options.exe ?? venv('26.10.1')
  return new FindingsCache({
    dir: options.dir ?? findingsCacheDir(path.join(root, '..', `${path.basename(root)}-cache`)),
    root,
    cwd: root,
    run: { tool: 'black', fingerprint: toolFingerprint(exe), options: ['black', '--check', '--diff'], ...options.run },
    local: options.local ?? black.fileLocal!,
    files
  })
}

/** A first run that checked both files: mod.py has one finding, __init__.py none. */
function seeded(): { root: string; file: string; other: string; exe: string } {
  const r = repo()
  const exe = venv('26.10.1')
  open(r.root, [r.file, r.other], { exe }).store(
    new Map([
      [r.file, [FINDING]],
      [r.other, []]
    ])
  )
  return { ...r, exe }
}

describe('findings cache', () => {
  test('a hit: unchanged files answer with the findings stored for them, a clean file with none', () => {
    const { root, file, other, exe } = seeded()
    const { hits, misses } = open(root, [file, other], { exe }).lookup()
    expect(misses).toEqual([])
    expect(hits.get(file)).toEqual([FINDING])
    expect(hits.get(other)).toEqual([])
  })

  test('a file whose content changed is a miss; the others still hit', () => {
    const { root, file, other, exe } = seeded()
    fs.appendFileSync(file, "y = 'b'\n")
    const { hits, misses } = open(root, [file, other], { exe }).lookup()
    expect(misses).toEqual([file])
    expect([...hits.keys()]).toEqual([other])
  })

  test('a change to a configuration file the tool reads, in the file folder or above it, makes every file below it a miss', () => {
    const { root, file, other, exe } = seeded()
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.black]\nline-length = 100\n')
    expect(open(root, [file, other], { exe }).lookup().misses).toEqual([file, other])
  })

  test('a new configuration file in a package folder makes its files misses', () => {
    const { root, file, other, exe } = seeded()
    fs.writeFileSync(path.join(root, 'packages', 'a', 'src', 'pyproject.toml'), '[tool.black]\nskip-string-normalization = true\n')
    expect(open(root, [file, other], { exe }).lookup().misses).toEqual([file, other])
  })

  test('a file the tool does not read as configuration changes nothing', () => {
    const { root, file, other, exe } = seeded()
    fs.writeFileSync(path.join(root, 'setup.cfg'), '[flake8]\nmax-line-length = 100\n')
    expect(open(root, [file, other], { exe }).lookup().misses).toEqual([])
  })

  test('another version of the tool (or of anything installed beside it) makes every file a miss', () => {
    const { root, file, other } = seeded()
    expect(open(root, [file, other], { exe: venv('26.11.0') }).lookup().misses).toEqual([file, other])
  })

  test('other options make every file a miss', () => {
    const { root, file, other, exe } = seeded()
    expect(open(root, [file, other], { exe, run: { options: ['black', '--check', '--diff', '--preview'] } }).lookup().misses).toEqual([
      file,
      other
    ])
  })

  test('for a tool whose findings depend on the files beside it, a new file makes every file a miss', () => {
    const { root, file, other } = repo()
    const tool = venv('26.10.1')
    const run = { tool: 'isort', options: ['isort', '--check-only', '--diff'] }
    const finding = { ...FINDING, tool: 'isort', rule: 'imports' }
    open(root, [file, other], { exe: tool, local: isort.fileLocal!, run }).store(
      new Map([
        [file, [finding]],
        [other, []]
      ])
    )
    expect(open(root, [file, other], { exe: tool, local: isort.fileLocal!, run }).lookup().misses).toEqual([])
    const added = path.join(path.dirname(file), 'new.py')
    fs.writeFileSync(added, '')
    expect(open(root, [file, other, added], { exe: tool, local: isort.fileLocal!, run }).lookup().misses).toEqual([file, other, added])
  })

  test('a corrupt manifest is ignored: every file is a miss, and the next store writes a good one', () => {
    const { root, file, other, exe } = seeded()
    const cache = open(root, [file, other], { exe })
    fs.writeFileSync(cache.manifest, '{"format": "dk-actions-findings/1", "tool": "black", "entr')
    expect(cache.manifest.startsWith(findingsCacheDir(path.join(root, '..', `${path.basename(root)}-cache`)))).toBe(true)
    const again = open(root, [file, other], { exe })
    expect(again.lookup().misses).toEqual([file, other])
    again.store(
      new Map([
        [file, [FINDING]],
        [other, []]
      ])
    )
    expect(open(root, [file, other], { exe }).lookup().misses).toEqual([])
  })

  test('a foreign manifest (another format, another tool) and malformed entries are ignored', () => {
    const { root, file, other, exe } = seeded()
    const manifest = open(root, [file, other], { exe }).manifest
    const good = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { entries: Record<string, { key: string; findings: unknown[] }> }
    fs.writeFileSync(manifest, JSON.stringify({ ...good, format: 'dk-actions-findings/0' }))
    expect(open(root, [file, other], { exe }).lookup().misses).toEqual([file, other])
    fs.writeFileSync(manifest, JSON.stringify({ ...good, format: FINDINGS_CACHE_FORMAT, tool: 'ruff' }))
    expect(open(root, [file, other], { exe }).lookup().misses).toEqual([file, other])
    // An entry whose finding is not well formed, or names another file, is a miss on its own.
    const mod = 'packages/a/src/a/mod.py'
    const init = 'packages/a/src/a/__init__.py'
    const entries = {
      [mod]: { key: good.entries[mod]!.key, findings: [{ ...FINDING, severity: 'fatal' }] },
      [init]: { key: good.entries[init]!.key, findings: [{ ...FINDING, file: init }] }
    }
    fs.writeFileSync(manifest, JSON.stringify({ format: FINDINGS_CACHE_FORMAT, tool: 'black', entries }))
    expect(readManifest(manifest, 'black').has(mod)).toBe(false)
    expect(readManifest(manifest, 'black').get(init)?.findings).toEqual([{ ...FINDING, file: init }])
    const { hits, misses } = open(root, [file, other], { exe }).lookup()
    expect(misses).toEqual([file])
    expect(hits.get(other)).toEqual([{ ...FINDING, file: init }])
  })

  test('the manifest keeps one entry per file and drops the files that are gone', () => {
    const { root, file, other, exe } = seeded()
    fs.appendFileSync(file, '\n')
    open(root, [file, other], { exe }).store(new Map([[file, []]]))
    fs.rmSync(other)
    const cache = open(root, [file], { exe })
    cache.store(new Map())
    expect([...readManifest(cache.manifest, 'black').keys()]).toEqual(['packages/a/src/a/mod.py'])
    expect(cache.lookup().hits.get(file)).toEqual([])
  })

  test('a console script names its Python interpreter; a shell script none', () => {
    const exe = venv('26.10.1')
    expect(scriptInterpreter(exe)).toBe(path.join(path.dirname(exe), 'python'))
    const sh = path.join(scratch.tempDir('dk-fc-sh-'), 'black')
    fs.writeFileSync(sh, '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    expect(scriptInterpreter(sh)).toBeUndefined()
    // A launcher that is no script (Windows' .exe) in a venv: the venv's Python.
    const launcher = path.join(path.dirname(exe), 'flake8')
    fs.writeFileSync(launcher, Buffer.from([0x4d, 0x5a, 0x90, 0x00]), { mode: 0o755 })
    expect(scriptInterpreter(launcher)).toBe(path.join(path.dirname(exe), 'python'))
  })

  test('a diff reads the same whether the tool found the file in a folder or was given it by name', () => {
    const root = '/work/repo'
    const inv = { root, cwd: root, targets: ['packages/a'], executable: 'isort', fix: false }
    const out = (stdout: string): CommandResult => ({ argv: [], exitCode: 1, timedOut: false, stdout, stderr: '', durationMs: 1 })
    const body = '@@ -1,2 +1,2 @@\n-import sys\n-import os\n+import os\n+import sys\n'
    const found = isort.parse(
      out(`--- ${root}/packages/a/m.py:before\t2026-12-03 05:45:21\n+++ ${root}/packages/a/m.py:after\t2026-12-03 05:45:27\n${body}\n`),
      inv
    )
    const named = isort.parse(
      out(`--- packages/a/m.py:before\t2026-12-03 05:45:21\n+++ packages/a/m.py:after\t2026-12-03 05:45:27\n${body}`),
      inv
    )
    expect(found.findings).toEqual(named.findings)
    expect(found.findings[0]!.detail!.split('\n').slice(0, 2)).toEqual([
      '--- packages/a/m.py:before\t2026-12-03 05:45:21',
      '+++ packages/a/m.py:after\t2026-12-03 05:45:27'
    ])
    const blackOut = (a: string): CommandResult => ({
      ...out(`--- ${a}\t2026-12-03\n+++ ${a}\t2026-12-03\n${body}`),
      stderr: `would reformat ${a}\n`
    })
    expect(black.parse(blackOut(`${root}/packages/a/m.py`), inv).findings).toEqual(black.parse(blackOut('packages/a/m.py'), inv).findings)
  })

  test('black is named files only when they lead it to the project root its folders lead it to', () => {
    const { root } = repo()
    fs.mkdirSync(path.join(root, '.git'))
    const sub = path.join(root, 'packages', 'a', 'src', 'a', 'vendored')
    fs.mkdirSync(sub)
    fs.writeFileSync(path.join(sub, 'pyproject.toml'), '[tool.black]\nline-length = 120\n')
    fs.writeFileSync(path.join(sub, 'v.py'), '')
    const inv = { root, cwd: root, targets: ['packages/a'], executable: 'black', fix: false }
    expect(blackProjectRoot(root, ['packages/a'])).toBe(fs.realpathSync(root))
    expect(black.fileLocal!.subsetArgs!(inv, ['packages/a/src/a/mod.py'])).toEqual([])
    // From the vendored folder black would read its own [tool.black]: the run covers the folders instead.
    expect(blackProjectRoot(root, ['packages/a/src/a/vendored/v.py'])).toBe(fs.realpathSync(sub))
    expect(black.fileLocal!.subsetArgs!(inv, ['packages/a/src/a/mod.py', 'packages/a/src/a/vendored/v.py'])).toEqual([])
    expect(black.fileLocal!.subsetArgs!(inv, ['packages/a/src/a/vendored/v.py'])).toBeUndefined()
  })
})
