import { randomUUID } from 'node:crypto';
import { CryptoKey, decodeJwt, importPKCS8, SignJWT } from 'jose';
import { Clock } from '../common/clock';
import { PartnerAuthConfig } from '../config/app-config';

/** No token could be had for this attempt; the attempt fails and is retried later. */
export class TokenUnavailableError extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
    this.name = 'TokenUnavailableError';
  }
}

/** The `sdp_suki_token` to send. */
export interface SukiTokenProvider {
  token(): Promise<string>;
  /** Suki answered 401 to this token: do not hand it out again. */
  invalidate(token: string): void;
}

export interface LoginRequest {
  partner_id: string;
  partner_token: string;
  provider_id?: string;
}

/** Calls Suki's login and returns `suki_token`, or throws TokenUnavailableError. */
export type LoginCall = (request: LoginRequest) => Promise<string>;

/** `static` mode: the configured token, as is. A 401 can only be answered by trying it again. */
export class StaticTokenProvider implements SukiTokenProvider {
  constructor(private readonly apiToken: string | undefined) {}

  token(): Promise<string> {
    if (!this.apiToken) return Promise.reject(new TokenUnavailableError('no Suki API token configured (SUKI_API_TOKEN)'));
    return Promise.resolve(this.apiToken);
  }

  invalidate(): void {
    // A fixed token cannot be renewed.
  }
}

const PARTNER_TOKEN_TTL_S = 300;
// Suki documents its tokens as valid for one hour; used when the token does not say.
const DEFAULT_SUKI_TOKEN_TTL_MS = 60 * 60 * 1000;
const REFRESH_MARGIN_MS = 60 * 1000;

/**
 * `partner` mode: signs a short-lived RS256 partner token, exchanges it at Suki's login for a
 * `suki_token` and keeps that until shortly before it expires. Refreshes are single-flight:
 * however many fetches need a token at once, one login runs and all of them share its result.
 */
export class PartnerTokenProvider implements SukiTokenProvider {
  private cached?: { token: string; refreshAt: number };
  private refreshing?: Promise<string>;
  private signingKey?: Promise<CryptoKey>;

  constructor(
    private readonly partner: PartnerAuthConfig,
    private readonly providerId: string | undefined,
    private readonly login: LoginCall,
    private readonly clock: Clock,
  ) {}

  token(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.refreshAt) return Promise.resolve(this.cached.token);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  invalidate(token: string): void {
    // Only the token that failed: a fetch still holding an older one must not discard the
    // fresh token another fetch just obtained (that would cost one login per fetch).
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async refresh(): Promise<string> {
    const partnerToken = await this.signPartnerToken();
    const sukiToken = await this.login({
      partner_id: this.partner.partnerId,
      partner_token: partnerToken,
      ...(this.providerId ? { provider_id: this.providerId } : {}),
    });
    this.cached = { token: sukiToken, refreshAt: refreshTime(sukiToken, this.clock.now()) };
    return sukiToken;
  }

  private async signPartnerToken(): Promise<string> {
    this.signingKey ??= importPKCS8(this.partner.privateKeyPem, 'RS256');
    const key = await this.signingKey.catch(() => {
      throw new TokenUnavailableError('SUKI_PARTNER_PRIVATE_KEY is not a usable PKCS#8 RSA private key');
    });
    const now = Math.floor(this.clock.now() / 1000);
    const { keyId, issuer, user } = this.partner;
    const jwt = new SignJWT(user ? { email: user } : {})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(keyId ? { kid: keyId } : {}) })
      .setIssuedAt(now)
      .setExpirationTime(now + PARTNER_TOKEN_TTL_S)
      .setJti(randomUUID());
    if (issuer) jwt.setIssuer(issuer);
    if (user) jwt.setSubject(user);
    return jwt.sign(key);
  }
}

/**
 * When to stop using a `suki_token`: shortly before the `exp` in its payload (read, not
 * verified: Suki checks its own tokens), or an hour from now when it carries none.
 */
export function refreshTime(sukiToken: string, nowMs: number): number {
  let expiresAt = nowMs + DEFAULT_SUKI_TOKEN_TTL_MS;
  try {
    const { exp } = decodeJwt(sukiToken);
    if (typeof exp === 'number' && Number.isFinite(exp)) expiresAt = exp * 1000;
  } catch {
    // not a JWT: the documented lifetime applies
  }
  const margin = Math.min(REFRESH_MARGIN_MS, Math.max(0, (expiresAt - nowMs) / 2));
  return expiresAt - margin;
}
