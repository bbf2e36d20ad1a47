/**
 * What `strict-metadata` decides, in one place for our metadata check and twine's.
 *
 * Two kinds of metadata problem:
 * - errors: PyPI refuses the upload, or the dists cannot be what was meant: a required
 *   field missing, the name not the package's, wheel and sdist disagreeing, a
 *   Description-Content-Type PyPI does not accept, a description that does not render
 *   (twine's ERROR). These always fail the step.
 * - warnings: PyPI takes the upload but shows it badly: no long description (an empty or
 *   missing README), no Description-Content-Type (twine's WARNING lines, which are what
 *   `twine check --strict` fails on). These fail the step when `strict-metadata` is true
 *   (the default, as `--strict` does), and are reported as warnings when it is false.
 *
 * Notes that never fail (a dynamic version differing from pyproject's static one) are
 * plain warnings whatever `strict-metadata` says: they are not metadata PyPI would show.
 */
/** twine's ERROR and WARNING lines are the same two kinds, so its levels are MetadataProblems. */
export type MetadataProblem = 'error' | 'warning'

export function metadataSeverity(problem: MetadataProblem, strict: boolean): 'error' | 'warning' {
  return problem === 'error' || strict ? 'error' : 'warning'
}

/** How to give a distribution a long description, whichever way it declares its metadata. */
export const LONG_DESCRIPTION_FIX =
  'Point `readme` in [project] at a README that has content (an empty file gives none), or set `long_description` (in setup() of setup.py, or [metadata] of setup.cfg)'
