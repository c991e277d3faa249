import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureFailure =
  'missing_timestamp' | 'malformed_timestamp' | 'outside_tolerance' | 'missing_signature' | 'malformed_signature' | 'mismatch';

export type SignatureCheck = { ok: true; generatedAtMs: number } | { ok: false; reason: SignatureFailure };

export interface SignedRequest {
  rawBody: Buffer;
  /** The `generated-at` header exactly as received. */
  generatedAt: string | undefined;
  /** The `X-API-Key` header: hex HMAC-SHA256, either case. */
  signature: string | undefined;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const DIGITS = /^\d{1,15}$/;

/** hex(HMAC-SHA256(secret, generatedAt + ":" + rawBody)), over the exact bytes received. */
export function sign(rawBody: Buffer, generatedAt: string, secret: string): string {
  return createHmac('sha256', secret).update(generatedAt, 'utf8').update(':', 'utf8').update(rawBody).digest('hex');
}

export type HeaderCheck = { ok: true; generatedAtMs: number } | { ok: false; reason: Exclude<SignatureFailure, 'mismatch'> };

/**
 * What can be decided from the headers alone, before a byte of the body is read: both present
 * and well-formed, and `generated-at` within `toleranceMs` of `nowMs` in either direction.
 */
export function checkSignatureHeaders(
  generatedAt: string | undefined,
  signature: string | undefined,
  nowMs: number,
  toleranceMs: number,
): HeaderCheck {
  if (generatedAt === undefined || generatedAt === '') return { ok: false, reason: 'missing_timestamp' };
  if (!DIGITS.test(generatedAt)) return { ok: false, reason: 'malformed_timestamp' };
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing_signature' };
  if (!HEX_SHA256.test(signature)) return { ok: false, reason: 'malformed_signature' };
  const generatedAtMs = Number(generatedAt);
  if (Math.abs(nowMs - generatedAtMs) > toleranceMs) return { ok: false, reason: 'outside_tolerance' };
  return { ok: true, generatedAtMs };
}

/**
 * Verifies a Suki notification's signature against every active secret (rotation), after the
 * header checks of checkSignatureHeaders.
 */
export function verifySignature(request: SignedRequest, secrets: readonly string[], nowMs: number, toleranceMs: number): SignatureCheck {
  const { generatedAt, signature, rawBody } = request;
  const headers = checkSignatureHeaders(generatedAt, signature, nowMs, toleranceMs);
  if (!headers.ok) return headers;

  const given = Buffer.from(signature!.toLowerCase(), 'hex');
  // Every secret is tried, so the time taken does not reveal which one (if any) matched.
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(sign(rawBody, generatedAt!, secret), 'hex');
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched ? { ok: true, generatedAtMs: headers.generatedAtMs } : { ok: false, reason: 'mismatch' };
}
