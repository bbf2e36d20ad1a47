/**
 * The plan step of a fan-out: with `shards` or `shard-size` set, an action discovers the
 * repository, selects the packages as it would, sets `matrix` to their shards (shards.ts)
 * and runs nothing else. The fan-out jobs then run it with `shard: ${{ matrix.shard }}`.
 */
import type { ActionResult } from './action.js'
import type { ActionContext } from './context.js'
import type { FanOut } from './shards.js'
import { shardMatrix } from './shards.js'
import { table } from './report/markdown.js'

/** Package ids shown per shard in the summary; the rest are counted (the matrix has them all). */
const SHOWN = 12

export async function planFanOut(ctx: ActionContext, fanOut: FanOut): Promise<ActionResult> {
  const selection = await ctx.selection()
  const ids = selection.packages.map((p) => p.id)
  const matrix = shardMatrix(ids, fanOut)
  const asked = 'shards' in fanOut ? `shards: ${fanOut.shards}` : `shard-size: ${fanOut.shardSize}`
  ctx.io.info(`Fan-out plan (${asked}): ${ids.length} package(s) in ${matrix.include.length} shard(s); nothing else runs in this step.`)
  const rows = matrix.include.map((s) => {
    const names = s.packages.split(',')
    return [s.shard, String(s.count), names.slice(0, SHOWN).join(', ') + (names.length > SHOWN ? ` and ${names.length - SHOWN} more` : '')]
  })
  const section =
    `### Fan-out plan\n\n${ids.length} package(s) in ${matrix.include.length} shard(s) (${asked}), in dependency order, sizes differing by at most one. ` +
    'Each fan-out job runs one with `shard: ${{ matrix.shard }}`; nothing was checked, tested or built in this step.\n\n' +
    (rows.length
      ? table(['shard', 'packages', 'which'], rows)
      : 'No package is selected: the matrix is empty, so skip the fan-out jobs (`if: fromJSON(needs.<plan>.outputs.matrix).include[0]`).\n')
  return {
    passed: true,
    packages: ids,
    checks: [{ tool: 'fan-out plan', status: 'passed', durationMs: 0, findings: [] }],
    outputs: { matrix: JSON.stringify(matrix), 'shard-count': String(matrix.include.length) },
    sections: [section],
    data: { fanOut: { ...fanOut, matrix } }
  }
}
