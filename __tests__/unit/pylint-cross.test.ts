/**
 * The TypeScript side of pylint's cross-module records (packages-shared/tools/pylint-cross.ts):
 * where the plugin is written, how a run loads it, which records a prune keeps. The plugin
 * itself runs in the real pylint in __tests__/integration/pylint-cross.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { crossPluginArgs, pruneCrossRecords, PYLINT_CROSS_MODULE, writeCrossPlugin } from '../../packages-shared/tools/pylint-cross.js'
import { scratchDirs } from '../helpers/scratch.js'

const scratch = scratchDirs()

describe('pylint cross-module records', () => {
  test('the plugin is written once, in a folder named by its content, as the module pylint loads', () => {
    const root = scratch.tempDir('cross-plugin-')
    const dir = writeCrossPlugin(root)
    const file = path.join(dir, `${PYLINT_CROSS_MODULE}.py`)
    expect(fs.readFileSync(file, 'utf8')).toContain('def register(linter):')
    const written = fs.statSync(file).mtimeMs
    expect(writeCrossPlugin(root)).toBe(dir)
    expect(fs.statSync(file).mtimeMs).toBe(written)
    expect(path.relative(root, dir).split(path.sep)).toEqual(['pylint-plugin', expect.stringMatching(/^[0-9a-f]{16}$/)])
  })

  test.each([
    ['the run has a PYTHONPATH: the plugin folder goes after it', 'a' + path.delimiter + 'b', ['a', 'b', 'PLUGIN']],
    ['the run has none: the plugin folder alone', undefined, ['PLUGIN']]
  ])('%s', (_name, pythonPath, parts) => {
    const cross = { plugin: 'PLUGIN', records: 'RECORDS', salt: 'SALT' }
    const args = crossPluginArgs(cross, pythonPath)
    expect(args.extraArgs).toEqual([`--load-plugins=${PYLINT_CROSS_MODULE}`])
    expect(args.env.PYTHONPATH!.split(path.delimiter)).toEqual(parts)
    expect(args.env).toMatchObject({ DK_ACTIONS_PYLINT_RECORDS: 'RECORDS', DK_ACTIONS_PYLINT_SALT: 'SALT' })
    expect(args.env.DK_ACTIONS_PYLINT_REPLAY).toBeUndefined()
    expect(crossPluginArgs(cross, pythonPath, 'list.json').env.DK_ACTIONS_PYLINT_REPLAY).toBe('list.json')
  })

  test('a prune removes the records no run wrote or read since it began, and keeps the others', () => {
    const records = scratch.tempDir('cross-records-')
    const now = Date.now()
    const old = new Date(now - 60_000)
    for (const name of ['used.json', 'stale.json', 'left.tmp']) fs.writeFileSync(path.join(records, name), '{}')
    fs.utimesSync(path.join(records, 'stale.json'), old, old)
    fs.utimesSync(path.join(records, 'left.tmp'), old, old)
    expect(pruneCrossRecords(records, now - 2000)).toBe(2)
    expect(fs.readdirSync(records)).toEqual(['used.json'])
    expect(pruneCrossRecords(path.join(records, 'missing'), now)).toBe(0)
  })
})
