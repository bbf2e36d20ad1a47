/**
 * Uploads one file with `uv publish` (the upload protocol is uv's, not ours; what uv is
 * told and what its answers mean is tools/uv-publish.ts). A file's attestation is named
 * to uv beside it: uv sends the attestation files it is given, matched to their dist by
 * name, in the upload's `attestations` field, and ignores any it is not given, even in
 * the same folder.
 */
import { displayCommand, type Exec } from '../../packages-shared/exec.js'
import { redact } from '../../packages-shared/secrets.js'
import { classifyUvResult, uvPublishArgv, type AttemptOutcome } from '../../packages-shared/tools/uv-publish.js'
import type { Repository } from './repository.js'

export interface Uploader {
  /** One attempt to upload one file. */
  upload(file: string): Promise<{ outcome: AttemptOutcome; command: string; output: string }>
}

export interface UploaderOptions {
  timeoutMs?: number
  /** Dist path → its attestation file, uploaded with it. */
  attestations?: ReadonlyMap<string, string>
}

export function uvUploader(
  exec: Exec,
  uv: string,
  repo: Repository,
  env: Record<string, string | undefined>,
  cwd: string,
  options: UploaderOptions = {}
): Uploader {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000
  // The `attestations` input decides; a job-wide UV_PUBLISH_NO_ATTESTATIONS would drop them
  // silently (and any value but true/false makes uv refuse to start).
  const uvEnv = { ...env }
  delete uvEnv.UV_PUBLISH_NO_ATTESTATIONS
  return {
    async upload(file) {
      const attestation = options.attestations?.get(file)
      const argv = [...uvPublishArgv(uv, repo, file), ...(attestation ? [attestation] : [])]
      const raw = await exec({ argv, env: uvEnv, cwd, timeoutMs })
      // uv repeats what the server said, and a server may echo the request (its Authorization header).
      const r = { ...raw, stdout: redact(raw.stdout), stderr: redact(raw.stderr) }
      return { outcome: classifyUvResult(r), command: displayCommand(argv), output: `${r.stdout}${r.stderr}`.trimEnd() }
    }
  }
}
