/**
 * A package's `requires-python` against the interpreter, checked before anything is
 * installed: a resolver that meets it half-way through an install buries the reason in its
 * own output, while the fix (another interpreter) is one line.
 */
import { isValidSpecifier, versionSatisfies } from './pypa/versions.js'
import { UserError } from './errors.js'
import type { PythonPackage } from './workspace.js'

/**
 * Poetry's `python = "^3.12"` / `"~3.12"` as a PEP 440 specifier; PEP 440 text is kept as
 * it is. `||` alternatives stay separate: the interpreter needs to meet one.
 */
export function pythonSpecifiers(constraint: string): string[] {
  return constraint
    .split('||')
    .map((alt) =>
      alt
        .split(',')
        .map((part) => {
          const p = part.trim()
          const caret = /^\^\s*(\d+)((?:\.\d+)*)$/.exec(p)
          if (caret) return `>=${caret[1]}${caret[2]},<${Number(caret[1]) + 1}`
          const tilde = /^~(?!=)\s*(\d+)(?:\.(\d+))?((?:\.\d+)*)$/.exec(p)
          if (tilde)
            return tilde[2] === undefined
              ? `>=${tilde[1]},<${Number(tilde[1]) + 1}`
              : `>=${tilde[1]}.${tilde[2]}${tilde[3]},<${tilde[1]}.${Number(tilde[2]) + 1}`
          // A bare version means exactly that version, in Poetry as in pip's older reading.
          return /^\d/.test(p) ? `==${p}` : p
        })
        .filter((p) => p && p !== '*')
        .join(',')
    )
    .filter((alt) => alt.length > 0)
}

/** Whether `version` (`3.11.7`) meets `constraint`; undefined when the constraint cannot be read. */
export function meetsRequiresPython(version: string, constraint: string): boolean | undefined {
  const alternatives = pythonSpecifiers(constraint)
  if (alternatives.length === 0) return true
  if (!alternatives.every(isValidSpecifier)) return undefined
  return alternatives.some((a) => versionSatisfies(version, a))
}

/**
 * One line when a selected package needs another Python than `interpreter` (`python3`,
 * version `3.11.7`): both versions and the fix. A constraint that cannot be read is left to
 * the installer, which says what it makes of it.
 */
export function requiresPythonProblem(
  interpreter: { command: string; version: string },
  packages: readonly PythonPackage[]
): string | undefined {
  const unmet = packages.filter((p) => p.requiresPython && meetsRequiresPython(interpreter.version, p.requiresPython) === false)
  if (unmet.length === 0) return undefined
  const first = unmet[0]!
  const spec = first.requiresPython!.trim()
  const lowest = /(?:>=|~=|==|\^|~)\s*(\d+\.\d+)/.exec(spec)?.[1]
  const others =
    unmet.length > 1
      ? ` (and ${unmet
          .slice(1)
          .map((p) => p.name)
          .join(', ')})`
      : ''
  return (
    `Package ${first.name}${others} requires Python ${spec} (requires-python), but the interpreter '${interpreter.command}' is ${interpreter.version}. ` +
    `Set the 'python' input to a matching interpreter, or run actions/setup-python${lowest ? ` with python-version: '${lowest}'` : ''} before this step.`
  )
}

/** The same, as the error that stops an action before anything is installed. */
export function assertRequiresPython(interpreter: { command: string; version: string }, packages: readonly PythonPackage[]): void {
  const problem = requiresPythonProblem(interpreter, packages)
  if (problem) throw new UserError(problem)
}
