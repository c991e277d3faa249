import { parseRetryAfter } from './backoff';

/** What one call to Suki came to. Reasons are ours: never a response body. */
export type FetchOutcome =
  | { ok: true; data: unknown }
  | {
      ok: false;
      retryable: true;
      reason: string;
      retryAfterMs?: number;
      /** The HTTP status, when Suki answered at all. */
      httpStatus?: number;
      /** Suki refused our credentials even after a refresh: a configuration problem, not the note's. */
      auth?: boolean;
    }
  | { ok: false; retryable: false; reason: string };

export interface RawResponse {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

/** Something that went wrong before an HTTP answer arrived. */
export interface TransportFailure {
  code?: string;
  /** Our own deadline ended the call (not a shutdown). */
  timedOut: boolean;
  /** The answer was larger than we accept. */
  tooLarge: boolean;
}

// A Suki error id ("invalid_sdp_token"); anything else in a message may be free text.
const ERROR_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * 4xx answers worth retrying on the horizon (Suki's error answers; the table in docs/architecture.md says why for
 * each). 401 is here because it reaches classification only after a token refresh already
 * failed: the credentials are wrong or revoked, which an operator fixes, and the note must not
 * be lost meanwhile. Every other 4xx is permanent: no retry changes a bad request (400), a
 * refusal (403), a resource Suki says does not exist (404) or one it cannot process (422).
 */
const TRANSIENT_4XX: ReadonlyMap<number, string> = new Map([
  [401, 'credentials refused after a refresh'],
  [402, 'over quota'],
  [408, 'request timeout'],
  [409, 'conflict'],
  [412, 'provider not active'],
  [425, 'too early'],
  [429, 'too many requests'],
  [499, 'request cancelled'],
]);

/**
 * Sorts an HTTP answer: 2xx must carry JSON; 5xx and the transient 4xx above are worth
 * retrying (with Suki's Retry-After); redirects are refused, since following one could carry
 * the token to another host; every other status is permanent.
 */
export function classifyResponse(response: RawResponse, nowMs: number): FetchOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return readJson(response);
  if (isTransientStatus(status)) {
    return {
      ok: false,
      retryable: true,
      reason: describeStatus(response),
      retryAfterMs: parseRetryAfter(header(response, 'retry-after'), nowMs),
      httpStatus: status,
      ...(status === 401 ? { auth: true } : {}),
    };
  }
  if (status >= 300 && status < 400) return { ok: false, retryable: false, reason: `HTTP ${status}: redirects are not followed` };
  return { ok: false, retryable: false, reason: describeStatus(response) };
}

/** Whether a non-2xx HTTP status is retried on the horizon: 5xx and the transient 4xx above. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || TRANSIENT_4XX.has(status);
}

export function classifyTransportFailure(failure: TransportFailure, timeoutMs: number): FetchOutcome {
  if (failure.tooLarge) return { ok: false, retryable: false, reason: 'response exceeds the size limit' };
  if (failure.timedOut) return { ok: false, retryable: true, reason: `no complete answer within ${timeoutMs} ms` };
  const code = failure.code && ERROR_ID.test(failure.code) ? failure.code : 'unknown';
  return { ok: false, retryable: true, reason: `network error (${code})` };
}

/**
 * Suki's error id from an error body: `message` is, or starts with, a stable id
 * ("invalid_sdp_token" or "invalid_sdp_token: …"). Only an id-shaped value is returned, so
 * free text that might describe a patient never reaches last_error or a log line.
 */
export function sukiErrorId(body: Buffer): string | undefined {
  const parsed = parseJson(body);
  const message = parsed.ok ? (parsed.value as { message?: unknown } | null)?.message : undefined;
  if (typeof message !== 'string') return undefined;
  const id = message.split(':', 1)[0].trim();
  return ERROR_ID.test(id) ? id : undefined;
}

function readJson(response: RawResponse): FetchOutcome {
  const type = header(response, 'content-type');
  const mediaType = typeof type === 'string' ? type.split(';', 1)[0].trim().toLowerCase() : '';
  if (mediaType && !/^application\/([a-z0-9.+-]*\+)?json$/.test(mediaType)) {
    return { ok: false, retryable: true, reason: `response is not JSON (${mediaType.slice(0, 64)})` };
  }
  const parsed = parseJson(response.body);
  if (!parsed.ok) return { ok: false, retryable: true, reason: 'response is not complete, valid JSON' };
  return { ok: true, data: parsed.value };
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(body)) };
  } catch {
    return { ok: false };
  }
}

function describeStatus(response: RawResponse): string {
  const id = sukiErrorId(response.body);
  return id ? `HTTP ${response.status}: ${id}` : `HTTP ${response.status}`;
}

function header(response: RawResponse, name: string): string | undefined {
  const value = response.headers[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}
