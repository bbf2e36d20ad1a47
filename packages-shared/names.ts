/** PEP 503 name normalisation: `Dataknobs_Common` and `dataknobs.common` are one project. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-')
}

/** The distribution name at the start of a PEP 508 requirement string, or undefined. */
export function requirementName(requirement: string): string | undefined {
  const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement)
  return match ? match[1] : undefined
}
