/** `name==version` entries, as health-check's `packages` and deploy-plan's `versions` take them. */
import { normalizeName } from '../names.js'

const PIN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*==\s*v?([A-Za-z0-9][A-Za-z0-9.+!_-]*)$/

export interface ExactPin {
  name: string
  /** PEP 503 normalised name. */
  id: string
  version: string
}

/** The entry as a pin, or undefined when it is not `name==version` (a leading `v` on the version is dropped). */
export function readExactPin(entry: string): ExactPin | undefined {
  const m = PIN.exec(entry.trim())
  return m ? { name: m[1]!, id: normalizeName(m[1]!), version: m[2]! } : undefined
}
