export type LinkDecision = { allowed: true; url: string } | { allowed: false; reason: string };

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
// Characters a URL parser may silently drop or reinterpret ("\" reads as "/" for http URLs).
const SUSPICIOUS = /[\\\s\u0000-\u001f\u007f]/;

/**
 * Decides whether a `_links` href may be called with our Suki token. Only a relative href, or
 * an absolute one on the configured API origin, is allowed; anything else (another host or
 * scheme, protocol-relative `//host`, credentials in the URL) is refused, so the token never
 * leaves for another host. Relative hrefs are appended to the base URL, as Suki documents.
 */
export function resolveLink(href: unknown, apiBaseUrl: string): LinkDecision {
  if (typeof href !== 'string' || href.length === 0) return refuse('href is missing');
  if (href.length > 2048) return refuse('href is too long');
  if (SUSPICIOUS.test(href)) return refuse('href contains whitespace, control characters or backslashes');
  if (href.startsWith('//')) return refuse('protocol-relative href');

  const base = new URL(apiBaseUrl);
  let target: URL;
  try {
    if (SCHEME.test(href)) {
      target = new URL(href);
    } else {
      const prefix = base.pathname.replace(/\/+$/, '');
      target = new URL(`${base.origin}${prefix}${href.startsWith('/') ? '' : '/'}${href}`);
    }
  } catch {
    return refuse('href is not a valid URL');
  }
  if (target.username || target.password) return refuse('href carries credentials');
  if (target.origin !== base.origin) return refuse(`href points outside the Suki API origin (${target.protocol}//${target.host})`);
  return { allowed: true, url: target.toString() };
}

function refuse(reason: string): LinkDecision {
  return { allowed: false, reason: `refused: ${reason}` };
}
