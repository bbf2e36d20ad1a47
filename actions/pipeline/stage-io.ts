/**
 * A stage's view of the root action's runner: its own inputs carry the stage prefix on the
 * root action (`quality-checks` is run-quality's `checks`), the shared ones do not; its
 * outputs are collected by the pipeline, not set directly.
 */
import type { RunnerIO } from '../../packages-shared/io.js'
import { COMMON_INPUTS, type Stage } from './stages.js'

export function stageIO(io: RunnerIO, stage: Stage, overrides: Record<string, string> = {}): RunnerIO {
  return {
    ...io,
    getInput: (name) => {
      if (COMMON_INPUTS.has(name)) return io.getInput(name)
      const fixed = stage.fixed?.[name]
      if (fixed !== undefined) return fixed
      const own = io.getInput(`${stage.prefix}-${name}`)
      return own === '' && overrides[name] !== undefined ? overrides[name]! : own
    },
    setOutput: () => undefined,
    // Group titles say which stage a log belongs to.
    group: (name, fn) => io.group(`${stage.name}: ${name}`, fn)
  }
}
