import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import { requestContext } from '../logging/request-context';
import type { ClientRequest } from './bearer.guard';

/** Who asked: taken from the request by the @Actor() parameter decorator, for the access audit. */
export interface AuditActor {
  client: string;
  requestId: string;
  remoteAddress: string | undefined;
}

/** The pure part of @Actor(): the client BearerGuard found, the request id, the peer address. */
export function actorOf(request: ClientRequest, requestId: string | undefined): AuditActor {
  // BearerGuard runs before any handler that takes an actor; without a client there is no one to record.
  if (!request.apiClient) throw new Error('an audited route must be guarded by BearerGuard');
  return { client: request.apiClient.name, requestId: requestId ?? 'unknown', remoteAddress: request.socket.remoteAddress };
}

/** The caller of an audited route, for AuditService.record. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): AuditActor => {
  const http = context.switchToHttp();
  const requestId = requestContext.getStore()?.reqId ?? String(http.getResponse<Response>().getHeader('X-Request-Id') ?? '');
  return actorOf(http.getRequest<ClientRequest>(), requestId || undefined);
});
