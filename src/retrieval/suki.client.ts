import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { resolveLink } from '../suki/link-policy';
import { Semaphore } from './semaphore';
import { classifyResponse, classifyTransportFailure, FetchOutcome, RawResponse, TransportFailure } from './suki-response';
import { LoginRequest, PartnerTokenProvider, StaticTokenProvider, SukiTokenProvider, TokenUnavailableError } from './suki-token';

const LOGIN_PATH = '/api/v1/auth/login';
// Far above any note or transcript; a bound so that one odd answer cannot exhaust memory.
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

class TransportError extends Error {
  constructor(readonly failure: TransportFailure) {
    super('request to Suki did not complete');
  }
}

/**
 * The one way to Suki's API. Every call goes to the configured origin only (hrefs are checked
 * again here, redirects are never followed), carries the token, ends within the request
 * timeout, and at most `maxConcurrency` run at once. Results come back classified, never thrown.
 */
@Injectable()
export class SukiClient {
  private readonly logger = new Logger(SukiClient.name);
  private readonly slots: Semaphore;
  private readonly tokens: SukiTokenProvider;

  constructor(
    private readonly http: HttpService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    const { suki } = config;
    this.slots = new Semaphore(suki.maxConcurrency);
    this.tokens =
      suki.authMode === 'partner' && suki.partner
        ? new PartnerTokenProvider(suki.partner, suki.providerId, (request) => this.login(request), clock)
        : new StaticTokenProvider(suki.apiToken);
  }

  /** GETs a `_links` href. `signal` aborts it (shutdown); the request timeout applies regardless. */
  async fetch(href: string, signal?: AbortSignal): Promise<FetchOutcome> {
    const link = resolveLink(href, this.config.suki.apiBaseUrl);
    if (!link.allowed) return { ok: false, retryable: false, reason: link.reason };
    return this.slots.run(async () => {
      try {
        let token = await this.tokens.token();
        let response = await this.send({ method: 'GET', url: link.url, headers: this.headers(token) }, signal);
        if (response.status === 401) {
          // Expired or revoked: renew once and try again at once. A second 401 means the
          // credentials themselves are refused: classified as transient (auth) and retried on
          // the horizon, since an operator can fix them and the note must wait for that.
          this.tokens.invalidate(token);
          token = await this.tokens.token();
          response = await this.send({ method: 'GET', url: link.url, headers: this.headers(token) }, signal);
        }
        return classifyResponse(response, this.clock.now());
      } catch (error) {
        if (error instanceof TokenUnavailableError)
          return { ok: false, retryable: true, reason: error.reason, retryAfterMs: error.retryAfterMs, auth: true };
        if (error instanceof TransportError) return classifyTransportFailure(error.failure, this.config.suki.requestTimeoutMs);
        throw error;
      }
    });
  }

  /** Suki's login (partner mode): a partner token in, a `suki_token` out. */
  private async login(request: LoginRequest): Promise<string> {
    const link = resolveLink(LOGIN_PATH, this.config.suki.apiBaseUrl);
    if (!link.allowed) throw new TokenUnavailableError(`login failed: ${link.reason}`);
    const started = this.clock.now();
    let response: RawResponse;
    try {
      response = await this.send({
        method: 'POST',
        url: link.url,
        data: request,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      const outcome = classifyTransportFailure(error.failure, this.config.suki.requestTimeoutMs);
      throw this.loginFailed(outcome.ok ? 'unexpected' : outcome.reason);
    }
    const outcome = classifyResponse(response, this.clock.now());
    if (!outcome.ok) throw this.loginFailed(outcome.reason, outcome.retryable ? outcome.retryAfterMs : undefined);
    const token = (outcome.data as { suki_token?: unknown } | null)?.suki_token;
    if (typeof token !== 'string' || token.length === 0) throw this.loginFailed('the answer carries no suki_token');
    this.logger.log(`suki login ok in ${this.clock.now() - started} ms`);
    return token;
  }

  private loginFailed(reason: string, retryAfterMs?: number): TokenUnavailableError {
    this.logger.warn(`suki login failed: ${reason}`);
    return new TokenUnavailableError(`login failed: ${reason}`, retryAfterMs);
  }

  private headers(token: string): Record<string, string> {
    const { providerId } = this.config.suki;
    return { accept: 'application/json', sdp_suki_token: token, ...(providerId ? { sdp_provider_id: providerId } : {}) };
  }

  /** One HTTP exchange, whatever its status; throws TransportError when no full answer came. */
  private async send(request: AxiosRequestConfig, signal?: AbortSignal): Promise<RawResponse> {
    const timeoutMs = this.config.suki.requestTimeoutMs;
    // A deadline on the whole exchange: axios' own timeout alone would not end an answer
    // that trickles in byte by byte.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await this.http.axiosRef.request<Buffer>({
        ...request,
        signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
        timeout: timeoutMs,
        responseType: 'arraybuffer',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
        // Following a redirect would hand the token to wherever it points.
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
      });
      const headers = typeof response.headers?.toJSON === 'function' ? response.headers.toJSON() : { ...response.headers };
      return { status: response.status, headers, body: Buffer.from(response.data ?? []) };
    } catch (error: unknown) {
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      throw new TransportError({
        code: typeof code === 'string' ? code : undefined,
        timedOut: deadline.aborted || code === 'ECONNABORTED' || code === 'ETIMEDOUT',
        tooLarge: typeof message === 'string' && /maxContentLength/.test(message),
      });
    }
  }
}
