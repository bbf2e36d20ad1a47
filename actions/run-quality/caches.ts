/**
 * run-quality's caches kept across workflow runs (tool-caches.ts): each tool's own that is
 * worth keeping (mypy, black, ruff), the findings cache, and the uv cache its installs fill.
 */
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { cacheKey, configTexts, lockTexts, sourceDigest, uvCacheFolder, type CacheFolder } from '../../packages-shared/tool-caches.js'
import type { PlannedRun } from './plan.js'
import type { QualityScope } from './runs.js'

/** The folder of one tool's caches (one subfolder per folder it runs in: runs.ts). */
export const toolCacheDir = (tool: string): string => path.posix.join('quality', tool)
/** The findings cache's folder, agreed with the code that keeps it. */
export const FINDINGS_DIR = path.posix.join('quality', 'findings')

const line = (r: ToolRequirement): string => `${r.requirement}==${r.version}`

function readBy(runs: readonly PlannedRun[]): string[] {
  return runs.flatMap((r) => [...r.targets.map((t) => path.resolve(r.cwd, t)), ...(r.modulePaths ?? [])])
}

export function qualityCaches(ctx: ActionContext, scope: QualityScope, pinned: readonly ToolRequirement[]): CacheFolder[] {
  const { ws, tools, runs } = scope
  const locks = lockTexts(ws)
  const folders: CacheFolder[] = []
  tools.forEach((tool, i) => {
    const own = runs.filter((r) => r.tool === tool)
    if (!tool.keepsCache || own.length === 0) return
    const key = cacheKey({
      name: tool.name,
      facts: [line(pinned[i]!)],
      config: [...configTexts(ws, tool.config), ...locks],
      content: sourceDigest(ws.root, readBy(own))
    })
    folders.push({ name: tool.name, root: ctx.cacheRoot, dir: toolCacheDir(tool.name), ...key })
  })
  if (runs.length > 0) {
    // Its entries are per file, tool version and configuration, so one folder serves every tool.
    const key = cacheKey({
      name: 'findings',
      facts: pinned.slice(0, tools.length).map(line),
      config: [...tools.flatMap((t) => configTexts(ws, t.config)), ...locks],
      content: sourceDigest(ws.root, readBy(runs))
    })
    folders.push({ name: 'findings', root: ctx.cacheRoot, dir: FINDINGS_DIR, ...key })
  }
  const uv = uvCacheFolder(ctx.io.env, ctx.cacheRoot, ws, pinned.map(line))
  if (uv) folders.push(uv)
  return folders
}
