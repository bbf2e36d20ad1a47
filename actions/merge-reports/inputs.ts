/** merge-reports' own inputs: where the shards' artifacts were downloaded, and the plan they came from. */
import * as path from 'node:path'
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, workspaceOrTempPath, type InputReader } from '../../packages-shared/inputs.js'
import { parseShard, type MatrixShard } from '../../packages-shared/shards.js'
import type { RunnerIO } from '../../packages-shared/io.js'

export interface MergeInputs {
  /** The folder searched (recursively) for the shards' JSON reports and SARIF files; it must exist when the step runs. */
  reportsDir: string
  /** The plan step's matrix, when given: every shard of it must have sent its report. */
  matrix?: MatrixShard[]
}

const MATRIX_EXPECTED = 'expected the plan step\'s `matrix` output, JSON such as {"include": [{"shard": "1/2", "packages": "a,b"}, ...]}'

export function parseMatrix(raw: string): MatrixShard[] | undefined {
  const value = raw.trim()
  if (value === '') return undefined
  let data: unknown
  try {
    data = JSON.parse(value)
  } catch {
    throw invalidInput('matrix', raw, `${MATRIX_EXPECTED}, but it is not JSON`)
  }
  const include = Array.isArray(data) ? data : (data as { include?: unknown } | null)?.include
  if (!Array.isArray(include)) throw invalidInput('matrix', raw, MATRIX_EXPECTED)
  return include.map((entry: unknown) => {
    const e = (entry ?? {}) as Partial<Record<keyof MatrixShard, unknown>>
    if (typeof e.shard !== 'string' || typeof e.packages !== 'string')
      throw invalidInput('matrix', raw, `${MATRIX_EXPECTED}; an entry lacks its shard or packages`)
    let ref
    try {
      ref = parseShard(e.shard)
    } catch (error) {
      throw invalidInput(
        'matrix',
        raw,
        `${MATRIX_EXPECTED}; entry ${JSON.stringify(e.shard)}: ${error instanceof Error ? error.message : String(error)}`
      )
    }
    if (!ref) throw invalidInput('matrix', raw, `${MATRIX_EXPECTED}; an entry has an empty shard`)
    const packages = e.packages.split(',').filter(Boolean)
    return { shard: e.shard, index: ref.index, total: ref.total, count: packages.length, packages: packages.join(',') }
  })
}

export function parseMergeInputs(reader: InputReader, common: CommonInputs, io: RunnerIO): MergeInputs {
  const raw = reader.string('reports', 'shard-reports')
  const temp = path.resolve(io.env.RUNNER_TEMP || common.workspace)
  const reportsDir = workspaceOrTempPath('reports', raw, common.workspace, { workspace: common.workspace, temp }, 'the folder')
  return { reportsDir, matrix: parseMatrix(reader.raw('matrix')) }
}
