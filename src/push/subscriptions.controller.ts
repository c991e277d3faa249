import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { Actor, type AuditActor } from '../api/actor';
import { ErrorOutput } from '../common/error.output';
import { bodyValidation, JsonBody } from '../api/json-body';
import { pageSize } from '../api/keyset';
import { KeysetPageInput } from '../api/page.input';
import { ApiBadRequest, ApiNotFound, InternalApi } from '../api/query-docs';
import { queryValidation } from '../api/query-validation';
import { RequireScopes } from '../api/scopes';
import { CreateSubscriptionInput, ReplayInput, UpdateSubscriptionInput } from './subscription.input';
import {
  AttemptPageOutput,
  CreatedSubscriptionOutput,
  ReplayOutput,
  SecretOutput,
  SubscriptionOutput,
  SubscriptionPageOutput,
  TestOutput,
} from './subscription.output';
import { SubscriptionsService } from './subscriptions.service';

const ID = { name: 'id', description: 'The subscription id.' };
const NOT_FOUND = 'No subscription with this id.';
const BAD_BODY = 'A malformed body, an unknown field, or a field of the wrong form (named in the message).';
const JSON_ONLY = { type: ErrorOutput, description: 'A body whose Content-Type is not application/json.' };

/** Push subscriptions: internal systems called with every feed event (admin only, every change audited). */
@ApiTags('subscriptions')
@InternalApi()
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Subscribe an endpoint to the change feed',
    description:
      'Every event of GET /v1/events (of `types`) after `after` is POSTed to `url`, signed (Standard Webhooks), in feed order per ' +
      'session, at least once. The secret is shown only in this answer. Audited (`subscription.created`).',
  })
  @ApiBody({ type: CreateSubscriptionInput })
  @ApiCreatedResponse({ type: CreatedSubscriptionOutput, description: 'Subscribed; delivery starts at once.' })
  @ApiBadRequest(`${BAD_BODY} Also: a host not in PUSH_ALLOWED_HOSTS (it is never contacted), an unknown type, an unknown cursor.`)
  @ApiUnsupportedMediaTypeResponse(JSON_ONLY)
  create(@JsonBody(bodyValidation) input: CreateSubscriptionInput, @Actor() actor: AuditActor): Promise<CreatedSubscriptionOutput> {
    return this.subscriptions.create(input, actor);
  }

  @Get()
  @RequireScopes('admin')
  @ApiOperation({ summary: 'The subscriptions, newest first, with their lag and last attempt' })
  @ApiOkResponse({ type: SubscriptionPageOutput })
  @ApiBadRequest('A malformed query parameter or cursor.')
  list(@Query(queryValidation) input: KeysetPageInput): Promise<SubscriptionPageOutput> {
    return this.subscriptions.list(pageSize(input.limit), input.cursor);
  }

  @Get(':id')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'One subscription, with its lag, failing state and last attempt' })
  @ApiParam(ID)
  @ApiOkResponse({ type: SubscriptionOutput })
  @ApiNotFound(NOT_FOUND)
  get(@Param('id') id: string): Promise<SubscriptionOutput> {
    return this.subscriptions.get(id);
  }

  @Patch(':id')
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Change, pause or resume a subscription',
    description:
      'Once `paused` is answered no new delivery starts; `active` resumes from the cursor (also from `disabled`). New `types` ' +
      'take effect from the cursor. Audited (`subscription.updated`).',
  })
  @ApiParam(ID)
  @ApiBody({ type: UpdateSubscriptionInput })
  @ApiOkResponse({ type: SubscriptionOutput })
  @ApiBadRequest(BAD_BODY)
  @ApiNotFound(NOT_FOUND)
  @ApiUnsupportedMediaTypeResponse(JSON_ONLY)
  update(
    @Param('id') id: string,
    @JsonBody(bodyValidation) input: UpdateSubscriptionInput,
    @Actor() actor: AuditActor,
  ): Promise<SubscriptionOutput> {
    return this.subscriptions.update(id, input, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Delete a subscription and its attempts', description: 'Audited (`subscription.deleted`).' })
  @ApiParam(ID)
  @ApiNoContentResponse({ description: 'Deleted; no delivery starts any more.' })
  @ApiNotFound(NOT_FOUND)
  async delete(@Param('id') id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.subscriptions.delete(id, actor);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description: 'For PUSH_SECRET_OVERLAP_MS both secrets sign every delivery. Audited (`subscription.secret_rotated`).',
  })
  @ApiParam(ID)
  @ApiOkResponse({ type: SecretOutput })
  @ApiNotFound(NOT_FOUND)
  async rotate(@Param('id') id: string, @Actor() actor: AuditActor): Promise<SecretOutput> {
    return { secret: await this.subscriptions.rotate(id, actor) };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Deliver again everything after a point, in order',
    description: 'Moves the cursor to `after` (`start` or a feed cursor). Audited (`subscription.replayed`).',
  })
  @ApiParam(ID)
  @ApiBody({ type: ReplayInput })
  @ApiAcceptedResponse({ type: ReplayOutput })
  @ApiBadRequest(BAD_BODY)
  @ApiNotFound(NOT_FOUND)
  @ApiUnsupportedMediaTypeResponse(JSON_ONLY)
  async replay(@Param('id') id: string, @JsonBody(bodyValidation) input: ReplayInput, @Actor() actor: AuditActor): Promise<ReplayOutput> {
    return { cursor: await this.subscriptions.replay(id, input.after, actor) };
  }

  @Post(':id/test')
  @HttpCode(202)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Send one ping event to the endpoint',
    description: '`{id, type: "ping", occurredAt}`, signed like every delivery, outside the feed\'s order; its attempt is listed.',
  })
  @ApiParam(ID)
  @ApiAcceptedResponse({ type: TestOutput })
  @ApiNotFound(NOT_FOUND)
  async test(@Param('id') id: string): Promise<TestOutput> {
    return { eventId: await this.subscriptions.test(id) };
  }

  @Get(':id/attempts')
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Delivery attempts, newest first', description: 'Never response bodies. Kept EVENTS_RETENTION_DAYS.' })
  @ApiParam(ID)
  @ApiOkResponse({ type: AttemptPageOutput })
  @ApiBadRequest('A malformed query parameter or cursor.')
  @ApiNotFound(NOT_FOUND)
  attempts(@Param('id') id: string, @Query(queryValidation) input: KeysetPageInput): Promise<AttemptPageOutput> {
    return this.subscriptions.attempts(id, pageSize(input.limit), input.cursor);
  }
}
