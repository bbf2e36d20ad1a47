/**
 * Uploads one file with `uv publish` (the upload protocol is uv's, not ours; what uv is
 * told and what its answers mean is tools/uv-publish.ts).
 */
import { displayCommand, type Exec } from '../../packages-shared/exec.js'
import { redact } from '../../packages-shared/secrets.js'
import { classifyUvResult, uvPublishArgv, type AttemptOutcome } from '../../packages-shared/tools/uv-publish.js'
import type { Repository } from './repository.js'

export interface Uploader {
  /** One attempt to upload one file. */
  upload(file: string): Promise<{ outcome: AttemptOutcome; command: string; output: string }>
}

export function uvUploader(
  exec: Exec,
  uv: string,
  repo: Repository,
  env: Record<string, string | undefined>,
  cwd: string,
  timeoutMs = 15 * 60_000
): Uploader {
  return {
    async upload(file) {
      const argv = uvPublishArgv(uv, repo, file)
      const raw = await exec({ argv, env, cwd, timeoutMs })
      // uv repeats what the server said, and a server may echo the request (its Authorization header).
      const r = { ...raw, stdout: redact(raw.stdout), stderr: redact(raw.stderr) }
      return { outcome: classifyUvResult(r), command: displayCommand(argv), output: `${r.stdout}${r.stderr}`.trimEnd() }
    }
  }
}
