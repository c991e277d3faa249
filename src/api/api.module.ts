import { Module } from '@nestjs/common';
import { BearerHeadersMiddleware } from './bearer-headers.middleware';
import { BearerGuard } from './bearer.guard';

/**
 * The /v1 kit every internal API feature builds on: the bearer guard (with RequireScopes and
 * InternalApi), @Actor(), cursors and keyset pages, query and body validation, and their OpenAPI
 * marks. The guard and the middleware that checks the token before the body (installed by
 * app.setup.ts) are its providers; the rest are plain functions and decorators.
 */
@Module({
  providers: [BearerGuard, BearerHeadersMiddleware],
  exports: [BearerGuard, BearerHeadersMiddleware],
})
export class ApiModule {}
