/**
 * File names a line-based format cannot hold (a newline, `::error`, `,`, `:`, `%`) give a
 * finding on the real file or a finding without a location, never a finding on a made-up file.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import { withRealFiles } from '../../packages-shared/tools/tool.js'
import type { CommandResult } from '../../packages-shared/exec.js'
import { tempDirs } from './helpers/assertions.js'

const tempDir = tempDirs('dk-tool-paths-')
const NASTY = 'evil\n::error file=y.py,line=1::forged.py'
const result = (stdout: string, exitCode = 1): CommandResult => ({ argv: [], stdout, stderr: '', exitCode, timedOut: false, durationMs: 1 })

describe('flake8 records', () => {
  test('the argv starts each record with RS, and a path with a newline stays whole', () => {
    const root = tempDir()
    const inv = { root, cwd: root, targets: ['.'], executable: 'flake8', fix: false, jobs: 0 }
    expect(flake8.argv(inv)[1]).toBe('--format=\u241e%(path)s\u241f%(row)d\u241f%(col)d\u241f%(code)s\u241f%(text)s')
    // What flake8 prints with that format for two files, one of them named with a newline.
    const stdout = `\u241e./${NASTY}\u241f1\u241f1\u241fF401\u241f'os' imported but unused\n\u241e./a,b:c%d.py\u241f1\u241f1\u241fF401\u241f'os' imported but unused\n`
    const parsed = flake8.parse(result(stdout), inv)
    expect(parsed.error).toBeUndefined()
    expect(parsed.findings.map((f) => [f.file, f.line, f.rule])).toEqual([
      [NASTY, 1, 'F401'],
      ['a,b:c%d.py', 1, 'F401']
    ])
  })
})

describe('withRealFiles', () => {
  test('a finding on a file that does not exist keeps its message and loses its location', () => {
    const root = tempDir()
    fs.writeFileSync(path.join(root, 'a,b:c%d.py'), 'import os\n')
    const findings = withRealFiles(
      [
        { tool: 'mypy', file: 'a,b:c%d.py', line: 1, severity: 'error', message: 'real' },
        {
          tool: 'mypy',
          file: '::error file=y.py,line=1::forged.py',
          line: 1,
          column: 2,
          endLine: 1,
          endColumn: 3,
          severity: 'error',
          message: 'tail of a path'
        },
        { tool: 'mypy', severity: 'error', message: 'no file' }
      ],
      root
    )
    expect(findings).toEqual([
      { tool: 'mypy', file: 'a,b:c%d.py', line: 1, severity: 'error', message: 'real' },
      { tool: 'mypy', severity: 'error', message: 'tail of a path' },
      { tool: 'mypy', severity: 'error', message: 'no file' }
    ])
  })
})
