/**
 * run-tests' caches kept across workflow runs (tool-caches.ts): pytest's own cache (last
 * failures, known test ids) in the action's report folder, and the uv cache its installs fill.
 */
import type { ActionContext, Selection } from '../../packages-shared/context.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { cacheKey, configTexts, lockTexts, sourceDigest, uvCacheFolder, type CacheFolder } from '../../packages-shared/tool-caches.js'
import { PYTEST_CONFIG } from '../../packages-shared/tools/pytest.js'
import { PYTEST_CACHE } from './plan.js'
import type { PlannedSuite } from './suites.js'

export function testsCaches(
  ctx: ActionContext,
  selection: Selection,
  suites: readonly PlannedSuite[],
  requirements: readonly ToolRequirement[],
  outDir: string
): CacheFolder[] {
  const ws = ctx.workspace()
  const lines = requirements.map((r) => `${r.requirement}==${r.version}`)
  const pytest = cacheKey({
    name: 'pytest',
    facts: lines,
    config: [...configTexts(ws, PYTEST_CONFIG), ...lockTexts(ws)],
    content: sourceDigest(ws.root, [...suites.map((s) => s.path), ...selection.packages.map((p) => p.dir)])
  })
  const uv = uvCacheFolder(ctx.io.env, ctx.cacheRoot, ws, lines)
  return [{ name: 'pytest', root: outDir, dir: PYTEST_CACHE, ...pytest }, ...(uv ? [uv] : [])]
}
