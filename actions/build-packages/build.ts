/**
 * Building: each package's sdist and wheel with its own build backend, through a standard
 * frontend (uv build, python -m build, or poetry build for Poetry projects when asked),
 * started in dependency order with at most `max-parallel` at once, reproducible through
 * SOURCE_DATE_EPOCH.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { withoutBuildLeftovers } from '../../packages-shared/build-leftovers.js'
import { childEnv } from '../../packages-shared/child-env.js'
import { displayCommand, processNotes, tail, type Exec } from '../../packages-shared/exec.js'
import type { PythonPackage } from '../../packages-shared/workspace.js'
import type { ToolRequirement } from '../../packages-shared/python/toolbox.js'

export const BACKEND_CHOICES = ['auto', 'uv', 'build', 'poetry'] as const
export type BackendChoice = (typeof BACKEND_CHOICES)[number]
export type Frontend = 'uv' | 'build' | 'poetry'

export const BUILD_TOOL: ToolRequirement = { requirement: 'build', version: '1.6.1', executable: 'pyproject-build' }
export const POETRY_TOOL: ToolRequirement = { requirement: 'poetry', version: '2.5.1', executable: 'poetry' }

/** Fixed timestamp for a tree that is not a git checkout: 1980-01-01, the earliest a zip can hold. */
export const FALLBACK_EPOCH = '315532800'

/**
 * The frontend for one package: `poetry` builds Poetry projects with poetry and the rest
 * with the standard frontend; `auto` is uv when it is on PATH, else `python -m build`.
 */
export function frontendFor(pkg: Pick<PythonPackage, 'backend'>, choice: BackendChoice, uvAvailable: boolean): Frontend {
  if (choice === 'poetry' && pkg.backend === 'poetry') return 'poetry'
  if (choice === 'build') return 'build'
  if (choice === 'uv') return 'uv'
  return uvAvailable ? 'uv' : 'build'
}

export interface FrontendTools {
  uv?: string
  /** The interpreter builds run with (uv's --python, python -m build). */
  python: string
  /** A python that has `build` installed. */
  buildPython?: string
  poetry?: string
}

export function buildArgv(frontend: Frontend, tools: FrontendTools, pkgDir: string, outDir: string): string[] {
  if (frontend === 'uv') {
    return [tools.uv ?? 'uv', 'build', '--sdist', '--wheel', '--out-dir', outDir, '--python', tools.python, '--no-progress', pkgDir]
  }
  if (frontend === 'poetry') return [tools.poetry ?? 'poetry', 'build', '--no-interaction', '--output', outDir]
  return [tools.buildPython ?? tools.python, '-m', 'build', '--sdist', '--wheel', '--outdir', outDir, pkgDir]
}

export interface EpochSource {
  epoch: string
  source: 'environment' | 'git' | 'fixed'
}

/** SOURCE_DATE_EPOCH: the caller's, else the last commit's time, else a fixed constant. */
export async function sourceDateEpoch(exec: Exec, root: string, env: Readonly<Record<string, string | undefined>>): Promise<EpochSource> {
  if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) return { epoch: env.SOURCE_DATE_EPOCH, source: 'environment' }
  const r = await exec({ argv: ['git', 'log', '-1', '--format=%ct'], cwd: root, env: childEnv(env), timeoutMs: 30_000 })
  const value = r.stdout.trim()
  if (r.exitCode === 0 && /^\d+$/.test(value)) return { epoch: value, source: 'git' }
  return { epoch: FALLBACK_EPOCH, source: 'fixed' }
}

export interface BuildOutcome {
  ok: boolean
  command: string
  durationMs: number
  log: string
  error?: string
  wheel?: string
  sdist?: string
}

export async function buildOne(
  exec: Exec,
  frontend: Frontend,
  tools: FrontendTools,
  pkg: Pick<PythonPackage, 'dir' | 'name'>,
  outDir: string,
  env: Record<string, string | undefined>,
  timeoutMs = 30 * 60_000,
  /** Folders inside the package that are not its sources (nested packages): left alone. */
  keep: readonly string[] = []
): Promise<BuildOutcome> {
  // A previous run's files would be taken for this run's.
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.mkdirSync(outDir, { recursive: true })
  const argv = buildArgv(frontend, tools, pkg.dir, outDir)
  // setuptools writes build/ and egg-info into the package folder whatever the frontend:
  // removed once the build is done, so later steps (mypy) never see a second copy.
  const r = await withoutBuildLeftovers([pkg.dir], [outDir, ...keep], () => exec({ argv, cwd: pkg.dir, env, timeoutMs }))
  const log = [processNotes(`the build of ${pkg.name}`, r).orphans, r.stdout.trimEnd(), r.stderr.trimEnd()].filter(Boolean).join('\n')
  const base = { command: displayCommand(argv), durationMs: r.durationMs, log }
  if (r.exitCode !== 0) {
    const why = processNotes(`the build of ${pkg.name}`, r).timeout ?? r.spawnError ?? `exit ${r.exitCode}`
    return { ...base, ok: false, error: `Building ${pkg.name} failed (${why}):\n${tail(log, 25)}` }
  }
  const files = fs.readdirSync(outDir)
  const wheels = files.filter((f) => f.endsWith('.whl'))
  const sdists = files.filter((f) => f.endsWith('.tar.gz'))
  if (wheels.length !== 1 || sdists.length !== 1) {
    return {
      ...base,
      ok: false,
      error: `Building ${pkg.name} should give one wheel and one sdist, but ${outDir} holds: ${files.join(', ') || 'nothing'}.`
    }
  }
  return { ...base, ok: true, wheel: path.join(outDir, wheels[0]!), sdist: path.join(outDir, sdists[0]!) }
}

/**
 * Runs `fn` for every id once its dependencies (within `ids`) have finished, at most
 * `limit` at once, preferring the order given (a topological one). An id whose
 * dependency failed is not run: it is reported skipped, naming that dependency.
 */
export async function runInDependencyOrder(
  ids: readonly string[],
  depsOf: (id: string) => readonly string[],
  limit: number,
  fn: (id: string) => Promise<boolean>
): Promise<Map<string, { ok: boolean; skipped?: string }>> {
  const results = new Map<string, { ok: boolean; skipped?: string }>()
  const inSet = new Set(ids)
  const pending = [...ids]
  let running = 0
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      for (let i = 0; i < pending.length && running < limit;) {
        const id = pending[i]!
        const deps = depsOf(id).filter((d) => inSet.has(d))
        const failed = deps.find((d) => results.has(d) && !results.get(d)!.ok)
        if (failed) {
          pending.splice(i, 1)
          results.set(id, { ok: false, skipped: failed })
          i = 0
          continue
        }
        if (!deps.every((d) => results.has(d))) {
          i++
          continue
        }
        pending.splice(i, 1)
        running++
        fn(id).then(
          (ok) => {
            running--
            results.set(id, { ok })
            pump()
          },
          (error: unknown) => reject(error)
        )
      }
      if (pending.length === 0 && running === 0) resolve(results)
      else if (running === 0) reject(new Error(`no package can start: ${pending.join(', ')} wait on each other`))
    }
    pump()
  })
}
