/**
 * Binds RunnerIO to @actions/core. Only the action entry files import this module, so
 * nothing else in the code base depends on the runner's toolkit.
 */
import * as core from '@actions/core'
import type { AnnotationProps, RunnerIO, Severity } from './io.js'

export function createActionsIO(): RunnerIO {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    exportVariable: (name, value) => core.exportVariable(name, value),
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    notice: (message) => core.notice(message),
    warning: (message) => core.warning(message),
    error: (message) => core.error(message),
    annotate: (severity: Severity, message: string, props: AnnotationProps) => {
      const emit =
        severity === 'error' ? core.error : severity === 'warning' ? core.warning : core.notice
      emit(message, props)
    },
    group: (name, fn) => core.group(name, fn),
    appendSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return
      await core.summary.addRaw(markdown, true).write()
    },
    setFailed: (message) => core.setFailed(message),
    isDebug: () => core.isDebug(),
    env: process.env
  }
}
