/**
 * The statement a PEP 740 publish attestation signs: an in-toto Statement v1 whose one
 * subject is the dist (its file name and sha256) and whose predicate type is PyPI's
 * publish attestation, https://docs.pypi.org/attestations/publish/v1. That predicate has
 * no schema and its body must be empty, so the statement says only "this identity
 * published this file".
 */

export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
export const PYPI_PUBLISH_V1 = 'https://docs.pypi.org/attestations/publish/v1'

export interface Statement {
  _type: typeof STATEMENT_V1
  subject: { name: string; digest: { sha256: string } }[]
  predicateType: string
  predicate: Record<string, never>
}

export function publishStatement(filename: string, sha256: string): Statement {
  if (!/^[0-9a-f]{64}$/i.test(sha256)) throw new Error(`publishStatement: ${JSON.stringify(sha256)} is not a sha256 digest`)
  return {
    _type: STATEMENT_V1,
    subject: [{ name: filename, digest: { sha256: sha256.toLowerCase() } }],
    predicateType: PYPI_PUBLISH_V1,
    predicate: {}
  }
}

/** The bytes that are signed and shipped: the attestation carries exactly these, base64-encoded. */
export function statementBytes(statement: Statement): Buffer {
  return Buffer.from(JSON.stringify(statement), 'utf8')
}
