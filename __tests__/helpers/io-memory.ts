/**
 * An in-memory RunnerIO for unit tests: inputs from a map, everything the action says
 * recorded for assertions.
 */
import type { AnnotationProps, RunnerIO, Severity } from '../../packages-shared/io.js'

export interface RecordedAnnotation extends AnnotationProps {
  severity: Severity
  message: string
}

export interface MemoryIO extends RunnerIO {
  readonly outputs: Record<string, string>
  readonly secrets: string[]
  readonly logs: { level: string; message: string }[]
  readonly annotations: RecordedAnnotation[]
  summary: string
  failed?: string
}

export function createMemoryIO(inputs: Record<string, string> = {}, env: Record<string, string | undefined> = {}): MemoryIO {
  const state: Record<string, string> = {}
  const io: MemoryIO = {
    outputs: {},
    secrets: [],
    logs: [],
    annotations: [],
    summary: '',
    getInput: (name) => (inputs[name] ?? '').trim(),
    setOutput: (name, value) => {
      io.outputs[name] = value
    },
    setSecret: (value) => {
      io.secrets.push(value)
    },
    saveState: (name, value) => {
      state[name] = value
    },
    getState: (name) => state[name] ?? '',
    exportVariable: (name, value) => {
      env[name] = value
    },
    debug: (message) => io.logs.push({ level: 'debug', message }),
    info: (message) => io.logs.push({ level: 'info', message }),
    toolOutput: (text) => {
      if (text) io.logs.push({ level: 'tool', message: text })
    },
    notice: (message) => io.logs.push({ level: 'notice', message }),
    warning: (message) => io.logs.push({ level: 'warning', message }),
    error: (message) => io.logs.push({ level: 'error', message }),
    annotate: (severity, message, props) => io.annotations.push({ severity, message, ...props }),
    group: async (name, fn) => {
      io.logs.push({ level: 'group', message: name })
      return fn()
    },
    appendSummary: async (markdown) => {
      io.summary += markdown
    },
    setFailed: (message) => {
      io.failed = message
    },
    isDebug: () => false,
    env
  }
  return io
}
