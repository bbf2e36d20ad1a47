/**
 * build-docs: its inputs, how it finds the documentation and its requirements, what it
 * plans to install, the Pages tar, and its whole flow through recorded processes (the real
 * tools run in __tests__/integration/build-docs.test.ts).
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as os from 'node:os'
import { fileURLToPath } from 'node:url'
import { buildDocsAction } from '../../actions/build-docs/main.js'
import { detectDocs } from '../../actions/build-docs/detect.js'
import { docsWorkDir, parseDocsInputs, type DocsInputs } from '../../actions/build-docs/inputs.js'
import { writeSiteTar } from '../../actions/build-docs/pages-tar.js'
import { planDocs } from '../../actions/build-docs/plan.js'
import { findDocsRequirements } from '../../actions/build-docs/requirements.js'
import { parseCommonInputs } from '../../packages-shared/context.js'
import type { CommandSpec } from '../../packages-shared/exec.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { STAMP } from '../../packages-shared/output-dirs.js'
import { MKDOCS, MKDOCS_MATERIAL } from '../../packages-shared/tools/mkdocs.js'
import { SPHINX } from '../../packages-shared/tools/sphinx.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { recordedExec, testContext, type ExecRule } from '../helpers/recorded.js'
import { tempDirs, userError } from './helpers/assertions.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const CAPTURED = path.join(FIXTURES, 'docs-captured')
const tempDir = tempDirs('dk-build-docs-')

function write(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

function parse(inputs: Record<string, string>, workspace = tempDir(), temp = tempDir()): DocsInputs {
  const io = createMemoryIO(inputs, { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp })
  const reader = new InputReader(io)
  return parseDocsInputs(reader, parseCommonInputs(reader, io, workspace), io)
}

describe('inputs', () => {
  test('defaults: auto, the working directory, strict, the site in the runner temp, no Pages', () => {
    const ws = tempDir()
    const temp = tempDir()
    const inputs = parse({}, ws, temp)
    expect(inputs).toMatchObject({
      tool: 'auto',
      docsDir: ws,
      strict: true,
      siteDir: path.join(docsWorkDir(temp), 'site'),
      pages: false,
      pagesArtifactName: 'github-pages',
      timeoutMs: 30 * 60_000
    })
    expect(inputs.config).toBeUndefined()
  })

  test('config: the tool follows from the name; one that contradicts tool, or is neither, is refused', () => {
    const ws = write(tempDir(), { 'site/mkdocs.yml': 'site_name: x\n', 'docs/conf.py': '', 'docs/notes.txt': '' })
    expect(parse({ config: 'site/mkdocs.yml' }, ws).config).toEqual({ file: path.join(ws, 'site', 'mkdocs.yml'), tool: 'mkdocs' })
    expect(parse({ config: 'docs/conf.py', tool: 'sphinx' }, ws).config?.tool).toBe('sphinx')
    expect(userError(() => parse({ config: 'docs/conf.py', tool: 'mkdocs' }, ws)).message).toContain(
      "it is a sphinx configuration, but 'tool' is mkdocs"
    )
    expect(userError(() => parse({ config: 'docs/notes.txt' }, ws)).message).toContain('expected a mkdocs.yml')
    expect(userError(() => parse({ config: 'docs/missing.yml' }, ws)).message).toContain('no such file')
  })

  test('site-dir stays in the workspace or the runner temp, and out of the scratch folder', () => {
    const ws = tempDir()
    const temp = tempDir()
    expect(parse({ 'site-dir': 'public' }, ws, temp).siteDir).toBe(path.join(ws, 'public'))
    expect(userError(() => parse({ 'site-dir': '../public' }, ws, temp)).message).toContain('must be inside the workspace')
    expect(userError(() => parse({ 'site-dir': path.join(docsWorkDir(temp), 'pages') }, ws, temp)).message).toContain(
      "build-docs' scratch folder"
    )
    expect(parse({ 'site-dir': path.join(docsWorkDir(temp), 'site') }, ws, temp).siteDir).toBe(path.join(docsWorkDir(temp), 'site'))
  })

  test('the Pages artifact cannot share its name with the report artifact', () => {
    expect(userError(() => parse({ pages: 'true', 'artifact-name': 'github-pages' })).message).toContain(
      "Input 'artifact-name' has an invalid value"
    )
    expect(parse({ pages: 'false', 'artifact-name': 'github-pages' }).pages).toBe(false)
    expect(userError(() => parse({ 'pages-artifact-name': 'a/b' })).message).toContain("Input 'pages-artifact-name'")
  })
})

describe('detection', () => {
  const detect = (root: string, over: Partial<Pick<DocsInputs, 'tool' | 'docsDir' | 'config'>> = {}) =>
    detectDocs(root, { tool: 'auto', docsDir: root, ...over })

  test('mkdocs.yml (or .yaml) in the docs folder; its docs_dir and theme are read', () => {
    const root = write(tempDir(), { 'mkdocs.yaml': 'site_name: x\ndocs_dir: pages\ntheme: material\n' })
    expect(detect(root)).toMatchObject({
      tool: 'mkdocs',
      configFile: path.join(root, 'mkdocs.yaml'),
      dir: root,
      sourceDir: path.join(root, 'pages'),
      theme: 'material',
      why: 'mkdocs.yaml found'
    })
  })

  test.each(['docs', 'docs/source', 'doc', 'doc/source', '.'])('a sphinx conf.py in %s', (dir) => {
    const root = write(tempDir(), { [`${dir}/conf.py`]: 'project = "x"\n' })
    expect(detect(root)).toMatchObject({ tool: 'sphinx', sourceDir: path.resolve(root, dir), dir: path.resolve(root, dir) })
  })

  test('both: mkdocs first under auto; tool: sphinx takes sphinx', () => {
    const root = write(tempDir(), { 'mkdocs.yml': 'site_name: x\n', 'docs/conf.py': '' })
    expect(detect(root)!.tool).toBe('mkdocs')
    expect(detect(root, { tool: 'sphinx' })!.tool).toBe('sphinx')
  })

  test('docs-dir moves where it looks', () => {
    const root = write(tempDir(), { 'site-docs/mkdocs.yml': 'site_name: x\n' })
    expect(detect(root)).toBeUndefined()
    expect(detect(root, { docsDir: path.join(root, 'site-docs') })).toMatchObject({ why: 'site-docs/mkdocs.yml found' })
  })

  test('none: undefined under auto, an error naming where it looked and the fix when the tool was named', () => {
    const root = write(tempDir(), { 'README.md': '# x\n' })
    expect(detect(root)).toBeUndefined()
    expect(userError(() => detect(root, { tool: 'mkdocs' })).message).toBe(
      "Input 'tool' is mkdocs, but there is no mkdocs.yml or mkdocs.yaml in the working directory. Set 'docs-dir' to the folder that holds the documentation project, or 'config' to its mkdocs.yml, or use tool: auto to pass when a repository has no docs."
    )
    expect(userError(() => detect(root, { tool: 'sphinx' })).message).toContain('no conf.py in ., docs, docs/source, doc, doc/source')
  })
})

describe('requirements', () => {
  const mk = (root: string) => ({ dir: root, sourceDir: path.join(root, 'docs') })

  test('a docs dependency group first, its include-group followed', () => {
    const root = write(tempDir(), {
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "1"\n[project.optional-dependencies]\ndocs = ["sphinx"]\n[dependency-groups]\nbase = ["mkdocs==1.6.1"]\ndocs = ["mkdocs-material>=9", {include-group = "base"}]\n',
      'docs/requirements.txt': 'mkdocs\n'
    })
    const found = findDocsRequirements(root, mk(root)).requirements!
    expect(found).toMatchObject({
      source: 'pyproject.toml [dependency-groups] docs',
      args: ['mkdocs-material>=9', 'mkdocs==1.6.1'],
      installsRoot: false
    })
  })

  test('then a docs extra: the root project is installed with it', () => {
    const root = write(tempDir(), {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1"\n[project.optional-dependencies]\nDocs = ["sphinx"]\n'
    })
    expect(findDocsRequirements(root, mk(root)).requirements).toMatchObject({ args: [`${root}[Docs]`], installsRoot: true })
  })

  test('then the files, beside the docs project first; a root requirements.txt is the application’s, not the docs’', () => {
    const root = write(tempDir(), {
      'requirements.txt': 'flask\n',
      'requirements-docs.txt': 'mkdocs\n',
      'docs/requirements.txt': 'mkdocs\n'
    })
    expect(findDocsRequirements(root, mk(root)).requirements).toMatchObject({
      source: 'requirements-docs.txt',
      args: ['-r', path.join(root, 'requirements-docs.txt')]
    })
    fs.rmSync(path.join(root, 'requirements-docs.txt'))
    expect(findDocsRequirements(root, mk(root)).requirements!.source).toBe('docs/requirements.txt')
    fs.rmSync(path.join(root, 'docs', 'requirements.txt'))
    expect(findDocsRequirements(root, mk(root)).requirements).toBeUndefined()
    write(root, { 'site/requirements.txt': 'mkdocs\n' })
    expect(
      findDocsRequirements(root, { dir: path.join(root, 'site'), sourceDir: path.join(root, 'site', 'docs') }).requirements!.source
    ).toBe('site/requirements.txt')
  })

  test('the digest follows the file’s contents', () => {
    const root = write(tempDir(), { 'docs/requirements.txt': 'mkdocs==1.6.0\n' })
    const before = findDocsRequirements(root, mk(root)).requirements!.digest
    write(root, { 'docs/requirements.txt': 'mkdocs==1.6.1\n' })
    expect(findDocsRequirements(root, mk(root)).requirements!.digest).not.toBe(before)
  })

  test('a Poetry docs group is said, not translated', () => {
    const root = write(tempDir(), { 'pyproject.toml': '[tool.poetry.group.docs.dependencies]\nmkdocs = "^1.6"\n' })
    const found = findDocsRequirements(root, mk(root))
    expect(found.requirements).toBeUndefined()
    expect(found.notes.join('\n')).toContain("a Poetry group 'docs', which build-docs does not translate")
  })
})

describe('plan', () => {
  const req = { source: 'docs/requirements.txt', args: ['-r', 'x'], installsRoot: false, digest: 'd' }

  test('the pinned tools: mkdocs, material only for theme material; sphinx', () => {
    expect(planDocs({ tool: 'mkdocs' }, 'auto').tools).toEqual([MKDOCS])
    expect(planDocs({ tool: 'mkdocs', theme: 'material' }, 'auto').tools).toEqual([MKDOCS, MKDOCS_MATERIAL])
    expect(planDocs({ tool: 'mkdocs', theme: 'readthedocs' }, 'auto').tools).toEqual([MKDOCS])
    expect(planDocs({ tool: 'sphinx' }, 'auto')).toMatchObject({ tools: [SPHINX], executable: 'sphinx-build' })
  })

  test.each([
    ['none', true, 'path'],
    ['none', false, 'path'],
    ['auto', true, 'requirements'],
    ['auto', false, 'path-or-pinned'],
    ['isolated', true, 'requirements'],
    ['isolated', false, 'pinned'],
    ['project', true, 'requirements'],
    ['project', false, 'pinned']
  ] as const)('install %s, requirements declared %s: %s', (install, declared, environment) => {
    expect(planDocs({ tool: 'mkdocs' }, install, declared ? req : undefined).environment).toBe(environment)
  })
})

describe('the Pages tar', () => {
  function site(): string {
    const dir = write(tempDir(), {
      'index.html': '<h1>home</h1>\n',
      'assets/style.css': 'body{}\n',
      [`deep/${'d'.repeat(90)}/${'e'.repeat(90)}/page.html`]: 'deep\n',
      [`${'n'.repeat(120)}.html`]: 'long name\n',
      'naïve/é.html': 'accents\n',
      '.git/config': 'not published\n',
      'sub/.github/x': 'not published\n',
      [STAMP]: 'stamp\n'
    })
    fs.writeFileSync(path.join(dir, 'empty.txt'), '')
    fs.symlinkSync(path.join(dir, 'index.html'), path.join(dir, 'home.html'))
    const secret = path.join(tempDir(), 'secret.txt')
    fs.writeFileSync(secret, 'outside\n')
    fs.symlinkSync(secret, path.join(dir, 'leak.txt'))
    return dir
  }

  test('GNU tar reads it: every file at ./, contents intact, links inside followed, links outside, .git, .github and the stamp left out', () => {
    const dir = site()
    const tar = path.join(tempDir(), 'artifact.tar')
    const written = writeSiteTar(dir, tar)
    expect(written.skipped).toEqual(['leak.txt'])
    expect(fs.statSync(tar).size % 512).toBe(0)
    const names = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n')
    expect(names).toContain('./')
    expect(names).toContain('./index.html')
    expect(names).toContain(`./deep/${'d'.repeat(90)}/${'e'.repeat(90)}/page.html`)
    expect(names).toContain(`./${'n'.repeat(120)}.html`)
    expect(names).toContain('./naïve/é.html')
    expect(names.filter((n) => /\.git|leak|dk-actions-output/.test(n))).toEqual([])
    const out = tempDir()
    execFileSync('tar', ['-xf', tar, '-C', out])
    expect(fs.readFileSync(path.join(out, 'home.html'), 'utf8')).toBe('<h1>home</h1>\n')
    expect(fs.lstatSync(path.join(out, 'home.html')).isSymbolicLink()).toBe(false)
    expect(fs.readFileSync(path.join(out, 'n'.repeat(120) + '.html'), 'utf8')).toBe('long name\n')
    expect(fs.readFileSync(path.join(out, 'naïve', 'é.html'), 'utf8')).toBe('accents\n')
    expect(fs.readFileSync(path.join(out, 'empty.txt'), 'utf8')).toBe('')
    expect(written.files).toBe(names.filter((n) => !n.endsWith('/')).length)
  })
})

// ---------------------------------------------------------------------------------------

/** A fake executable on PATH: recorded exec answers for it, it never runs. */
function binDir(...names: string[]): string {
  const dir = tempDir()
  for (const n of names) fs.writeFileSync(path.join(dir, n), '#!/bin/sh\nexit 99\n', { mode: 0o755 })
  return dir
}

function baseRules(bin: string): ExecRule[] {
  return [
    { match: /^git ls-files/, answer: { exitCode: 128, stderr: 'fatal: not a git repository' } },
    { match: /^python3 -c 'import sys/, answer: { stdout: '/usr/bin/python3\n3.11.7\n' } },
    { match: new RegExp(`^${bin}/mkdocs --version$`), answer: { stdout: 'mkdocs, version 1.6.1 from /x (Python 3.11)\n' } }
  ]
}

async function run(workspace: string, inputs: Record<string, string>, rules: ExecRule[], env: Record<string, string> = {}) {
  const exec = recordedExec(rules)
  const { ctx, io } = testContext({ inputs, env: { GITHUB_WORKSPACE: workspace, ...env }, exec })
  const parsed = buildDocsAction.parseInputs(new InputReader(io), ctx.common, io)
  return { result: await buildDocsAction.run(ctx, parsed), io, exec, temp: ctx.tempDir }
}

function mkdocsFixture(): string {
  const ws = tempDir()
  fs.cpSync(path.join(FIXTURES, 'docs-mkdocs'), ws, { recursive: true })
  return ws
}

describe('build-docs main, through recorded processes', () => {
  test('no documentation: a notice, a pass, nothing run, and the summary says nothing was built', async () => {
    const ws = write(tempDir(), { 'README.md': '# x\n' })
    const { result, io, exec } = await run(ws, {}, [])
    expect(result.passed).toBe(true)
    expect(result.checks).toEqual([expect.objectContaining({ tool: 'docs', status: 'skipped' })])
    expect(result.outputs).toMatchObject({ 'site-dir': '', tool: '' })
    expect(result.sections!.join('\n')).toContain('Nothing built: no mkdocs.yml or mkdocs.yaml in the working directory')
    expect(io.logs.some((l) => l.level === 'notice' && l.message.includes('nothing to build'))).toBe(true)
    expect(exec.calls).toHaveLength(0)
  })

  test('install: none with mkdocs on PATH: the strict build fails with the broken link at docs/index.md, line 5', async () => {
    const ws = mkdocsFixture()
    const bin = binDir('mkdocs')
    const builds: CommandSpec[] = []
    const { result, temp } = await run(
      ws,
      { install: 'none' },
      [
        ...baseRules(bin),
        {
          match: new RegExp(`^${bin}/mkdocs build `),
          answer: (spec) => (
            builds.push(spec),
            {
              exitCode: 1,
              stderr: fs.readFileSync(path.join(CAPTURED, 'mkdocs-broken-link.stderr'), 'utf8'),
              stdout: '\nAborted with 1 warnings in strict mode!\n'
            }
          )
        }
      ],
      { PATH: bin }
    )
    expect(result.passed).toBe(false)
    const [check] = result.checks
    expect(check).toMatchObject({ tool: 'mkdocs', status: 'failed', toolVersion: '1.6.1', toolVersionSource: 'PATH' })
    expect(check!.findings).toEqual([
      {
        tool: 'mkdocs',
        severity: 'error',
        rule: 'validation.links.not_found',
        file: 'docs/index.md',
        line: 5,
        message: "Doc file 'index.md' contains a link 'missing.md', but the target is not found among documentation files."
      }
    ])
    // Run in mkdocs.yml's folder, into the emptied site folder under the runner temp.
    expect(builds[0]!.cwd).toBe(ws)
    expect(builds[0]!.argv.slice(1)).toEqual([
      'build',
      '--config-file',
      path.join(ws, 'mkdocs.yml'),
      '--site-dir',
      result.outputs!['site-dir'],
      '--strict'
    ])
    expect(result.outputs!['site-dir']).toBe(path.join(fs.realpathSync(temp), 'dk-actions-docs', 'site'))
    expect(result.outputs!.tool).toBe('mkdocs')
  })

  test('a passing build with pages: the site is packed into artifact.tar; with no artifact service it stays there, with a notice', async () => {
    const ws = mkdocsFixture()
    const bin = binDir('mkdocs')
    const { result, io } = await run(
      ws,
      { install: 'none', pages: 'true' },
      [
        ...baseRules(bin),
        {
          match: new RegExp(`^${bin}/mkdocs build `),
          answer: (spec) => {
            const site = spec.argv[spec.argv.indexOf('--site-dir') + 1]!
            write(site, { 'index.html': '<h1>Home</h1>\n', 'guide/index.html': '<h1>Guide</h1>\n' })
            return { stderr: 'INFO    -  Documentation built in 0.05 seconds\n' }
          }
        }
      ],
      { PATH: bin }
    )
    expect(result.passed).toBe(true)
    expect(result.checks.map((c) => [c.tool, c.status])).toEqual([
      ['mkdocs', 'passed'],
      ['pages', 'passed']
    ])
    const tar = result.outputs!['pages-tar']!
    expect(path.basename(tar)).toBe('artifact.tar')
    expect(execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual([
      './',
      './guide/',
      './guide/index.html',
      './index.html'
    ])
    expect(result.outputs!['pages-artifact']).toBe('')
    expect(io.logs.some((l) => l.level === 'notice' && l.message.includes("Artifact 'github-pages' not uploaded"))).toBe(true)
  })

  test('a failed build uploads nothing for Pages', async () => {
    const ws = mkdocsFixture()
    const bin = binDir('mkdocs')
    const { result } = await run(
      ws,
      { install: 'none', pages: 'true' },
      [
        ...baseRules(bin),
        {
          match: new RegExp(`^${bin}/mkdocs build `),
          answer: { exitCode: 1, stderr: fs.readFileSync(path.join(CAPTURED, 'mkdocs-broken-link.stderr'), 'utf8') }
        }
      ],
      { PATH: bin }
    )
    expect(result.checks.map((c) => [c.tool, c.status, c.message])).toEqual([
      ['mkdocs', 'failed', undefined],
      ['pages', 'skipped', 'not uploaded: the mkdocs build did not pass']
    ])
    expect(result.outputs!['pages-tar']).toBe('')
  })

  test('a site-dir holding files dk-actions did not make is refused before anything runs', async () => {
    const ws = write(mkdocsFixture(), { 'public/keep.html': 'mine\n' })
    const bin = binDir('mkdocs')
    await expect(run(ws, { install: 'none', 'site-dir': 'public' }, baseRules(bin), { PATH: bin })).rejects.toThrow(
      /Input 'site-dir' has an invalid value "public": it holds the working directory's files \(such as public\/keep\.html\)/
    )
    expect(fs.readFileSync(path.join(ws, 'public', 'keep.html'), 'utf8')).toBe('mine\n')
  })

  test('a site-dir made by an earlier run is emptied before the build, its stamp kept', async () => {
    const ws = mkdocsFixture()
    const bin = binDir('mkdocs')
    const pages: string[][] = []
    const rules = (page: string): ExecRule[] => [
      ...baseRules(bin),
      {
        match: new RegExp(`^${bin}/mkdocs build `),
        answer: (spec) => {
          const site = spec.argv[spec.argv.indexOf('--site-dir') + 1]!
          pages.push(fs.readdirSync(site).sort())
          write(site, { [page]: 'x\n' })
          return {}
        }
      }
    ]
    await run(ws, { install: 'none', 'site-dir': 'public' }, rules('old.html'), { PATH: bin })
    const { result } = await run(ws, { install: 'none', 'site-dir': 'public' }, rules('new.html'), { PATH: bin })
    expect(pages).toEqual([[STAMP], [STAMP]])
    expect(fs.readdirSync(path.join(ws, 'public')).sort()).toEqual([STAMP, 'new.html'])
    expect(result.outputs!['site-dir']).toBe(fs.realpathSync(path.join(ws, 'public')))
  })

  test('install: none without the tool on PATH says so', async () => {
    const ws = mkdocsFixture()
    const empty = tempDir()
    await expect(run(ws, { install: 'none' }, baseRules(empty), { PATH: empty })).rejects.toThrow(
      'install: none expects the tools on PATH, but mkdocs is not there'
    )
  })
})

describe('docs requirements from .readthedocs.yaml', () => {
  test("Read the Docs' python.install comes first: its requirements files and pip installs with extras, inside the repository only", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-rtd-'))
    fs.mkdirSync(path.join(root, 'certbot'), { recursive: true })
    fs.writeFileSync(path.join(root, 'certbot', 'readthedocs.org.requirements.txt'), 'sphinx==8.2.3\nsphinx_rtd_theme\n')
    fs.writeFileSync(path.join(root, 'docs-requirements.txt'), 'mkdocs\n')
    fs.writeFileSync(
      path.join(root, '.readthedocs.yaml'),
      'version: 2\npython:\n  install:\n    - requirements: certbot/readthedocs.org.requirements.txt\n    - method: pip\n      path: certbot\n      extra_requirements: [docs]\n    - requirements: ../outside.txt\n'
    )
    const found = findDocsRequirements(root, { dir: root, sourceDir: path.join(root, 'docs') }).requirements!
    expect(found.source).toBe('.readthedocs.yaml (python.install)')
    expect(found.args).toEqual([
      '-r',
      path.join(root, 'certbot', 'readthedocs.org.requirements.txt'),
      `${path.join(root, 'certbot')}[docs]`
    ])
    expect(found.installsRoot).toBe(false)
    // One config per package (certbot's layout): the nearest to the docs wins.
    fs.mkdirSync(path.join(root, 'acme', 'docs'), { recursive: true })
    fs.writeFileSync(path.join(root, 'acme', 'reqs.txt'), 'sphinx\n')
    fs.writeFileSync(path.join(root, 'acme', '.readthedocs.yaml'), 'version: 2\npython:\n  install:\n    - requirements: acme/reqs.txt\n')
    const acme = findDocsRequirements(root, { dir: path.join(root, 'acme'), sourceDir: path.join(root, 'acme', 'docs') }).requirements!
    expect([acme.source, acme.args]).toEqual(['acme/.readthedocs.yaml (python.install)', ['-r', path.join(root, 'acme', 'reqs.txt')]])
  })
})

describe('a docs group beside a uv.lock', () => {
  test('is exported from the lock with the workspace (uvLockGroup), and the venv follows the lock', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-docs-lock-'))
    fs.writeFileSync(
      path.join(root, 'pyproject.toml'),
      '[project]\nname = "ws"\nversion = "0"\n\n[dependency-groups]\ndocs = ["mkdocs>=1.5"]\n'
    )
    const plain = findDocsRequirements(root, { dir: root, sourceDir: path.join(root, 'docs') }).requirements!
    expect(plain.uvLockGroup).toBeUndefined()
    fs.writeFileSync(path.join(root, 'uv.lock'), 'version = 1\n')
    const locked = findDocsRequirements(root, { dir: root, sourceDir: path.join(root, 'docs') }).requirements!
    expect(locked.uvLockGroup).toBe('docs')
    expect(locked.args).toEqual(['mkdocs>=1.5'])
    fs.writeFileSync(path.join(root, 'uv.lock'), 'version = 1\n# another resolution\n')
    expect(findDocsRequirements(root, { dir: root, sourceDir: path.join(root, 'docs') }).requirements!.digest).not.toBe(locked.digest)
  })
})
