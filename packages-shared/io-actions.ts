/**
 * Binds RunnerIO to @actions/core. Only the action entry files import this module, so
 * nothing else in the code base depends on the runner's toolkit.
 */
import * as core from '@actions/core'
import type { AnnotationProps, RunnerIO, Severity } from './io.js'
import { inertBlock, mayHoldCommand } from './workflow-commands.js'

/**
 * The one way text reaches the log raw. Why a stop-commands block rather than escaping lines
 * that start with `::`: the runner also obeys `::` after leading spaces, the legacy
 * `##[name]data` form anywhere in a line, and splits lines at a lone `\r`; escaping would have
 * to chase every form and would change the text people copy from the log. Inside the block
 * the runner obeys nothing but the resume token (fresh, random, absent from the text, so the
 * text cannot end the block), and it still masks secrets there. One write per block keeps our
 * own commands, written before and after, outside it.
 */
function writeVerbatim(text: string, always: boolean): void {
  if (!always && !mayHoldCommand(text)) {
    core.info(text)
    return
  }
  process.stdout.write(inertBlock(text))
}

/*
 * Everything else we print is a command whose data @actions/core escapes (toCommandValue,
 * escapeData: `%`, CR and LF; escapeProperty also `:` and `,`), so an error message, a group
 * title or a file name holding a newline and `::add-mask::` stays one line with one command.
 * __tests__/unit/io-actions.test.ts checks this against the runner's reading of the output.
 */

export function createActionsIO(): RunnerIO {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    exportVariable: (name, value) => core.exportVariable(name, value),
    debug: (message) => core.debug(message),
    // Our messages name files and packages of the repository: a file can be called `##[add-mask]x`.
    info: (message) => writeVerbatim(message, false),
    toolOutput: (text) => {
      if (text) writeVerbatim(text, true)
    },
    notice: (message) => core.notice(message),
    warning: (message) => core.warning(message),
    error: (message) => core.error(message),
    annotate: (severity: Severity, message: string, props: AnnotationProps) => {
      const emit = severity === 'error' ? core.error : severity === 'warning' ? core.warning : core.notice
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
