/**
 * The smoke test: inline Python or a script, run by the venv's interpreter with a time
 * limit. It sees the target environment in DK_HEALTH_ENVIRONMENT and the checked
 * versions in DK_HEALTH_VERSIONS (JSON), so one script can serve every environment.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { displayCommand, tail, type Exec } from '../../packages-shared/exec.js'
import type { SmokeSpec } from './inputs.js'

export interface SmokeResult {
  ok: boolean
  exitCode: number
  timedOut: boolean
  durationMs: number
  /** Combined output, trimmed to its tail. */
  output: string
  /** The traceback's last lines when the smoke test raised. */
  traceback?: string
  command: string
}

/** The last traceback in a Python process's stderr, cut to its tail. */
export function lastTraceback(stderr: string, lines = 20): string | undefined {
  const at = stderr.lastIndexOf('Traceback (most recent call last):')
  return at < 0 ? undefined : tail(stderr.slice(at), lines)
}

export async function runSmoke(
  exec: Exec,
  python: string,
  spec: Exclude<SmokeSpec, { kind: 'none' }>,
  scratch: string,
  cwd: string,
  env: Record<string, string | undefined>,
  timeoutMs: number
): Promise<SmokeResult> {
  fs.mkdirSync(scratch, { recursive: true })
  let file: string
  if (spec.kind === 'inline') {
    // A file, not -c: tracebacks then name lines the user can find in their own code.
    file = path.join(scratch, 'smoke_test.py')
    fs.writeFileSync(file, spec.code.endsWith('\n') ? spec.code : `${spec.code}\n`)
  } else {
    file = spec.file
  }
  const argv = [python, file]
  const r = await exec({ argv, cwd, env: { ...env, PYTHONUNBUFFERED: '1' }, timeoutMs })
  const output = tail([r.stdout.trimEnd(), r.stderr.trimEnd()].filter(Boolean).join('\n'), 60)
  const ok = r.exitCode === 0 && !r.timedOut
  return {
    ok,
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    output,
    traceback: ok ? undefined : lastTraceback(r.stderr),
    command: displayCommand(argv)
  }
}
