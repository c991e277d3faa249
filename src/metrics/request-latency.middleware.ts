import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MetricsService } from './metrics.service';

/**
 * Times every request into the latency histogram. Installed ahead of the body parser, so the
 * time includes reading the body and refused requests (413, 415) are counted too. The route
 * label is the matched pattern (`/v1/sessions/:sessionId`), never the raw path, so ids do not
 * become label values.
 */
export function requestLatencyMiddleware(metrics: MetricsService): RequestHandler {
  // One child per (method, route, status): prom-client would otherwise hash the labels on
  // every request. Routes are patterns, so the map stays small.
  const series = new Map<string, { observe(value: number): void }>();
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(request, response);
      const key = `${request.method} ${route} ${response.statusCode}`;
      let child = series.get(key);
      if (!child) {
        child = metrics.requestDuration.labels({ method: request.method, route, status_code: String(response.statusCode) });
        series.set(key, child);
      }
      child.observe(seconds);
    });
    next();
  };
}

/**
 * The pattern of the controller route that served the request. A catch-all pattern is the one
 * Nest mounts catch-all middleware on: no controller matched.
 */
function routeOf(request: Request, response: Response): string {
  // A request refused before routing (signature-headers.middleware.ts) names its route itself.
  // Express types the matched route as any; only its path pattern is read.
  const route: unknown = response.locals.route ?? (request.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' && !route.includes('*') ? route : 'unmatched';
}
