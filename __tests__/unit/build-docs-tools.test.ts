/**
 * The mkdocs and sphinx modules, fed with output captured from the real tools
 * (__tests__/fixtures/docs-captured/README.md says how each file was made).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CommandResult } from '../../packages-shared/exec.js'
import {
  locateLink,
  mkdocsArgv,
  mkdocsFindings,
  parseMkdocs,
  parseMkdocsLog,
  readMkdocsConfig
} from '../../packages-shared/tools/mkdocs.js'
import { parseSphinx, parseSphinxWarnings, sphinxArgv, sphinxFindings } from '../../packages-shared/tools/sphinx.js'
import { tempDirs } from './helpers/assertions.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const CAPTURED = path.join(FIXTURES, 'docs-captured')
/** Where the captured projects were built (their absolute paths in the output start here). */
const CAPTURE_ROOT = '/tmp/dk-docs-capture'

const read = (name: string): string => fs.readFileSync(path.join(CAPTURED, name), 'utf8')
const result = (r: Partial<CommandResult>): CommandResult => ({
  argv: [],
  exitCode: 0,
  timedOut: false,
  stdout: '',
  stderr: '',
  durationMs: 1,
  ...r
})
const tempDir = tempDirs('dk-docs-tools-')

describe('mkdocs log', () => {
  test('the broken link of the fixture is one warning; INFO lines and the strict-mode abort are not findings', () => {
    const messages = parseMkdocsLog(read('mkdocs-broken-link.stderr') + read('mkdocs-broken-link.stdout'))
    expect(messages).toEqual([
      {
        level: 'WARNING',
        text: "Doc file 'index.md' contains a link 'missing.md', but the target is not found among documentation files."
      }
    ])
  })

  test("material's coloured banner and the pages-not-in-nav INFO (with its list) are left out", () => {
    const messages = parseMkdocsLog(read('mkdocs-many.stderr'))
    expect(messages.map((m) => m.text)).toEqual([
      "A reference to 'gone.md' is included in the 'nav' configuration, which is not found in the documentation files.",
      "Doc file 'index.md' contains a link 'missing.md', but the target is not found among documentation files.",
      "Doc file 'sub/page.md' contains a link '../nope.md', but the target 'nope.md' is not found among documentation files.",
      "Doc file 'sub/page.md' contains a link '../guide.md#nothing-here', but the doc 'guide.md' does not contain an anchor '#nothing-here'."
    ])
  })

  test('an error keeps the exception line under it; click’s Error: keeps its YAML location lines', () => {
    expect(parseMkdocsLog(read('mkdocs-missing-extension.stderr'))).toEqual([
      {
        level: 'ERROR',
        text: "Config value 'markdown_extensions': Failed to load extension 'no_such_ext'.\nModuleNotFoundError: No module named 'no_such_ext'"
      }
    ])
    const [yaml] = parseMkdocsLog(read('mkdocs-bad-yaml.stderr'))
    expect(yaml!.level).toBe('Error')
    expect(yaml!.text.split('\n')).toHaveLength(4)
  })
})

describe('mkdocs findings', () => {
  const many = path.join(CAPTURED, 'mkdocs-many')
  const ctx = (root: string, strict = true) => ({
    root,
    configFile: path.join(root, 'mkdocs.yml'),
    docsDir: path.join(root, 'docs'),
    strict
  })

  test('pages are named from the repository root (docs_dir joined), with the line of the link looked up in the page', () => {
    const findings = mkdocsFindings(parseMkdocsLog(read('mkdocs-many.stderr')), ctx(many))
    expect(findings.map((f) => [f.file, f.line, f.rule, f.severity])).toEqual([
      ['mkdocs.yml', 7, 'validation.nav.not_found', 'error'],
      ['docs/index.md', 5, 'validation.links.not_found', 'error'],
      // A reference link: the line of its definition.
      ['docs/sub/page.md', 5, 'validation.links.not_found', 'error'],
      ['docs/sub/page.md', 3, 'validation.links.anchors', 'error']
    ])
    expect(findings.every((f) => f.tool === 'mkdocs')).toBe(true)
  })

  test("a page mkdocs could not read or build is named at its file (titiler's mkdocstrings errors)", () => {
    const messages = [
      { level: 'ERROR' as const, text: "Error reading page 'api/core/dependencies.md': No module named 'titiler'" },
      { level: 'ERROR' as const, text: "Error building page 'index.md': 'NoneType' object has no attribute 'get'" }
    ]
    expect(mkdocsFindings(messages, ctx(many)).map((f) => [f.file, f.severity])).toEqual([
      ['docs/api/core/dependencies.md', 'error'],
      ['docs/index.md', 'error']
    ])
  })

  test('without strict a warning is a warning; an ERROR stays an error', () => {
    const warn = mkdocsFindings(parseMkdocsLog(read('mkdocs-broken-link-not-strict.stderr')), ctx(many, false))
    expect(warn.map((f) => f.severity)).toEqual(['warning'])
    const err = mkdocsFindings(parseMkdocsLog(read('mkdocs-missing-extension.stderr')), ctx(many, false))
    expect(err.map((f) => [f.severity, f.file, f.rule])).toEqual([['error', 'mkdocs.yml', 'config']])
  })

  test('a docs_dir elsewhere moves the file; a mkdocs.yml in a subfolder is named from the root', () => {
    const root = tempDir()
    fs.mkdirSync(path.join(root, 'site-docs', 'pages'), { recursive: true })
    fs.writeFileSync(path.join(root, 'site-docs', 'mkdocs.yml'), 'site_name: x\ndocs_dir: pages\n')
    fs.writeFileSync(path.join(root, 'site-docs', 'pages', 'index.md'), '# x\n\n\nsee [it](<missing.md> "title")\n')
    const [f] = mkdocsFindings(parseMkdocsLog(read('mkdocs-broken-link.stderr')), {
      root,
      configFile: path.join(root, 'site-docs', 'mkdocs.yml'),
      docsDir: path.join(root, 'site-docs', 'pages'),
      strict: true
    })
    expect([f!.file, f!.line]).toEqual(['site-docs/pages/index.md', 4])
  })

  test('a setting is found at its key in mkdocs.yml; an unparsable mkdocs.yml at the line and column YAML gives', () => {
    const root = tempDir()
    fs.writeFileSync(path.join(root, 'mkdocs.yml'), 'site_name: x\nunknown_key: 1\n')
    const [setting] = mkdocsFindings(parseMkdocsLog(read('mkdocs-unknown-setting.stderr')), ctx(root))
    expect([setting!.file, setting!.line, setting!.rule, setting!.severity]).toEqual(['mkdocs.yml', 2, 'config', 'error'])
    // The captured error names /tmp/dk-docs-capture/mkdocs-config/mkdocs.yml.
    const configRoot = path.join(CAPTURE_ROOT, 'mkdocs-config')
    const [yaml] = mkdocsFindings(parseMkdocsLog(read('mkdocs-bad-yaml.stderr')), ctx(configRoot))
    expect([yaml!.file, yaml!.line, yaml!.column, yaml!.severity]).toEqual(['mkdocs.yml', 1, 12, 'error'])
  })

  test('a page that does not hold the link (a plugin made it) keeps its file and no line', () => {
    const root = tempDir()
    fs.mkdirSync(path.join(root, 'docs'))
    fs.writeFileSync(path.join(root, 'docs', 'index.md'), '# Home\n\nmissing.md is mentioned, not linked\n')
    const [f] = mkdocsFindings(parseMkdocsLog(read('mkdocs-broken-link.stderr')), ctx(root))
    expect(f!.file).toBe('docs/index.md')
    expect(f!.line).toBeUndefined()
  })

  test('locateLink finds inline links, reference definitions, autolinks and hrefs, and not a longer name', () => {
    const page = [
      '[a](other.md)',
      'x [b](missing.md.bak)',
      '[c]:  missing.md',
      '<missing.md>',
      '<a href="missing.md">',
      '[d](missing.md#top)'
    ]
    expect(locateLink(page, 'missing.md')).toBe(3)
    expect(locateLink(['<a href="missing.md">x</a>'], 'missing.md')).toBe(1)
    expect(locateLink(['[d](missing.md#top)'], 'missing.md#top')).toBe(1)
    expect(locateLink(['[b](missing.md.bak)'], 'missing.md')).toBeUndefined()
  })
})

describe("mkdocs' verdict", () => {
  const ctx = { root: '/r', configFile: '/r/mkdocs.yml', docsDir: '/r/docs', strict: true }

  test('strict failure with its warnings is a failure with findings, not an error', () => {
    const parsed = parseMkdocs(
      result({ exitCode: 1, stderr: read('mkdocs-broken-link.stderr'), stdout: read('mkdocs-broken-link.stdout') }),
      ctx
    )
    expect(parsed.error).toBeUndefined()
    expect(parsed.findings).toHaveLength(1)
  })

  test('a failure that says nothing, a traceback, a timeout, a missing executable are errors', () => {
    expect(parseMkdocs(result({ exitCode: 1, stderr: 'Segmentation fault' }), ctx).error).toMatch(
      /mkdocs exited with code 1:\nSegmentation fault/
    )
    const traceback =
      "WARNING -  Doc file 'a.md' contains a link 'b.md', but the target is not found among documentation files.\nTraceback (most recent call last):\n  File \"x.py\", line 1\nKeyError: 1"
    expect(parseMkdocs(result({ exitCode: 1, stderr: traceback }), ctx).error).toContain('KeyError: 1')
    expect(parseMkdocs(result({ exitCode: -1, timedOut: true, timeoutMs: 60_000 }), ctx).error).toMatch(/time/i)
    expect(parseMkdocs(result({ exitCode: -1, spawnError: 'ENOENT' }), ctx).error).toBe('mkdocs could not run: ENOENT')
  })

  test('a clean build passes', () => {
    expect(parseMkdocs(result({ stderr: 'INFO    -  Documentation built in 0.05 seconds\n' }), ctx)).toEqual({ findings: [] })
  })
})

describe('mkdocs.yml and argv', () => {
  test('docs_dir and the theme are read, custom tags and all; INHERIT fills what the file lacks', () => {
    const root = tempDir()
    fs.writeFileSync(
      path.join(root, 'base.yml'),
      'docs_dir: pages\ntheme:\n  name: material\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n'
    )
    fs.mkdirSync(path.join(root, 'site'))
    fs.writeFileSync(path.join(root, 'site', 'mkdocs.yml'), 'INHERIT: ../base.yml\nsite_name: !ENV [NAME, x]\n')
    expect(readMkdocsConfig(path.join(root, 'base.yml'))).toEqual({ docsDir: 'pages', theme: 'material' })
    expect(readMkdocsConfig(path.join(root, 'site', 'mkdocs.yml'))).toEqual({ docsDir: path.join('..', 'pages'), theme: 'material' })
    fs.writeFileSync(path.join(root, 'plain.yml'), 'site_name: x\ntheme: readthedocs\n')
    expect(readMkdocsConfig(path.join(root, 'plain.yml'))).toEqual({ docsDir: 'docs', theme: 'readthedocs' })
    expect(readMkdocsConfig(path.join(root, 'missing.yml'))).toEqual({ docsDir: 'docs' })
  })

  test('argv: build with the config and the site folder named, --strict when strict', () => {
    expect(mkdocsArgv({ executable: 'mkdocs', configFile: '/r/mkdocs.yml', siteDir: '/t/site', strict: true })).toEqual([
      'mkdocs',
      'build',
      '--config-file',
      '/r/mkdocs.yml',
      '--site-dir',
      '/t/site',
      '--strict'
    ])
    expect(mkdocsArgv({ executable: 'mkdocs', configFile: 'c', siteDir: 's', strict: false })).not.toContain('--strict')
  })
})

describe('sphinx warnings', () => {
  const root = path.join(CAPTURE_ROOT, 'sphinx-many')
  const ctx = { root, sourceDir: path.join(root, 'docs'), strict: true }

  test('the fixture’s undefined label: file, line and type, in the warning file and on stderr alike', () => {
    const fixtureRoot = path.join(CAPTURE_ROOT, 'docs-sphinx')
    for (const name of ['sphinx-undefined-label.warnings', 'sphinx-undefined-label.stderr']) {
      const findings = sphinxFindings(parseSphinxWarnings(read(name)), {
        root: fixtureRoot,
        sourceDir: path.join(fixtureRoot, 'docs'),
        strict: true
      })
      expect(findings).toEqual([
        {
          tool: 'sphinx',
          severity: 'error',
          file: 'docs/index.rst',
          line: 8,
          rule: 'ref.ref',
          message: "undefined label: 'a-label-that-does-not-exist'"
        }
      ])
    }
  })

  test('every kind: a whole document has no line, a docstring keeps its file and not its docstring-relative line, a multi-line error keeps its source', () => {
    const findings = sphinxFindings(parseSphinxWarnings(read('sphinx-many.warnings')), ctx)
    expect(findings.map((f) => [f.file, f.line, f.rule])).toEqual([
      ['docs/index.rst', 4, 'toc.not_readable'],
      ['src/pkg/__init__.py', undefined, 'docutils'],
      ['docs/index.rst', 12, 'docutils'],
      ['docs/sub/orphan.rst', undefined, 'toc.not_included'],
      ['docs/index.rst', 14, 'ref.ref'],
      ['docs/index.rst', 14, 'ref.doc']
    ])
    expect(findings[1]!.message).toBe('docstring of pkg.f, line 3: Inline emphasis start-string without end-string.')
    expect(findings[2]!.message).toBe('Unknown directive type "no-such-directive".\n\n.. no-such-directive:: x')
  })

  test('without -W every warning (docutils ERRORs too, as sphinx counts them) is a warning', () => {
    const findings = sphinxFindings(parseSphinxWarnings(read('sphinx-many.warnings')), { ...ctx, strict: false })
    expect(new Set(findings.map((f) => f.severity))).toEqual(new Set(['warning']))
  })

  test('a location outside the repository or made up by an extension keeps no file', () => {
    const text = '/elsewhere/x.rst:3: WARNING: a\n<rst_prolog>:1: WARNING: b\nWARNING: c [config]\n'
    expect(sphinxFindings(parseSphinxWarnings(text), ctx).map((f) => [f.file, f.line, f.message, f.rule])).toEqual([
      [undefined, undefined, 'a', undefined],
      [undefined, undefined, 'b', undefined],
      [undefined, undefined, 'c', 'config']
    ])
  })

  test('Windows paths keep their drive', () => {
    expect(parseSphinxWarnings('C:\\r\\docs\\index.rst:8: WARNING: x [ref.ref]')[0]).toEqual({
      level: 'WARNING',
      location: 'C:\\r\\docs\\index.rst',
      line: 8,
      type: 'ref.ref',
      message: 'x'
    })
  })
})

describe("sphinx's verdict", () => {
  const ctx = { root: path.join(CAPTURE_ROOT, 'sphinx-many'), sourceDir: path.join(CAPTURE_ROOT, 'sphinx-many', 'docs'), strict: true }

  test('exit 1 with warnings turned errors is a failure with findings', () => {
    const parsed = parseSphinx(result({ exitCode: 1, stderr: read('sphinx-many.stderr') }), read('sphinx-many.warnings'), ctx)
    expect(parsed.error).toBeUndefined()
    expect(parsed.findings).toHaveLength(6)
  })

  test('exit 2 (an extension that does not import) is an error with the reason', () => {
    const parsed = parseSphinx(
      result({ exitCode: 2, stderr: read('sphinx-missing-extension.stderr') }),
      read('sphinx-missing-extension.warnings'),
      ctx
    )
    expect(parsed.findings).toEqual([])
    expect(parsed.error).toContain('Could not import extension no_such_ext')
  })

  test('no warning file (sphinx stopped before it): stderr is read', () => {
    const parsed = parseSphinx(result({ exitCode: 1, stderr: read('sphinx-many.stderr') }), undefined, ctx)
    expect(parsed.findings).toHaveLength(6)
  })

  test('a clean build and a non-strict build with warnings pass', () => {
    expect(parseSphinx(result({}), '', ctx)).toEqual({ findings: [] })
    const lax = parseSphinx(result({}), read('sphinx-undefined-label-not-strict.warnings'), { ...ctx, strict: false })
    expect(lax.error).toBeUndefined()
    expect(lax.findings.map((f) => f.severity)).toEqual(['warning'])
  })

  test('argv: -W only when strict, doctrees and the warning file named, sources then site', () => {
    const build = { executable: 'sphinx-build', sourceDir: 'docs', outDir: 'out', doctreeDir: 'dt', warningFile: 'w.txt', strict: true }
    expect(sphinxArgv(build)).toEqual(['sphinx-build', '-W', '--keep-going', '-N', '-b', 'html', '-d', 'dt', '-w', 'w.txt', 'docs', 'out'])
    expect(sphinxArgv({ ...build, strict: false })).not.toContain('-W')
  })
})
