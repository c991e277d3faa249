import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import { requestIdFor } from './request-id';

// Headers worth a log line. Everything else (authorization, x-api-key, cookies, tokens) is
// left out by construction rather than by remembering to redact it.
const LOGGED_HEADERS = ['content-type', 'content-length', 'user-agent', 'generated-at'];
// Probes and scrapes would drown the access log at info.
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * One access-log line per request with its id, route, status and duration. Never a body: note
 * text, transcripts and error details are health data. The query string is dropped too.
 */
export function createHttpLogger(root: Logger): HttpLogger {
  return pinoHttp({
    logger: root,
    genReqId: (request, response) => {
      const id = requestIdFor(request.headers['x-request-id']);
      response.setHeader('X-Request-Id', id);
      return id;
    },
    // In-request log lines carry only the request id; the request itself is logged once, at the end.
    quietReqLogger: true,
    serializers: {
      // The id is already on every line as reqId.
      req: (request: { method: string; url: string; headers: Record<string, unknown> }) => ({
        method: request.method,
        path: pathOf(request.url),
        headers: Object.fromEntries(LOGGED_HEADERS.filter((name) => request.headers[name] !== undefined).map((name) => [name, request.headers[name]])),
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    // pino-http attaches a made-up error ("failed with status code 503") to every 5xx; its stack
    // only says where pino-http is. Real errors are logged where they are handled.
    customErrorObject: (_request, _response, _error, { err: _ignored, ...line }) => line,
    customLogLevel: (request: IncomingMessage, response: ServerResponse, error?: Error) => {
      // A failing readiness probe is explained by the health controller's own warning.
      if (QUIET_PATHS.has(pathOf(request.url ?? ''))) return 'debug';
      // 503 is the database being away: expected during an outage, and logged where it is seen.
      if (response.statusCode === 503) return 'warn';
      return error || response.statusCode >= 500 ? 'error' : 'info';
    },
  });
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
