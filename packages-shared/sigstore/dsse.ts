/**
 * DSSE (Dead Simple Signing Envelope, v1): the signature covers PAE(payloadType,
 * payload), never the payload alone, so a signed in-toto statement cannot be read as any
 * other kind of document.
 */

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

/** DSSE's envelope in its JSON form, as Rekor's `dsse` entries take it. */
export interface Envelope {
  payload: string
  payloadType: string
  signatures: { sig: string }[]
}

/**
 * Pre-Authentication Encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, the
 * lengths as ASCII decimal byte counts.
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8')
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'utf8'), type, Buffer.from(` ${payload.length} `, 'utf8'), payload])
}

export function signEnvelope(
  payload: Uint8Array,
  payloadType: string,
  sign: (data: Uint8Array) => Buffer
): { envelope: Envelope; signature: Buffer } {
  const signature = sign(pae(payloadType, payload))
  return {
    envelope: { payload: Buffer.from(payload).toString('base64'), payloadType, signatures: [{ sig: signature.toString('base64') }] },
    signature
  }
}
