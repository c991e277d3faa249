import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';
import { RequestContext, requestContext } from './request-context';
import { callerRequestIdOf } from './request-id';

// Headers worth a log line. Everything else (authorization, x-api-key, cookies, tokens) is
// left out by construction rather than by remembering to redact it.
const LOGGED_HEADERS = ['content-type', 'content-length', 'user-agent', 'generated-at'];
// Probes and scrapes would drown the access log at info.
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Gives every request an id of the service's own (answered as X-Request-Id, bound to every line
 * logged while serving it, recorded in the audit), keeps a sane caller's X-Request-Id beside it
 * as callerRequestId, and writes one access line when it ends: method, path without query string, a few safe
 * headers, status, duration, and the identifiers code serving it added to its request context
 * (logWithRequest).
 * Never a body: note text, transcripts and error details are health data.
 *
 * Hand-written rather than pino-http + nestjs-pino: those two cost about a fifth of the CPU of
 * a notification in `npm run bench`, on the path that must keep up with a burst.
 */
export function accessLog(root: Logger): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const reqId = randomUUID();
    const callerRequestId = callerRequestIdOf(request.headers['x-request-id']);
    // Held here too: 'finish' fires outside the request's async context.
    const context: RequestContext = { reqId, callerRequestId, log: {} };
    response.setHeader('X-Request-Id', reqId);
    response.once('finish', () => {
      const path = pathOf(request.originalUrl ?? request.url);
      const level = levelFor(path, response.statusCode);
      if (!root.isLevelEnabled(level)) return;
      root[level](
        {
          reqId,
          ...(callerRequestId === undefined ? {} : { callerRequestId }),
          ...context.log,
          req: { method: request.method, path, headers: loggedHeaders(request) },
          res: { statusCode: response.statusCode },
          responseTime: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        },
        response.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    });
    requestContext.run(context, next);
  };
}

function levelFor(path: string, status: number): Level {
  // A failing readiness probe is explained by the health controller's own warning.
  if (QUIET_PATHS.has(path)) return 'debug';
  // 503 is the database being away: expected during an outage, and logged where it is seen.
  if (status === 503) return 'warn';
  return status >= 500 ? 'error' : 'info';
}

function loggedHeaders(request: Request): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
  return headers;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
