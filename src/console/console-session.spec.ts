import { randomBytes } from 'node:crypto';
import { ApiClient, sha256 } from '../config/api-clients';
import { ConsoleSession, decodeSession, encodeSession, newSession } from './console-session';

const key = randomBytes(32);
const ops: ApiClient = { name: 'ops', scopes: ['read', 'admin'], tokenSha256: sha256('ops-token-0123456789') };
const limits = { idleTimeoutMs: 15 * 60_000, maxAgeMs: 12 * 3_600_000 };
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

describe('console session cookie', () => {
  const session = newSession(ops, T0);
  const cookie = encodeSession(session, key);

  it('names the client, not its token', () => {
    expect(Buffer.from(cookie.split('.')[0], 'base64url').toString()).not.toContain('ops-token');
    expect(decodeSession(cookie, [key], [ops], limits, T0 + 1000)).toEqual({ session, client: ops });
  });

  it.each<[string, () => string | undefined, number, ApiClient[]]>([
    ['no cookie', () => undefined, T0, [ops]],
    ['another key', () => encodeSession(session, randomBytes(32)), T0, [ops]],
    [
      'a changed payload',
      () =>
        `${Buffer.from(JSON.stringify([session.id, 'root', session.tokenFingerprint, T0, T0])).toString('base64url')}.${cookie.split('.')[1]}`,
      T0,
      [ops],
    ],
    ['idle past the timeout', () => cookie, T0 + limits.idleTimeoutMs + 1, [ops]],
    [
      'older than the maximum age, however active',
      () => encodeSession({ ...session, lastSeenMs: T0 + limits.maxAgeMs }, key),
      T0 + limits.maxAgeMs + 1,
      [ops],
    ],
    ['a client no longer configured', () => cookie, T0, []],
    ['a client whose token changed', () => cookie, T0, [{ ...ops, tokenSha256: sha256('ops-token-rotated-0123') }]],
    ['garbage', () => 'a.b', T0, [ops]],
    ['three parts', () => `${cookie}.x`, T0, [ops]],
  ])('is no sign-in with %s', (_case, value, now, clients) => {
    expect(decodeSession(value(), [key], clients, limits, now)).toBeUndefined();
  });

  it('stays alive while used: each page re-issues it with the time of that page', () => {
    const later = T0 + limits.idleTimeoutMs - 1;
    const refreshed: ConsoleSession = { ...session, lastSeenMs: later };
    expect(decodeSession(encodeSession(refreshed, key), [key], [ops], limits, later + limits.idleTimeoutMs - 1)?.client).toBe(ops);
  });
});
