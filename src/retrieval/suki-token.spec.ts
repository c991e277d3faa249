import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { Clock } from '../common/clock';
import { LoginRequest, PartnerTokenProvider, refreshTime, StaticTokenProvider, TokenUnavailableError } from './suki-token';

class ManualClock extends Clock {
  constructor(public ms: number) {
    super();
  }
  now(): number {
    return this.ms;
  }
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const T0 = Date.parse('2026-11-27T10:00:00Z');

/** An unsigned JWT-shaped token with the given expiry (seconds since the epoch). */
function sukiToken(name: string, exp?: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: name, ...(exp === undefined ? {} : { exp }) })}.sig`;
}

/** A login whose answers the test hands out one by one, so concurrency needs no timers. */
function scriptedLogin() {
  const calls: Array<{ request: LoginRequest; resolve(token: string): void; reject(error: unknown): void }> = [];
  const login = (request: LoginRequest) => new Promise<string>((resolve, reject) => calls.push({ request, resolve, reject }));
  return { calls, login };
}

function setup(overrides: { providerId?: string; pem?: string; user?: string } = {}) {
  const clock = new ManualClock(T0);
  const { calls, login } = scriptedLogin();
  const partner = {
    partnerId: 'partner-1',
    privateKeyPem: overrides.pem ?? privateKey,
    keyId: 'key-7',
    issuer: 'https://idp.example.org',
    user: overrides.user ?? 'dr.who@example.org',
  };
  const sut = new PartnerTokenProvider(partner, overrides.providerId, login, clock);
  // Signing is asynchronous: wait (by turns of the event loop, not by time) until the login
  // calls expected so far have been made.
  const settle = async (expected = 1) => {
    for (let turn = 0; turn < 10_000 && calls.length < expected; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  return { sut, clock, calls, settle };
}

describe('PartnerTokenProvider', () => {
  it('signs an RS256 partner token Suki can verify and logs in with it', async () => {
    const { sut, calls, settle } = setup({ providerId: 'prov-42' });
    const pending = sut.token();
    await settle();
    expect(calls).toHaveLength(1);
    const { request } = calls[0];
    expect(request).toEqual({ partner_id: 'partner-1', partner_token: expect.any(String), provider_id: 'prov-42' });
    expect(decodeProtectedHeader(request.partner_token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-7' });
    const { payload } = await jwtVerify(request.partner_token, await importSPKI(publicKey, 'RS256'), {
      issuer: 'https://idp.example.org',
      subject: 'dr.who@example.org',
      currentDate: new Date(T0),
    });
    expect(payload).toMatchObject({ email: 'dr.who@example.org', iat: T0 / 1000, exp: T0 / 1000 + 300 });
    calls[0].resolve(sukiToken('a'));
    await expect(pending).resolves.toBe(sukiToken('a'));
  });

  it('leaves provider_id out when none is configured', async () => {
    const { sut, calls, settle } = setup();
    void sut.token();
    await settle();
    expect(Object.keys(calls[0].request).sort()).toEqual(['partner_id', 'partner_token']);
  });

  it('logs in once for many concurrent callers, and they all get that token', async () => {
    const { sut, calls, settle } = setup();
    const waiting = Array.from({ length: 20 }, () => sut.token());
    await settle(2);
    expect(calls).toHaveLength(1);
    calls[0].resolve(sukiToken('shared', T0 / 1000 + 3600));
    expect(new Set(await Promise.all(waiting))).toEqual(new Set([sukiToken('shared', T0 / 1000 + 3600)]));
    await sut.token();
    expect(calls).toHaveLength(1);
  });

  it('keeps the token until shortly before it expires, then logs in again', async () => {
    const { sut, clock, calls, settle } = setup();
    const first = sukiToken('first', T0 / 1000 + 3600);
    const pending = sut.token();
    await settle();
    calls[0].resolve(first);
    await pending;
    clock.ms = T0 + 3600_000 - 61_000;
    await expect(sut.token()).resolves.toBe(first);
    clock.ms = T0 + 3600_000 - 59_000;
    const next = sut.token();
    await settle(2);
    expect(calls).toHaveLength(2);
    calls[1].resolve(sukiToken('second'));
    await expect(next).resolves.toBe(sukiToken('second'));
  });

  it('after a 401 discards that token only, not a newer one', async () => {
    const { sut, calls, settle } = setup();
    const first = sut.token();
    await settle();
    calls[0].resolve(sukiToken('one', T0 / 1000 + 3600));
    const one = await first;
    sut.invalidate(one);
    const second = sut.token();
    await settle(2);
    expect(calls).toHaveLength(2);
    calls[1].resolve(sukiToken('two', T0 / 1000 + 3600));
    const two = await second;
    sut.invalidate(one);
    await expect(sut.token()).resolves.toBe(two);
    expect(calls).toHaveLength(2);
  });

  it('shares a failed login with every waiter, then tries again on the next call', async () => {
    const { sut, calls, settle } = setup();
    const waiting = [sut.token(), sut.token()];
    await settle();
    calls[0].reject(new TokenUnavailableError('login failed: HTTP 503'));
    for (const result of await Promise.allSettled(waiting))
      expect(result).toMatchObject({ status: 'rejected', reason: { reason: 'login failed: HTTP 503' } });
    void sut.token();
    await settle(2);
    expect(calls).toHaveLength(2);
  });

  it('fails the attempt, without calling Suki, when the key is not usable', async () => {
    const { sut, calls } = setup({ pem: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----' });
    await expect(sut.token()).rejects.toThrow(TokenUnavailableError);
    await expect(sut.token()).rejects.toThrow(/SUKI_PARTNER_PRIVATE_KEY/);
    expect(calls).toHaveLength(0);
  });
});

describe('StaticTokenProvider', () => {
  it('hands out the configured token', async () => {
    await expect(new StaticTokenProvider('tok').token()).resolves.toBe('tok');
  });

  it('fails the attempt with a clear reason when no token is configured', async () => {
    await expect(new StaticTokenProvider(undefined).token()).rejects.toThrow('no Suki API token configured (SUKI_API_TOKEN)');
  });
});

describe('refreshTime', () => {
  it.each([
    { name: 'an hour-long token', token: sukiToken('x', T0 / 1000 + 3600), at: T0 + 3600_000 - 60_000 },
    { name: 'a token without exp', token: sukiToken('x'), at: T0 + 3600_000 - 60_000 },
    { name: 'a token that is not a JWT', token: 'opaque-token', at: T0 + 3600_000 - 60_000 },
    { name: 'a short-lived token', token: sukiToken('x', T0 / 1000 + 60), at: T0 + 30_000 },
    { name: 'an expired token', token: sukiToken('x', T0 / 1000 - 10), at: T0 - 10_000 },
  ])('for $name is $at', ({ token, at }) => {
    expect(refreshTime(token, T0)).toBe(at);
  });
});
