/**
 * A SLSA v1 provenance statement (https://slsa.dev/provenance/v1) for a release's dists:
 * an in-toto v1 statement whose subjects are the files with their sha256, described with
 * GitHub's workflow build type (https://actions.github.io/buildtypes/workflow/v1) from the
 * run's environment. It is unsigned: signing needs the workflow's OIDC identity, which
 * actions/attest (`predicate-path`) or `gh attestation` bring; the statement is the same.
 */
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1'
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1'
export const WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1'

export interface Subject {
  name: string
  sha256: string
}

export interface ProvenanceSource {
  /** The tag the release is of, and the commit it points at: what was built. */
  tag: string
  commit: string
}

type Env = Readonly<Record<string, string | undefined>>

/** `owner/repo/.github/workflows/x.yml@refs/heads/main` → `.github/workflows/x.yml` (the path and ref may hold `@`). */
export function workflowPath(workflowRef: string, repository: string, ref: string): string {
  let rest = workflowRef.startsWith(`${repository}/`) ? workflowRef.slice(repository.length + 1) : workflowRef
  if (ref && rest.endsWith(`@${ref}`)) rest = rest.slice(0, -(ref.length + 1))
  else if (rest.includes('@')) rest = rest.slice(0, rest.lastIndexOf('@'))
  return rest
}

export function provenanceStatement(subjects: readonly Subject[], source: ProvenanceSource, env: Env): Record<string, unknown> {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repository = env.GITHUB_REPOSITORY ?? ''
  const repoUrl = `${server}/${repository}`
  const ref = env.GITHUB_REF ?? ''
  const workflowRef = env.GITHUB_WORKFLOW_REF ?? ''
  const github: Record<string, string> = {}
  if (env.GITHUB_EVENT_NAME) github.event_name = env.GITHUB_EVENT_NAME
  if (env.GITHUB_REPOSITORY_ID) github.repository_id = env.GITHUB_REPOSITORY_ID
  if (env.GITHUB_REPOSITORY_OWNER_ID) github.repository_owner_id = env.GITHUB_REPOSITORY_OWNER_ID
  return {
    _type: STATEMENT_TYPE,
    subject: subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: SLSA_PROVENANCE,
    predicate: {
      buildDefinition: {
        buildType: WORKFLOW_BUILD_TYPE,
        externalParameters: {
          workflow: { ref, repository: repoUrl, path: workflowPath(workflowRef, repository, ref) },
          ...(env.RUNNER_ENVIRONMENT ? { runner_environment: env.RUNNER_ENVIRONMENT } : {})
        },
        internalParameters: { github },
        // What the dists were built from: the release tag's commit (the workflow's own ref may be a branch).
        resolvedDependencies: [{ uri: `git+${repoUrl}@refs/tags/${source.tag}`, digest: { gitCommit: source.commit } }]
      },
      runDetails: {
        builder: { id: workflowRef ? `${server}/${workflowRef}` : repoUrl },
        metadata: env.GITHUB_RUN_ID
          ? { invocationId: `${repoUrl}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || '1'}` }
          : {}
      }
    }
  }
}

/** `<dir>/<tag>.intoto.json` (slashes in the tag become `-`), replaced whole through a file written aside. */
export function writeProvenance(dir: string, tag: string, statement: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true })
  const target = path.join(dir, `${tag.replace(/[\\/]/g, '-')}.intoto.json`)
  const aside = `${target}.${randomBytes(6).toString('hex')}.tmp`
  fs.writeFileSync(aside, `${JSON.stringify(statement, null, 2)}\n`, { flag: 'wx' })
  fs.renameSync(aside, target)
  return target
}
