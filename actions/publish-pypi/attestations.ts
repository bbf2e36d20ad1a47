/**
 * PEP 740 publish attestations of the files this run uploads, made before the first
 * upload so that a Sigstore failure uploads nothing: each dist's statement signed with
 * the run's ephemeral key, certified by Fulcio for the workflow's identity, recorded in
 * Rekor, and written as `<dist>.publish.attestation` next to the dist, where the uploader
 * hands it to `uv publish` with the dist.
 *
 * Only trusted publishing gets attestations: PyPI verifies them against the trusted
 * publisher's identity and refuses them from an API token. By default only PyPI and
 * TestPyPI get them (as twine and pypa/gh-action-pypi-publish do): signing with the public
 * Sigstore instance puts the workflow's identity in a public log, which a private index
 * should not cause unless asked (`attestations: any-index`).
 */
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ActionContext } from '../../packages-shared/context.js'
import { UserError, isUserError } from '../../packages-shared/errors.js'
import { attestationFileName, type Attestation } from '../../packages-shared/sigstore/attestation.js'
import { AttestationSigner, type SigstoreInstance } from '../../packages-shared/sigstore/signer.js'
import { SigstoreError } from '../../packages-shared/sigstore/sigstore-error.js'
import type { PublishInputs } from './inputs.js'
import { requestIdToken } from './oidc.js'
import type { DistFile } from './plan.js'
import { PYPI, TESTPYPI } from './repository.js'

/** What the report says about attestations. */
export type AttestationReport =
  | {
      made: true
      fulcioUrl: string
      rekorUrl: string
      /** The identity the certificate names (the workflow, for GitHub Actions). */
      identity: string
      files: { filename: string; attestation: string; logIndex: string }[]
    }
  | { made: false; reason: string }

export interface Attested {
  report: AttestationReport
  /** Dist path → its attestation file, for the uploader. */
  files: Map<string, string>
}

type Inputs = Pick<PublishInputs, 'attestations' | 'credentials' | 'repository' | 'dryRun' | 'sigstore'>

const OFF_FIX = 'To publish without attestations, set `attestations: false`.'

/** Why this run makes no attestations, or undefined when it does. */
export function whyNoAttestations(inputs: Omit<Inputs, 'sigstore'>, useOidc: boolean, toAttest: number): string | undefined {
  if (inputs.attestations === 'off') return 'turned off (`attestations: false`)'
  if (inputs.credentials.kind !== 'none')
    return `publishing with ${inputs.credentials.kind === 'token' ? 'an API token' : 'a username and password'}; PyPI takes attestations only from trusted publishers (no token, and \`permissions: id-token: write\` on the job)`
  if (!useOidc) return 'no trusted publishing (the job has no OIDC token)'
  const label = inputs.repository.label
  if (inputs.attestations === 'pypi' && label !== PYPI.label && label !== TESTPYPI.label)
    return `${label} is not PyPI or TestPyPI, the indexes known to take them (\`attestations: any-index\` attests for any index)`
  if (toAttest === 0) return 'no file to upload'
  if (inputs.dryRun) return `dry run (a real run would sign ${toAttest} file(s))`
  return undefined
}

/** The file beside the dist, replaced whole: written aside, then renamed over (a symlink there is replaced, not followed). */
export function writeAttestation(distPath: string, attestation: Attestation): string {
  const target = path.join(path.dirname(distPath), attestationFileName(path.basename(distPath)))
  const aside = `${target}.${randomBytes(6).toString('hex')}.tmp`
  try {
    fs.writeFileSync(aside, `${JSON.stringify(attestation)}\n`, { flag: 'wx', mode: 0o644 })
    fs.renameSync(aside, target)
  } catch (error) {
    fs.rmSync(aside, { force: true })
    throw new UserError(
      `Attestations: could not write ${target} (${error instanceof Error ? error.message : String(error)}): the attestation goes next to its dist, so the dist's folder must be writable. ${OFF_FIX}`
    )
  }
  return target
}

/** A failure's message for the user: what failed, what Sigstore said, the fix. */
function failure(filename: string, instance: SigstoreInstance, error: UserError): UserError {
  if (!(error instanceof SigstoreError)) {
    // The ID-token request says what failed and what to check itself.
    return new UserError(`${error.message.startsWith('Attestations:') ? '' : 'Attestations: '}${error.message} ${OFF_FIX}`)
  }
  const fix =
    error.status === 401 || error.status === 403
      ? "Fulcio did not accept the job's OIDC token: check that the job has `permissions: id-token: write`, and that `fulcio-url` names an instance that trusts GitHub's tokens."
      : error.status === undefined || error.status >= 500
        ? `Sigstore may be down or unreachable from this runner (${instance.fulcioUrl}, ${instance.rekorUrl}); run the job again later, or name a reachable instance with \`fulcio-url\` and \`rekor-url\`.`
        : 'Check that `fulcio-url` and `rekor-url` name the Fulcio and Rekor of one Sigstore instance.'
  return new UserError(`Attestations: signing ${filename} failed: ${error.message}. ${fix} ${OFF_FIX}`)
}

/**
 * Signs every file, logs each signature, writes each attestation. Throws a UserError
 * (what failed, Sigstore's answer, the fix) at the first failure.
 */
export async function makeAttestations(ctx: ActionContext, inputs: Inputs, files: readonly DistFile[]): Promise<Attested> {
  const { io } = ctx
  const signer = new AttestationSigner({
    http: ctx.http,
    instance: inputs.sigstore,
    idToken: () => requestIdToken(io, 'sigstore', ctx.http, 'Attestations')
  })
  const made: { filename: string; attestation: string; logIndex: string }[] = []
  const byPath = new Map<string, string>()
  let identity = ''
  for (const file of files) {
    let signed: Awaited<ReturnType<AttestationSigner['attest']>>
    try {
      signed = await signer.attest(file.filename, file.sha256)
      identity = (await signer.certificate()).identity
    } catch (error) {
      if (!isUserError(error)) throw error
      throw failure(file.filename, inputs.sigstore, error)
    }
    const target = writeAttestation(file.path, signed.attestation)
    byPath.set(file.path, target)
    made.push({ filename: file.filename, attestation: target, logIndex: signed.entry.logIndex })
    io.info(
      `Attestations: ${file.filename} signed as ${identity}, logged at index ${signed.entry.logIndex} of ${inputs.sigstore.rekorUrl}.`
    )
  }
  return {
    report: { made: true, fulcioUrl: inputs.sigstore.fulcioUrl, rekorUrl: inputs.sigstore.rekorUrl, identity, files: made },
    files: byPath
  }
}
