import { BadRequestException, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { Actor, type AuditActor } from '../api/actor';
import { AuditService } from '../audit/audit.service';
import { ErrorOutput } from '../common/error.output';
import { bodyValidation, JsonBody } from '../api/json-body';
import { pageSize } from '../api/keyset';
import { ApiBadRequest, InternalApi } from '../api/query-docs';
import { queryValidation } from '../api/query-validation';
import { RequireScopes } from '../api/scopes';
import { DeadLetterPageOutput, RetryOutput } from './dead-letter.output';
import { ArtifactFilter, DeadLettersService, InvalidCursorError } from './dead-letters.service';
import { ListArtifactsInput } from './list-artifacts.input';
import { RetryArtifactsInput } from './retry-artifacts.input';

/** The operator's dead letters (docs/api.md): what retrieval gave up on, and putting it back to work. */
@ApiTags('artifacts')
@InternalApi()
@Controller('v1/artifacts')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLettersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'The dead letters: artifacts retrieval gave up on, newest first',
    description:
      'Failed artifacts (or those of `status`), keyset-paginated by (updatedAt, id) descending, with why each failed. ' +
      'Identifiers and state only, never note content. The same filters as POST /v1/artifacts/retry, so a listing shows ' +
      'what a retry would reset. The listing is an admin action: it is audited (`artifacts.list`) before the page goes out.',
  })
  @ApiOkResponse({ type: DeadLetterPageOutput, description: 'One page of artifacts and the cursor of the next.' })
  @ApiBadRequest('A malformed or unknown query parameter (named in the message), or a cursor not issued for these filters.')
  @ApiServiceUnavailableResponse({ type: ErrorOutput, description: 'The audit of this listing could not be written; nothing is served.' })
  async list(@Query(queryValidation) input: ListArtifactsInput, @Actor() actor: AuditActor): Promise<DeadLetterPageOutput> {
    const filter: ArtifactFilter = { ...filterOf(input), status: input.status };
    let page;
    try {
      page = await this.deadLetters.list(filter, { limit: pageSize(input.limit), cursor: input.cursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException(error.message);
      throw error;
    }
    await this.audit.record(actor, {
      action: 'artifacts.list',
      sessionId: input.sessionId,
      encounterId: input.encounterId,
      kind: input.kind,
    });
    return {
      items: page.items.map((item) => ({
        sessionId: item.sessionId,
        encounterId: item.encounterId,
        kind: item.kind,
        status: item.status,
        attempts: item.attempts,
        lastError: item.lastError,
        updatedAt: new Date(item.updatedAt).toISOString(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  @Post('retry')
  @HttpCode(202)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Retry the matching failed artifacts for a fresh retry horizon',
    description:
      'Resets every failed artifact that matches all the given filters to `pending`, due now, with its attempts counted ' +
      'from zero; the retrieval worker takes them up at once. An empty body (or none) retries every failed artifact. ' +
      'Each artifact reset is an audit record (`artifacts.retry`, with its session, encounter and kind), committed in the ' +
      'same transaction as the reset (one record naming the filter when nothing matched): a retry is never done unaudited.',
  })
  @ApiBody({ type: RetryArtifactsInput, required: false })
  @ApiAcceptedResponse({
    type: RetryOutput,
    description: 'The artifacts were reset and are queued; watch them with GET /v1/artifacts?status=pending.',
  })
  @ApiBadRequest('A malformed body, an unknown field, or a field of the wrong form (named in the message).')
  @ApiUnsupportedMediaTypeResponse({ type: ErrorOutput, description: 'A body whose Content-Type is not application/json.' })
  @ApiServiceUnavailableResponse({ type: ErrorOutput, description: 'The reset and its audit could not be committed; nothing was retried.' })
  async retry(@JsonBody(bodyValidation) input: RetryArtifactsInput, @Actor() actor: AuditActor): Promise<RetryOutput> {
    return this.deadLetters.retry(filterOf(input), actor);
  }
}

function filterOf(input: ListArtifactsInput | RetryArtifactsInput): Omit<ArtifactFilter, 'status'> {
  return {
    kind: input.kind,
    sessionId: input.sessionId,
    encounterId: input.encounterId,
    updatedSince: input.updatedSince === undefined ? undefined : new Date(input.updatedSince),
    updatedBefore: input.updatedBefore === undefined ? undefined : new Date(input.updatedBefore),
  };
}
