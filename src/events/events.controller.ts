import { BadRequestException, Controller, Get, GoneException, HttpException, HttpStatus, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiGoneResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ErrorOutput } from '../common/error.output';
import { AppConfig } from '../config/app-config';
import { ApiBadRequest, InternalApi } from '../api/query-docs';
import { queryValidation } from '../api/query-validation';
import { RequireScopes } from '../api/scopes';
import { encodeFeedCursor, readAfter } from './event-cursor';
import { readTypes } from './event-types';
import { EventPageOutput, eventOutput } from './event.output';
import { DEFAULT_EVENTS_LIMIT, EventsInput } from './events.input';
import { FeedService } from './feed.service';

@ApiTags('events')
@InternalApi()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly feed: FeedService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @RequireScopes('read')
  @ApiOperation({
    summary: 'Follow changes: session status changes, artifacts ready or failed, results ready',
    description:
      'A gap-free change feed: resuming from `nextCursor` returns every event exactly once, in one order, whichever replica ' +
      'wrote it and in whatever order their transactions committed. With `waitSeconds`, an empty answer waits for the next event.',
  })
  @ApiOkResponse({ type: EventPageOutput, description: 'The next events (possibly none) and the cursor to continue from.' })
  @ApiBadRequest('A malformed or unknown query parameter (named in the message), or a cursor this service did not issue.')
  @ApiGoneResponse({ type: ErrorOutput, description: 'The cursor is older than the retained events (EVENTS_RETENTION_DAYS).' })
  @ApiTooManyRequestsResponse({
    type: ErrorOutput,
    description: `With waitSeconds: EVENTS_MAX_WAITERS long-polls are already waiting. Retry after Retry-After seconds (or poll without waitSeconds).`,
    headers: { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } } },
  })
  async list(
    @Query(queryValidation) input: EventsInput,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventPageOutput> {
    const after = readAfter(input.after);
    if (!after) throw new BadRequestException('after is not a cursor issued by this service (or start, or now)');
    const types = readTypes(input.types);
    if ('problem' in types) throw new BadRequestException(types.problem);
    const answer = await this.feed.read({
      after,
      types: types.types,
      limit: input.limit ?? DEFAULT_EVENTS_LIMIT,
      waitMs: (input.waitSeconds ?? 0) * 1000,
      signal: clientGone(request, response),
    });
    if ('busy' in answer) {
      response.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      // Nor does the refused client keep its connection idle meanwhile.
      response.setHeader('Connection', 'close');
      throw new HttpException(
        'too many long-polls are waiting (EVENTS_MAX_WAITERS); retry after Retry-After seconds',
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    if (answer.gone) {
      throw new GoneException(
        `after names a position older than the events kept (EVENTS_RETENTION_DAYS=${this.config.eventsRetentionDays}); ` +
          'events after it may be gone: start again with after=start (the oldest event kept) or after=now (only new events)',
      );
    }
    return { items: answer.events.map(eventOutput), nextCursor: encodeFeedCursor(answer.next) };
  }
}

/** Long enough for some of the waiting long-polls (at most 30 s each) to have answered. */
const BUSY_RETRY_AFTER_SECONDS = 5;

/** Aborts once the client's connection closes before the answer went out: its long-poll then stops. */
function clientGone(request: Request, response: Response): AbortSignal {
  const gone = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) gone.abort();
  };
  request.socket.once('close', onClose);
  response.once('finish', () => request.socket.off('close', onClose));
  return gone.signal;
}
