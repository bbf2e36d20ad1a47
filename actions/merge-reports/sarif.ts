/**
 * One SARIF log from the shards' SARIF files: runs with the same automation category (the
 * same action and tool, e.g. `dk-actions/run-quality/mypy/`) become one run, results and
 * invocations concatenated and rules united, because code scanning refuses an upload with
 * two runs of one category. Runs of different categories are kept side by side.
 */
type Json = Record<string, unknown>

export interface SarifFile {
  path: string
  log: Json
}

/** Whether a parsed JSON file is a SARIF 2.1.0 log. */
export function isSarifLog(data: unknown): data is Json {
  const d = data as Json | null
  return typeof d === 'object' && d !== null && d.version === '2.1.0' && Array.isArray(d.runs)
}

const runKey = (run: Json): string => {
  const id = (run.automationDetails as Json | undefined)?.id
  if (typeof id === 'string' && id) return id
  return String(((run.tool as Json | undefined)?.driver as Json | undefined)?.name ?? 'unknown')
}

export function mergeSarif(files: readonly SarifFile[]): { log: Json; runs: number; results: number } {
  const byKey = new Map<string, Json>()
  let results = 0
  for (const file of files) {
    for (const run of file.log.runs as Json[]) {
      const runResults = Array.isArray(run.results) ? (run.results as Json[]) : []
      results += runResults.length
      const key = runKey(run)
      const kept = byKey.get(key)
      if (!kept) {
        // A deep copy: the merged log is built without touching the files' objects.
        byKey.set(key, JSON.parse(JSON.stringify({ ...run, results: runResults })) as Json)
        continue
      }
      ;(kept.results as Json[]).push(...runResults)
      kept.invocations = [...((kept.invocations as Json[] | undefined) ?? []), ...((run.invocations as Json[] | undefined) ?? [])]
      const driver = (kept.tool as Json).driver as Json
      const rules = (driver.rules as Json[] | undefined) ?? []
      const known = new Set(rules.map((r) => r.id))
      for (const rule of (((run.tool as Json | undefined)?.driver as Json | undefined)?.rules as Json[] | undefined) ?? []) {
        if (!known.has(rule.id)) {
          rules.push(rule)
          known.add(rule.id)
        }
      }
      driver.rules = rules
    }
  }
  return {
    log: { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [...byKey.values()] },
    runs: byKey.size,
    results
  }
}
