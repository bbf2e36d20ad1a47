/**
 * `twine check` on every selected dist: PyPI's rendering of the long description and its
 * own metadata checks. With strict-metadata (the default) it runs with `--strict`, which
 * fails on twine's warnings too, so the command a user runs again gives the same verdict;
 * without, twine passes with warnings. Either way each ERROR or WARNING line is classified
 * by the rule our metadata check follows (metadata-policy.ts).
 */
import * as path from 'node:path'
import type { Exec } from '../../packages-shared/exec.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { toolVersion } from '../../packages-shared/python/interpreter.js'
import type { Toolbox, ToolRequirement } from '../../packages-shared/python/toolbox.js'
import { versionSource } from '../../packages-shared/tool-pins.js'
import {
  TWINE,
  TWINE_ENV,
  readTwineCheck,
  twineCheckArgv,
  twineCheckShown,
  type TwineFileResult
} from '../../packages-shared/tools/twine.js'
import { pyprojectOf, type BuiltPackage } from './built.js'
import { metadataSeverity } from '../../packages-shared/metadata-policy.js'

/** Findings of twine's per-file results, each attributed to the package that built the file. */
export function twineFindings(results: readonly TwineFileResult[], built: readonly BuiltPackage[], strict: boolean): Finding[] {
  const findings: Finding[] = []
  for (const res of results) {
    const b = built.find((x) => x.wheel?.path === res.file || x.sdist?.path === res.file)
    for (const m of res.messages) {
      findings.push({
        tool: 'twine',
        package: b?.pkg.id,
        file: b ? pyprojectOf(b.pkg) : undefined,
        severity: metadataSeverity(m.level, strict),
        message: `${path.basename(res.file)}: ${m.text.split('\n')[0]}`,
        detail: m.text.includes('\n') ? m.text : undefined
      })
    }
    if (!res.passed && res.messages.length === 0) {
      findings.push({ tool: 'twine', package: b?.pkg.id, severity: 'error', message: `${path.basename(res.file)}: ${res.verdict}` })
    }
  }
  return findings
}

export async function twineCheck(
  exec: Exec,
  box: Toolbox,
  built: BuiltPackage[],
  cwd: string,
  timeoutMs: number,
  strict: boolean,
  req: ToolRequirement = TWINE
): Promise<CheckResult> {
  const exe = box.which('twine')
  if (!exe) return { tool: 'twine', status: 'error', durationMs: 0, findings: [], message: 'twine is not installed' }
  const files = built.flatMap((b) => [b.wheel?.path, b.sdist?.path]).filter((f): f is string => Boolean(f))
  const argv = twineCheckArgv(exe, files, strict)
  const r = await exec({ argv, cwd, env: { ...box.env, ...TWINE_ENV }, timeoutMs })
  const read = readTwineCheck(r, files)
  const base = {
    tool: 'twine',
    toolVersion: box.mode === 'isolated' ? req.version : await toolVersion(exe, box.env, exec),
    toolVersionSource: versionSource(box.mode, req),
    durationMs: r.durationMs,
    command: twineCheckShown(strict)
  }
  if ('error' in read) return { ...base, status: 'error', findings: [], message: read.error }
  const findings = twineFindings(read.results, built, strict)
  return { ...base, status: findings.some((f) => f.severity === 'error') ? 'failed' : 'passed', findings }
}
