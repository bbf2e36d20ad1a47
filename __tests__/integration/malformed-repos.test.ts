/**
 * The built bundles on repositories that are broken or that reach outside themselves:
 * invalid TOML, a nameless [project], a package without sources, an empty repository and
 * a shallow clone with `packages: changed`, symlinks and workspace members out of the
 * checkout. Each broken repository is one line that says what to fix, and no stack trace;
 * nothing outside the checkout is read, linted, fixed or packed.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { nodeBinaries, runBundle, type ActionRun } from './harness.js'

const NODE = nodeBinaries()[0]!
const TIMEOUT = 10 * 60_000
const STACK = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m

const made: string[] = []
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

/** A parent folder holding the checkout `repo` and, next to it, things outside the checkout. */
function parentDir(): { parent: string; repo: string } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-malformed-'))
  made.push(parent)
  const repo = path.join(parent, 'repo')
  fs.mkdirSync(repo)
  return { parent, repo }
}

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    stdio: 'ignore'
  })
}

function commit(dir: string, message: string): void {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', message)
}

const HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'

/** A small hatchling package `name` at packages/<name> with one clean module. */
function addPackage(repo: string, name: string, extraToml = ''): void {
  write(repo, `packages/${name}/pyproject.toml`, `${HATCH}[project]\nname = "${name}"\nversion = "0.1.0"\n${extraToml}`)
  write(
    repo,
    `packages/${name}/src/${name}/__init__.py`,
    '"""A package."""\n\n\ndef hello() -> str:\n    """Say hello."""\n    return "hello"\n'
  )
}

/**
 * The run failed; an error annotation (the failure, or for the pipeline a stage's error)
 * says what to fix in one line; no error annotation is a bug report; no stack anywhere.
 */
function expectOneLineFailure(run: ActionRun, fragment: string): string {
  expect(run.exitCode).toBe(1)
  expect(run.outputs.passed).toBe('false')
  const errors = run.annotations.filter((a) => a.severity === 'error').map((a) => a.message)
  for (const message of errors) {
    expect(message).not.toMatch(/[\r\n]/)
    expect(message).not.toMatch(/failed unexpectedly|bug in dk-actions/)
  }
  const failure = errors.find((m) => m.includes(fragment))
  expect({ errors, found: failure !== undefined }).toEqual({ errors, found: true })
  expect(run.stdout).not.toMatch(STACK)
  expect(run.stderr).not.toMatch(STACK)
  return failure!
}

describe(`malformed repositories on ${NODE.label}`, () => {
  test.each([
    ['build-packages', {}],
    ['run-tests', {}],
    ['run-quality', {}]
  ] as const)(
    'invalid TOML: %s names the file, the line and the fix',
    async (action, inputs) => {
      const { repo } = parentDir()
      addPackage(repo, 'good')
      write(repo, 'packages/bad/pyproject.toml', `${HATCH}[project]\nname = "bad"\nversion = \n`)
      const run = await runBundle(action, inputs, { workspace: repo, node: NODE.path })
      const failure = expectOneLineFailure(run, `${path.join(repo, 'packages', 'bad', 'pyproject.toml')} is not valid TOML at line 6`)
      expect(failure).toContain('Fix the file')
    },
    TIMEOUT
  )

  test.each(['run-quality', 'build-packages', 'pipeline'])(
    '[project] without a name: %s fails naming the file, not a silent pass',
    async (action) => {
      const { repo } = parentDir()
      addPackage(repo, 'good')
      write(repo, 'packages/nameless/pyproject.toml', `${HATCH}[project]\nversion = "0.1.0"\n`)
      write(repo, 'packages/nameless/src/nameless/__init__.py', '')
      const run = await runBundle(action, {}, { workspace: repo, node: NODE.path })
      const failure = expectOneLineFailure(
        run,
        `${path.join(repo, 'packages', 'nameless', 'pyproject.toml')} has [project] but no package name`
      )
      expect(failure).toContain('add name = "<distribution>" under [project]')
    },
    TIMEOUT
  )

  test(
    'an empty repository (git init, no commit) with packages: changed says to commit or use all',
    async () => {
      const { repo } = parentDir()
      addPackage(repo, 'good')
      git(repo, 'init', '-q', '-b', 'main')
      const run = await runBundle('run-tests', { packages: 'changed' }, { workspace: repo, node: NODE.path })
      expectOneLineFailure(run, "has no commit yet. Commit first, or use 'packages: all'.")
    },
    TIMEOUT
  )

  test(
    'a shallow clone whose base-ref is missing says to fetch the base or use fetch-depth: 0',
    async () => {
      const { parent, repo: origin } = parentDir()
      addPackage(origin, 'good')
      git(origin, 'init', '-q', '-b', 'main')
      commit(origin, 'one')
      write(origin, 'packages/good/src/good/more.py', 'X = 1\n')
      commit(origin, 'two')
      const clone = path.join(parent, 'clone')
      git(parent, 'clone', '-q', '--depth', '1', `file://${origin}`, clone)
      const run = await runBundle('build-packages', { packages: 'changed', 'base-ref': 'HEAD~1' }, { workspace: clone, node: NODE.path })
      const failure = expectOneLineFailure(run, "The base ref 'HEAD~1' for 'packages: changed' is missing from this shallow clone")
      expect(failure).toContain("'fetch-depth: 0'")
    },
    TIMEOUT
  )

  test(
    'a package without sources: build-packages refuses it before building with one finding',
    async () => {
      const { repo } = parentDir()
      addPackage(repo, 'good')
      write(
        repo,
        'packages/empty/pyproject.toml',
        `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "empty"\nversion = "0.1.0"\n`
      )
      write(repo, 'packages/empty/README.md', 'nothing here\n')
      git(repo, 'init', '-q', '-b', 'main')
      commit(repo, 'fixture')
      const run = await runBundle('build-packages', { 'dist-dir': 'out', 'test-install': 'false' }, { workspace: repo, node: NODE.path })
      expectOneLineFailure(run, 'empty (packages/empty) has no Python source file outside its tests')
      const sources = run.report!.checks.find((c) => c.tool === 'sources')!
      expect(sources.status).toBe('failed')
      expect(sources.findings.map((f) => [f.package, f.file])).toEqual([['empty', 'packages/empty/pyproject.toml']])
      // Nothing was built for it; the good package still was.
      expect(fs.existsSync(path.join(repo, 'out', 'empty'))).toBe(false)
      expect(fs.readdirSync(path.join(repo, 'out', 'good')).filter((f) => /\.(whl|tar\.gz)$/.test(f)).length).toBe(2)
    },
    TIMEOUT
  )

  test(
    'a package without sources or tests: run-tests fails with a no-tests finding, never a silent pass',
    async () => {
      const { repo } = parentDir()
      write(repo, 'packages/empty/pyproject.toml', `${HATCH}[project]\nname = "empty"\nversion = "0.1.0"\n`)
      const run = await runBundle('run-tests', {}, { workspace: repo, node: NODE.path })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.passed).toBe('false')
      const failure = run.annotations.filter((a) => a.severity === 'error').slice(-1)[0]!.message
      expect(failure).not.toMatch(/[\r\n]/)
      expect(failure).toMatch(/allow-empty/)
      expect(run.stdout).not.toMatch(STACK)
    },
    TIMEOUT
  )
})

describe(`paths and symlinks outside the checkout on ${NODE.label}`, () => {
  const PASSWD_LINE = /^root:.*:0:0:/m

  test(
    'build-packages refuses a package holding a symlink to /etc/passwd, before building, naming the link',
    async () => {
      const { repo } = parentDir()
      addPackage(repo, 'leaky')
      addPackage(repo, 'clean')
      fs.symlinkSync('/etc/passwd', path.join(repo, 'packages', 'leaky', 'src', 'leaky', 'passwd'))
      git(repo, 'init', '-q', '-b', 'main')
      commit(repo, 'fixture')
      const run = await runBundle('build-packages', { 'dist-dir': 'out', 'test-install': 'false' }, { workspace: repo, node: NODE.path })
      expectOneLineFailure(run, 'packages/leaky/src/leaky/passwd is a symlink to /etc/passwd, outside the repository: leaky is not built')
      const links = run.report!.checks.find((c) => c.tool === 'symlinks')!
      expect(links.status).toBe('failed')
      expect(links.findings.map((f) => [f.package, f.file, f.rule])).toEqual([
        ['leaky', 'packages/leaky/src/leaky/passwd', 'symlink-outside']
      ])
      expect(run.report!.checks.find((c) => c.tool === 'build' && c.package === 'leaky')!.status).toBe('failed')
      // No dist of the leaky package exists; the clean one was built.
      expect(fs.existsSync(path.join(repo, 'out', 'leaky'))).toBe(false)
      expect(fs.readdirSync(path.join(repo, 'out', 'clean')).filter((f) => /\.(whl|tar\.gz)$/.test(f)).length).toBe(2)
      // The file's content is nowhere: not in the log, the summary or any report file.
      expect(run.stdout).not.toMatch(PASSWD_LINE)
      expect(run.summary).not.toMatch(PASSWD_LINE)
      for (const f of fs.readdirSync(path.dirname(run.outputs.report!))) {
        const p = path.join(path.dirname(run.outputs.report!), f)
        if (fs.statSync(p).isFile()) expect(fs.readFileSync(p, 'utf8')).not.toMatch(PASSWD_LINE)
      }
    },
    TIMEOUT
  )

  test(
    "run-quality with fix: true never rewrites a file outside, through a member glob '../*' or a symlink",
    async () => {
      const { parent, repo } = parentDir()
      // Badly formatted code outside the checkout, reachable two ways.
      const UGLY = 'x  =  [1,2,\n  3]\n'
      write(parent, 'outside/pyproject.toml', `${HATCH}[project]\nname = "outside-pkg"\nversion = "1.0.0"\n`)
      write(parent, 'outside/outside_pkg/__init__.py', UGLY)
      write(parent, 'ugly.py', UGLY)
      write(repo, 'pyproject.toml', '[tool.uv.workspace]\nmembers = ["packages/*", "../*"]\n')
      addPackage(repo, 'linked')
      addPackage(repo, 'clean')
      write(repo, 'packages/clean/src/clean/fixme.py', UGLY)
      fs.symlinkSync(path.join(parent, 'ugly.py'), path.join(repo, 'packages', 'linked', 'src', 'linked', 'ugly.py'))
      const run = await runBundle(
        'run-quality',
        { checks: 'black,isort,flake8', fix: 'true', install: 'isolated' },
        { workspace: repo, node: NODE.path }
      )
      // Outside: untouched.
      expect(fs.readFileSync(path.join(parent, 'ugly.py'), 'utf8')).toBe(UGLY)
      expect(fs.readFileSync(path.join(parent, 'outside', 'outside_pkg', '__init__.py'), 'utf8')).toBe(UGLY)
      // Inside: fixed as asked.
      expect(fs.readFileSync(path.join(repo, 'packages', 'clean', 'src', 'clean', 'fixme.py'), 'utf8')).toBe('x = [1, 2, 3]\n')
      expectOneLineFailure(run, 'packages/linked/src/linked/ugly.py is a symlink to')
      expect(run.report!.packages.sort()).toEqual(['clean', 'linked'])
      const findings = run.report!.checks.flatMap((c) => c.findings)
      expect(
        findings
          .filter((f) => f.tool !== 'symlinks')
          .map((f) => f.file)
          .filter((f) => f?.includes('linked') || f?.includes('outside'))
      ).toEqual([])
      expect(findings.find((f) => f.tool === 'symlinks')).toMatchObject({
        package: 'linked',
        file: 'packages/linked/src/linked/ugly.py',
        severity: 'error'
      })
      // The member glob that leaves the checkout: one line in the log, the summary and the report.
      const notice = "Not following uv workspace member '../*' in pyproject.toml"
      expect(run.annotations.filter((a) => a.severity === 'warning' && a.message.startsWith(notice))).toHaveLength(1)
      expect(run.summary).toContain(notice)
      expect((run.report!.skippedPaths as { message: string }[]).map((s) => s.message)).toEqual([expect.stringContaining(notice)])
      expect(JSON.stringify(run.report)).not.toContain('outside-pkg')
    },
    TIMEOUT
  )

  test(
    'run-security: bandit does not read a file outside through a symlink into its report',
    async () => {
      const { parent, repo } = parentDir()
      write(parent, 'danger.py', 'import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)  # outside-marker\n')
      addPackage(repo, 'linked')
      addPackage(repo, 'clean')
      write(
        repo,
        'packages/clean/src/clean/risky.py',
        'import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n'
      )
      fs.symlinkSync(path.join(parent, 'danger.py'), path.join(repo, 'packages', 'linked', 'src', 'linked', 'danger.py'))
      const run = await runBundle('run-security', { checks: 'bandit', install: 'isolated' }, { workspace: repo, node: NODE.path })
      expectOneLineFailure(run, 'packages/linked/src/linked/danger.py is a symlink to')
      const bandit = run.report!.checks.find((c) => c.tool === 'bandit')!
      // The clean package was scanned (its own finding is there), the linked one was not.
      expect(bandit.findings.map((f) => f.file)).toContain('packages/clean/src/clean/risky.py')
      expect(bandit.findings.some((f) => f.file?.includes('linked'))).toBe(false)
      expect(JSON.stringify(run.report)).not.toContain('outside-marker')
      expect(fs.readFileSync(run.outputs.sarif!, 'utf8')).not.toContain('outside-marker')
    },
    TIMEOUT
  )
})
