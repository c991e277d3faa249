// Printable token characters only, so a caller's id cannot forge log structure or smuggle data.
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:@=+/-]{0,127}$/;

/**
 * The caller's `X-Request-Id` when it is a sane token, kept beside the service's own id (so a
 * request can be followed across systems); otherwise nothing. Never the request's id itself: a
 * caller could otherwise make its requests look like another's in the logs and the audit.
 */
export function callerRequestIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : undefined;
}
