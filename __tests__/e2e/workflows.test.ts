/**
 * The example consumer workflows (examples/workflows) run unchanged under act in host mode
 * on the example monorepo: every job of the CI workflow green, a seeded lint error and a
 * failing test turning it red at the right jobs, and the release workflow publishing to a
 * local pypiserver and health-checking the release from it.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO } from '../integration/harness.js'
import { startPypiServer, type LocalIndex } from '../integration/helpers/package-index.js'
import { failedJobsOutput, prepareStandIns, runAct } from './act.js'

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd: dir }).toString().trim()

/** The example monorepo as a consumer's repository with one workflow, two commits deep. */
function consumerRepo(workflow: string): { dir: string; base: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-consumer-'))
  fs.cpSync(path.join(REPO, 'examples', 'monorepo'), dir, { recursive: true })
  fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true })
  fs.copyFileSync(path.join(REPO, 'examples', 'workflows', workflow), path.join(dir, '.github', 'workflows', workflow))
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'initial')
  return { dir, base: git(dir, 'rev-parse', 'HEAD') }
}

function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

/** A job's result; a matrix job's when every instance agrees (act names them `tests-1`, `tests (a, b)`...). */
function job(run: { jobs: Record<string, string> }, name: string): string | undefined {
  const statuses = Object.entries(run.jobs).filter(([k]) => k === name || k.startsWith(`${name}-`) || k.startsWith(`${name} `)).map(([, v]) => v)
  if (statuses.length === 0) return undefined
  return statuses.every((s) => s === statuses[0]) ? statuses[0] : 'mixed'
}

/** ci.yml on a push to main from `base` to `head`. */
function pushTo(dir: string, base: string, head: string, standIns: string): ReturnType<typeof runAct> {
  return runAct({
    workspace: dir,
    workflow: '.github/workflows/ci.yml',
    event: 'push',
    eventPayload: { ref: 'refs/heads/main', before: base, after: head, repository: { default_branch: 'main' } },
    standIns
  })
}

describe('example workflows under act', () => {
  let standIns: string
  beforeAll(() => {
    standIns = prepareStandIns()
  })

  test('ci.yml: every job green on a change to one package; the matrix covers it and its dependent', async () => {
    const { dir, base } = consumerRepo('ci.yml')
    const stats = path.join(dir, 'packages/utils/src/dataknobs_utils/stats.py')
    fs.appendFileSync(stats, '\n\n# A comment: a change to dataknobs-utils.\n')
    const head = commitAll(dir, 'change utils')
    const run = await pushTo(dir, base, head, standIns)
    if (run.exitCode !== 0) console.log(failedJobsOutput(run))
    expect(run.exitCode).toBe(0)
    for (const name of ['quality', 'security', 'tests', 'build']) expect([name, job(run, name)]).toEqual([name, 'succeeded'])
    // verify runs once per changed package: utils and its dependent xization.
    const verify = Object.entries(run.jobs).filter(([name]) => name.startsWith('verify'))
    expect(verify).toHaveLength(2)
    expect(verify.every(([, status]) => status === 'succeeded')).toBe(true)
    expect(run.output).toMatch(/dataknobs-utils==1\.0\.0/)
    expect(run.output).toMatch(/dataknobs-xization==1\.0\.0/)
    expect(run.output).toMatch(/uploaded dists/)
    expect(run.output).toMatch(/downloaded dists/)
  })

  test('ci.yml: a lint error and a failing test turn the quality and tests jobs red, with the findings', async () => {
    const { dir, base } = consumerRepo('ci.yml')
    fs.appendFileSync(path.join(dir, 'packages/common/src/dataknobs_common/text.py'), '\nimport os\n')
    fs.writeFileSync(
      path.join(dir, 'packages/common/tests/test_seeded_failure.py'),
      'def test_seeded_failure() -> None:\n    assert 1 + 1 == 3, "seeded failure"\n'
    )
    const head = commitAll(dir, 'seed failures')
    const run = await pushTo(dir, base, head, standIns)
    expect(run.exitCode).not.toBe(0)
    expect(job(run, 'quality')).toBe('failed')
    expect(job(run, 'security')).toBe('succeeded')
    expect(job(run, 'tests')).toBe('failed')
    expect(job(run, 'build')).toBeUndefined() // never started: its needs failed
    // The findings as the runner shows them (annotations).
    expect(run.output).toMatch(/packages\/common\/src\/dataknobs_common\/text\.py.*F401|F401.*text\.py/)
    expect(run.output).toMatch(/seeded failure/)
  })

  describe('release.yml against a local index', () => {
    let index: LocalIndex
    const token = 'pypi-e2e-secret-token-9f8e7d'
    beforeAll(async () => {
      index = await startPypiServer({ __token__: token })
    })
    afterAll(async () => {
      await index?.stop()
    })

    test('build, publish in dependency order, then health-check the release from the index', async () => {
      const { dir } = consumerRepo('release.yml')
      git(dir, 'tag', 'v1.0.0')
      const run = await runAct({
        workspace: dir,
        workflow: '.github/workflows/release.yml',
        event: 'push',
        eventPayload: { ref: 'refs/tags/v1.0.0', repository: { default_branch: 'main' } },
        standIns,
        vars: { PYPI_REPOSITORY_URL: index.url, PYPI_INDEX_URL: index.simpleUrl },
        secrets: { PYPI_TOKEN: token }
      })
      if (run.exitCode !== 0) console.log(failedJobsOutput(run))
      expect(run.exitCode).toBe(0)
      expect([job(run, 'build'), job(run, 'publish'), job(run, 'health')]).toEqual(['succeeded', 'succeeded', 'succeeded'])
      expect(index.files().filter((f) => f.endsWith('.whl'))).toHaveLength(4)
      expect(index.files().filter((f) => f.endsWith('.tar.gz'))).toHaveLength(4)
      expect(run.output).not.toContain(token)
    })
  })
})
