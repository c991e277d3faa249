import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while serving a request carries, and what its access line adds. */
export interface RequestContext {
  /** The service's own id for the request (a UUID), whatever the caller sent. */
  reqId: string;
  /** The caller's X-Request-Id, when it was a sane token. */
  callerRequestId?: string;
  /** Identifiers (never bodies) that code serving the request adds to its access line. */
  log: Record<string, unknown>;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** Adds identifiers to the access line of the request being served; outside a request, nothing. */
export function logWithRequest(fields: object): void {
  const context = requestContext.getStore();
  if (context) Object.assign(context.log, fields);
}
