/**
 * Fan-out across runners: the selected packages cut into shards, the `matrix` a plan step
 * emits for a job matrix, and the one shard a fan-out job keeps.
 *
 * The assignment rule (docs/fan-out.md): the selected packages in the repository's
 * dependency order (a package after the packages it needs, ties by discovery order, which
 * is stable), cut into `total` contiguous runs whose sizes differ by at most one, the first
 * `count mod total` runs one longer. It depends only on the selected packages and the
 * number of shards, so the plan job and every fan-out job compute the same shards from the
 * same checkout and the same `packages` input. Contiguous runs keep a dependency chain
 * together where they can, so a build shard rarely builds a package of another shard as a
 * support build, and each shard keeps dependency order within itself.
 */
import { UserError } from './errors.js'
import { invalidInput, parseInteger } from './inputs.js'

/** The most shards a plan makes: GitHub runs at most 256 jobs per matrix. */
export const MAX_SHARDS = 256

/** One shard of a fan-out: 1-based `index` of `total`. */
export interface ShardRef {
  index: number
  total: number
}

/** How the plan step sizes the shards: a number of shards, or packages per shard. */
export type FanOut = { shards: number } | { shardSize: number }

/** One entry of the `matrix` output. */
export interface MatrixShard {
  /** `index/total`: what a fan-out job passes as its `shard` input (`${{ matrix.shard }}`). */
  shard: string
  index: number
  total: number
  /** Number of packages in the shard. */
  count: number
  /** The shard's package ids, comma separated, in dependency order (for job names and logs). */
  packages: string
}

export interface ShardMatrix {
  include: MatrixShard[]
}

const SHARD_EXPECTED =
  "expected a shard such as 2/5 (the 2nd of 5 shards), as the `shard` field of the plan step's matrix gives it: `shard: ${{ matrix.shard }}`"

/** The `shard` input: `index/total`, 1-based; empty is no shard (every selected package). */
export function parseShard(raw: string): ShardRef | undefined {
  const value = raw.trim()
  if (value === '') return undefined
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(value)
  if (!m) throw invalidInput('shard', raw, SHARD_EXPECTED)
  const index = Number(m[1])
  const total = Number(m[2])
  if (total < 1 || total > MAX_SHARDS) throw invalidInput('shard', raw, `the number of shards must be from 1 to ${MAX_SHARDS}`)
  if (index < 1 || index > total) throw invalidInput('shard', raw, `shard ${index} is out of range: shards are numbered from 1 to ${total}`)
  return { index, total }
}

/** `shards` and `shard-size`: at most one, each a whole number; `shard` goes only to the fan-out jobs. */
export function parseFanOut(shardsRaw: string, sizeRaw: string, shard: ShardRef | undefined): FanOut | undefined {
  const hasShards = shardsRaw.trim() !== ''
  const hasSize = sizeRaw.trim() !== ''
  if (hasShards && hasSize) {
    throw new UserError(
      `Inputs 'shards' (${JSON.stringify(shardsRaw.trim())}) and 'shard-size' (${JSON.stringify(sizeRaw.trim())}) are both set: give one of them, ` +
        "'shards' for a number of shards or 'shard-size' for a number of packages per shard."
    )
  }
  if (!hasShards && !hasSize) return undefined
  if (shard) {
    throw new UserError(
      `Inputs 'shard' and '${hasShards ? 'shards' : 'shard-size'}' are both set: '${hasShards ? 'shards' : 'shard-size'}' plans a fan-out (the plan step, which sets 'matrix' and runs nothing), ` +
        "'shard' runs one shard of it (each fan-out job). Give 'shard' alone in the fan-out jobs."
    )
  }
  return hasShards
    ? { shards: parseInteger('shards', shardsRaw, { min: 1, max: MAX_SHARDS }) }
    : { shardSize: parseInteger('shard-size', sizeRaw, { min: 1, max: 100_000 }) }
}

/** The number of shards a plan makes for `count` packages: never more than there are packages, never more than MAX_SHARDS. */
export function shardCount(count: number, fanOut: FanOut): number {
  if (count === 0) return 0
  const wanted = 'shards' in fanOut ? fanOut.shards : Math.ceil(count / fanOut.shardSize)
  return Math.min(wanted, count, MAX_SHARDS)
}

/** The `total` shards of `items` (in their order): contiguous, sizes differing by at most one, the first ones longer. */
export function assignShards<T>(items: readonly T[], total: number): T[][] {
  if (!Number.isInteger(total) || total < 1) throw new Error(`assignShards: total must be a positive whole number, not ${total}`)
  const base = Math.floor(items.length / total)
  const longer = items.length % total
  const out: T[][] = []
  let start = 0
  for (let i = 0; i < total; i++) {
    const size = base + (i < longer ? 1 : 0)
    out.push(items.slice(start, start + size))
    start += size
  }
  return out
}

/** The items of one shard. */
export function shardOf<T>(items: readonly T[], shard: ShardRef): T[] {
  return assignShards(items, shard.total)[shard.index - 1]!
}

/** The `matrix` output of a plan step: one entry per shard, empty (`include: []`) when nothing is selected. */
export function shardMatrix(ids: readonly string[], fanOut: FanOut): ShardMatrix {
  const total = shardCount(ids.length, fanOut)
  if (total === 0) return { include: [] }
  return {
    include: assignShards(ids, total).map((part, i) => ({
      shard: `${i + 1}/${total}`,
      index: i + 1,
      total,
      count: part.length,
      packages: part.join(',')
    }))
  }
}

export function formatShard(shard: ShardRef): string {
  return `${shard.index}/${shard.total}`
}
