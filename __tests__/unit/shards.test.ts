/**
 * Fan-out: the shard assignment (every package exactly once, in dependency order, sizes
 * differing by at most one, the same on every call), the inputs, the plan step's matrix
 * (run through runAction on a real repository), and a fan-out job's selection.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runAction } from '../../packages-shared/action.js'
import { applyShard, createContext, parseCommonInputs } from '../../packages-shared/context.js'
import { InputReader } from '../../packages-shared/inputs.js'
import { assignShards, parseFanOut, parseShard, shardCount, shardMatrix, shardOf, type ShardMatrix } from '../../packages-shared/shards.js'
import { ACTIONS } from '../../actions/registry.js'
import { pipelineAction } from '../../actions/pipeline/main.js'
import { createMemoryIO } from '../helpers/io-memory.js'
import { tempDirs, userError } from './helpers/assertions.js'
import { commitAll, git } from './helpers/git-repo.js'

const tempDir = tempDirs('dk-shards-')

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${String(i).padStart(4, '0')}`)

describe('assignShards', () => {
  test('every package exactly once, in order, sizes differing by at most one, the first shards longer', () => {
    for (let n = 0; n <= 40; n++) {
      for (let total = 1; total <= 12; total++) {
        const items = ids(n)
        const shards = assignShards(items, total)
        expect(shards).toHaveLength(total)
        expect(shards.flat()).toEqual(items)
        const sizes = shards.map((s) => s.length)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        expect([...sizes].sort((a, b) => b - a)).toEqual(sizes)
      }
    }
  })

  test('stable: the same packages give the same shards on every call, whichever shard is asked for', () => {
    const items = ids(1000)
    const first = assignShards(items, 7)
    expect(assignShards([...items], 7)).toEqual(first)
    for (let i = 1; i <= 7; i++) expect(shardOf(items, { index: i, total: 7 })).toEqual(first[i - 1])
    expect(first.map((s) => s.length)).toEqual([143, 143, 143, 143, 143, 143, 142])
  })

  test('more shards than packages: the last ones are empty', () => {
    expect(assignShards(['a', 'b'], 4)).toEqual([['a'], ['b'], [], []])
  })
})

describe('shardCount and shardMatrix', () => {
  test('shard-size caps every shard and spreads the packages evenly', () => {
    expect(shardCount(10, { shardSize: 4 })).toBe(3)
    expect(shardMatrix(ids(10), { shardSize: 4 }).include.map((s) => s.count)).toEqual([4, 3, 3])
    expect(shardCount(100, { shardSize: 25 })).toBe(4)
    expect(shardCount(1000, { shardSize: 1 })).toBe(256)
  })

  test('never more shards than packages; none for none', () => {
    expect(shardCount(3, { shards: 5 })).toBe(3)
    expect(shardMatrix([], { shards: 5 })).toEqual({ include: [] })
  })

  test('each entry names its shard as the shard input takes it', () => {
    const m = shardMatrix(['a', 'b', 'c', 'd', 'e'], { shards: 2 })
    expect(m).toEqual({
      include: [
        { shard: '1/2', index: 1, total: 2, count: 3, packages: 'a,b,c' },
        { shard: '2/2', index: 2, total: 2, count: 2, packages: 'd,e' }
      ]
    })
    for (const entry of m.include) expect(parseShard(entry.shard)).toEqual({ index: entry.index, total: entry.total })
  })
})

describe('inputs', () => {
  test.each([
    ['', undefined],
    ['2/5', { index: 2, total: 5 }],
    [' 1 / 1 ', { index: 1, total: 1 }],
    ['256/256', { index: 256, total: 256 }]
  ])('shard %j', (raw, expected) => {
    expect(parseShard(raw)).toEqual(expected)
  })

  test.each([
    ['6/5', 'shard 6 is out of range: shards are numbered from 1 to 5'],
    ['0/3', 'out of range'],
    ['3', 'expected a shard such as 2/5'],
    ['{"shard":"1/2"}', 'expected a shard such as 2/5'],
    ['1/999', 'the number of shards must be from 1 to 256']
  ])('shard %j is refused: %s', (raw, fragment) => {
    const error = userError(() => parseShard(raw))
    expect(error.message).toContain("Input 'shard'")
    expect(error.message).toContain(fragment)
  })

  test('shards or shard-size, one of them, and never with shard', () => {
    expect(parseFanOut('', '', undefined)).toBeUndefined()
    expect(parseFanOut('4', '', undefined)).toEqual({ shards: 4 })
    expect(parseFanOut('', '25', undefined)).toEqual({ shardSize: 25 })
    expect(userError(() => parseFanOut('4', '25', undefined)).message).toContain('give one of them')
    expect(userError(() => parseFanOut('4', '', { index: 1, total: 4 })).message).toContain("Give 'shard' alone in the fan-out jobs")
    expect(userError(() => parseFanOut('0', '', undefined)).message).toContain("Input 'shards'")
  })
})

/**
 * packages/lib00..lib{n-1}, each requiring the next one (lib00 needs lib01, ...), so the
 * dependency order (lib{n-1} first) is the reverse of the names' order.
 */
function chainRepo(n: number): string {
  const root = tempDir()
  const name = (i: number): string => `lib${String(i).padStart(2, '0')}`
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, 'packages', name(i))
    fs.mkdirSync(path.join(dir, 'src', name(i)), { recursive: true })
    fs.writeFileSync(path.join(dir, 'src', name(i), '__init__.py'), '')
    fs.writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `[project]\nname = "${name(i)}"\nversion = "1.0"\ndependencies = [${i < n - 1 ? `"${name(i + 1)}"` : ''}]\n`
    )
  }
  fs.mkdirSync(path.join(root, 'tests'))
  return root
}

async function selectionOf(root: string, inputs: Record<string, string>) {
  const io = createMemoryIO(inputs, { GITHUB_WORKSPACE: root, RUNNER_TEMP: tempDir() })
  const common = parseCommonInputs(new InputReader(io), io, root)
  return createContext(io, common).selection()
}

describe('a fan-out job keeps its shard of the selection', () => {
  test('shards of a real repository: each package once, dependencies before dependents, root tests in shard 1 only', async () => {
    const root = chainRepo(7)
    const all = (await selectionOf(root, {})).packages.map((p) => p.id)
    expect(all).toEqual(['lib06', 'lib05', 'lib04', 'lib03', 'lib02', 'lib01', 'lib00'])
    const shards = []
    for (let i = 1; i <= 3; i++) shards.push(await selectionOf(root, { shard: `${i}/3` }))
    expect(shards.map((s) => s.packages.map((p) => p.id))).toEqual([
      ['lib06', 'lib05', 'lib04'],
      ['lib03', 'lib02'],
      ['lib01', 'lib00']
    ])
    expect(shards.map((s) => s.repositoryTargets)).toEqual([true, false, false])
    expect(shards.map((s) => s.shard)).toEqual([1, 2, 3].map((index) => ({ index, total: 3, of: 7 })))
  })

  test('the shard cuts what packages selected, not the whole repository', async () => {
    const root = chainRepo(7)
    const s = await selectionOf(root, { packages: 'lib06, lib01, lib03', shard: '2/2' })
    expect(s.packages.map((p) => p.id)).toEqual(['lib01'])
    expect(s.shard).toEqual({ index: 2, total: 2, of: 3 })
  })

  test('without a shard nothing changes', () => {
    const sel = { packages: [] }
    expect(applyShard(sel, undefined)).toBe(sel)
  })
})

describe('the plan step (shards or shard-size) sets matrix and runs nothing', () => {
  test.each([
    ['run-quality', { shards: '3' }],
    ['run-tests', { 'shard-size': '3' }],
    ['build-packages', { shards: '3' }],
    ['pipeline', { shards: '3', stages: 'quality,tests,build' }]
  ])('%s %j', async (action, inputs) => {
    const root = chainRepo(7)
    const temp = tempDir()
    const io = createMemoryIO(inputs, { GITHUB_WORKSPACE: root, RUNNER_TEMP: temp })
    await runAction(io, action === 'pipeline' ? pipelineAction : ACTIONS[action]!)
    expect(io.failed).toBeUndefined()
    const matrix = JSON.parse(io.outputs.matrix!) as ShardMatrix
    expect(matrix.include.map((s) => [s.shard, s.packages])).toEqual([
      ['1/3', 'lib06,lib05,lib04'],
      ['2/3', 'lib03,lib02'],
      ['3/3', 'lib01,lib00']
    ])
    expect(io.outputs['shard-count']).toBe('3')
    expect(io.outputs.passed).toBe('true')
    const report = JSON.parse(fs.readFileSync(io.outputs.report!, 'utf8')) as {
      packages: string[]
      checks: { tool: string }[]
      fanOut: { matrix: ShardMatrix }
    }
    expect(report.packages).toHaveLength(7)
    expect(report.checks.map((c) => c.tool)).toEqual(['fan-out plan'])
    expect(report.fanOut.matrix).toEqual(matrix)
    expect(io.summary).toContain('Fan-out plan')
    // Nothing ran: no tool venv, no dist.
    expect(fs.existsSync(path.join(root, 'dist'))).toBe(false)
  })

  test('no package selected: an empty matrix and shard-count 0', async () => {
    const root = chainRepo(2)
    git(root, 'init', '-q')
    commitAll(root, 'first')
    const io = createMemoryIO({ shards: '2', packages: 'changed', 'base-ref': 'HEAD' }, { GITHUB_WORKSPACE: root, RUNNER_TEMP: tempDir() })
    await runAction(io, ACTIONS['run-quality']!)
    expect(io.failed).toBeUndefined()
    expect(JSON.parse(io.outputs.matrix!)).toEqual({ include: [] })
    expect(io.outputs['shard-count']).toBe('0')
    expect(io.summary).toContain('the matrix is empty')
  })
})
