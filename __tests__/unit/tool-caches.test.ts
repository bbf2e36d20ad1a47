/**
 * Every quality tool that keeps a cache or data files is told to keep them in the folder
 * run-quality gives it (under RUNNER_TEMP), by its own flag or variable; without one, the
 * command line stays the tool's plain one.
 */
import * as path from 'node:path'
import { black } from '../../packages-shared/tools/black.js'
import { flake8 } from '../../packages-shared/tools/flake8.js'
import { isort } from '../../packages-shared/tools/isort.js'
import { mypy } from '../../packages-shared/tools/mypy.js'
import { pylint } from '../../packages-shared/tools/pylint.js'
import { ruff, ruffFormat } from '../../packages-shared/tools/ruff.js'
import type { QualityTool, ToolInvocation } from '../../packages-shared/tools/tool.js'

const CACHE = path.join(path.sep, 'runner', 'temp', 'dk-actions-cache', 'quality', 'x')
const inv = (cacheDir?: string): ToolInvocation => ({
  root: '/repo',
  cwd: '/repo',
  targets: ['packages'],
  executable: 'tool',
  fix: false,
  cacheDir
})

/** Where each tool's cache ends up: a flag in its argv or a variable in its environment. */
function cacheSetting(tool: QualityTool, i: ToolInvocation): string[] {
  const argv = tool.argv(i)
  const flags = argv.flatMap((a, k) => (a === '--cache-dir' ? [`--cache-dir ${argv[k + 1]}`] : a.startsWith('--cache-dir=') ? [a] : []))
  const env = Object.entries(tool.env?.(i) ?? {}).map(([k, v]) => `${k}=${v}`)
  return [...flags, ...env]
}

test.each(
  [
    [mypy, [`--cache-dir=${CACHE}`]],
    [ruff, [`--cache-dir ${CACHE}`]],
    [ruffFormat, [`--cache-dir ${CACHE}`]],
    [black, [`BLACK_CACHE_DIR=${CACHE}`]],
    [pylint, [`PYLINTHOME=${CACHE}`]],
    // Neither keeps a cache.
    [isort, []],
    [flake8, []]
  ].map(([tool, expected]) => [(tool as QualityTool).name, tool, expected]) as [string, QualityTool, string[]][]
)('%s keeps its cache where it is told', (_name, tool, expected) => {
  expect(cacheSetting(tool, inv(CACHE))).toEqual(expected)
  expect(cacheSetting(tool, inv())).toEqual([])
  // The targets stay last, after the cache flag.
  expect(tool.argv(inv(CACHE)).at(-1)).toBe('packages')
})
