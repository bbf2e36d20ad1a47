/** The step summary: each package, its version, files and sizes, and what passed; or why nothing was built. */
import type { Selection } from '../../packages-shared/context.js'
import type { CheckResult } from '../../packages-shared/findings.js'
import { table } from '../../packages-shared/report/markdown.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import { builtVersion, type BuiltPackage } from './built.js'

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

const VERIFY = ['metadata', 'twine', 'wheel-contents', 'sdist-contents', 'dependencies', 'versions', 'import']

export function packagesSection(
  packages: readonly PythonPackage[],
  built: ReadonlyMap<string, BuiltPackage>,
  checks: readonly CheckResult[]
): string {
  const rows = packages.map((p) => {
    const b = built.get(p.id)
    const verdicts = VERIFY.map((tool) => {
      const c = checks.find((x) => x.tool === tool)
      if (!c || c.status === 'skipped') return `${tool} –`
      if (c.status === 'error') return `${tool} 💥`
      const mine = c.findings.filter((f) => f.package === p.id)
      const errors = mine.filter((f) => f.severity === 'error').length
      // Warnings that did not fail the step (strict-metadata: false) still show.
      const warnings = mine.filter((f) => f.severity === 'warning').length
      return `${tool} ${errors ? `❌ ${errors}` : warnings ? `⚠️ ${warnings}` : '✓'}`
    })
    return [
      p.name,
      (b && builtVersion(b)) ?? p.version ?? '',
      b?.wheel ? `${b.wheel.file} (${formatSize(b.wheel.size)})` : '–',
      b?.sdist ? `${b.sdist.file} (${formatSize(b.sdist.size)})` : '–',
      b?.ok ? '✓' : b?.skipped ? `skipped (${b.skipped} failed)` : '❌',
      verdicts.join(', ')
    ]
  })
  return `### Packages\n\n${table(['package', 'version', 'wheel', 'sdist', 'build', 'verification'], rows)}`
}

export function nothingToBuildSection(selection: Pick<Selection, 'changes'>): string {
  return selection.changes
    ? `No package changed since \`${selection.changes.base.slice(0, 12)}\`; nothing to build.`
    : 'No package selected; nothing to build.'
}
