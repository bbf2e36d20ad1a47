/**
 * The checkout the no-writes tests run on: the example monorepo plus a setuptools package
 * configured through setup.cfg and setup.py in a src layout, which carries its own mypy
 * configuration (so mypy runs inside that package's folder, where a build/lib copy of its
 * modules would be a second module of the same name), as a clean git repository without a
 * .gitignore, so nothing hides a leftover from git or mypy; and what git says changed.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ReportData } from '../../../packages-shared/findings.js'
import { copyFixture, gitInit, nodeBinaries, type ActionRun } from '../harness.js'

export const node = nodeBinaries()[nodeBinaries().length - 1]!

export const LEGACY: Record<string, string> = {
  'pyproject.toml': [
    '[build-system]',
    'requires = ["setuptools>=68"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    'name = "dataknobs-legacy"',
    'version = "1.0.0"',
    'description = "A setuptools package configured in setup.cfg."',
    'readme = "README.md"',
    'requires-python = ">=3.8"',
    ''
  ].join('\n'),
  'README.md': '# dataknobs-legacy\n\nA setuptools package configured in setup.cfg.\n',
  'setup.cfg': [
    '[options]',
    'package_dir =',
    '    =src',
    'packages = find:',
    '',
    '[options.packages.find]',
    'where = src',
    '',
    '[mypy]',
    'mypy_path = src',
    'exclude = ^setup\\.py$',
    'disallow_untyped_defs = True',
    'warn_return_any = True',
    ''
  ].join('\n'),
  // The tools' venvs do not hold setuptools: setup.py is left out of mypy and pylint.
  'setup.py': '# pylint: disable=import-error\nfrom setuptools import setup\n\nsetup()\n',
  'src/dataknobs_legacy/__init__.py': [
    '"""A package built the setuptools way."""',
    '',
    '',
    'def double(value: int) -> int:',
    '    return value * 2',
    ''
  ].join('\n'),
  'tests/test_legacy.py': [
    'from dataknobs_legacy import double',
    '',
    '',
    'def test_double() -> None:',
    '    assert double(21) == 42',
    ''
  ].join('\n')
}

/** A clean git checkout of the fixture. */
export function checkout(): string {
  const ws = copyFixture('examples/monorepo')
  fs.rmSync(path.join(ws, '.gitignore'))
  for (const [rel, text] of Object.entries(LEGACY)) {
    const file = path.join(ws, 'packages', 'legacy', rel)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }
  gitInit(ws)
  return ws
}

/** Every untracked, ignored or changed path (files, not just their folders), with git's status code. */
export function status(ws: string): string[] {
  const out = execFileSync('git', ['status', '--porcelain', '--ignored', '--untracked-files=all'], { cwd: ws }).toString()
  return out.split('\n').filter(Boolean).sort()
}

/** The paths of `status` lines outside `folder` (a repository-relative prefix). */
export function outside(lines: string[], folder: string): string[] {
  return lines.filter((l) => !l.slice(3).startsWith(folder))
}

export function expectPassed(run: ActionRun, what: string): ReportData {
  if (run.exitCode !== 0) console.log(`${what}:\n${run.stdout.slice(-6000)}`)
  expect(run.exitCode).toBe(0)
  expect(run.outputs.passed).toBe('true')
  return run.report!
}

export const ALL_QUALITY = 'black,isort,flake8,mypy,pylint,ruff,ruff-format'
