import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiClient } from '../config/api-clients';

/**
 * A console sign-in, as its cookie carries it. The cookie holds who signed in and when, signed
 * with HMAC-SHA256, never the API token itself: a token in a cookie would be a long-lived /v1
 * credential that any leak of the cookie (a proxy log, a shared machine's profile) hands over,
 * whereas this value only opens /console, ends after idle time, and cannot be used against /v1.
 * A signed value rather than a server-side table keeps the console free of any write per page.
 */
export interface ConsoleSession {
  /** Random, per sign-in: what the CSRF token is bound to, and what sign-out revokes. */
  id: string;
  client: string;
  /** A digest of the client's token digest: changing the client's token ends its sign-ins. */
  tokenFingerprint: string;
  issuedAtMs: number;
  lastSeenMs: number;
}

export interface SessionLimits {
  idleTimeoutMs: number;
  maxAgeMs: number;
}

export function newSession(client: ApiClient, nowMs: number): ConsoleSession {
  return {
    id: randomBytes(16).toString('base64url'),
    client: client.name,
    tokenFingerprint: fingerprint(client),
    issuedAtMs: nowMs,
    lastSeenMs: nowMs,
  };
}

export function fingerprint(client: ApiClient): string {
  return createHash('sha256').update(client.tokenSha256).digest('base64url').slice(0, 16);
}

export function encodeSession(session: ConsoleSession, key: Buffer): string {
  const payload = Buffer.from(
    JSON.stringify([session.id, session.client, session.tokenFingerprint, session.issuedAtMs, session.lastSeenMs]),
  ).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

/**
 * The session a cookie value names, if its signature holds under one of `keys`, it is neither
 * idle past the timeout nor older than the maximum age, and its client still exists with the
 * same token. Anything else is no session: the operator signs in again.
 */
export function decodeSession(
  value: string | undefined,
  keys: readonly Buffer[],
  clients: readonly ApiClient[],
  limits: SessionLimits,
  nowMs: number,
): { session: ConsoleSession; client: ApiClient } | undefined {
  if (!value) return undefined;
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const signed = keys.some((key) => {
    const expected = Buffer.from(mac(payload, key), 'base64url');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return undefined;
  const session = parsePayload(payload);
  if (!session) return undefined;
  if (nowMs - session.lastSeenMs > limits.idleTimeoutMs || nowMs - session.issuedAtMs > limits.maxAgeMs) return undefined;
  if (session.lastSeenMs > nowMs + 60_000) return undefined;
  const client = clients.find((candidate) => candidate.name === session.client);
  if (!client || fingerprint(client) !== session.tokenFingerprint) return undefined;
  return { session, client };
}

function parsePayload(payload: string): ConsoleSession | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 5) return undefined;
    const [id, client, tokenFingerprint, issuedAtMs, lastSeenMs] = parsed as unknown[];
    if (typeof id !== 'string' || typeof client !== 'string' || typeof tokenFingerprint !== 'string') return undefined;
    if (typeof issuedAtMs !== 'number' || typeof lastSeenMs !== 'number') return undefined;
    return { id, client, tokenFingerprint, issuedAtMs, lastSeenMs };
  } catch {
    return undefined;
  }
}

function mac(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
