import { timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAULT_GRAMMAR, FAULT_PARAM, FaultCounter, parseFault } from './fault';
import { ConcurrencyGate, parsePlayback } from './playback';
import {
  encounterContent,
  encounterStructuredData,
  sessionContent,
  sessionStatus,
  sessionStructuredData,
  sessionTranscript,
} from './simulated-content';

export interface SukiSimulator {
  /** http://127.0.0.1:<port>: what SUKI_API_BASE_URL would be. */
  url: string;
  close(): Promise<void>;
}

type Route = { scope: 'session' | 'encounter'; pattern: RegExp; body(id: string): unknown };

// The GET paths Suki documents for its results, as the `_links` of a success name them.
const ROUTES: Route[] = [
  { scope: 'session', pattern: /^\/api\/v1\/ambient\/session\/([^/]+)\/content$/, body: sessionContent },
  { scope: 'session', pattern: /^\/api\/v1\/ambient\/session\/([^/]+)\/structured-data$/, body: sessionStructuredData },
  { scope: 'session', pattern: /^\/api\/v1\/ambient\/session\/([^/]+)\/transcript$/, body: sessionTranscript },
  { scope: 'encounter', pattern: /^\/api\/v1\/ambient\/encounter\/([^/]+)\/content$/, body: encounterContent },
  { scope: 'encounter', pattern: /^\/api\/v1\/ambient\/encounter\/([^/]+)\/structured-data$/, body: encounterStructuredData },
];
const STATUS_PATH = /^\/api\/v1\/ambient\/session\/([^/]+)\/status$/;

// Suki's error ids for the statuses a fault may ask for.
const ERROR_IDS: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_sdp_token',
  403: 'permission_denied',
  404: 'not_found',
  412: 'provider_user_inactive',
  429: 'too_many_requests',
  499: 'request_cancelled',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'request_timeout',
};

/** Runs `reply`, answering 400 to a malformed percent-escape in the path (decodeURIComponent). */
function answerSafely(reply: () => void, response: ServerResponse): void {
  try {
    reply();
  } catch {
    error(response, 400, 'invalid_ambient_id_format');
  }
}

/**
 * Suki's Ambient API for a development instance (docs/development.md): the documented GET paths on 127.0.0.1, answering deterministic, realistic
 * content when `sdp_suki_token` is the development token, errors shaped as Suki's otherwise.
 *
 * Session status: the simulator knows a session once it served one of its session-level
 * resources (content, structured data, transcript), and then says `completed`. For any other
 * session (the status check after a timeout or cancellation notification) it answers 404, as
 * Suki would for a session it never had: the session keeps the status its notification gave,
 * instead of the simulator inventing an outcome.
 */
export async function startSukiSimulator(options: { token: string; port?: number }): Promise<SukiSimulator> {
  const token = Buffer.from(options.token);
  const faults = new FaultCounter();
  const gate = new ConcurrencyGate();
  const knownSessions = new Set<string>();

  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://simulator');
    if (request.method !== 'GET') return error(response, 405, 'method_not_allowed');
    if (!tokenMatches(request.headers['sdp_suki_token'], token)) return error(response, 401, 'invalid_sdp_token');

    const faultParam = url.searchParams.get(FAULT_PARAM);
    if (faultParam !== null) {
      const fault = parseFault(faultParam);
      if (!fault) return error(response, 400, `invalid_request: ${FAULT_PARAM} must be ${FAULT_GRAMMAR}`);
      if (faults.take(`${url.pathname}${url.search}`, fault)) {
        // A timeout is no answer at all: the service's own request timeout ends the call, and
        // close() cuts the connection if it is still open then.
        if (fault.kind === 'timeout') return;
        const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': '1' } : {};
        return error(response, fault.status, ERROR_IDS[fault.status] ?? 'error', headers);
      }
    }

    const playback = parsePlayback(url.searchParams);
    if (typeof playback === 'string') return error(response, 400, `invalid_request: ${playback}`);
    if (playback.limit !== undefined) {
      if (!gate.admit(playback.limit)) return error(response, 429, ERROR_IDS[429], { 'retry-after': '1' });
      response.once('close', () => gate.release());
    }
    if (playback.latencyMs === 0) return content(url, response);
    setTimeout(() => answerSafely(() => content(url, response), response), playback.latencyMs).unref();
  };

  const content = (url: URL, response: ServerResponse): void => {
    const status = STATUS_PATH.exec(url.pathname);
    if (status) {
      const known = knownSessions.has(decodeURIComponent(status[1]));
      return known ? json(response, 200, sessionStatus()) : error(response, 404, 'not_found: no such session');
    }
    for (const route of ROUTES) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      const id = decodeURIComponent(match[1]);
      if (route.scope === 'session') knownSessions.add(id);
      return json(response, 200, route.body(id));
    }
    error(response, 404, 'not_found');
  };

  const server = createServer((request, response) => {
    // Nothing is read from a body; draining it lets the connection be reused.
    request.resume();
    answerSafely(() => answer(request, response), response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Constant-time comparison of the header with the development token. */
function tokenMatches(header: string | string[] | undefined, token: Buffer): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  return given.length === token.length && timingSafeEqual(given, token);
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers });
  response.end(bytes);
}

/** Suki's error body: a numeric `code` mirroring the status and a `message` led by an error id. */
function error(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  json(response, status, { code: status, message }, headers);
}
