import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a state-changing console request comes from the console's own pages. A browser names
 * where a request comes from in `Sec-Fetch-Site` (every current browser) and `Origin` (every
 * POST): either naming another site or origin refuses the request, whatever its CSRF token.
 * A request naming neither is not from a browser page at all (a script with the token and the
 * cookie), and the CSRF token alone decides.
 */
export function isSameOriginRequest(headers: IncomingHttpHeaders, protocol: string): boolean {
  const site = single(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = single(headers.origin);
  if (origin === undefined) return true;
  const host = single(headers.host);
  if (host === undefined || origin === 'null') return false;
  return origin.toLowerCase() === `${protocol}://${host}`.toLowerCase();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
