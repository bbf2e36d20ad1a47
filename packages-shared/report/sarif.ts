/**
 * SARIF 2.1.0: one run per tool, each with its own automation category (code scanning
 * rejects two runs with the same category in one upload).
 */
import type { CheckResult, Finding } from '../findings.js'

type Json = Record<string, unknown>

const LEVEL: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', note: 'note' }

export interface SarifOptions {
  /** Prefix of each run's category, e.g. `dk-actions/run-quality`. */
  category: string
  toolInfo?: Record<string, { informationUri?: string }>
}

function result(f: Finding): Json {
  const region: Json = {}
  if (f.line) region.startLine = f.line
  if (f.column) region.startColumn = f.column
  if (f.endLine) region.endLine = f.endLine
  if (f.endColumn && (f.endLine === undefined || f.endLine === f.line)) region.endColumn = f.endColumn
  const out: Json = {
    ruleId: f.rule ?? f.tool,
    level: LEVEL[f.severity],
    message: { text: f.message }
  }
  if (f.file) {
    out.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
          ...(Object.keys(region).length ? { region } : {})
        }
      }
    ]
  }
  if (f.package) out.properties = { package: f.package }
  return out
}

export function buildSarif(checks: readonly CheckResult[], options: SarifOptions): Json {
  const byTool = new Map<string, CheckResult[]>()
  for (const c of checks) {
    if (c.status === 'skipped') continue
    const list = byTool.get(c.tool)
    if (list) list.push(c)
    else byTool.set(c.tool, [c])
  }
  const runs = [...byTool].map(([tool, toolChecks]) => {
    const findings = toolChecks.flatMap((c) => c.findings)
    const rules = new Map<string, Json>()
    for (const f of findings) {
      const id = f.rule ?? f.tool
      if (!rules.has(id)) {
        rules.set(id, {
          id,
          shortDescription: { text: id },
          ...(f.url ? { helpUri: f.url } : {})
        })
      }
    }
    const version = toolChecks.find((c) => c.toolVersion)?.toolVersion
    return {
      tool: {
        driver: {
          name: tool,
          ...(version ? { version, semanticVersion: version.replace(/^v/, '') } : {}),
          ...(options.toolInfo?.[tool]?.informationUri ? { informationUri: options.toolInfo[tool]!.informationUri } : {}),
          rules: [...rules.values()]
        }
      },
      automationDetails: { id: `${options.category}/${tool}/` },
      results: findings.map(result),
      invocations: [
        {
          executionSuccessful: toolChecks.every((c) => c.status !== 'error'),
          ...(toolChecks.some((c) => c.status === 'error')
            ? {
                toolExecutionNotifications: toolChecks
                  .filter((c) => c.status === 'error')
                  .map((c) => ({ level: 'error', message: { text: c.message ?? 'tool failed' } }))
              }
            : {})
        }
      ]
    }
  })
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs
  }
}
