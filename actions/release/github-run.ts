/**
 * `mode: github-release`: one GitHub Release per release tag (one for a lockstep version),
 * with the tag's dists attached and its changelog sections as notes, made idempotently
 * (packages-shared/github/releases.ts), and a SLSA provenance statement of those dists.
 */
import * as path from 'node:path'
import type { ActionResult } from '../../packages-shared/action.js'
import type { ActionContext } from '../../packages-shared/context.js'
import { findDists } from '../../packages-shared/dist-inputs.js'
import { readDistRecord, recordedFiles } from '../../packages-shared/dist-record.js'
import { UserError, isUserError } from '../../packages-shared/errors.js'
import { sha256File } from '../../packages-shared/file-hash.js'
import type { CheckResult, Finding } from '../../packages-shared/findings.js'
import { githubClient, upsertRelease, type ReleaseOutcome } from '../../packages-shared/github/releases.js'
import { isPrerelease } from '../../packages-shared/pypa/versions.js'
import { escapeCell } from '../../packages-shared/report/markdown.js'
import { toPosix } from '../../packages-shared/paths.js'
import { git, gitTop, releaseTagsAtHead } from './history.js'
import type { ReleaseInputs } from './inputs.js'
import { remoteEnv } from './runs.js'
import { provenanceStatement, writeProvenance } from './provenance.js'
import { distFile, distsOf, releaseName, releaseNotes, releaseTargets, type DistFile, type ReleaseTarget } from './release-targets.js'

/** Where the dists come from, in publish-pypi's order: `dists`, `dist-dir`, build-packages' record of this job, each package's dist/. */
async function distFiles(
  ctx: ActionContext,
  inputs: ReleaseInputs,
  top: string,
  targets: readonly ReleaseTarget[]
): Promise<{ files: DistFile[]; from: string }> {
  if (inputs.dists) return { files: inputs.dists.map((d) => distFile(d.path)), from: "the 'dists' input" }
  if (inputs.distDir) return { files: findDists(inputs.distDir).map(distFile), from: `the 'dist-dir' input` }
  const lookup = await readDistRecord(ctx.tempDir, top, ctx.exec)
  if (lookup.state === 'found' && lookup.record.passed) {
    return { files: recordedFiles(lookup.record).map((f) => distFile(f.path)), from: `build-packages' record (${lookup.file})` }
  }
  const dirs = [...new Set(targets.flatMap((t) => t.packages.map((p) => path.join(p.pkg.dir, 'dist'))))]
  return { files: dirs.flatMap((d) => findDists(d, 0)).map(distFile), from: "each package's dist/" }
}

/** The folder the dists share, else the report folder: the statement lies next to what it describes. */
function provenanceDir(files: readonly DistFile[], reportDir: string): string {
  const dirs = new Set(files.map((f) => path.dirname(f.path)))
  return dirs.size === 1 ? [...dirs][0]! : reportDir
}

/**
 * The tag's commit. A checkout without the tags (actions/checkout's default fetches one
 * commit and no tag) gets the tag from the remote first.
 */
async function tagCommit(ctx: ActionContext, top: string, tag: string, inputs: ReleaseInputs): Promise<string> {
  const ref = `refs/tags/${tag}`
  const local = await ctx.exec({ argv: ['git', 'rev-list', '-n', '1', ref, '--'], cwd: top })
  if (local.exitCode === 0 && local.stdout.trim()) return local.stdout.trim()
  const url = (await git(ctx.exec, top, ['remote', 'get-url', inputs.remote])).trim()
  ctx.io.info(`The tag ${tag} is not in this checkout: fetching it from ${inputs.remote}.`)
  const fetched = await ctx.exec({
    argv: ['git', 'fetch', '--no-tags', '--quiet', inputs.remote, `+${ref}:${ref}`],
    cwd: top,
    env: remoteEnv(ctx.io, url, inputs.token)
  })
  if (fetched.exitCode !== 0) {
    throw new UserError(
      `The tag ${tag} is neither in this checkout nor on ${inputs.remote} (${(fetched.spawnError ?? fetched.stderr).trim().split('\n').pop()}): push the release first (the prepare step's \`push: true\`), or fix \`tags\`.`
    )
  }
  return (await git(ctx.exec, top, ['rev-list', '-n', '1', ref, '--'])).trim()
}

/** A file as the tag has it (the notes are the released changelog, whatever is checked out); undefined when the tag has none. */
async function fileAtTag(ctx: ActionContext, top: string, tag: string, file: string): Promise<string | undefined> {
  const r = await ctx.exec({ argv: ['git', 'show', `refs/tags/${tag}:${toPosix(path.relative(top, file))}`], cwd: top })
  return r.exitCode === 0 ? r.stdout : undefined
}

function repository(env: Readonly<Record<string, string | undefined>>): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(env.GITHUB_REPOSITORY ?? '')
  if (!m) throw new UserError('mode: github-release needs GITHUB_REPOSITORY (owner/name), which GitHub Actions sets: run it in a workflow.')
  return { owner: m[1]!, repo: m[2]! }
}

function summary(outcomes: readonly ReleaseOutcome[], provenance: readonly string[]): string {
  const rows = outcomes.map((o) => {
    const uploaded = o.assets.filter((a) => a.action === 'uploaded').length
    const state = o.created ? 'created' : o.updated ? 'updated' : 'up to date'
    return `| \`${escapeCell(o.tag)}\` | [${state}](${o.url}) | ${o.assets.length} (${uploaded} uploaded) |`
  })
  const out = [
    '### GitHub Releases',
    '',
    rows.length ? `| tag | release | files |\n| --- | --- | --- |\n${rows.join('\n')}` : 'No release.'
  ]
  if (provenance.length) out.push('', `Provenance: ${provenance.map((p) => `\`${escapeCell(path.basename(p))}\``).join(', ')}`)
  return out.join('\n')
}

export async function runGithubRelease(ctx: ActionContext, inputs: ReleaseInputs): Promise<ActionResult> {
  const { io, exec, common } = ctx
  const started = Date.now()
  if (!inputs.token) {
    throw new UserError(
      "mode: github-release needs a token: set 'token: ${{ github.token }}' and give the job 'permissions: contents: write'."
    )
  }
  const { owner, repo } = repository(io.env)
  const ws = ctx.workspace()
  const top = await gitTop(exec, common.workingDirectory)
  const tags = inputs.tags.length ? inputs.tags : await releaseTagsAtHead(exec, top)
  const { targets, unmatched } = releaseTargets(tags, ws.packages, inputs.tagFormat)
  const findings: Finding[] = unmatched.map((tag) => ({
    tool: 'github-release',
    severity: inputs.tags.includes(tag) ? ('error' as const) : ('warning' as const),
    message: `The tag ${tag} is not a release tag of this repository in the form '${inputs.tagFormat}': no release is made for it.`
  }))
  if (!tags.length)
    io.notice('No release tag points at HEAD: no GitHub Release is made. Run the prepare step first, or name the tags with `tags`.')
  const { files, from } = await distFiles(ctx, inputs, top, targets)
  io.info(`Release files from ${from}: ${files.length} file(s).`)
  const client = githubClient(inputs.token, io.env.GITHUB_API_URL ?? '', { fetch: ctx.http })
  const outcomes: ReleaseOutcome[] = []
  const provenance: string[] = []
  for (const target of targets) {
    const assets = distsOf(target, files)
    if (!assets.length) {
      findings.push({
        tool: 'github-release',
        severity: 'warning',
        message: `No dist of ${target.packages.map((p) => `${p.pkg.name} ${p.version}`).join(', ')} among the files from ${from}: the release of ${target.tag} has no files. Build them first, or pass build-packages' 'dists' output.`
      })
    }
    try {
      const commit = await tagCommit(ctx, top, target.tag, inputs)
      if (inputs.provenance && assets.length) {
        const statement = provenanceStatement(
          assets.map((a) => ({ name: a.filename, sha256: sha256File(a.path) })),
          { tag: target.tag, commit },
          io.env
        )
        provenance.push(writeProvenance(provenanceDir(assets, common.reportDir), target.tag, statement))
      }
      const changelogs = new Map<string, string | undefined>()
      for (const { pkg } of target.packages)
        changelogs.set(pkg.id, await fileAtTag(ctx, top, target.tag, path.join(pkg.dir, inputs.changelogFile)))
      const outcome = await upsertRelease(
        client,
        {
          owner,
          repo,
          tag: target.tag,
          name: releaseName(target),
          body: releaseNotes(target, (pkg) => changelogs.get(pkg.id), inputs.changelogFile),
          targetCommitish: commit,
          prerelease: isPrerelease(target.version),
          assets: assets.map((a) => ({ path: a.path }))
        },
        (line) => io.info(line)
      )
      outcomes.push(outcome)
    } catch (error) {
      if (!isUserError(error)) throw error
      findings.push({ tool: 'github-release', severity: 'error', message: error.message })
    }
  }
  const failed = findings.some((f) => f.severity === 'error')
  const check: CheckResult = { tool: 'github-release', status: failed ? 'failed' : 'passed', durationMs: Date.now() - started, findings }
  const releases = outcomes.map((o) => ({ tag: o.tag, url: o.url, created: o.created, updated: o.updated, assets: o.assets }))
  return {
    passed: !failed,
    packages: [...new Set(targets.flatMap((t) => t.packages.map((p) => p.pkg.id)))],
    checks: [check],
    outputs: {
      'release-url': outcomes.map((o) => o.url).join(','),
      releases: JSON.stringify(releases),
      provenance: provenance.join(',')
    },
    sections: [summary(outcomes, provenance)],
    data: { releases, provenance, distSource: from },
    artifactFiles: provenance.map((p) => ({ files: [p], root: path.dirname(p) }))
  }
}
