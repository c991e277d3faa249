import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Digests of the accepted tokens. Comparing fixed-length digests keeps the comparison
 * constant-time whatever the lengths of the given and the configured tokens.
 */
export type TokenDigests = readonly Buffer[];

export function digestTokens(tokens: readonly string[]): TokenDigests {
  return tokens.map(digest);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other form. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  return match?.[1];
}

/**
 * True when the token equals one of the accepted ones. Every accepted token is compared,
 * match or not, so the time taken says nothing about which one (or how much of one) matched.
 */
export function isAcceptedToken(token: string | undefined, accepted: TokenDigests): boolean {
  if (token === undefined || accepted.length === 0) return false;
  const given = digest(token);
  let matched = false;
  for (const candidate of accepted) matched = timingSafeEqual(given, candidate) || matched;
  return matched;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
