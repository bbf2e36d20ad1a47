/**
 * Annotations within GitHub's budget: a step shows at most 10 errors, 10 warnings and 10
 * notices and silently drops the rest. We choose which findings get the slots (most severe
 * first, spread round-robin over tools and packages so one noisy tool cannot take them
 * all) and count the rest, which the summary reports; none is lost from the report.
 * A finding without a file becomes an annotation on the run (no location).
 */
import type { RunnerIO, Severity } from '../io.js'
import type { Finding } from '../findings.js'

export const ANNOTATION_LIMITS: Record<Severity, number> = { error: 10, warning: 10, note: 10 }

export interface AnnotationPlan {
  annotated: Finding[]
  notAnnotated: number
}

export function planAnnotations(findings: readonly Finding[], limits: Record<Severity, number> = ANNOTATION_LIMITS): AnnotationPlan {
  const annotated: Finding[] = []
  let notAnnotated = 0
  for (const severity of ['error', 'warning', 'note'] as const) {
    // Findings without a file are annotated too: GitHub shows them on the run itself.
    const pool = findings.filter((f) => f.severity === severity)
    // Buckets per tool+package, taken round-robin in a stable order.
    const buckets = new Map<string, Finding[]>()
    for (const f of pool) {
      const key = `${f.tool}\u0000${f.package ?? ''}`
      const bucket = buckets.get(key) ?? []
      bucket.push(f)
      buckets.set(key, bucket)
    }
    const queues = [...buckets.keys()].sort().map((k) => buckets.get(k)!)
    let taken = 0
    let round = 0
    while (taken < limits[severity] && queues.some((q) => q.length > round)) {
      for (const q of queues) {
        if (taken >= limits[severity]) break
        const f = q[round]
        if (f) {
          annotated.push(f)
          taken++
        }
      }
      round++
    }
    notAnnotated += pool.length - taken
  }
  return { annotated, notAnnotated }
}

export function annotationTitle(f: Finding): string {
  return f.rule ? `${f.tool} ${f.rule}` : f.tool
}

/**
 * `reserve` keeps slots for the step's own messages: a failing step's error (setFailed) is
 * an error annotation too, and must not be the one GitHub drops.
 */
export function emitAnnotations(
  io: RunnerIO,
  findings: readonly Finding[],
  reserve: Partial<Record<Severity, number>> = {}
): AnnotationPlan {
  const limits = { ...ANNOTATION_LIMITS }
  for (const s of ['error', 'warning', 'note'] as const) limits[s] = Math.max(0, limits[s] - (reserve[s] ?? 0))
  const plan = planAnnotations(findings, limits)
  for (const f of plan.annotated) {
    io.annotate(f.severity, f.message, {
      title: annotationTitle(f),
      file: f.file,
      startLine: f.line,
      endLine: f.endLine,
      // GitHub ignores columns on multi-line annotations; send them only for one line.
      startColumn: f.endLine === undefined || f.endLine === f.line ? f.column : undefined,
      endColumn: f.endLine === undefined || f.endLine === f.line ? f.endColumn : undefined
    })
  }
  return plan
}
