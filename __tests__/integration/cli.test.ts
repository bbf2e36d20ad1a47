/**
 * The dk-actions command (bin/dk-actions.js, the built dist/cli bundle): which names it runs,
 * and what it says of one it does not know, on every Node the project supports.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readManifest } from '../../cli/local-runner.js'
import { nodeBinaries, REPO } from './harness.js'

/** The JavaScript actions in the checkout, read from their manifests: the folders, and `pipeline` for the root action. */
function javascriptActions(): string[] {
  const names = fs
    .readdirSync(REPO, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(REPO, e.name, 'action.yml')))
    .filter((e) => readManifest(path.join(REPO, e.name, 'action.yml')).runs.main !== undefined)
    .map((e) => e.name)
  return [...names, 'pipeline'].sort()
}

describe.each(nodeBinaries())('dk-actions on $label', (node) => {
  const cli = (...args: string[]) =>
    spawnSync(node.path, [path.join(REPO, 'bin', 'dk-actions.js'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 })

  test('list names every JavaScript action and the pipeline', () => {
    const r = cli('list')
    expect(r.status).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual(javascriptActions())
  })

  test.each([
    ['a name no folder has', 'run-qualty'],
    ['a composite action, which the command cannot run', 'setup'],
    ['a folder without an action.yml', 'docs'],
    ['a path', '../run-quality']
  ])('%s is refused, naming the actions it knows, with nothing run', (_what, name) => {
    const r = cli(name)
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`dk-actions: unknown action '${name}'. Known: ${javascriptActions().join(', ')}.\n`)
    expect(r.stdout).toBe('')
  })
})
