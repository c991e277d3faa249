import { randomUUID } from 'node:crypto';

// Printable token characters only, so a caller's id cannot forge log structure or smuggle data.
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@=+/-]{0,127}$/;

/**
 * The id a request is logged under: the caller's `X-Request-Id` when it is a sane token (so a
 * request can be followed across systems), otherwise a fresh UUID.
 */
export function requestIdFor(header: string | string[] | undefined, generate: () => string = randomUUID): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : generate();
}
