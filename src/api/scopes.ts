import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import { ErrorOutput } from '../common/error.output';
import { SCOPES_EXTENSION } from '../common/openapi-names';
import { Scope } from '../config/api-clients';

/** Metadata key of the scopes a route requires; BearerGuard reads it. */
export const REQUIRED_SCOPES = 'internal-api:required-scopes';

/**
 * The one place a /v1 route says which scopes it needs: BearerGuard enforces what this
 * records, and the OpenAPI document shows it. A client must hold every scope named.
 */
export function RequireScopes(...scopes: [Scope, ...Scope[]]): MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiExtension(SCOPES_EXTENSION, scopes),
    ApiForbiddenResponse({
      type: ErrorOutput,
      description: `The token is valid but its client lacks scope ${scopes.map((s) => `\`${s}\``).join(' + ')} (\`WWW-Authenticate: Bearer error="insufficient_scope"\`).`,
    }),
  );
}

/** The required scopes a client does not hold, in the order required. */
export function missingScopes(required: readonly Scope[], granted: readonly Scope[]): Scope[] {
  return required.filter((scope) => !granted.includes(scope));
}
