export type LinkDecision = { allowed: true; url: string } | { allowed: false; reason: string };

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
// Characters a URL parser may silently drop or reinterpret ("\" reads as "/" for http URLs).
// eslint-disable-next-line no-control-regex -- control characters are among what makes a link suspicious
const SUSPICIOUS = /[\\\s\u0000-\u001f\u007f]/;

// A path-absolute reference made only of RFC 3986 path, query and percent characters, and with
// no dot segment: it cannot name another origin and needs no normalising, so it needs no URL
// parser (the fast path for the usual Suki href).
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
const baseCache = new Map<string, { base: URL; root: string }>();

/**
 * Decides whether a `_links` href may be called with our Suki token. Only a relative href, or
 * an absolute one on the configured API origin, is allowed; anything else (another host or
 * scheme, protocol-relative `//host`, credentials in the URL) is refused, so the token never
 * leaves for another host. Relative hrefs are appended to the base URL, as Suki documents.
 */
export function resolveLink(href: unknown, apiBaseUrl: string): LinkDecision {
  if (typeof href !== 'string' || href.length === 0) return refuse('href is missing');
  if (href.length > 2048) return refuse('href is too long');
  const { base, root } = parsedBase(apiBaseUrl);
  if (PLAIN_PATH.test(href) && !href.includes('/.')) return { allowed: true, url: `${root}${href}` };
  if (SUSPICIOUS.test(href)) return refuse('href contains whitespace, control characters or backslashes');
  if (href.startsWith('//')) return refuse('protocol-relative href');

  let target: URL;
  try {
    if (SCHEME.test(href)) {
      target = new URL(href);
    } else {
      target = new URL(`${root}${href.startsWith('/') ? '' : '/'}${href}`);
    }
  } catch {
    return refuse('href is not a valid URL');
  }
  if (target.username || target.password) return refuse('href carries credentials');
  if (target.origin !== base.origin) return refuse(`href points outside the Suki API origin (${target.protocol}//${target.host})`);
  return { allowed: true, url: target.toString() };
}

/** The base URL parsed once, and what hrefs are appended to: its origin and path prefix. */
function parsedBase(apiBaseUrl: string): { base: URL; root: string } {
  let parsed = baseCache.get(apiBaseUrl);
  if (!parsed) {
    const base = new URL(apiBaseUrl);
    parsed = { base, root: `${base.origin}${base.pathname.replace(/\/+$/, '')}` };
    baseCache.set(apiBaseUrl, parsed);
  }
  return parsed;
}

function refuse(reason: string): LinkDecision {
  return { allowed: false, reason: `refused: ${reason}` };
}
