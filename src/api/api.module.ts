import { Module } from '@nestjs/common';
import { BearerGuard } from './bearer.guard';

/**
 * The /v1 kit every internal API feature builds on: the bearer guard (with RequireScopes and
 * InternalApi), @Actor(), cursors and keyset pages, query and body validation, and their OpenAPI
 * marks. Only the guard is a provider; the rest are plain functions and decorators.
 */
@Module({
  providers: [BearerGuard],
  exports: [BearerGuard],
})
export class ApiModule {}
