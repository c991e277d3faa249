import { applyDecorators, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorOutput } from '../common/error.output';
import { errorBody, UNAVAILABLE_MESSAGES } from '../common/http-error';
import { BEARER_SCHEME } from '../common/openapi-names';
import { ArtifactKind } from '../generated/prisma/enums';
import { BearerGuard } from './bearer.guard';

/** Bearer authentication, enforced and documented together; each route names its scopes (RequireScopes). */
export function InternalApi(): ClassDecorator {
  return applyDecorators(
    UseGuards(BearerGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      type: ErrorOutput,
      description: 'No `Authorization: Bearer <token>` header with the token of a client of INTERNAL_API_CLIENTS or INTERNAL_API_TOKENS.',
    }),
    ApiUnavailable('The database is unavailable (a failover, a restart): nothing is served; try again shortly.'),
  );
}

/** The 503 of a read: the database away, or (where content is served) an audit that could not be written. */
export function ApiUnavailable(description: string): ClassDecorator & MethodDecorator {
  return ApiServiceUnavailableResponse({ type: ErrorOutput, description, example: errorBody(503, UNAVAILABLE_MESSAGES.read) });
}

export function ApiNotFound(description: string): MethodDecorator {
  return ApiNotFoundResponse({ type: ErrorOutput, description });
}

export function ApiBadRequest(description: string): MethodDecorator {
  return ApiBadRequestResponse({ type: ErrorOutput, description });
}

export function ApiKindParam(): MethodDecorator {
  return ApiParam({ name: 'kind', enum: ArtifactKind, enumName: 'ArtifactKind', description: 'The artifact kind (a Suki `_links` key).' });
}
