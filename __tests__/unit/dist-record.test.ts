/**
 * The dist record (packages-shared/dist-record.ts) on real folders and real git
 * checkouts, and how publish-pypi and health-check choose their dists from it.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  clearDistRecord,
  readDistRecord,
  recordPath,
  recordProblems,
  writeDistRecord,
  type RecordedPackage
} from '../../packages-shared/dist-record.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import type { PythonPackage, Workspace } from '../../packages-shared/workspace.js'
import { chooseDistSource } from '../../actions/publish-pypi/dist-source.js'
import { chooseHealthSource } from '../../actions/health-check/dist-source.js'
import type { Target } from '../../actions/health-check/targets.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { runCommand } from '../../packages-shared/exec.js'

const tmp = tempDirs('dk-dist-record-')

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    stdio: 'ignore'
  })
}

function checkout(): string {
  const dir = tmp()
  fs.writeFileSync(path.join(dir, 'README.md'), 'x\n')
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'one')
  return dir
}

/** A dist dir with one package's two files (contents only need a hash here). */
function dists(distDir: string, name = 'alpha'): RecordedPackage {
  const dir = path.join(distDir, name)
  fs.mkdirSync(dir, { recursive: true })
  const files = [`${name}-1.0-py3-none-any.whl`, `${name}-1.0.tar.gz`].map((f) => {
    const p = path.join(dir, f)
    fs.writeFileSync(p, `content of ${f}`)
    return {
      path: p,
      kind: f.endsWith('.whl') ? ('wheel' as const) : ('sdist' as const),
      sha256: createHash('sha256').update(fs.readFileSync(p)).digest('hex'),
      size: fs.statSync(p).size
    }
  })
  return { package: name, name, version: '1.0', files }
}

const rel = (p: string): string => p

describe('dist record', () => {
  test('read back in the same checkout at the same commit', async () => {
    const repo = checkout()
    const temp = tmp()
    const pkg = dists(path.join(temp, 'dk-actions-dist'))
    const file = await writeDistRecord(
      temp,
      { root: repo, distDir: path.join(temp, 'dk-actions-dist'), passed: true, packages: [pkg] },
      runCommand
    )
    expect(file).toBe(recordPath(temp))
    const lookup = await readDistRecord(temp, repo, runCommand)
    expect(lookup.state).toBe('found')
    if (lookup.state !== 'found') return
    expect(lookup.record.commit).toMatch(/^[0-9a-f]{40}$/)
    expect(lookup.record.packages).toEqual([pkg])
    expect(recordProblems(lookup.record)).toEqual([])
    clearDistRecord(temp)
    expect(await readDistRecord(temp, repo, runCommand)).toEqual({ state: 'none' })
  })

  test('another commit or another checkout makes it stale, with the reason', async () => {
    const repo = checkout()
    const temp = tmp()
    await writeDistRecord(temp, { root: repo, distDir: temp, passed: true, packages: [] }, runCommand)
    const other = checkout()
    const elsewhere = await readDistRecord(temp, other, runCommand)
    expect(elsewhere).toMatchObject({
      state: 'stale',
      reason: expect.stringContaining(`built from another checkout (${fs.realpathSync(repo)}, not ${fs.realpathSync(other)})`)
    })
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'two')
    const later = await readDistRecord(temp, repo, runCommand)
    expect(later).toMatchObject({
      state: 'stale',
      reason: expect.stringMatching(/^it lists dists built at commit [0-9a-f]{12}, but the checkout is at [0-9a-f]{12}$/)
    })
  })

  test('outside git: a record of the same folder is used; a record from a checkout is not', async () => {
    const plain = tmp()
    const temp = tmp()
    await writeDistRecord(temp, { root: plain, distDir: temp, passed: true, packages: [] }, runCommand)
    const lookup = await readDistRecord(temp, plain, runCommand)
    expect(lookup).toMatchObject({ state: 'found', record: { commit: null } })
  })

  test('an unreadable or foreign record is stale, not a crash', async () => {
    const temp = tmp()
    fs.writeFileSync(recordPath(temp), '{not json')
    expect(await readDistRecord(temp, temp, runCommand)).toMatchObject({ state: 'stale', reason: 'it is not valid JSON' })
    fs.writeFileSync(recordPath(temp), JSON.stringify({ schema: 99 }))
    expect(await readDistRecord(temp, temp, runCommand)).toMatchObject({ state: 'stale', reason: expect.stringContaining('not a record') })
  })

  test('a recorded file that changed or went away is a problem', async () => {
    const repo = checkout()
    const temp = tmp()
    const pkg = dists(path.join(temp, 'd'))
    await writeDistRecord(temp, { root: repo, distDir: path.join(temp, 'd'), passed: true, packages: [pkg] }, runCommand)
    fs.appendFileSync(pkg.files[0]!.path, 'tampered')
    fs.rmSync(pkg.files[1]!.path)
    const lookup = await readDistRecord(temp, repo, runCommand)
    if (lookup.state !== 'found') throw new Error('expected the record')
    const problems = recordProblems(lookup.record)
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^alpha-1\.0-py3-none-any\.whl has sha256 .* the file changed after the build/)
    expect(problems[1]).toContain('alpha-1.0.tar.gz')
    expect(problems[1]).toContain('no longer exists')
  })
})

describe("publish-pypi's dists", () => {
  const pkgOf = (dir: string, id: string): PythonPackage => ({ id, name: id, dir: path.join(dir, 'packages', id) }) as PythonPackage

  test("'dists' and 'dist-dir' win over the record", async () => {
    const io = createMemoryIO()
    const temp = tmp()
    expect((await chooseDistSource({ io, exec: runCommand }, temp, { dists: [{ path: '/x.whl' }] }, temp, [], rel)).kind).toBe('dists')
    expect(await chooseDistSource({ io, exec: runCommand }, temp, { distDir: '/d' }, temp, [], rel)).toMatchObject({
      kind: 'dist-dir',
      description: "the 'dist-dir' input: /d"
    })
  })

  test('the record: only the files it lists, never other folders in the dist dir', async () => {
    const repo = checkout()
    const temp = tmp()
    const distDir = path.join(temp, 'dk-actions-dist')
    const alpha = dists(distDir, 'alpha')
    dists(distDir, 'leftover')
    fs.writeFileSync(path.join(distDir, 'alpha', 'alpha-0.9-py3-none-any.whl'), 'old')
    await writeDistRecord(temp, { root: repo, distDir, passed: true, packages: [alpha] }, runCommand)
    const io = createMemoryIO()
    const source = await chooseDistSource({ io, exec: runCommand }, temp, {}, repo, [pkgOf(repo, 'alpha'), pkgOf(repo, 'beta')], rel)
    expect(source.kind).toBe('record')
    expect(source.description).toBe(`built by build-packages in this job: ${distDir}`)
    expect(source.given!.map((g) => g.path)).toEqual(alpha.files.map((f) => f.path))
    expect(source.given!.map((g) => g.sha256)).toEqual(alpha.files.map((f) => f.sha256))
    expect(source.problems).toEqual([])
    expect(io.logs.map((l) => l.message)).toContain('Not built by build-packages in this job, so not published: beta')
  })

  test('a failed build is not published', async () => {
    const repo = checkout()
    const temp = tmp()
    await writeDistRecord(temp, { root: repo, distDir: temp, passed: false, packages: [] }, runCommand)
    const source = await chooseDistSource({ io: createMemoryIO(), exec: runCommand }, temp, {}, repo, [], rel)
    expect(source.problems).toEqual([{ severity: 'error', message: expect.stringContaining('build-packages failed in this job') }])
  })

  test('a stale record: a warning, and each package dist/ (fallback)', async () => {
    const repo = checkout()
    const temp = tmp()
    await writeDistRecord(temp, { root: checkout(), distDir: temp, passed: true, packages: [] }, runCommand)
    const source = await chooseDistSource({ io: createMemoryIO(), exec: runCommand }, temp, {}, repo, [pkgOf(repo, 'alpha')], rel)
    expect(source.kind).toBe('package-dist')
    expect(source.description).toContain(`each package's dist/ (fallback): ${path.join(repo, 'packages', 'alpha', 'dist')}`)
    expect(source.problems).toEqual([
      { severity: 'warning', message: expect.stringMatching(/^The dist record .* is not used: it lists dists built from another checkout/) }
    ])
  })

  test('no record: each package dist/ (fallback), silently', async () => {
    const repo = checkout()
    const source = await chooseDistSource({ io: createMemoryIO(), exec: runCommand }, tmp(), {}, repo, [pkgOf(repo, 'alpha')], rel)
    expect(source).toMatchObject({ kind: 'package-dist', problems: [] })
  })
})

describe("health-check's dists", () => {
  const target: Target = { name: 'alpha', id: 'alpha', version: '1.0', source: 'pyproject' }
  const wsOf = (root: string): Workspace =>
    ({ root, get: (id: string) => ({ id, dir: path.join(root, 'packages', id) }) }) as unknown as Workspace

  test("an explicit 'find-links' wins; with an index, nothing local is installed from", async () => {
    const repo = checkout()
    const temp = tmp()
    const distDir = path.join(temp, 'd')
    await writeDistRecord(temp, { root: repo, distDir, passed: true, packages: [dists(distDir)] }, runCommand)
    const lookup = await readDistRecord(temp, repo, runCommand)
    expect(chooseHealthSource({ indexUrl: '', findLinks: ['/given'] }, lookup, wsOf(repo), [target], tmp())).toMatchObject({
      kind: 'find-links',
      findLinks: ['/given']
    })
    const indexed = chooseHealthSource(
      { indexUrl: 'https://user:pw@idx.example/simple/', findLinks: [] },
      lookup,
      wsOf(repo),
      [target],
      tmp()
    )
    expect(indexed.findLinks).toEqual([])
    expect(indexed.description).toContain(`the versions built by build-packages in this job: ${distDir}`)
    expect(indexed.description).not.toContain('pw')
  })

  test('index-url none: a folder holding only the recorded files', async () => {
    const repo = checkout()
    const temp = tmp()
    const distDir = path.join(temp, 'd')
    const alpha = dists(distDir)
    dists(distDir, 'leftover')
    fs.writeFileSync(path.join(distDir, 'alpha', 'alpha-0.9-py3-none-any.whl'), 'old')
    await writeDistRecord(temp, { root: repo, distDir, passed: true, packages: [alpha] }, runCommand)
    const scratch = tmp()
    const source = chooseHealthSource(
      { indexUrl: '', findLinks: [] },
      await readDistRecord(temp, repo, runCommand),
      wsOf(repo),
      [target],
      scratch
    )
    expect(source).toMatchObject({ kind: 'record', findLinks: [path.join(scratch, 'find-links')] })
    expect(fs.readdirSync(source.findLinks[0]!).sort()).toEqual(alpha.files.map((f) => path.basename(f.path)).sort())
  })

  test('index-url none: a changed recorded file, or a failed build, is refused in one line', async () => {
    const repo = checkout()
    const temp = tmp()
    const distDir = path.join(temp, 'd')
    const alpha = dists(distDir)
    await writeDistRecord(temp, { root: repo, distDir, passed: true, packages: [alpha] }, runCommand)
    fs.appendFileSync(alpha.files[0]!.path, 'x')
    const lookup = await readDistRecord(temp, repo, runCommand)
    expect(userError(() => chooseHealthSource({ indexUrl: '', findLinks: [] }, lookup, wsOf(repo), [target], tmp())).message).toContain(
      'the file changed after the build'
    )
    await writeDistRecord(temp, { root: repo, distDir, passed: false, packages: [] }, runCommand)
    const failed = await readDistRecord(temp, repo, runCommand)
    expect(userError(() => chooseHealthSource({ indexUrl: '', findLinks: [] }, failed, wsOf(repo), [target], tmp())).message).toContain(
      'build-packages failed in this job'
    )
  })

  test('index-url none without a record: each package dist/ (fallback), else a one-line error', () => {
    const repo = checkout()
    expect(
      userError(() => chooseHealthSource({ indexUrl: '', findLinks: [] }, { state: 'none' }, wsOf(repo), [target], tmp())).message
    ).toBe(
      "Input 'index-url' is none, but there is nothing to install from: build-packages has not run in this job, and no checked package has dists in its dist/. Set 'find-links' to the directory of the dists to install, or run build-packages first."
    )
    dists(path.join(repo, 'packages', 'alpha'), 'dist')
    const source = chooseHealthSource({ indexUrl: '', findLinks: [] }, { state: 'none' }, wsOf(repo), [target], tmp())
    expect(source).toMatchObject({
      kind: 'package-dist',
      description: "each package's dist/ (fallback): packages/alpha/dist",
      findLinks: [path.join(repo, 'packages', 'alpha', 'dist')]
    })
  })
})
