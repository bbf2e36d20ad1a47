/** run-tests' own inputs, parsed once before any work. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parsePassEnv } from '../../packages-shared/child-env.js'
import type { CommonInputs } from '../../packages-shared/context.js'
import { invalidInput, parseInsidePath, type InputReader } from '../../packages-shared/inputs.js'
import { NAME_PATTERN, NAME_RULE } from '../../packages-shared/output-dirs.js'
import { parseToolVersions } from '../../packages-shared/python/toolbox.js'
import { ShellWordsError, splitShellWords } from '../../packages-shared/shell-words.js'

export interface SuiteSpec {
  name: string
  /** Absolute path of the suite's directory (or file). */
  path: string
}

export const SAVE_MODES = ['auto', 'true', 'false'] as const
export type SaveMode = (typeof SAVE_MODES)[number]

export type BaselineSpec = { kind: 'none' } | { kind: 'file'; path: string } | { kind: 'cache'; key: string }

export interface TestsInputs {
  /** Explicit suites; empty means the default discovery. */
  suites: SuiteSpec[]
  markers: string
  pytestArgs: string[]
  parallel: boolean
  allowEmpty: boolean
  coverage: boolean
  /** Percent; 0 means no gate. */
  coverageMin: number
  benchmark: boolean
  baseline: BaselineSpec
  maxRegression: number
  save: SaveMode
  timeoutMs: number
  toolVersions: Record<string, string>
  /** Variables of the step the tests get (the rest stays out). */
  passEnv: string[]
}

const SUITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

export function parseSuites(raw: string, workingDirectory: string, workspace: string): SuiteSpec[] {
  const suites: SuiteSpec[] = []
  for (const item of raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'))) {
    const eq = item.indexOf('=')
    const rawPath = (eq >= 0 ? item.slice(eq + 1) : item).trim()
    const abs = parseInsidePath('suites', rawPath, workspace, workingDirectory)
    const name = eq >= 0 ? item.slice(0, eq).trim() : path.basename(abs)
    if (!SUITE_NAME.test(name)) {
      throw invalidInput('suites', item, 'expected name=path pairs such as unit=tests/unit; names use letters, digits, ".", "_" and "-"')
    }
    if (!fs.existsSync(abs)) throw invalidInput('suites', item, `${rawPath} does not exist under ${workingDirectory}`)
    if (suites.some((s) => s.name === name))
      throw invalidInput('suites', item, `the suite name ${name} is used twice; give each suite its own name`)
    suites.push({ name, path: abs })
  }
  return suites
}

export function parseBaseline(raw: string, workspace: string, workingDirectory: string): BaselineSpec {
  const value = raw.trim()
  if (!value) return { kind: 'none' }
  if (value.startsWith('cache:')) {
    const key = value.slice('cache:'.length).trim()
    // The key names a folder under the runner's temp dir too: a name, never a path.
    if (!NAME_PATTERN.test(key))
      throw invalidInput(
        'benchmark-baseline',
        raw,
        `expected cache:<key> with a key that is ${NAME_RULE} (e.g. cache:benchmarks-linux), or a file path inside the workspace`
      )
    return { kind: 'cache', key }
  }
  return { kind: 'file', path: parseInsidePath('benchmark-baseline', value, workspace, workingDirectory) }
}

export function parseTestsInputs(reader: InputReader, common: CommonInputs): TestsInputs {
  let pytestArgs: string[]
  try {
    pytestArgs = splitShellWords(reader.raw('pytest-args'))
  } catch (error) {
    throw invalidInput(
      'pytest-args',
      reader.raw('pytest-args'),
      `${error instanceof ShellWordsError ? error.message : String(error)}; quote arguments as in a shell, e.g. -k "not slow"`
    )
  }
  const coverageMin = reader.percent('coverage-min', 0)
  if (coverageMin > 100) throw invalidInput('coverage-min', reader.raw('coverage-min'), 'expected a percentage from 0 to 100, such as 80%')
  return {
    suites: parseSuites(reader.raw('suites'), common.workingDirectory, common.workspace),
    markers: reader.string('markers'),
    pytestArgs,
    parallel: reader.boolean('parallel', false),
    allowEmpty: reader.boolean('allow-empty', false),
    coverage: reader.boolean('coverage', true),
    coverageMin,
    benchmark: reader.boolean('benchmark', false),
    baseline: parseBaseline(reader.raw('benchmark-baseline'), common.workspace, common.workingDirectory),
    maxRegression: reader.percent('benchmark-max-regression', 10),
    save: reader.enumeration('benchmark-save', SAVE_MODES, 'auto'),
    timeoutMs: reader.timeLimit('timeout', 60 * 60_000),
    toolVersions: parseToolVersions('tool-versions', reader.raw('tool-versions')),
    passEnv: parsePassEnv('pass-env', reader.raw('pass-env'))
  }
}
