import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { requestContext } from '../logging/request-context';
import type { ClientRequest } from './bearer.guard';

/** Who asked: taken from the request by the @Actor() parameter decorator, for the access audit. */
export interface AuditActor {
  client: string;
  /** The service's own id for the request (its X-Request-Id answer and its log lines' reqId). */
  requestId: string;
  /** The X-Request-Id the caller sent, if it was a sane token: kept, never trusted as the request's id. */
  callerRequestId?: string;
  remoteAddress: string | undefined;
}

/**
 * The pure part of @Actor(): the client BearerGuard found, the service's own request id (and the
 * caller's X-Request-Id beside it, never instead of it), the peer address.
 */
export function actorOf(request: ClientRequest, requestId: string | undefined, callerRequestId?: string): AuditActor {
  // BearerGuard runs before any handler that takes an actor; without a client there is no one to record.
  if (!request.apiClient) throw new Error('an audited route must be guarded by BearerGuard');
  return {
    client: request.apiClient.name,
    requestId: requestId ?? 'unknown',
    callerRequestId,
    remoteAddress: request.socket.remoteAddress,
  };
}

/** The caller of an audited route, for AuditService.record. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): AuditActor => {
  const http = context.switchToHttp();
  const served = requestContext.getStore();
  const requestId = served?.reqId ?? String(http.getResponse<Response>().getHeader('X-Request-Id') ?? '');
  return actorOf(http.getRequest<ClientRequest>(), requestId || undefined, served?.callerRequestId);
});
