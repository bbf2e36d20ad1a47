/**
 * `uv pip compile`: a requirements file resolved into pins for one interpreter, with nothing
 * installed (the dependency audit's set without a lock file). Its settings reach it through
 * the environment, never argv (the log shows argv; index URLs may carry credentials).
 */

/** Pins only, on stdout: no header, no `# via` annotations, no progress. */
export function uvPipCompileArgv(uv: string, requirementsFile: string, python: string): string[] {
  return [uv, 'pip', 'compile', requirementsFile, '--python', python, '--no-header', '--no-annotate', '--quiet']
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
