/**
 * PyPI refuses a distribution whose metadata has direct references (`name @ url`): local
 * files and paths (what Poetry path dependencies become), VCS URLs, plain URLs.
 */
import type { Finding } from '../../packages-shared/findings.js'
import { pyprojectOf, type BuiltPackage } from './built.js'
import { fields } from '../../packages-shared/core-metadata.js'

export interface DirectReference {
  requirement: string
  name: string
  url: string
  kind: 'path' | 'vcs' | 'url'
}

export function directReferences(requirements: readonly string[]): DirectReference[] {
  const out: DirectReference[] = []
  for (const requirement of requirements) {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S+)/.exec(requirement)
    if (!m) continue
    const url = m[2]!.replace(/;$/, '')
    const kind = /^file:/i.test(url) || !/^[a-z][a-z0-9+.-]*:/i.test(url) ? 'path' : /^(git|hg|svn|bzr)\+/i.test(url) ? 'vcs' : 'url'
    out.push({ requirement: requirement.trim(), name: m[1]!, url, kind })
  }
  return out
}

const KIND: Record<DirectReference['kind'], string> = {
  path: 'a local file or path dependency',
  vcs: 'a VCS dependency',
  url: 'a direct URL dependency'
}

export function verifyDependencies(b: BuiltPackage, internalIds: ReadonlySet<string>): Finding[] {
  const meta = b.wheel?.metadata ?? b.sdist?.metadata
  if (!meta) return []
  return directReferences(fields(meta, 'Requires-Dist')).map((d) => {
    const internal = internalIds.has(d.name.toLowerCase().replace(/[-_.]+/g, '-'))
    const fix = internal
      ? `depend on a version of ${d.name} (e.g. ${d.name}>=<version>) and keep the path for development only (a dependency group, or uv sources)`
      : `depend on a released version of ${d.name} from the index instead`
    return {
      tool: 'dependencies',
      package: b.pkg.id,
      file: pyprojectOf(b.pkg),
      severity: 'error' as const,
      message: `${b.pkg.name} depends on "${d.requirement}", ${KIND[d.kind]}; PyPI refuses metadata with direct references. Fix: ${fix}.`
    }
  })
}
