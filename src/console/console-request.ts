import type { Request } from 'express';
import type { AuditActor } from '../api/actor';
import type { ApiClient, Scope } from '../config/api-clients';
import { requestContext } from '../logging/request-context';
import type { ConsoleSession } from './console-session';

/** A /console request once the console's middleware has looked at it. */
export interface ConsoleRequest extends Request {
  /** Who is signed in, when someone is. */
  consoleSignIn?: { session: ConsoleSession; client: ApiClient };
  /** The CSRF token for this page's forms (set by the middleware). */
  consoleCsrfToken?: () => string;
}

export function holds(request: ConsoleRequest, scope: Scope): boolean {
  return request.consoleSignIn?.client.scopes.includes(scope) ?? false;
}

/** The signed-in client as the audit records it, like @Actor() on /v1. */
export function consoleActor(request: ConsoleRequest): AuditActor {
  const signIn = request.consoleSignIn;
  if (!signIn) throw new Error('a console action needs a signed-in client');
  return {
    client: signIn.client.name,
    requestId: requestContext.getStore()?.reqId ?? 'unknown',
    remoteAddress: request.socket.remoteAddress,
  };
}
