/**
 * A Sigstore service (Fulcio, Rekor) that could not be reached, refused a request, or
 * answered with something unusable. It is the user's to act on (a private instance's URL,
 * the job's id-token permission, or publishing without attestations), so it is a
 * UserError; the caller adds the fix that fits its inputs.
 */
import { UserError } from '../errors.js'

export class SigstoreError extends UserError {
  constructor(
    message: string,
    /** The HTTP status of the answer, when there was one. */
    readonly status?: number
  ) {
    super(message)
  }
}
