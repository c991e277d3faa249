import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { bearerToken, digestTokens, isAcceptedToken, TokenDigests } from './bearer-token';

/** The OpenAPI security scheme name of the internal bearer tokens. */
export const BEARER_SCHEME = 'internal-token';

/** Lets through only requests bearing one of INTERNAL_API_TOKENS. */
@Injectable()
export class BearerGuard implements CanActivate {
  private accepted?: TokenDigests;

  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    // Digested on first use: the runtime may fill in development tokens after the config is made.
    this.accepted ??= digestTokens(this.config.internalApiTokens);
    if (isAcceptedToken(bearerToken(request.headers.authorization), this.accepted)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="suki-notification-service"');
    throw new UnauthorizedException('a valid bearer token is required (Authorization: Bearer <token>)');
  }
}
