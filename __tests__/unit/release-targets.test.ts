import { provenanceStatement, workflowPath } from '../../actions/release/provenance.js'
import { distFile, distsOf, releaseName, releaseNotes, releaseTargets } from '../../actions/release/release-targets.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'

const pkg = (name: string, id = name.toLowerCase().replace(/[-_.]+/g, '-')): PythonPackage =>
  ({ name, id, dir: `/repo/packages/${id}`, relDir: `packages/${id}`, backend: 'hatchling' }) as unknown as PythonPackage

const foo = pkg('foo')
const fooBar = pkg('Foo_Bar')
const packages = [foo, fooBar]

describe('releaseTargets', () => {
  test('each independent tag belongs to the package it names, the longest name first', () => {
    const { targets, unmatched } = releaseTargets(
      ['foo-v1.2.0', 'Foo_Bar-v2.0.0rc1', 'foo-bar-v2.0.1', 'nightly'],
      packages,
      '{name}-v{version}'
    )
    expect(targets.map((t) => [t.tag, t.packages.map((p) => p.pkg.id), t.version, t.lockstep])).toEqual([
      ['foo-v1.2.0', ['foo'], '1.2.0', false],
      ['Foo_Bar-v2.0.0rc1', ['foo-bar'], '2.0.0rc1', false],
      ['foo-bar-v2.0.1', ['foo-bar'], '2.0.1', false]
    ])
    expect(unmatched).toEqual(['nightly'])
    expect(releaseName(targets[0]!)).toBe('foo 1.2.0')
  })

  test('a lockstep tag covers every package', () => {
    const { targets, unmatched } = releaseTargets(['v3.1.0', 'foo-v1.0.0'], packages, 'v{version}')
    expect(targets).toHaveLength(1)
    expect(targets[0]!.packages.map((p) => [p.pkg.id, p.version])).toEqual([
      ['foo', '3.1.0'],
      ['foo-bar', '3.1.0']
    ])
    expect(releaseName(targets[0]!)).toBe('v3.1.0')
    expect(unmatched).toEqual(['foo-v1.0.0'])
  })
})

describe('releaseNotes', () => {
  const changelog =
    '# Changelog\n\n## [Unreleased]\n\n## [3.1.0] - 2026-12-01\n### Fixed\n- a fix (abc1234)\n\n## [3.0.0] - 2026-11-01\n### Added\n- old\n'
  test('the section of the version, without its heading; a lockstep release heads each package', () => {
    const [lockstep] = releaseTargets(['v3.1.0'], packages, 'v{version}').targets
    const notes = releaseNotes(lockstep!, (p) => (p.id === 'foo' ? changelog : undefined), 'CHANGELOG.md')
    expect(notes).toBe('## foo 3.1.0\n\n### Fixed\n- a fix (abc1234)\n\n## Foo_Bar 3.1.0\n\nNo section for 3.1.0 in CHANGELOG.md.\n')
    const [single] = releaseTargets(['foo-v3.0.0'], packages, '{name}-v{version}').targets
    expect(releaseNotes(single!, () => changelog, 'CHANGELOG.md')).toBe('### Added\n- old\n')
  })
})

describe('distsOf', () => {
  test("the target's packages at its versions, in any spelling of the name and version", () => {
    const files = [
      '/d/foo-1.2.0-py3-none-any.whl',
      '/d/foo-1.2.0.tar.gz',
      '/d/foo-1.2.1-py3-none-any.whl',
      '/d/foo_bar-1.2.0-py3-none-any.whl',
      '/d/Foo.Bar-2.0.0rc1.tar.gz',
      '/d/foo_bar-2.0.0-py3-none-any.whl',
      '/d/notes.txt'
    ].map(distFile)
    const { targets } = releaseTargets(['foo-v1.2.0', 'foo-bar-v2.0.0-rc1'], packages, '{name}-v{version}')
    expect(distsOf(targets[0]!, files).map((f) => f.filename)).toEqual(['foo-1.2.0-py3-none-any.whl', 'foo-1.2.0.tar.gz'])
    expect(distsOf(targets[1]!, files).map((f) => f.filename)).toEqual(['Foo.Bar-2.0.0rc1.tar.gz'])
  })
})

describe('provenance', () => {
  test('the workflow path is cut from GITHUB_WORKFLOW_REF, even with @ in it', () => {
    expect(workflowPath('o/r/.github/workflows/release.yml@refs/heads/main', 'o/r', 'refs/heads/main')).toBe(
      '.github/workflows/release.yml'
    )
    expect(workflowPath('o/r/.github/workflows/a@b.yml@refs/tags/v@1', 'o/r', 'refs/tags/v@1')).toBe('.github/workflows/a@b.yml')
    expect(workflowPath('o/r/.github/workflows/a@b.yml@refs/heads/x', 'o/r', '')).toBe('.github/workflows/a@b.yml')
  })

  test('a SLSA v1 statement in GitHub workflow build type terms, from the run environment', () => {
    const statement = provenanceStatement(
      [{ name: 'foo-1.2.0.tar.gz', sha256: 'ab'.repeat(32) }],
      { tag: 'foo-v1.2.0', commit: 'c'.repeat(40) },
      {
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/release.yml@refs/heads/main',
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_REPOSITORY_ID: '12',
        GITHUB_REPOSITORY_OWNER_ID: '34',
        RUNNER_ENVIRONMENT: 'github-hosted',
        GITHUB_RUN_ID: '99',
        GITHUB_RUN_ATTEMPT: '2'
      }
    )
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'foo-1.2.0.tar.gz', digest: { sha256: 'ab'.repeat(32) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: 'https://actions.github.io/buildtypes/workflow/v1',
          externalParameters: {
            workflow: { ref: 'refs/heads/main', repository: 'https://ghe.example.com/o/r', path: '.github/workflows/release.yml' },
            runner_environment: 'github-hosted'
          },
          internalParameters: { github: { event_name: 'workflow_dispatch', repository_id: '12', repository_owner_id: '34' } },
          resolvedDependencies: [{ uri: 'git+https://ghe.example.com/o/r@refs/tags/foo-v1.2.0', digest: { gitCommit: 'c'.repeat(40) } }]
        },
        runDetails: {
          builder: { id: 'https://ghe.example.com/o/r/.github/workflows/release.yml@refs/heads/main' },
          metadata: { invocationId: 'https://ghe.example.com/o/r/actions/runs/99/attempts/2' }
        }
      }
    })
  })
})
