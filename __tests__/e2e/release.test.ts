/**
 * The example release workflow (examples/workflows/release.yml) under act: build, publish
 * to a local pypiserver with a token in dependency order, then health-check the release
 * from that index.
 */
import { startPypiServer, type LocalIndex } from '../integration/helpers/package-index.js'
import { failedJobsOutput, prepareStandIns, runAct } from './act.js'
import { consumerRepo, git, job } from './consumer.js'

describe('release.yml under act', () => {
  let standIns: string
  beforeAll(() => {
    standIns = prepareStandIns()
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
