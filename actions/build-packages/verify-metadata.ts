/**
 * Metadata checks of our own, made on every wheel and sdist whether or not twine runs:
 * the required fields, the name matching the package, wheel and sdist agreeing, and a
 * description PyPI can render. Which findings fail the step: metadata-policy.ts.
 */
import type { Finding } from '../../packages-shared/findings.js'
import { normalizeName } from '../../packages-shared/names.js'
import { builtVersion, pyprojectOf, type BuiltPackage } from './built.js'
import type { DistFile } from './dists.js'
import { field } from '../../packages-shared/core-metadata.js'
import { sameVersion } from '../../packages-shared/pypa/versions.js'
import { LONG_DESCRIPTION_FIX, metadataSeverity } from '../../packages-shared/metadata-policy.js'

const RENDERABLE = ['text/markdown', 'text/x-rst', 'text/plain']

function finding(b: BuiltPackage, message: string): Finding {
  return { tool: 'metadata', package: b.pkg.id, file: pyprojectOf(b.pkg), severity: 'error', message }
}

function checkOne(b: BuiltPackage, dist: DistFile, strict: boolean): Finding[] {
  const out: Finding[] = []
  if (dist.error || !dist.metadata) {
    out.push(finding(b, `${dist.file}: ${dist.error ?? 'no metadata'}`))
    return out
  }
  const meta = dist.metadata
  for (const name of ['Metadata-Version', 'Name', 'Version']) {
    if (!field(meta, name)) out.push(finding(b, `${dist.file}: the metadata has no ${name} field.`))
  }
  const name = field(meta, 'Name')
  if (name && normalizeName(name) !== b.pkg.id) {
    out.push(finding(b, `${dist.file}: the metadata names the project '${name}', but ${pyprojectOf(b.pkg)} declares '${b.pkg.name}'.`))
  }
  if (meta.description.trim() === '') {
    // PyPI takes it and shows an empty page: a warning that strict-metadata decides.
    out.push({
      ...finding(
        b,
        `${dist.file}: the metadata has no long description, so PyPI would show an empty project page. ${LONG_DESCRIPTION_FIX}.`
      ),
      severity: metadataSeverity('warning', strict)
    })
  }
  const type = field(meta, 'Description-Content-Type')
  if (type) {
    const mime = type.split(';')[0]!.trim().toLowerCase()
    if (!RENDERABLE.includes(mime)) {
      out.push(finding(b, `${dist.file}: Description-Content-Type '${type}' is not one PyPI renders (${RENDERABLE.join(', ')}).`))
    }
  }
  return out
}

/** `strict`: the strict-metadata input; metadata warnings are errors when it is true. */
export function verifyMetadata(b: BuiltPackage, strict = true): Finding[] {
  const out: Finding[] = []
  if (b.wheel) out.push(...checkOne(b, b.wheel, strict))
  if (b.sdist) out.push(...checkOne(b, b.sdist, strict))
  const wv = b.wheel?.metadata && field(b.wheel.metadata, 'Version')
  const sv = b.sdist?.metadata && field(b.sdist.metadata, 'Version')
  if (wv && sv && !sameVersion(wv, sv)) {
    out.push(finding(b, `The wheel says version ${wv} and the sdist says ${sv}; both must come from the same source.`))
  }
  const declared = b.pkg.version
  const built = builtVersion(b)
  if (declared && built && !sameVersion(declared, built)) {
    // Dynamic versions (from VCS tags) legitimately differ from a static guess; say so, do not fail.
    out.push({ ...finding(b, `${pyprojectOf(b.pkg)} reads as version ${declared}, but the build produced ${built}.`), severity: 'warning' })
  }
  return out
}
