import { isIP } from 'node:net';

/**
 * PUSH_ALLOWED_HOSTS: which hosts subscriptions may call. An entry is a host name or an IP
 * literal, matched whole and case-insensitively, or `*.suffix`, which matches any name ending
 * in `.suffix` (not `suffix` itself).
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = normalise(host);
  return allowed.some((entry) => {
    const pattern = normalise(entry);
    if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
    return name === pattern;
  });
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * Whether a connection to `address` (what `host` resolved to at connect time) may be made. The
 * host was allowed by name; its address must not be somewhere that name should never lead: this
 * machine (loopback), unless the allowed name is itself a loopback name; the link-local range
 * (cloud metadata services live there); or an unspecified, multicast or broadcast address. So a
 * DNS answer that changed after the subscription was made (rebinding) cannot turn an allowed
 * name into a way to reach the service's own host or its cloud's metadata.
 */
export function addressAllowed(host: string, address: string, allowed: readonly string[]): boolean {
  if (!hostAllowed(host, allowed)) return false;
  const kind = classify(address);
  if (kind === 'loopback') return LOOPBACK_NAMES.includes(normalise(host));
  return kind === 'ordinary';
}

function normalise(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

type AddressKind = 'ordinary' | 'loopback' | 'forbidden';

function classify(address: string): AddressKind {
  const plain = normalise(address);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (mapped) return classify(mapped[1]);
  if (isIP(plain) === 4) {
    const [a, b] = plain.split('.').map(Number);
    if (a === 127) return 'loopback';
    if (a === 0 || (a === 169 && b === 254) || a >= 224) return 'forbidden';
    return 'ordinary';
  }
  if (isIP(plain) === 6) {
    if (plain === '::1') return 'loopback';
    if (plain === '::' || /^fe[89ab]/.test(plain) || plain.startsWith('ff')) return 'forbidden';
    return 'ordinary';
  }
  return 'forbidden';
}
