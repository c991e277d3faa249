import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsRetention } from './events-retention';
import { EventsRetentionRepository } from './events-retention.repository';
import { FeedReader } from './feed-reader';
import { FeedService } from './feed.service';
import { FeedFrontier } from './feed-frontier';
import { FeedMetrics } from './feed.metrics';
import { FeedWakeups } from './feed-wakeups';

/**
 * The change feed (GET /v1/events). The events themselves are written by database triggers in
 * the transactions that make the changes (migration change_feed); this module only reads them,
 * wakes long-polls, and purges old ones. Reads go through the query API's pool.
 */
@Module({
  imports: [ApiModule],
  controllers: [EventsController],
  providers: [
    EventsRepository,
    FeedReader,
    FeedService,
    FeedWakeups,
    FeedFrontier,
    FeedMetrics,
    EventsRetention,
    EventsRetentionRepository,
  ],
  // Push subscriptions read the same feed, wake the same way, and purge their attempts with it.
  exports: [FeedReader, FeedWakeups, EventsRetention],
})
export class EventsModule {}
