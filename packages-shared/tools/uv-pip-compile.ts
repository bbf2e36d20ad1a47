/**
 * `uv pip compile`: a requirements file resolved into pins for one interpreter, with nothing
 * installed (the dependency audit's set without a lock file). Its settings reach it through
 * the environment, never argv (the log shows argv; index URLs may carry credentials).
 */

type Env = Record<string, string | undefined>

/** Pins only, on stdout: no header, no `# via` annotations, no progress. */
export function uvPipCompileArgv(uv: string, requirementsFile: string, python: string): string[] {
  return [uv, 'pip', 'compile', requirementsFile, '--python', python, '--no-header', '--no-annotate', '--quiet']
}

/**
 * uv reads its own index settings (UV_DEFAULT_INDEX, UV_INDEX, UV_FIND_LINKS, uv.toml, the
 * project's [tool.uv]); a user who set pip's gets them for uv too, through the environment
 * (never argv, which the log shows: index URLs may carry credentials).
 */
export function uvIndexEnv(env: Env): Env {
  const out: Env = { ...env }
  if (env.PIP_INDEX_URL && !env.UV_DEFAULT_INDEX && !env.UV_INDEX_URL) out.UV_DEFAULT_INDEX = env.PIP_INDEX_URL
  if (env.PIP_EXTRA_INDEX_URL && !env.UV_INDEX && !env.UV_EXTRA_INDEX_URL) out.UV_INDEX = env.PIP_EXTRA_INDEX_URL.trim().split(/\s+/).join(' ')
  if (env.PIP_FIND_LINKS && !env.UV_FIND_LINKS) out.UV_FIND_LINKS = env.PIP_FIND_LINKS.trim().split(/\s+/).join(',')
  if (/^(1|true|yes|on)$/i.test(env.PIP_NO_INDEX ?? '') && !env.UV_NO_INDEX) out.UV_NO_INDEX = '1'
  return out
}

/** `uv pip compile` output: `name==version` lines; anything else (a URL requirement) has no version to look up. */
export function parseCompiled(stdout: string): { pinned: { name: string; version: string }[]; unpinned: string[] } {
  const pinned: { name: string; version: string }[] = []
  const unpinned: string[] = []
  for (const raw of stdout.split(/\r?\n/)) {
    const l = raw.replace(/(^|\s)#.*$/, '').trim()
    if (!l || l.startsWith('-')) continue
    const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;]+)/.exec(l)
    if (m) pinned.push({ name: m[1]!, version: m[2]! })
    else unpinned.push(l)
  }
  return { pinned, unpinned }
}

