/**
 * Uploads files as a workflow artifact when the runner offers the service; locally (or
 * when the service is absent) it says so and carries on.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { errorMessage } from './errors.js'
import type { RunnerIO } from './io.js'

export interface UploadResult {
  uploaded: boolean
  reason?: string
  id?: number
  size?: number
}

export function artifactServiceAvailable(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_RESULTS_URL || env.ACTIONS_RUNTIME_URL))
}

/** Files under `dir`, recursively (artifacts keep their paths relative to `rootDir`). */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out.push(p)
    }
  }
  if (fs.existsSync(dir)) walk(dir)
  return out.sort()
}

/**
 * Why an upload failed, never empty: the blob client's errors can come without a message
 * (an HTTP 401 from a server that refuses the signed URL), and a warning that ends in a
 * colon helps no one.
 */
export function uploadFailureReason(error: unknown): string {
  const message = errorMessage(error).trim()
  if (message) return message
  const e = (error ?? {}) as { name?: unknown; code?: unknown; statusCode?: unknown }
  const parts = [
    typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined,
    typeof e.code === 'string' ? e.code : undefined,
    typeof e.statusCode === 'number' ? `HTTP ${e.statusCode}` : undefined
  ].filter(Boolean)
  return parts.length ? `${parts.join(', ')}, with no message from the artifact service` : 'the artifact service gave no reason'
}

export async function uploadArtifact(io: RunnerIO, name: string, files: string[], rootDir: string): Promise<UploadResult> {
  if (files.length === 0) return { uploaded: false, reason: 'nothing to upload' }
  if (!artifactServiceAvailable(io.env)) {
    const reason = 'the runner offers no artifact service here (a local run)'
    io.notice(`Artifact '${name}' not uploaded: ${reason}. The files stay in ${rootDir}.`)
    return { uploaded: false, reason }
  }
  try {
    // Loaded only when needed: it is large and local runs never use it. Pinned to 6.1.0:
    // 6.2 sends a mime_type field that act's artifact server (0.2.87) rejects.
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const client = new DefaultArtifactClient()
    const res = await client.uploadArtifact(name, files, rootDir, { retentionDays: undefined })
    io.info(`Uploaded artifact '${name}' (${files.length} file(s), ${res.size ?? 0} bytes).`)
    return { uploaded: true, id: res.id, size: res.size }
  } catch (error) {
    const reason = uploadFailureReason(error)
    io.warning(`Artifact '${name}' could not be uploaded: ${reason}`)
    return { uploaded: false, reason }
  }
}
