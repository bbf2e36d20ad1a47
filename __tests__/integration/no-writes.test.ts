/**
 * No writes outside the workspace's own output folders and RUNNER_TEMP: every action, run
 * alone on a clean git checkout (helpers/clean-checkout.ts), leaves `git status --porcelain
 * --ignored` as it was. Actions in sequence, and outputs the user asked for inside the
 * workspace, are in no-writes-in-sequence.test.ts.
 *
 * @slow
 */
import { ALL_QUALITY, checkout, expectPassed, node, status } from './helpers/clean-checkout.js'
import { runBundle } from './harness.js'

describe('no writes outside the output folders and RUNNER_TEMP', () => {
  test.each([
    ['run-quality, every check', 'run-quality', { install: 'isolated', checks: ALL_QUALITY }],
    ['run-quality with fix: true', 'run-quality', { install: 'isolated', checks: ALL_QUALITY, fix: 'true' }],
    ['run-security', 'run-security', { install: 'isolated' }],
    ['run-tests', 'run-tests', { install: 'isolated' }],
    // uv build is the default frontend (the test below); these are the other two.
    ['build-packages with python -m build', 'build-packages', { install: 'isolated', backend: 'build' }],
    ['build-packages with poetry build', 'build-packages', { install: 'isolated', backend: 'poetry' }]
  ])('%s leaves the checkout as it was', async (what, action, inputs) => {
    const ws = checkout()
    expect(status(ws)).toEqual([])
    const run = await runBundle(action, inputs, { workspace: ws, node: node.path })
    const report = expectPassed(run, what)
    // The repository's five packages were all covered, the setuptools one included.
    expect(report.packages).toContain('dataknobs-legacy')
    expect(status(ws)).toEqual([])
  })
})
