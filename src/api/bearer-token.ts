import { timingSafeEqual } from 'node:crypto';
import { ApiClient, sha256 } from '../config/api-clients';

/** The challenge of a 401 on /v1 (RFC 6750 §3). */
export const BEARER_REALM = 'realm="suki-notification-service"';
export const BEARER_CHALLENGE = `Bearer ${BEARER_REALM}`;

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other form. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}

/**
 * The client whose token this is, or undefined. The given token is digested and compared with
 * every client's digest, match or not: fixed-length digests compared in constant time, all of
 * them, so the time taken says nothing about which client (or how much of a token) matched.
 * Configuration may hold only the digest (`sha256:<hex>`), which is why digests are compared.
 */
export function authenticate(token: string | undefined, clients: readonly ApiClient[]): ApiClient | undefined {
  if (token === undefined) return undefined;
  const given = sha256(token);
  let found: ApiClient | undefined;
  for (const client of clients) if (timingSafeEqual(given, client.tokenSha256) && !found) found = client;
  return found;
}
