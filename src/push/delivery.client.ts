import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { addressAllowed, hostAllowed } from './allowed-hosts';

/** What one POST came to. Never the response body: it is read (at most MAX_BODY_BYTES) and dropped. */
export interface PostOutcome {
  httpStatus?: number;
  error?: string;
  retryAfter?: string;
  durationMs: number;
}

export const DELIVERY_TIMEOUT_MS = 15_000;
const MAX_BODY_BYTES = 64 * 1024;

class RefusedAddressError extends Error {
  readonly code = 'EPUSHREFUSED';
}

/**
 * POSTs deliveries: one keep-alive agent per protocol whose DNS lookup refuses addresses an
 * allowed name must not lead to (allowed-hosts.ts), checked at connect time, so a name that
 * resolved well when it was subscribed cannot be rebound elsewhere later. Redirects are never
 * followed (node:http does not follow them; a 3xx is a failure). A URL's credentials become a
 * Basic Authorization header and appear nowhere else.
 */
export class DeliveryClient {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(private readonly allowedHosts: () => readonly string[]) {
    const lookup = this.guardedLookup();
    this.http = new HttpAgent({ keepAlive: true, maxSockets: 256, lookup });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: 256, lookup });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }

  post(target: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
    const started = performance.now();
    const done = (outcome: Omit<PostOutcome, 'durationMs'>): PostOutcome => ({
      ...outcome,
      durationMs: Math.round(performance.now() - started),
    });
    const url = new URL(target);
    const host = url.hostname;
    const literal = isIP(host.replace(/^\[|\]$/g, '')) !== 0;
    if (!hostAllowed(host, this.allowedHosts()) || (literal && !addressAllowed(host, host, this.allowedHosts())))
      return Promise.resolve(done({ error: 'host not allowed (PUSH_ALLOWED_HOSTS)' }));
    const secure = url.protocol === 'https:';
    const auth = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: Omit<PostOutcome, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(outcome));
      };
      const request = (secure ? httpsRequest : httpRequest)(
        {
          protocol: url.protocol,
          hostname: host.replace(/^\[|\]$/g, ''),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          agent: secure ? this.https : this.http,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'suki-notification-service/push',
            ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
            ...headers,
          },
        },
        (response) => this.drain(response, (outcome) => finish(outcome)),
      );
      const timer = setTimeout(() => {
        finish({ error: `timeout after ${DELIVERY_TIMEOUT_MS / 1000} s` });
        request.destroy();
      }, DELIVERY_TIMEOUT_MS);
      request.on('error', (error: NodeJS.ErrnoException) => finish({ error: describe(error) }));
      request.end(body);
    });
  }

  /** Reads and drops the answer's body (at most MAX_BODY_BYTES, then the connection is dropped). */
  private drain(response: IncomingMessage, finish: (outcome: Omit<PostOutcome, 'durationMs'>) => void): void {
    const status = response.statusCode ?? 0;
    const retryAfter = typeof response.headers['retry-after'] === 'string' ? response.headers['retry-after'] : undefined;
    const outcome =
      status >= 300 && status < 400
        ? { httpStatus: status, error: `redirect not followed (HTTP ${status})` }
        : status >= 200 && status < 300
          ? { httpStatus: status }
          : { httpStatus: status, error: `HTTP ${status}`, retryAfter };
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        response.destroy();
        finish(outcome);
      }
    });
    response.on('end', () => finish(outcome));
    response.on('error', () => finish(outcome));
    response.on('close', () => finish(outcome));
  }

  private guardedLookup(): LookupFunction {
    return ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error);
        const allowed = this.allowedHosts();
        const refused = addresses.find((entry) => !addressAllowed(hostname, entry.address, allowed));
        if (refused || addresses.length === 0) return callback(new RefusedAddressError(`address of ${hostname} not allowed`));
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      });
    }) as LookupFunction;
  }
}

function describe(error: NodeJS.ErrnoException): string {
  if (error instanceof RefusedAddressError) return 'resolved address not allowed (PUSH_ALLOWED_HOSTS)';
  return error.code ? `connection failed (${error.code})` : 'connection failed';
}
