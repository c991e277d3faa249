import { createHash } from 'node:crypto';

/** What an internal client may do on /v1 (docs/api.md, Clients, scopes and the access audit). */
export const SCOPES = ['read', 'content', 'register', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes of a client named by a plain INTERNAL_API_TOKENS entry. */
export const LEGACY_TOKEN_SCOPES: readonly Scope[] = ['read', 'content'];

/**
 * One internal client. Only the SHA-256 digest of its token is kept, whether the
 * configuration gave the token or just its digest: comparing fixed-length digests is what
 * keeps authentication constant-time (bearer-token.ts).
 */
export interface ApiClient {
  name: string;
  scopes: readonly Scope[];
  tokenSha256: Buffer;
}

// A name appears in logs and in the audit: short, printable, nothing to escape.
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
// What an `Authorization: Bearer` header can carry (bearer-token.ts), without list separators.
const TOKEN = /^[\x21-\x2b\x2d-\x7e]+$/;
const DIGEST = /^sha256:([0-9a-fA-F]{64})$/;
// Shorter plain tokens (and webhook secrets) are guessable, in every mode: a test value like
// `ab` that boots outside production is one a copied configuration carries into production.
// A digest says nothing about its token's length; it must be a full one instead.
export const MIN_TOKEN_LENGTH = 16;

export function sha256(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * INTERNAL_API_CLIENTS (`name:scopes:token`, comma-separated, scopes joined by `+`, the token
 * plain or `sha256:<hex>`) and INTERNAL_API_TOKENS (plain tokens, each a client `token-<n>`
 * with read+content) as one list. Every malformed entry is a problem of its own; an entry is
 * never echoed, since it holds a token.
 */
export function parseApiClients(clientsVar: string | undefined, tokensVar: string | undefined, problems: string[]): ApiClient[] {
  const clients: ApiClient[] = [];
  entries(clientsVar).forEach((entry, index) => {
    const client = parseClient(entry, `INTERNAL_API_CLIENTS entry ${index + 1}`, problems);
    if (client) clients.push(client);
  });
  entries(tokensVar).forEach((token, index) => {
    const name = `token-${index + 1}`;
    if (!TOKEN.test(token)) problems.push(`INTERNAL_API_TOKENS entry ${index + 1} holds characters a bearer token cannot carry`);
    else if (token.length < MIN_TOKEN_LENGTH)
      problems.push(`INTERNAL_API_TOKENS entry ${index + 1} must be at least ${MIN_TOKEN_LENGTH} characters`);
    else clients.push({ name, scopes: LEGACY_TOKEN_SCOPES, tokenSha256: sha256(token) });
  });
  reportDuplicates(clients, problems);
  return clients;
}

function entries(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function parseClient(entry: string, label: string, problems: string[]): ApiClient | undefined {
  const first = entry.indexOf(':');
  const second = first === -1 ? -1 : entry.indexOf(':', first + 1);
  if (second === -1) {
    problems.push(`${label} must be name:scopes:token`);
    return undefined;
  }
  const name = entry.slice(0, first);
  const scopeList = entry.slice(first + 1, second);
  const token = entry.slice(second + 1);
  const before = problems.length;
  if (!NAME.test(name)) problems.push(`${label}: the name must be 1 to 64 letters, digits, '.', '_' or '-'`);
  const scopes = parseScopes(scopeList, `${label} (${NAME.test(name) ? name : 'unnamed'})`, problems);
  const tokenSha256 = parseToken(token, `${label} (${NAME.test(name) ? name : 'unnamed'})`, problems);
  if (problems.length > before || !tokenSha256) return undefined;
  return { name, scopes, tokenSha256 };
}

function parseScopes(list: string, label: string, problems: string[]): Scope[] {
  const given = list.split('+').filter((scope) => scope.length > 0);
  const unknown = given.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (given.length === 0) problems.push(`${label} names no scope (scopes: ${SCOPES.join(', ')})`);
  if (unknown.length > 0) problems.push(`${label} has unknown scopes: ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
  return SCOPES.filter((scope) => given.includes(scope));
}

function parseToken(token: string, label: string, problems: string[]): Buffer | undefined {
  const digest = DIGEST.exec(token);
  if (digest) return Buffer.from(digest[1], 'hex');
  if (token.startsWith('sha256:')) problems.push(`${label}: a sha256: token must be 64 hexadecimal digits`);
  else if (!TOKEN.test(token)) problems.push(`${label}: the token holds characters a bearer token cannot carry`);
  else if (token.length < MIN_TOKEN_LENGTH) problems.push(`${label}: the token must be at least ${MIN_TOKEN_LENGTH} characters`);
  else return sha256(token);
  return undefined;
}

/** Two clients of one name would be one name in the audit; two of one token, one client with two names. */
function reportDuplicates(clients: ApiClient[], problems: string[]): void {
  const names = new Set<string>();
  const digests = new Map<string, string>();
  for (const client of clients) {
    if (names.has(client.name)) problems.push(`internal API client ${client.name} is named twice`);
    names.add(client.name);
    const digest = client.tokenSha256.toString('hex');
    const other = digests.get(digest);
    if (other !== undefined) problems.push(`internal API clients ${other} and ${client.name} have the same token`);
    digests.set(digest, client.name);
  }
}
