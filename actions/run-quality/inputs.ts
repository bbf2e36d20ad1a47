/** run-quality's own inputs, parsed once before any work. */
import * as fs from 'node:fs'
import { parsePassEnv } from '../../packages-shared/child-env.js'
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, parseInsidePath, type InputReader } from '../../packages-shared/inputs.js'
import { parseToolVersions } from '../../packages-shared/python/toolbox.js'
import { DEFAULT_MAX_FILE_SIZE } from '../../packages-shared/file-screen.js'
import type { Severity } from '../../packages-shared/findings.js'

export const QUALITY_CHECKS = ['black', 'isort', 'flake8', 'mypy', 'pylint', 'ruff', 'ruff-format'] as const
export type QualityCheck = (typeof QUALITY_CHECKS)[number]
export const DEFAULT_CHECKS: QualityCheck[] = ['black', 'isort', 'flake8', 'mypy', 'pylint']
export const FAIL_ON = ['error', 'warning', 'note', 'never'] as const

export interface QualityInputs {
  checks: QualityCheck[]
  /** Absolute paths to check instead of the selected packages (inside working-directory). */
  paths: string[]
  failOn: Severity | 'never'
  fix: boolean
  toolVersions: Record<string, string>
  /** Sources above this many bytes are reported, not given to the tools (0: no limit). */
  maxFileSize: number
  /** Limit of each tool run. */
  timeoutMs: number
  /** Variables of the step the tools get (plugins such as django-stubs read some). */
  passEnv: string[]
}

export function parseQualityInputs(reader: InputReader, common: CommonInputs): QualityInputs {
  const paths = reader.list('paths').map((p) => {
    const abs = parseInsidePath('paths', p, common.workingDirectory)
    if (!fs.existsSync(abs)) throw invalidInput('paths', p, `no such file or directory under ${common.workingDirectory}`)
    return abs
  })
  return {
    checks: reader.enumList('checks', QUALITY_CHECKS, DEFAULT_CHECKS),
    paths,
    failOn: reader.enumeration('fail-on', FAIL_ON, 'error'),
    fix: reader.boolean('fix', false),
    toolVersions: parseToolVersions('tool-versions', reader.raw('tool-versions')),
    maxFileSize: reader.byteSize('max-file-size', DEFAULT_MAX_FILE_SIZE),
    timeoutMs: reader.timeLimit('timeout', 15 * 60_000),
    passEnv: parsePassEnv('pass-env', reader.raw('pass-env'))
  }
}
