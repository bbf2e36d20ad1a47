/**
 * The claims of an OIDC token, read without checking its signature. Fulcio checks the
 * token; the client only needs `sub` (the proof of possession signs it) and nothing it
 * reads here is trusted. Errors never quote the token.
 */
import { SigstoreError } from './sigstore-error.js'
import { isRecord } from './json-request.js'

export function unverifiedClaims(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.')
  if (parts.length !== 3 || !parts[1]) throw new SigstoreError('the OIDC token is not a JWT (three dot-separated parts)')
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    throw new SigstoreError('the OIDC token is not a JWT (its claims are not JSON)')
  }
  if (!isRecord(claims)) throw new SigstoreError('the OIDC token is not a JWT (its claims are not an object)')
  return claims
}

/** The `sub` claim, which Fulcio's proof of possession is a signature over. */
export function subjectOf(jwt: string): string {
  const sub = unverifiedClaims(jwt).sub
  if (typeof sub !== 'string' || !sub) throw new SigstoreError('the OIDC token has no `sub` claim')
  return sub
}
