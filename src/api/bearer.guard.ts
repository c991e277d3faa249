import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiClient, Scope } from '../config/api-clients';
import { AppConfig } from '../config/app-config';
import { logWithRequest } from '../logging/request-context';
import { authenticate, BEARER_CHALLENGE, BEARER_REALM, bearerToken } from './bearer-token';
import { missingScopes, REQUIRED_SCOPES } from './scopes';

/** A /v1 request once BearerGuard let it through: who is asking. */
export interface ClientRequest extends Request {
  apiClient?: ApiClient;
}

/**
 * Lets through only requests bearing the token of an internal client that holds every scope
 * the route requires (RequireScopes). No token or an unknown one: 401. A known client without
 * the scope: 403 `insufficient_scope` (RFC 6750 §3.1), naming the scope. The client's name,
 * never its token, goes into the access log line.
 */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<ClientRequest>();
    const response = http.getResponse<Response>();
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]);
    // Fail closed: a route that forgot to declare its scope serves nobody (the OpenAPI test lists them all).
    if (!required || required.length === 0) throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no scope`);
    // Read at each request: the runtime may add the development client after the config is made.
    // BearerHeadersMiddleware has authenticated every /v1 request already; a route outside it is checked here.
    const client = request.apiClient ?? authenticate(bearerToken(request.headers.authorization), this.config.apiClients);
    if (!client) {
      response.setHeader('WWW-Authenticate', BEARER_CHALLENGE);
      throw new UnauthorizedException('a valid bearer token is required (Authorization: Bearer <token>)');
    }
    request.apiClient = client;
    logWithRequest({ client: client.name });
    const missing = missingScopes(required, client.scopes);
    if (missing.length === 0) return true;
    response.setHeader('WWW-Authenticate', `Bearer ${BEARER_REALM}, error="insufficient_scope", scope="${required.join(' ')}"`);
    throw new ForbiddenException(
      `this endpoint needs scope ${missing.join(' and ')}, which client ${client.name} does not have (it has ${client.scopes.join(', ')})`,
    );
  }
}
