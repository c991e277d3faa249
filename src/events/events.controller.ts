import { BadRequestException, Controller, Get, GoneException, Query } from '@nestjs/common';
import { ApiGoneResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorOutput } from '../common/error.output';
import { AppConfig } from '../config/app-config';
import { ApiBadRequest, InternalApi } from '../query/query-docs';
import { queryValidation } from '../query/query-validation';
import { RequireScopes } from '../query/scopes';
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
  async list(@Query(queryValidation) input: EventsInput): Promise<EventPageOutput> {
    const after = readAfter(input.after);
    if (!after) throw new BadRequestException('after is not a cursor issued by this service (or start, or now)');
    const types = readTypes(input.types);
    if ('problem' in types) throw new BadRequestException(types.problem);
    const answer = await this.feed.read({
      after,
      types: types.types,
      limit: input.limit ?? DEFAULT_EVENTS_LIMIT,
      waitMs: (input.waitSeconds ?? 0) * 1000,
    });
    if (answer.gone) {
      throw new GoneException(
        `after names a position older than the events kept (EVENTS_RETENTION_DAYS=${this.config.eventsRetentionDays}); ` +
          'events after it may be gone: start again with after=start (the oldest event kept) or after=now (only new events)',
      );
    }
    return { items: answer.events.map(eventOutput), nextCursor: encodeFeedCursor(answer.next) };
  }
}
