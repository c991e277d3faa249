import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from '../common/http-error';
import { closeAfterAnswer } from '../common/lingering-close';
import { AppConfig } from '../config/app-config';
import { authenticate, bearerToken, BEARER_CHALLENGE } from './bearer-token';
import type { ClientRequest } from './bearer.guard';

/** The largest body a /v1 route takes: its inputs are a few small fields (a retry filter, a registration). */
export const API_MAX_BODY_BYTES = 64 * 1024;
// Refused before routing: the latency histogram is told the area instead of a route pattern.
const AREA = '/v1';

/**
 * What can be refused on sight on /v1, before a byte of the body is read: a request bearing no
 * token of a configured client (401, the check BearerGuard makes), and a body declared larger
 * than any /v1 input (413). Installed ahead of the body parser, so a stranger's upload costs no
 * memory and cannot keep a connection. BearerGuard still checks the route's scopes.
 */
@Injectable()
export class BearerHeadersMiddleware {
  readonly handler: RequestHandler;

  constructor(config: AppConfig) {
    this.handler = (request: Request, response: Response, next: NextFunction) => {
      const withBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
      const refuse = (status: number, message: string) => {
        response.locals.route = AREA;
        // Only a body still on its way needs the connection closed; a bare GET keeps it.
        if (withBody) closeAfterAnswer(request, response);
        response.status(status).json(errorBody(status, message));
      };
      // Read at each request, as the guard does: the runtime may add the development client.
      const client = authenticate(bearerToken(request.headers.authorization), config.apiClients);
      if (!client) {
        response.setHeader('WWW-Authenticate', BEARER_CHALLENGE);
        return refuse(401, 'a valid bearer token is required (Authorization: Bearer <token>)');
      }
      // BearerGuard takes it from here, for the route's scopes.
      (request as ClientRequest).apiClient = client;
      if (Number(request.headers['content-length'] ?? 0) > API_MAX_BODY_BYTES) {
        return refuse(413, `body exceeds the size limit (${API_MAX_BODY_BYTES} bytes)`);
      }
      next();
    };
  }
}
