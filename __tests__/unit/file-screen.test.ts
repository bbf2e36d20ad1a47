import * as fs from 'node:fs'
import * as path from 'node:path'
import { binaryReason, excludedUnder, screenFindings, screenSources } from '../../packages-shared/file-screen.js'
import { parseByteSize } from '../../packages-shared/inputs.js'
import { attributePackages, regexLiteral, type ToolInvocation } from '../../packages-shared/tools/tool.js'
import { black, blackExcludePattern } from '../../packages-shared/tools/black.js'
import { isort } from '../../packages-shared/tools/isort.js'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { configuredIgnorePaths, pylint } from '../../packages-shared/tools/pylint.js'
import { ruff, ruffFormat } from '../../packages-shared/tools/ruff.js'
import { banditArgv } from '../../packages-shared/tools/bandit.js'
import type { Finding } from '../../packages-shared/findings.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { tempDirs, userError } from './helpers/assertions.js'

const temp = tempDirs('dk-screen-')

function write(dir: string, rel: string, content: string | Buffer): string {
  const file = path.join(dir, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content)
  return file
}

describe('screenSources', () => {
  test('finds the too large and the binary sources, once each, and nothing else', () => {
    const dir = temp()
    write(dir, 'pkg/src/pkg/ok.py', 'x = 1\n')
    const big = write(dir, 'pkg/src/pkg/big.py', `DATA = "${'a'.repeat(2000)}"\n`)
    const nul = write(dir, 'pkg/src/pkg/nul.py', Buffer.from([0x78, 0x3d, 0x00, 0x31, 0x0a]))
    const bad = write(dir, 'pkg/src/pkg/bad.pyi', Buffer.from([0x78, 0x3d, 0xff, 0xfe, 0x0a]))
    // Latin-1 with a PEP 263 declaration is valid Python.
    write(
      dir,
      'pkg/src/pkg/latin.py',
      Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nx = "'), Buffer.from([0xe9]), Buffer.from('"\n')])
    )
    // Not sources, and folders the tools skip.
    write(dir, 'pkg/data.bin', Buffer.alloc(5000))
    write(dir, 'pkg/.venv/lib/huge.py', 'a'.repeat(5000))
    write(dir, 'pkg/build/lib/huge.py', 'a'.repeat(5000))
    const out = screenSources([path.join(dir, 'pkg'), path.join(dir, 'pkg/src')], 1024)
    expect(out.map((s) => [path.relative(dir, s.path), s.reason])).toEqual([
      ['pkg/src/pkg/bad.pyi', 'binary'],
      ['pkg/src/pkg/big.py', 'too-large'],
      ['pkg/src/pkg/nul.py', 'binary']
    ])
    expect(out.find((s) => s.path === big)!.bytes).toBe(2004 + 6)
    expect(out.find((s) => s.path === nul)!.detail).toMatch(/NUL byte at offset 2/)
    expect(out.find((s) => s.path === bad)!.detail).toMatch(/not valid UTF-8/)
  })

  test('a limit of 0 checks no size; an explicit file target is screened too', () => {
    const dir = temp()
    const big = write(dir, 'big.py', 'a'.repeat(5000))
    expect(screenSources([dir], 0)).toEqual([])
    expect(screenSources([big], 100).map((s) => s.reason)).toEqual(['too-large'])
  })

  test('binaryReason accepts UTF-8 and declared encodings, refuses NUL bytes', () => {
    expect(binaryReason(Buffer.from('é = "ü"\n'))).toBeUndefined()
    expect(binaryReason(Buffer.from('#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n\x93\n', 'latin1'))).toBeUndefined()
    expect(binaryReason(Buffer.from('# coding: utf-8\nx\0'))).toMatch(/NUL/)
  })

  test('findings: one per file, too large a warning, binary an error, attributed to the package', () => {
    const root = temp()
    const screened = [
      { path: path.join(root, 'packages/a/big.py'), reason: 'too-large' as const, bytes: 5e6, detail: '4.8 MiB' },
      { path: path.join(root, 'packages/a/sub/bin.py'), reason: 'binary' as const, bytes: 10, detail: 'NUL' }
    ]
    const findings = attributePackages(screenFindings(root, screened), [{ relDir: 'packages/a', id: 'a' } as PythonPackage])
    expect(findings.map((f) => [f.file, f.rule, f.severity, f.package])).toEqual([
      ['packages/a/big.py', 'dk-actions/file-too-large', 'warning', 'a'],
      ['packages/a/sub/bin.py', 'dk-actions/binary-file', 'error', 'a']
    ])
    expect(findings[0]!.message).toMatch(/max-file-size/)
    expect(excludedUnder(screened, root, ['packages/a/sub'])).toEqual([path.join(root, 'packages/a/sub/bin.py')])
    expect(excludedUnder(screened, path.join(root, 'packages'), ['a'])).toHaveLength(2)
    expect(excludedUnder(screened, root, ['packages/ab'])).toEqual([])
  })
})

describe('each tool excludes the screened files with its own option', () => {
  const inv = (exclude: string[], cwd = '/repo'): ToolInvocation => ({
    root: '/repo',
    cwd,
    targets: ['packages/a'],
    executable: 'tool',
    fix: false,
    exclude
  })
  const big = '/repo/packages/a/src/a/big.py'

  test('no option at all when nothing is excluded', () => {
    for (const tool of [black, isort, flake8, mypy, pylint, ruff, ruffFormat]) {
      expect(
        tool
          .argv(inv([]))
          .filter((a) => a !== '--force-exclude')
          .join(' ')
      ).not.toMatch(/exclude|skip|ignore-paths/)
    }
    expect(banditArgv(inv([]), { severity: 'low', confidence: 'low' })).not.toContain('-x')
  })

  test('the options each tool takes, with paths in the form it compares', () => {
    expect(black.argv(inv([big]))).toEqual(expect.arrayContaining(['--force-exclude', blackExcludePattern([big])]))
    expect(isort.argv(inv([big]))).toEqual(expect.arrayContaining(['--extend-skip', big]))
    expect(flake8.argv(inv([big]))).toContain(`--extend-exclude=${big}`)
    expect(ruff.argv(inv([big]))).toContain(`--extend-exclude=${big}`)
    expect(ruffFormat.argv(inv([big]))).toContain(`--extend-exclude=${big}`)
    // The project's own exclusions hold for the package folders we name, as for a bare `ruff check`.
    for (const tool of [ruff, ruffFormat]) expect(tool.argv(inv([]))).toContain('--force-exclude')
    expect(mypy.argv(inv([big]))).toEqual(expect.arrayContaining(['--exclude', '^packages/a/src/a/big[.]py$']))
    expect(mypy.argv(inv([big], '/repo/packages/a'))).toEqual(expect.arrayContaining(['--exclude', '^src/a/big[.]py$']))
    expect(pylint.argv(inv([big, '/repo/packages/a/x.py']))).toContain('--ignore-paths=^packages/a/src/a/big[.]py$,^packages/a/x[.]py$')
    expect(banditArgv(inv([big]), { severity: 'low', confidence: 'low' })).toEqual(
      expect.arrayContaining(['-x', 'packages/a/src/a/big.py'])
    )
    // The targets stay last, after the options.
    for (const tool of [black, isort, flake8, mypy, pylint, ruff]) expect(tool.argv(inv([big])).at(-1)).toBe('packages/a')
  })

  test("pylint's flag carries the pyproject's own ignore-paths, which it would otherwise replace", () => {
    const dir = temp()
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.pylint.main]\nignore-paths = ["^src/gen_.*$", "^docs/"]\n')
    expect(configuredIgnorePaths(dir)).toEqual(['^src/gen_.*$', '^docs/'])
    expect(pylint.argv(inv([path.join(dir, 'src/big.py')], dir))).toContain('--ignore-paths=^src/gen_.*$,^docs/,^src/big[.]py$')
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.pylint.MASTER]\nignore-paths = "^a/, ^b/"\n')
    expect(configuredIgnorePaths(dir)).toEqual(['^a/', '^b/'])
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), 'not toml [')
    expect(configuredIgnorePaths(dir)).toEqual([])
  })

  test("black's pattern matches the file from any project root black may pick, and no other file", () => {
    const re = new RegExp(blackExcludePattern([big, '/repo/x (1).py']))
    for (const seen of [
      '/repo/packages/a/src/a/big.py',
      '/packages/a/src/a/big.py',
      '/a/src/a/big.py',
      '/src/a/big.py',
      '/big.py',
      '/x (1).py'
    ]) {
      expect({ seen, match: re.test(seen) }).toEqual({ seen, match: true })
    }
    for (const seen of [
      '/repo/packages/b/src/a/big.py',
      '/packages/a/src/a/bigXpy',
      '/repo/packages/a/src/a/big.py.bak',
      '/src/a/',
      '/x 1.py'
    ]) {
      expect({ seen, match: re.test(seen) }).toEqual({ seen, match: false })
    }
  })

  test('regexLiteral needs no backslash for the usual metacharacters (pylint rewrites them)', () => {
    const name = 'a.b(c)+[d]{e}*f?g|h$.py'
    expect(regexLiteral(name)).not.toContain('\\')
    expect(new RegExp(`^${regexLiteral(name)}$`).test(name)).toBe(true)
    expect(new RegExp(`^${regexLiteral(name)}$`).test(name.replace('.', 'x'))).toBe(false)
  })
})

describe('parseByteSize', () => {
  test.each([
    ['1MiB', 1048576],
    ['1m', 1048576],
    ['512KiB', 524288],
    ['2 MB', 2097152],
    ['1.5k', 1536],
    ['2000000', 2000000],
    ['0', 0],
    [' 1GiB ', 1073741824]
  ])('%s is %d bytes', (raw, expected) => {
    expect(parseByteSize('max-file-size', raw)).toBe(expected)
  })
  test('empty takes the default', () => expect(parseByteSize('max-file-size', '', 42)).toBe(42))
  test.each(['big', '1 TB', '-1', '1MiBs', '0x10'])('%s is a one-line user error', (raw) => {
    expect(userError(() => parseByteSize('max-file-size', raw)).message).toMatch(/max-file-size.*1MiB.*0 for no limit/)
  })
})

describe('attributePackages', () => {
  test('the deepest package folder owns a file; the root package takes the rest', () => {
    const pkgs = [
      { relDir: '.', id: 'root' },
      { relDir: 'packages/a', id: 'a' },
      { relDir: 'packages/a/nested', id: 'nested' }
    ] as PythonPackage[]
    const f = (file?: string, pkg?: string): Finding => ({ tool: 't', severity: 'error', message: 'm', file, package: pkg })
    const out = attributePackages(
      [
        f('packages/a/x.py'),
        f('packages/a/nested/y.py'),
        f('packages/a'),
        f('packages/ab/z.py'),
        f('top.py'),
        f(undefined),
        f('packages/a/x.py', 'kept')
      ],
      pkgs
    )
    expect(out.map((x) => x.package)).toEqual(['a', 'nested', 'a', 'root', 'root', undefined, 'kept'])
    const noRoot = attributePackages([f('packages/ab/z.py'), f('packages/a/q.py')], pkgs.slice(1))
    expect(noRoot.map((x) => x.package)).toEqual([undefined, 'a'])
  })
})
